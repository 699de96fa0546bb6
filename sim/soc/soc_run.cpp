// soc_run: runs a model through the control firmware on the Verilated SoC
// of this build's config (the firmware loaded through the host port, the
// model's program written into the engine's memories through it, every
// layer and then the whole network a mailbox job) and on the golden model;
// prints cycles and the first mismatching element. The host port is the
// AXI4-Lite slave, or with --transport uart the UART bridge (a config with
// a uart section): on the Verilated SoC's pins, or with --serial on a
// board's serial device. The program behind `strata run` on a config with
// nn and rv32 (its default transport and the UART one).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "soc/serial_stream.h"
#include "soc/soc_runner.h"
#include "soc/soc_sim.h"
#include "soc/uart_port.h"
#if STRATA_SOC_UART
#include "soc/uart_sim.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"Run a model through the firmware on the Verilated SoC and on the golden model"};
  strata::sim::SocRunOptions o;
  std::string transport = "axi", serial;
  o.add_to(app);
  app.add_option("--trace", o.trace, "write an FST waveform of the run");
  app.add_option("--transport", transport, "the host port: axi (AXI4-Lite), or uart (the UART bridge; polls)")->check(CLI::IsMember({"axi", "uart"}));
  app.add_option("--serial", serial, "with --transport uart: a board's serial device (e.g. /dev/ttyUSB1) instead of the Verilated SoC");
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::sim::SocRunJob job(o);
    const strata::SocConfig& c = job.config;
    if (transport == "uart" && !c.uart) throw std::runtime_error(fmt::format("--transport uart: config '{}' has no uart section (no UART bridge)", c.name));
    if (!serial.empty() && transport != "uart") throw std::runtime_error("--serial needs --transport uart");
    const auto t0 = std::chrono::steady_clock::now();
    // The board's serial line, or the Verilated SoC with the AXI4-Lite master or the UART on its pins.
    std::unique_ptr<strata::sim::SocSim> sim;
    std::unique_ptr<strata::sim::ByteStream> line;
    std::unique_ptr<strata::sim::UartPort> uart;
    if (serial.empty()) sim = std::make_unique<strata::sim::SocSim>(o.trace);
    if (!serial.empty()) {
      line = std::make_unique<strata::sim::SerialStream>(serial, c.uart->baud, c.synth.clock_mhz);
    } else if (transport == "uart") {
#if STRATA_SOC_UART
      line = std::make_unique<strata::sim::UartSim>(*sim, strata::uart_clocks_per_bit(c));
#else
      throw std::logic_error("this build's SoC has no UART pins");
#endif
    }
    if (line) {
      uart = std::make_unique<strata::sim::UartPort>(*line, strata::uart_clocks_per_bit(c));
      o.poll = true;  // no interrupt line over the serial port
    }
    strata::sim::HostPort& port = uart ? static_cast<strata::sim::HostPort&>(*uart) : *sim;
    strata::sim::SocRunResult r = strata::sim::run_through_firmware(port, o, job);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return strata::sim::report_run(o, job, r, port.name(), sim ? "Verilator, one thread" : "a board over its serial line", "soc_run");
  } catch (const std::exception& e) {
    fmt::print(stderr, "soc_run: error: {}\n", e.what());
    return 2;
  }
}
