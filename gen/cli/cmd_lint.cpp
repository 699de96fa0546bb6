#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/tools.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

// verilator --lint-only -Wall with each module as the top, then one yosys parse
// and one Icarus elaboration of the whole design: the three tools the
// generated subset must satisfy. Logs go to a temporary file kept on failure.
void lint(const fs::path& dir) {
  const fs::path manifest_path = dir / "manifest.json";
  if (!fs::exists(manifest_path)) throw CliError(fmt::format("{}: no manifest.json; is this a directory written by 'strata gen'?", dir.string()));
  nlohmann::json m;
  try {
    m = nlohmann::json::parse(read_file(manifest_path));
  } catch (const nlohmann::json::exception& e) {
    throw CliError(fmt::format("{}: not a valid manifest: {}", manifest_path.string(), e.what()));
  }
  const fs::path log = fs::temp_directory_path() / fmt::format("strata-lint-{}.log", ::getpid());
  fs::remove(log);
  std::vector<std::string> files;
  for (const auto& mod : m.at("modules")) {
    const std::string name = mod.at("name");
    files.push_back(mod.at("file"));
    run_step(fmt::format("verilator lint of {}", name), {"verilator", "--lint-only", "-Wall", "-f", "files.f", "--top-module", name}, log, dir);
  }
  std::string script = "read_verilog -sv";
  for (const auto& f : files) script += " " + f;
  script += fmt::format("; hierarchy -check -top {}; proc; check -assert", m.at("top").get<std::string>());
  run_step("yosys parse", {"yosys", "-q", "-p", script}, log, dir);
  std::vector<std::string> icarus{"iverilog", "-g2012", "-o", "/dev/null", "-s", m.at("top").get<std::string>()};
  icarus.insert(icarus.end(), files.begin(), files.end());
  run_step("icarus elaboration", icarus, log, dir);
  fs::remove(log);
  progress(fmt::format("lint clean: {} module(s) in {}", files.size(), dir.string()));
}

}  // namespace

void add_lint(CLI::App& app) {
  auto* cmd = app.add_subcommand("lint", "Lint a generated design: verilator --lint-only -Wall per module, a yosys parse, an Icarus elaboration");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "directory written by 'strata gen'")->required()->check(CLI::ExistingDirectory);
  cmd->callback([dir] { lint(*dir); });
}

}  // namespace strata::cli
