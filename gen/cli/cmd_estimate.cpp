// strata estimate CONFIG --target T: resources without synthesis, from the
// fitted model of gen/sweep/estimate.h; --fit TABLE.csv refits it and
// --errors TABLE.csv measures it against a sweep's synthesized points.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "strata_version.h"
#include "sweep/estimate.h"
#include "sweep/point.h"
#include "sweep/sweep_file.h"

namespace strata::cli {

namespace fs = std::filesystem;
using nlohmann::json;

void add_estimate(CLI::App& app) {
  auto* cmd = app.add_subcommand("estimate", "Estimate LUT, FF, carry, DSP, BRAM and SPRAM of a config without synthesis (docs/sweep.md)");
  struct Options {
    std::string config, target = "ice40-up5k", coefficients, fit, errors, output, json_out;
  };
  auto o = std::make_shared<Options>();
  const std::string shipped = (fs::path(STRATA_SOURCE_DIR) / "gen" / "sweep" / "estimate_coefficients.json").string();
  cmd->add_option("CONFIG", o->config, "config file (YAML)");
  cmd->add_option("--target", o->target, "FPGA target")->check(CLI::IsMember(sweep::synth_target_names()))->capture_default_str();
  cmd->add_option("--coefficients", o->coefficients, "the model's coefficients (default gen/sweep/estimate_coefficients.json)");
  cmd->add_option("--fit", o->fit, "fit the coefficients to a sweep's report.csv and write them (to --output, default the shipped file)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--errors", o->errors, "print the estimate's relative errors on the synthesized points of a sweep's report.csv")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", o->output, "with --fit: the coefficients file to write");
  cmd->add_option("--json", o->json_out, "write the estimate as JSON to this file");
  cmd->callback([o, shipped] {
    const std::string coef_file = o->coefficients.empty() ? shipped : o->coefficients;
    if (!o->fit.empty()) {
      const auto samples = sweep::read_table(o->fit);
      if (samples.empty()) throw CliError(fmt::format("{}: no synthesized point to fit", o->fit));
      const json c = sweep::fit(samples, fs::path(o->fit).filename().string());
      const std::string out = o->output.empty() ? coef_file : o->output;
      sweep::write_atomically(out, c.dump(2) + "\n");
      progress(fmt::format("fitted the estimate to {} point(s) of {}; wrote {}", samples.size(), o->fit, out));
      return;
    }
    json coefficients;
    try {
      coefficients = json::parse(read_file(coef_file));
    } catch (const json::exception& e) {
      throw CliError(fmt::format("{}: not a coefficients file: {}", coef_file, e.what()));
    }
    if (!o->errors.empty()) {
      fmt::print("{}", sweep::error_table(sweep::read_table(o->errors), coefficients));
      return;
    }
    if (o->config.empty()) throw CLI::RequiredError("CONFIG (or --fit / --errors)");
    const SocConfig c = load_config(o->config);
    std::map<std::string, long> e;
    try {
      e = sweep::estimate(c, o->target, coefficients);
    } catch (const std::runtime_error& ex) {
      throw CliError(ex.what());
    }
    json j{{"config", c.name}, {"config_hash", config_hash(c)}, {"target", o->target}, {"estimate", e}, {"coefficients", coef_file}};
    std::string head = "| config | target |", rule = "|---|---|", row = fmt::format("| {} | {} |", c.name, o->target);
    for (const auto& [res, v] : e) {
      head += fmt::format(" {} |", res);
      rule += "---|";
      row += fmt::format(" {} |", v);
    }
    fmt::print("{}\n{}\n{}\n", head, rule, row);
    if (!o->json_out.empty()) write_file(o->json_out, j.dump(2) + "\n");
  });
}

}  // namespace strata::cli
