#include "sweep/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace strata::sweep {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, int out_fd, const fs::path& dir) {
  ::dup2(out_fd, 1);
  ::dup2(out_fd, 2);
  const int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  if (!dir.empty() && ::chdir(dir.c_str()) != 0) ::_exit(127);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  const std::string msg = fmt::format("cannot run '{}'\n", argv[0]);
  [[maybe_unused]] auto n = ::write(2, msg.data(), msg.size());
  ::_exit(127);
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& dir) {
  if (!log.parent_path().empty()) fs::create_directories(log.parent_path());
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open log file {}", log.string()));
  std::string cmd = "$";
  for (const auto& a : argv) cmd += " " + a;
  cmd += "\n";
  [[maybe_unused]] auto n = ::write(fd, cmd.data(), cmd.size());
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) exec_child(argv, fd, dir);
  ::close(fd);
  return pid;
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int run_logged(const std::vector<std::string>& argv, const fs::path& log, const fs::path& dir) {
  const pid_t pid = spawn(argv, log, dir);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return exit_code(status);
}

Captured capture(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    exec_child(argv, fds[1], {});
  }
  ::close(fds[1]);
  Captured c;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    c.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  c.status = exit_code(status);
  return c;
}

fs::path self_exe() { return fs::read_symlink("/proc/self/exe"); }

}  // namespace strata::sweep
