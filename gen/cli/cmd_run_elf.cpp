// strata run-elf: runs an RV32 program (ELF32) on a config's control core.
// The program ends by a store to `tohost` (1 = pass, (n << 1) | 1 = fail
// with code n) or to the MMIO exit register (0 = pass); the exit status is
// 0 only on pass. Prints cycles, instructions retired and CPI.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/rv32_target.h"
#include "cli/tools.h"
#include "config/config.h"
#include "rv32_params.h"

namespace strata::cli {

namespace {

struct RunElfOptions {
  std::string config, program, iss_log;
  bool iss = false;
  RtlRunOptions rtl;
  std::uint64_t max_cycles = 100'000'000;
};

void run_elf(const RunElfOptions& o) {
  const SocConfig c = load_config(o.config);
  if (!c.rv32)
    throw ConfigError(fmt::format("{}: error: rv32: missing; config '{}' has no RV32 core to run a program on; allowed: a config with an rv32 section",
                                  o.config, c.name));
  if (o.iss && (o.rtl.cosim || !o.rtl.trace.empty()))
    throw CliError("--cosim and --trace run the generated core; they cannot be combined with --iss");
  const auto program = golden::rv32::read_elf(o.program, rv32_iss_params(*c.rv32));
  std::unique_ptr<Rv32Target> target;
  if (o.iss)
    target = make_iss_target(*c.rv32, program, o.iss_log);
  else
    target = make_rtl_target(c, o.program, o.rtl);
  progress(fmt::format("running '{}' on {} of '{}' ({}, limit {} cycles)", o.program, target->name(), c.name, to_string(c.rv32->isa),
                       o.max_cycles));
  const Rv32RunResult r = target->run(o.max_cycles);
  const std::string stats = fmt::format("{} cycles, {} instructions retired, CPI {:.3f}", r.cycles, r.instructions,
                                        r.instructions ? static_cast<double>(r.cycles) / static_cast<double>(r.instructions) : 0.0);
  if (!r.exit)
    throw CliError(fmt::format("'{}' did not end within {} cycles (next pc 0x{:08x}; {}); it ends by a store to tohost or to the exit "
                               "register; raise --max-cycles if it needs longer",
                               o.program, o.max_cycles, r.pc, stats));
  if (!r.exit->pass()) throw CliError(fmt::format("'{}': {}; {}", o.program, r.exit->describe(), stats));
  progress(fmt::format("'{}': {}; {}", o.program, r.exit->describe(), stats));
}

}  // namespace

void add_run_elf(CLI::App& app) {
  auto o = std::make_shared<RunElfOptions>();
  auto* cmd = app.add_subcommand("run-elf", "Run an RV32 program (ELF32) on a config's control core; exit status 0 only if it passes");
  cmd->add_option("--config", o->config, "config file (YAML) with an rv32 section")->required();
  cmd->add_option("PROGRAM", o->program, "the program: an ELF32 RISC-V executable")->required();
  cmd->add_flag("--iss", o->iss, "run on the instruction-set simulator alone (one cycle per instruction) instead of the generated core");
  cmd->add_flag("--cosim", o->rtl.cosim, "run the generated core in lockstep with the ISS: every retirement compared (default: the core alone)");
  cmd->add_option("--trace", o->rtl.trace, "write an FST waveform of the core's run to this file");
  cmd->add_option("--build-dir", o->rtl.build_dir, "where to build the core's simulation (default build/<name>/rv32)");
  cmd->add_option("--iss-log", o->iss_log, "with --iss: write every retirement (pc, instruction, registers, memory) to this file");
  cmd->add_option("--max-cycles", o->max_cycles, "stop a program that has not ended after this many cycles")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->callback([o] { run_elf(*o); });
}

}  // namespace strata::cli
