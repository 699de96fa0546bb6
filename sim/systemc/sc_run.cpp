// sc_run: the example virtual platform (platform.h) running a model through
// the control firmware: the host's TLM initiator loads the firmware into
// the SoC through its target socket, and SocDevice and runtime::run_model
// run every layer and then the whole network as mailbox jobs, compared bit
// for bit with the golden model. The program behind
// `strata run CONFIG MODEL --transport systemc`.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>

#include "soc/soc_runner.h"
#include "systemc/platform.h"

int sc_main(int argc, char* argv[]) {
  CLI::App app{"Run a model through the firmware on the SoC in a SystemC virtual platform and on the golden model"};
  strata::sim::SocRunOptions o;
  o.add_to(app);
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::sim::SocRunJob job(o);
    strata::sim::SocRunResult r;
    const auto t0 = std::chrono::steady_clock::now();
    strata::sim::Platform vp("vp", [&](strata::sim::TlmHostPort& port) { r = strata::sim::run_through_firmware(port, o, job); });
    vp.run();
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return strata::sim::report_run(o, job, r, vp.port.name(), "SystemC with the Verilated SoC, one thread", "sc_run");
  } catch (const std::exception& e) {
    fmt::print(stderr, "sc_run: error: {}\n", e.what());
    return 2;
  }
}
