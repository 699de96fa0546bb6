// Helpers shared by the tests that run the strata binary.
#pragma once

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace strata::test_support {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Outcome {
  int status;       // exit status, -1 if it did not exit
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `strata ARGS` (ARGS as shell words) with stdin from `input_file`.
inline Outcome run_strata(const std::string& args, const std::string& input_file = "/dev/null") {
  static std::atomic<int> n{0};
  const std::string base = (std::filesystem::temp_directory_path() / fmt::format("strata-run-{}-{}", ::getpid(), n++)).string();
  const int rc = std::system(fmt::format("'{}' {} >'{}.out' 2>'{}.err' <'{}'", STRATA_EXE_PATH, args, base, base, input_file).c_str());
  Outcome r{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(base + ".out"), slurp(base + ".err")};
  std::filesystem::remove(base + ".out");
  std::filesystem::remove(base + ".err");
  return r;
}

}  // namespace strata::test_support
