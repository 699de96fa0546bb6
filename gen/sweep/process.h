// Child processes for the sweep: run a command into a log, start one without
// waiting, or capture what it prints.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace strata::sweep {

// Starts argv (argv[0] searched in PATH) in `dir` (if not empty), its stdout
// and stderr appended to `log`, stdin from /dev/null. Returns its pid;
// throws std::runtime_error if it cannot fork.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log, const std::filesystem::path& dir = {});

// The exit status of a waitpid() status: the exit code, or 128 + signal.
int exit_code(int wait_status);

// Runs argv to completion (see spawn). Returns its exit code (127: could not start).
int run_logged(const std::vector<std::string>& argv, const std::filesystem::path& log, const std::filesystem::path& dir = {});

struct Captured {
  int status = 127;
  std::string out;  // stdout and stderr together
};
// Runs argv to completion and returns what it printed.
Captured capture(const std::vector<std::string>& argv);

// The path of the running executable.
std::filesystem::path self_exe();

}  // namespace strata::sweep
