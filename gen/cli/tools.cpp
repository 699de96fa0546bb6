#include "cli/tools.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sweep/process.h"

namespace strata::cli {

namespace fs = std::filesystem;

int run_tool(const std::vector<std::string>& argv, const fs::path& log, const fs::path& dir) {
  try {
    return sweep::run_logged(argv, log, dir);
  } catch (const std::runtime_error& e) {
    throw CliError(e.what());
  }
}

void progress(const std::string& line) { fmt::print(stderr, "strata: {}\n", line); }

void run_step(const std::string& step, const std::vector<std::string>& argv, const fs::path& log, const fs::path& dir) {
  progress(fmt::format("{} ...", step));
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = run_tool(argv, log, dir);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rc == 127) throw CliError(fmt::format("{}: could not run '{}' (is it installed? try ./scripts/setup.sh); log: {}", step, argv[0], log.string()));
  if (rc != 0)
    throw CliError(fmt::format("{} failed (exit {}); last lines of {}:\n{}", step, rc, log.string(), tail(log)));
  progress(fmt::format("{} done ({:.1f} s)", step, secs));
}

std::string tail(const fs::path& file, int lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  for (std::string l; std::getline(in, l);) {
    last.push_back(l);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "  " + l + "\n";
  return out;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CliError(fmt::format("{}: cannot read", file.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& file, const std::string& text) {
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw CliError(fmt::format("{}: cannot write", file.string()));
}

std::string tool_version(const std::string& tool, const std::string& flag) {
  const std::string cmd = tool + " " + flag + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "not found";
  char buf[256] = {};
  std::string first = std::fgets(buf, sizeof buf, p) ? buf : "";
  const int rc = ::pclose(p);
  while (!first.empty() && (first.back() == '\n' || first.back() == '\r')) first.pop_back();
  return rc == 0 && !first.empty() ? first : "not found";
}

int run_program(std::vector<std::string> argv) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace strata::cli
