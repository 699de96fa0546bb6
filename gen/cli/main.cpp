// strata: the command line of the Strata generator.
//
// Exit codes: 0 success; 1 a check or tool failed (lint warnings, a
// co-simulation mismatch, synthesis error); 2 bad input (command line, config).
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"
#include "cli/tools.h"
#include "config/config.h"
#include "elaborate.h"
#include "golden/rv32_elf.h"

int main(int argc, char** argv) {
  CLI::App app{"Strata: a generator of neural-network accelerator SoCs for FPGAs.\n"
               "Exit codes: 0 success, 1 a check or tool failed, 2 bad input.",
               "strata"};
  app.set_version_flag("--version", std::string(strata::kGeneratorName) + " " + strata::generator_version());
  app.require_subcommand(1);
  strata::cli::add_gen(app);
  strata::cli::add_lint(app);
  strata::cli::add_sim(app);
  strata::cli::add_synth(app);
  strata::cli::add_random_config(app);
  strata::cli::add_numerics(app);
  strata::cli::add_run(app);
  strata::cli::add_example_model(app);
  strata::cli::add_run_elf(app);
  strata::cli::add_import(app);
  strata::cli::add_pulses(app);
  strata::cli::add_pulse(app);
  strata::cli::add_sweep(app);
  strata::cli::add_estimate(app);
  // CLI11 reports a mistyped command only as "a subcommand is required": name it.
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    fmt::print(stderr, "strata: error: unknown command '{}'; allowed: {} (see strata --help)\n", argv[1], fmt::join(names, ", "));
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const strata::ConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const strata::runtime::ModelError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const strata::runtime::CompileError& e) {
    fmt::print(stderr, "strata: error: {}\n", e.what());
    return 2;
  } catch (const strata::golden::rv32::ElfError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const strata::cli::CliError& e) {
    fmt::print(stderr, "strata: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "strata: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
