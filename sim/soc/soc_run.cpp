// soc_run: runs a model through the control firmware on the Verilated SoC
// of this build's config (the firmware loaded through the AXI4-Lite host
// port, the model's program written into the engine's memories through it,
// every layer and then the whole network a mailbox job) and on the golden
// model; prints cycles and the first mismatching element. The program
// behind `strata run` on a config with nn and rv32 (its default transport).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>

#include "soc/soc_runner.h"
#include "soc/soc_sim.h"

int main(int argc, char** argv) {
  CLI::App app{"Run a model through the firmware on the Verilated SoC and on the golden model"};
  strata::sim::SocRunOptions o;
  o.add_to(app);
  app.add_option("--trace", o.trace, "write an FST waveform of the run");
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::sim::SocRunJob job(o);
    const auto t0 = std::chrono::steady_clock::now();
    strata::sim::SocSim sim(o.trace);
    strata::sim::SocRunResult r = strata::sim::run_through_firmware(sim, o, job);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return strata::sim::report_run(o, job, r, sim.name(), "Verilator, one thread", "soc_run");
  } catch (const std::exception& e) {
    fmt::print(stderr, "soc_run: error: {}\n", e.what());
    return 2;
  }
}
