// soc_run: runs a model through the control firmware on the Verilated SoC
// of this build's config (the firmware loaded through the host port, the
// model's program written into the engine's memories through it, every
// layer and then the whole network a mailbox job) and on the golden model;
// prints cycles and the first mismatching element. The host port is the
// AXI4-Lite slave, or with --transport uart the UART bridge (a config with
// a uart section): on the Verilated SoC's pins, or with --serial on a
// board's serial device. The program behind `strata run` on a config with
// nn and rv32.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "rv32_params.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"
#include "runtime/runner.h"
#include "soc/serial_stream.h"
#include "soc/soc_device.h"
#include "soc/soc_sim.h"
#include "soc_config.h"
#if STRATA_SOC_UART
#include "soc/uart_sim.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Run a model through the firmware on the Verilated SoC and on the golden model"};
  std::string model_file, input_file, trace, json_out, md_out, firmware = STRATA_SOC_FIRMWARE, transport = "axi4_lite", serial;
  std::uint64_t seed = 1, budget = 50'000'000;
  bool poll = false;
  app.add_option("MODEL", model_file, "model file (docs/model-format.md)")->required();
  app.add_option("--input", input_file, "input tensor file (default: random values from --seed)");
  app.add_option("--seed", seed, "seed of the random input");
  app.add_option("--trace", trace, "write an FST waveform of the run");
  app.add_option("--budget", budget, "cycle budget per job");
  app.add_option("--firmware", firmware, "the control firmware (ELF)");
  app.add_flag("--poll", poll, "poll F2H_DOORBELL instead of waiting for irq_o");
  app.add_option("--transport", transport, "the host port: axi4_lite, or uart (the UART bridge; polls)")->check(CLI::IsMember({"axi4_lite", "uart"}));
  app.add_option("--serial", serial, "with --transport uart: a board's serial device (e.g. /dev/ttyUSB1) instead of the Verilated SoC");
  app.add_option("--json", json_out, "write the report as JSON");
  app.add_option("--markdown", md_out, "write the report as a Markdown table");
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::SocConfig c = strata::load_config(STRATA_SOC_CONFIG);
    const auto model = strata::runtime::load_model(model_file);
    const auto input = input_file.empty() ? strata::runtime::random_input(model, seed)
                                          : strata::runtime::load_tensor(input_file, model.input_length, model.input_channels, model.input_format);
    if (input_file.empty()) fmt::print("input: random, seed {}\n", seed);
    const auto program = strata::runtime::compile(c, model);
    if (transport == "uart" && !c.uart) throw std::runtime_error(fmt::format("--transport uart: config '{}' has no uart section (no UART bridge)", c.name));
    if (!serial.empty() && transport != "uart") throw std::runtime_error("--serial needs --transport uart");
    const auto t0 = std::chrono::steady_clock::now();
    // The board's serial line, or the Verilated SoC with the AXI4-Lite master or the UART on its pins.
    std::unique_ptr<strata::sim::SocSim> sim;
    std::unique_ptr<strata::sim::ByteStream> line;
    std::unique_ptr<strata::sim::UartPort> uart;
    if (serial.empty()) sim = std::make_unique<strata::sim::SocSim>(trace);
    if (!serial.empty()) {
      line = std::make_unique<strata::sim::SerialStream>(serial, c.uart->baud, c.synth.clock_mhz);
    } else if (transport == "uart") {
#if STRATA_SOC_UART
      line = std::make_unique<strata::sim::UartSim>(*sim, strata::uart_clocks_per_bit(c));
#else
      throw std::logic_error("this build's SoC has no UART pins");
#endif
    }
    if (line) uart = std::make_unique<strata::sim::UartPort>(*line, strata::uart_clocks_per_bit(c));
    strata::sim::HostPort& port = uart ? static_cast<strata::sim::HostPort&>(*uart) : *sim;
    strata::sim::SocDevice dev(port, firmware, strata::rv32_iss_params(*c.rv32), !poll && !uart);
    const std::uint64_t boot = port.cycles();
    const auto report = strata::runtime::run_model(dev, c, model, program, input, budget);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const strata::sim::Answer& a = dev.last_answer();
    std::string md = strata::runtime::to_markdown(report, fmt::format("{} on {} through the firmware", model.name, c.name));
    md += fmt::format("\nThrough the firmware (mailbox job of the whole network): {} engine cycles, {} core cycles from taking the job to answering, "
                      "{} cycles from the doorbell to the answer; boot (firmware load over {}, ping) {} cycles.\n",
                      a.words[1], a.words[2], a.host_cycles, port.name(), boot);
    if (sim)
      md += fmt::format("Simulated {} cycles of the SoC in {:.2f} s: {:.0f} cycles/s (Verilator, one thread).\n", sim->cycles(), secs,
                        static_cast<double>(sim->cycles()) / secs);
    fmt::print("{}", md);
    if (!json_out.empty()) {
      auto j = strata::runtime::to_json(report);
      j["transport"] = std::string("soc_") + port.name();
      j["firmware"] = {{"engine_cycles", a.words[1]}, {"core_cycles", a.words[2]}, {"host_cycles", a.host_cycles}, {"boot_cycles", boot}};
      if (sim) j["simulation"] = {{"cycles", sim->cycles()}, {"seconds", secs}};
      strata::runtime::save_text(j.dump(2) + "\n", json_out);
    }
    if (!md_out.empty()) strata::runtime::save_text(md, md_out);
    if (!report.ok()) {
      fmt::print(stderr, "soc_run: error: the SoC's results differ from the golden model\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "soc_run: error: {}\n", e.what());
    return 2;
  }
}
