// The `strata` subcommands. Each adds itself to the app; its callback throws
// CliError (exit 1) or ConfigError (exit 2) on failure.
#pragma once

#include <CLI/CLI.hpp>

namespace strata::cli {

void add_gen(CLI::App& app);
void add_lint(CLI::App& app);
void add_sim(CLI::App& app);
void add_synth(CLI::App& app);
void add_random_config(CLI::App& app);
void add_numerics(CLI::App& app);
void add_run(CLI::App& app);
void add_example_model(CLI::App& app);
void add_run_elf(CLI::App& app);
void add_import(CLI::App& app);
void add_pulses(CLI::App& app);
void add_pulse(CLI::App& app);
void add_sweep(CLI::App& app);
void add_estimate(CLI::App& app);

}  // namespace strata::cli
