// Running the external tools (verilator, yosys, nextpnr, cmake) and telling
// the user what is happening.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::cli {

// An error that ends a command with a message and exit code 1.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs argv[0] (searched in PATH) with cwd `dir`, appending its stdout and
// stderr to `log`. Returns the exit status (127 if it could not start).
int run_tool(const std::vector<std::string>& argv, const std::filesystem::path& log, const std::filesystem::path& dir = {});

// Like run_tool, but throws a CliError naming the step and the log's tail on
// failure. Prints "strata: STEP ..." before and the elapsed time after.
void run_step(const std::string& step, const std::vector<std::string>& argv, const std::filesystem::path& log,
              const std::filesystem::path& dir = {});

// Runs the program argv[0] (a path) in the foreground, its output going to
// this process's stdout and stderr. Returns its exit status (127 if it could
// not start, 128 + signal if a signal ended it).
int run_program(std::vector<std::string> argv);

// Prints one progress line on stderr.
void progress(const std::string& line);

// The last `lines` lines of a file, for error messages.
std::string tail(const std::filesystem::path& file, int lines = 20);

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, const std::string& text);

// First line of `TOOL --version` (or the given flag), or "not found".
std::string tool_version(const std::string& tool, const std::string& flag = "--version");

}  // namespace strata::cli
