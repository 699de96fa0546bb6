// The pulse evaluation behind `strata pulse` (docs/train.md), shared by
// sim/nn/nn_pulse.cpp (the Verilated engine) and sim/soc/soc_pulse.cpp (the
// SoC through its control firmware): simulated pulses through the trained
// network on a backend, every output compared bit for bit with the golden
// model, the time and energy resolution beside the classical baselines on
// the same pulses, the Cramer-Rao bound and PulseDL-II's figures.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "pulse/crb.h"
#include "pulse/pulse_nn.h"

namespace strata::sim {

// What runs the network: its Engine, and what it adds to the report.
class PulseBackend {
 public:
  virtual ~PulseBackend() = default;
  virtual pulse::Engine& engine() = 0;
  virtual std::string report_text(const pulse::Evaluation&) const { return {}; }
  virtual void report_json(const pulse::Evaluation&, nlohmann::json&) const {}
};

using MakePulseBackend = std::function<std::unique_ptr<PulseBackend>(const SocConfig&, const golden::nn::Model&, std::uint64_t budget)>;

namespace pulse_eval_detail {

// PulseDL-II (Ai et al., IEEE TNS 2023) at 47.4 dB, on its own pulses.
constexpr double kPulseDl2TimePs = 60.0, kPulseDl2EnergyPercent = 0.40, kPulseDl2SnrDb = 47.4;

inline nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

inline nlohmann::json resolution_json(const pulse::Resolution& r, double unit) {
  return {{"std", r.std * unit}, {"sigma68", r.sigma68 * unit}, {"fwhm", r.fwhm * unit}, {"mean", r.mean * unit}, {"n", r.n}, {"failed", r.failed}};
}

}  // namespace pulse_eval_detail

// The program's main: parses the options, evaluates on make()'s backend for
// the config at config_path. Exit 1 on a mismatch, 2 on another error.
inline int pulse_main(int argc, char** argv, const std::string& program, const std::string& title, const std::string& config_path,
                      const MakePulseBackend& make) {
  namespace sp = strata::pulse;
  using namespace pulse_eval_detail;
  CLI::App app{title};
  std::string model_file, json_out, snr_text = "47.4";
  std::uint64_t pulses = 1000, seed = 2, baseline_seed = 1, train = 5000, budget = 1'000'000;
  app.add_option("MODEL", model_file, "the trained model file (with its .pulse.json beside it)")->required();
  app.add_option("--snr", snr_text, "SNR in dB");
  app.add_option("--pulses", pulses, "test pulses");
  app.add_option("--seed", seed, "seed of the test pulses");
  app.add_option("--baseline-seed", baseline_seed, "seed of the pulses the baselines are tuned on");
  app.add_option("--train", train, "pulses the baselines are tuned on");
  app.add_option("--budget", budget, "cycle budget of each network run");
  app.add_option("--json", json_out, "write the report with every pulse's outputs as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    const SocConfig c = load_config(config_path);
    const sp::PulseNetwork net = sp::load_pulse_network(model_file);
    sp::PulseParams p;
    p.snr_db = std::stod(snr_text);
    p.samples = static_cast<std::uint32_t>(net.model.input_length);
    p.count = train;
    p.seed = baseline_seed;
    const sp::Dataset train_set = sp::simulate(p);
    p.count = pulses;
    p.seed = seed;
    const sp::Dataset test = sp::simulate(p);
    const sp::Bound bound = sp::cramer_rao(p);
    fmt::print(stderr, "{}: tuning the baselines on {} pulses (seed {})\n", program, train, baseline_seed);
    const sp::Baselines base = sp::tune_baselines(train_set);
    const std::unique_ptr<PulseBackend> backend = make(c, net.model, budget);
    fmt::print(stderr, "{}: {} pulses (seed {}) through '{}' on {}\n", program, pulses, seed, net.model.name, backend->engine().describe());
    const sp::Evaluation ev = sp::evaluate(backend->engine(), net, test, base, [&](std::size_t done) {
      if (done % std::max<std::size_t>(1, pulses / 10) == 0 && done < pulses) fmt::print(stderr, "{}: {} of {} pulses bit-exact\n", program, done, pulses);
    });
    const double clock = c.synth.clock_mhz;
    const double rate = ev.mean_cycles > 0 ? clock * 1e6 / ev.mean_cycles : 0;

    fmt::print("'{}' on '{}': {} CR-RC^{} pulses at {} dB (seed {}; {}-bit ADC at {} MSPS, {} samples); baselines tuned on {} pulses (seed {})\n",
               net.model.name, c.name, pulses, p.order, p.snr_db, seed, p.adc_bits, p.rate_msps, p.samples, train, baseline_seed);
    fmt::print("ran on {}\n", backend->engine().describe());
    fmt::print("bit-exact: {} of {} pulses, every output equal to the golden model's\n\n", ev.pulses.size(), pulses);
    fmt::print("| method | time resolution (ps) | energy resolution (%) |\n|---|---|---|\n");
    fmt::print("| network (int8, on the engine) | {:.1f} | {:.3f} |\n", ev.nn_time.std, ev.nn_energy.std * 100);
    fmt::print("| CFD ({}) | {:.1f} | |\n", sp::describe(base.cfd.cfd), ev.cfd_time.std);
    fmt::print("| CFD + phase correction ({}) | {:.1f} | |\n", sp::describe(base.cfd_phase.cfd), ev.cfd_phase_time.std);
    fmt::print("| trapezoid ({}) | | {:.3f} |\n", sp::describe(base.trapezoid), ev.trapezoid_energy.std * 100);
    fmt::print("| Cramer-Rao bound | {:.1f} | {:.3f} |\n", bound.time_ps, bound.energy_rel * 100);
    fmt::print("| PulseDL-II (its own pulses, at {} dB) | {:.0f} | {:.2f} |\n\n", kPulseDl2SnrDb, kPulseDl2TimePs, kPulseDl2EnergyPercent);
    fmt::print("engine: {:.0f} cycles per pulse (min {}, max {}), {:.0f} pulses/s at {} MHz (synth.clock_mhz; the network's descriptor list only)\n",
               ev.mean_cycles, ev.min_cycles, ev.max_cycles, rate, clock);
    fmt::print("{}", backend->report_text(ev));

    if (!json_out.empty()) {
      nlohmann::json j;
      j["config"] = c.name;
      j["model"] = net.model.name;
      j["model_file"] = net.model_path.string();
      j["scaling_file"] = net.pulse_path.string();
      j["backend"] = backend->engine().describe();
      j["pulse"] = {{"shape", sp::shape_name(p.shape)}, {"order", p.order}, {"tau_ns", p.tau_ns}, {"adc_bits", p.adc_bits}, {"rate_msps", p.rate_msps},
                    {"samples", p.samples}, {"snr_db", p.snr_db}};
      j["pulses"] = pulses;
      j["seed"] = seed;
      j["baseline_train"] = train;
      j["baseline_seed"] = baseline_seed;
      j["bit_exact_pulses"] = ev.pulses.size();
      j["clock_mhz"] = clock;
      j["cycles"] = {{"mean", ev.mean_cycles}, {"min", ev.min_cycles}, {"max", ev.max_cycles}};
      j["pulses_per_second"] = rate;
      j["resolution"] = {{"network_time_ps", resolution_json(ev.nn_time, 1)},
                         {"network_energy_percent", resolution_json(ev.nn_energy, 100)},
                         {"cfd_time_ps", resolution_json(ev.cfd_time, 1)},
                         {"cfd_phase_time_ps", resolution_json(ev.cfd_phase_time, 1)},
                         {"trapezoid_energy_percent", resolution_json(ev.trapezoid_energy, 100)},
                         {"crb_time_ps", bound.time_ps},
                         {"crb_energy_percent", bound.energy_rel * 100},
                         {"pulsedl2", {{"snr_db", kPulseDl2SnrDb}, {"time_ps", kPulseDl2TimePs}, {"energy_percent", kPulseDl2EnergyPercent}}}};
      j["baselines"] = {{"cfd", sp::describe(base.cfd)}, {"cfd_phase", sp::describe(base.cfd_phase)}, {"trapezoid", sp::describe(base.trapezoid)}};
      auto& per = j["per_pulse"] = nlohmann::json::array();
      for (const auto& r : ev.pulses)
        per.push_back({{"index", r.index}, {"t0_ns", r.t0_ns}, {"amplitude", r.amplitude}, {"output", r.output}, {"bit_exact", true},
                       {"time_ns", r.nn.time_ns}, {"energy", r.nn.energy}, {"cfd_ns", number_or_null(r.cfd_ns)},
                       {"cfd_phase_ns", number_or_null(r.cfd_phase_ns)}, {"trapezoid", number_or_null(r.trapezoid)}, {"cycles", r.cycles}});
      backend->report_json(ev, j);
      std::ofstream out(json_out, std::ios::binary);
      out << j.dump(1) << "\n";
      if (!out) throw std::runtime_error(fmt::format("{}: cannot write", json_out));
    }
    return 0;
  } catch (const sp::MismatchError& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return 2;
  }
}

}  // namespace strata::sim
