// strata pulses: simulated detector pulses for the pulse workload (docs/pulse.md).
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "pulse/dataset_io.h"
#include "pulse/pulse_config.h"
#include "pulse/simulate.h"

namespace strata::cli {

void add_pulses(CLI::App& app) {
  auto* cmd = app.add_subcommand("pulses", "Simulate digitised detector pulses into a data set (docs/pulse.md)");
  struct Options {
    std::string config, out, csv, snr, shape, check;
    std::uint64_t count = 0, seed = 0;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--config", o->config, "pulse parameters (YAML, docs/pulse.md); the flags below override it")->check(CLI::ExistingFile);
  cmd->add_option("--count", o->count, "number of events")->check(CLI::Range(std::uint64_t{1}, pulse::PulseLimits::count_max));
  cmd->add_option("--seed", o->seed, "seed of the random numbers (the same seed gives the same file)");
  cmd->add_option("--snr-db", o->snr, "SNR = 20 log10(peak amplitude / noise rms) in dB, or none");
  cmd->add_option("--shape", o->shape, "pulse shape")->check(CLI::IsMember({"crrc", "double_exp"}));
  cmd->add_option("-o,--output", o->out, "binary data set to write");
  cmd->add_option("--csv", o->csv, "CSV data set to write");
  cmd->add_option("--check", o->check, "read a data set (binary, or CSV if it ends in .csv), validate it and print its parameters")
      ->check(CLI::ExistingFile);
  cmd->callback([o, cmd] {
    try {
      if (!o->check.empty()) {
        const bool csv = o->check.size() > 4 && o->check.substr(o->check.size() - 4) == ".csv";
        const pulse::Dataset d = csv ? pulse::read_csv(o->check) : pulse::read_binary(o->check);
        const pulse::PulseParams& p = d.params;
        fmt::print("{}: {} events of {} samples, {}-bit ADC at {} MSPS, shape {}, {}, seed {}\n", o->check, d.count(), p.samples, p.adc_bits,
                   p.rate_msps, pulse::shape_name(p.shape),
                   p.noisy() ? fmt::format("SNR {} dB ({})", p.snr_db, pulse::noise_reference_name(p.noise_reference)) : "no noise", p.seed);
        return;
      }
      if (o->out.empty() && o->csv.empty()) throw CliError("pulses: give -o FILE (binary) and/or --csv FILE");
      pulse::PulseParams p = o->config.empty() ? pulse::PulseParams{} : pulse::load_pulse_config(o->config);
      if (cmd->count("--count")) p.count = o->count;
      if (cmd->count("--seed")) p.seed = o->seed;
      if (cmd->count("--shape")) p.shape = o->shape == "crrc" ? pulse::ShapeKind::crrc : pulse::ShapeKind::double_exp;
      if (cmd->count("--snr-db")) {
        if (o->snr == "none") {
          p.snr_db = std::numeric_limits<double>::infinity();
        } else {
          std::size_t used = 0;
          double v = 0;
          try {
            v = std::stod(o->snr, &used);
          } catch (const std::exception&) {
            used = 0;
          }
          if (used != o->snr.size() || !std::isfinite(v))
            throw ConfigError(fmt::format("strata pulses: error: --snr-db: '{}' is not a number; allowed: a number in dB or none", o->snr));
          p.snr_db = v;
        }
      }
      if (const std::string e = pulse::check_params(p); !e.empty()) throw ConfigError(fmt::format("strata pulses: error: {}", e));
      const pulse::Dataset d = pulse::simulate(p);
      if (!o->out.empty()) pulse::write_binary(d, o->out);
      if (!o->csv.empty()) pulse::write_csv(d, o->csv);
      progress(fmt::format("wrote {} {} pulses ({} samples at {} MSPS, {}, seed {}) to {}", d.count(), pulse::shape_name(p.shape), p.samples,
                           p.rate_msps, p.noisy() ? fmt::format("SNR {} dB", p.snr_db) : "no noise", p.seed,
                           o->out.empty() ? o->csv : (o->csv.empty() ? o->out : o->out + " and " + o->csv)));
    } catch (const pulse::PulseConfigError& e) {
      throw ConfigError(e.what());
    } catch (const pulse::PulseFileError& e) {
      throw ConfigError(e.what());
    }
  });
}

}  // namespace strata::cli
