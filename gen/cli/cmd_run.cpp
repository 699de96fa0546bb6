#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/tools.h"
#include "config/config.h"
#include "runtime/compiler.h"
#include "runtime/model_file.h"
#include "strata_version.h"

namespace strata::cli {

namespace fs = std::filesystem;

namespace {

// The transports that carry the host's accesses to a SoC config's host
// port: the simulation project (sim/<sim>) built for the config and its
// program that runs a model through the firmware with every remaining
// argument of `strata run`. A new transport is one more line.
struct Transport {
  std::string name, sim, program, what;
  std::vector<std::string> args;  // given to the program before the others
  bool trace = false;             // it writes an FST waveform (--trace)
};
const std::vector<Transport>& transports() {
  static const std::vector<Transport> t{
      {"axi", "soc", "soc_run", "the AXI4-Lite host port of the Verilated SoC", {}, true},
      {"systemc", "systemc", "sc_run", "the TLM-2.0 socket of the SoC in a SystemC virtual platform", {}, false},
      {"uart", "soc", "soc_run", "the UART bridge of the Verilated SoC", {"--transport=uart"}, true},
  };
  return t;
}
const Transport& transport(const std::string& name) {
  for (const Transport& t : transports())
    if (t.name == name) return t;
  throw CliError(fmt::format("--transport: unknown transport '{}'", name));  // CLI11 checked the name
}
std::vector<std::string> transport_names() {
  std::vector<std::string> names;
  for (const Transport& t : transports()) names.push_back(t.name);
  return names;
}

struct RunOptions {
  std::string config, model, input, trace, build_dir, json, markdown, transport, serial;
  std::uint64_t seed = 1;
  std::uint64_t budget = 50'000'000;
};

// Checks the config and the model (and that the model compiles for the
// engine) before the long build; then builds sim/nn for the config and runs
// its nn_run on the model, or for a SoC config (nn and rv32) sim/soc and its
// soc_run: the model through the control firmware over the AXI4-Lite port.
void run(const RunOptions& o) {
  const SocConfig c = load_config(o.config);
  if (!c.nn)
    throw ConfigError(fmt::format("{}: error: nn: missing; config '{}' has no network engine to run a model on; allowed: a config with an nn section",
                                  o.config, c.name));
  const auto model = runtime::load_model(o.model);
  try {
    (void)runtime::compile(c, model);
  } catch (const runtime::CompileError& e) {
    throw runtime::CompileError(fmt::format("{}: cannot run on '{}': {}", o.model, c.name, e.what()));
  }
  const bool soc = c.rv32.has_value();
  if (!soc && !o.transport.empty())
    throw ConfigError(fmt::format("{}: error: --transport {}: config '{}' has no rv32 section; allowed: --transport only with a SoC config (nn and rv32)",
                                  o.config, o.transport, c.name));
  const Transport& t = transport(o.transport.empty() ? "axi" : o.transport);
  if (t.name == "uart" && !c.uart)
    throw ConfigError(fmt::format("{}: error: uart: missing; --transport uart needs the UART bridge, and config '{}' has no uart section; allowed: a config with "
                                  "a uart section (gen/configs/soc_pulse_uart.yaml)",
                                  o.config, c.name));
  if (!o.serial.empty() && t.name != "uart") throw CLI::ValidationError("--serial", "the serial line is the UART bridge's; allowed: with --transport uart");
  if (soc && !o.trace.empty() && !t.trace)
    throw CLI::ValidationError("--trace", fmt::format("the {} transport writes no waveform; allowed: --trace with --transport axi", t.name));
  const std::string sim = soc ? t.sim : "nn", runner = soc ? t.program : "nn_run", what = soc ? "SoC" : "engine";
  const fs::path build = fs::absolute(o.build_dir.empty() ? fs::path("build") / c.name / sim : fs::path(o.build_dir));
  const fs::path log = build / "build.log";
  fs::create_directories(build);
  fs::remove(log);
  run_step(fmt::format("configure the {} simulation (generate RTL, verilate)", what),
           {"cmake", "-S", fs::path(STRATA_SOURCE_DIR) / "sim" / sim, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
            "-DSTRATA_EXE=" + fs::read_symlink("/proc/self/exe").string(), "-DSTRATA_CONFIG=" + fs::absolute(o.config).string(),
            "-DSTRATA_PREBUILT_DIR=" STRATA_BINARY_DIR, fmt::format("-DSTRATA_TRACE={}", o.trace.empty() ? "OFF" : "ON")},
           log);
  run_step(fmt::format("build the {} simulation", what), {"cmake", "--build", build, "--target", runner}, log);
  std::vector<std::string> argv{(build / runner).string()};
  if (soc) argv.insert(argv.end(), t.args.begin(), t.args.end());
  argv.insert(argv.end(), {fs::absolute(o.model).string(), fmt::format("--seed={}", o.seed), fmt::format("--budget={}", o.budget)});
  if (!o.input.empty()) argv.push_back("--input=" + fs::absolute(o.input).string());
  if (!o.trace.empty()) argv.push_back("--trace=" + fs::absolute(o.trace).string());
  if (!o.json.empty()) argv.push_back("--json=" + fs::absolute(o.json).string());
  if (!o.markdown.empty()) argv.push_back("--markdown=" + fs::absolute(o.markdown).string());
  if (!o.serial.empty()) argv.push_back("--serial=" + o.serial);
  progress(fmt::format("running '{}' on '{}'{}", model.name, c.name, soc ? " through the firmware, over " + t.what : ""));
  if (run_program(argv) != 0)
    throw CliError(fmt::format("running '{}' on '{}' failed (see above)", model.name, c.name));
  progress(fmt::format("'{}' on '{}': every tensor bit-exact with the golden model", model.name, c.name));
}

}  // namespace

void add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a model on the Verilated network engine of a config (through the firmware on a SoC config) and compare it with the golden model");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("CONFIG", o->config, "config file (YAML) with an nn section")->required()->check(CLI::ExistingFile);
  cmd->add_option("MODEL", o->model, "model file (docs/model-format.md)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--input", o->input, "input tensor file (default: random values from --seed: int8, or posit8 codes other than NaR)")->check(CLI::ExistingFile);
  cmd->add_option("--seed", o->seed, "seed of the random input (printed; replays a run)");
  cmd->add_option("--trace", o->trace, "write an FST waveform of the run to this file");
  cmd->add_option("--budget", o->budget, "cycle budget of each engine run")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--json", o->json, "write the report (cycles, utilization, mismatches per layer) as JSON");
  cmd->add_option("--markdown", o->markdown, "write the report as a Markdown table");
  cmd->add_option("--transport", o->transport, "on a SoC config: what carries the host's accesses (default axi: the AXI4-Lite port of the Verilated SoC; systemc: the SystemC virtual platform, docs/systemc.md; uart: the UART bridge of a config with a uart section)")
      ->check(CLI::IsMember(transport_names()));
  cmd->add_option("--build-dir", o->build_dir, "where to build (default build/<name>/nn, or for a SoC config build/<name>/soc, build/<name>/systemc with --transport systemc)");
  cmd->add_option("--serial", o->serial, "with --transport uart: run on a board through this serial device (e.g. /dev/ttyUSB1) instead of the simulation");
  cmd->callback([o] { run(*o); });
}

}  // namespace strata::cli
