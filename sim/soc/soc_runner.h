// What the programs behind `strata run` on a SoC config share, whatever
// transport carries the host's accesses (soc_run: the AXI4-Lite master on
// the Verilated SoC; sc_run: the SystemC virtual platform): the command
// line, the model and its input, the run through SocDevice and
// runtime::run_model, and the report.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "config/config.h"
#include "golden/nn.h"
#include "rv32_params.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"
#include "runtime/runner.h"
#include "soc/soc_device.h"
#include "soc_config.h"

namespace strata::sim {

struct SocRunOptions {
  std::string model_file, input_file, trace, json_out, md_out, firmware = STRATA_SOC_FIRMWARE;
  std::uint64_t seed = 1, budget = 50'000'000;
  bool poll = false;

  void add_to(CLI::App& app) {
    app.add_option("MODEL", model_file, "model file (docs/model-format.md)")->required();
    app.add_option("--input", input_file, "input tensor file (default: random values from --seed)");
    app.add_option("--seed", seed, "seed of the random input");
    app.add_option("--budget", budget, "cycle budget per job");
    app.add_option("--firmware", firmware, "the control firmware (ELF)");
    app.add_flag("--poll", poll, "poll F2H_DOORBELL instead of waiting for irq_o");
    app.add_option("--json", json_out, "write the report as JSON");
    app.add_option("--markdown", md_out, "write the report as a Markdown table");
  }
};

// The config of this build, the model, its input (random from the seed
// unless a file is given) and the model compiled for the engine.
struct SocRunJob {
  SocConfig config;
  golden::nn::Model model;
  golden::nn::Tensor input;
  runtime::Program program;

  explicit SocRunJob(const SocRunOptions& o)
      : config(load_config(STRATA_SOC_CONFIG)),
        model(runtime::load_model(o.model_file)),
        input(o.input_file.empty() ? runtime::random_input(model, o.seed)
                                   : runtime::load_tensor(o.input_file, model.input_length, model.input_channels, model.input_format)),
        program(runtime::compile(config, model)) {
    if (o.input_file.empty()) fmt::print("input: random, seed {}\n", o.seed);
  }
};

// What a run through the firmware gives: the runner's report, the last
// job's answer (the whole network), the cycles of the boot and of the whole
// simulation, and the wall-clock time it took.
struct SocRunResult {
  runtime::RunReport report;
  Answer answer;
  std::uint64_t boot_cycles = 0, cycles = 0;
  double seconds = 0;
};

// Boots the firmware over `port` and runs the job's model through it.
inline SocRunResult run_through_firmware(HostPort& port, const SocRunOptions& o, const SocRunJob& job) {
  SocDevice dev(port, o.firmware, rv32_iss_params(*job.config.rv32), !o.poll);
  SocRunResult r;
  r.boot_cycles = port.cycles();
  r.report = runtime::run_model(dev, job.config, job.model, job.program, job.input, o.budget);
  r.answer = dev.last_answer();
  r.cycles = port.cycles();
  return r;
}

// Prints the report (and writes it as JSON and Markdown when asked);
// `simulator` names what ran the SoC in the speed line. Returns the
// program's exit code: 0 bit-exact, 1 a mismatch.
inline int report_run(const SocRunOptions& o, const SocRunJob& job, const SocRunResult& r, const std::string& transport, const std::string& simulator,
                      const char* program) {
  const Answer& a = r.answer;
  std::string md = runtime::to_markdown(r.report, fmt::format("{} on {} through the firmware", job.model.name, job.config.name));
  md += fmt::format("\nThrough the firmware (mailbox job of the whole network): {} engine cycles, {} core cycles from taking the job to answering, "
                    "{} cycles from the doorbell to the answer; boot (firmware load over {}, ping) {} cycles.\n",
                    a.words[1], a.words[2], a.host_cycles, transport, r.boot_cycles);
  md += fmt::format("Simulated {} cycles of the SoC in {:.2f} s: {:.0f} cycles/s ({}).\n", r.cycles, r.seconds, static_cast<double>(r.cycles) / r.seconds,
                    simulator);
  fmt::print("{}", md);
  if (!o.json_out.empty()) {
    auto j = runtime::to_json(r.report);
    j["transport"] = "soc_" + transport;
    j["firmware"] = {{"engine_cycles", a.words[1]}, {"core_cycles", a.words[2]}, {"host_cycles", a.host_cycles}, {"boot_cycles", r.boot_cycles}};
    j["simulation"] = {{"cycles", r.cycles}, {"seconds", r.seconds}};
    runtime::save_text(j.dump(2) + "\n", o.json_out);
  }
  if (!o.md_out.empty()) runtime::save_text(md, o.md_out);
  if (!r.report.ok()) {
    fmt::print(stderr, "{}: error: the SoC's results differ from the golden model\n", program);
    return 1;
  }
  return 0;
}

}  // namespace strata::sim
