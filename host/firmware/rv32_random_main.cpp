// rv32_random: writes constrained random RV32 programs (host/firmware/rv32_random.h)
// as ELF files or assembly, and with --check runs each on the ISS and
// checks that it ends (tohost = 1) within the cycle limit, with a second
// ISS following it by the lockstep protocol (lockstep_check).
//   rv32_random --config CFG --seed N [--count K] [--out DIR] [--format elf|asm|both] [--check]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "config/config.h"
#include "golden/rv32_elf.h"
#include "rv32_params.h"
#include "rv32_random.h"

namespace rv = strata::golden::rv32;

int main(int argc, char** argv) {
  CLI::App app{"Constrained random RV32 programs for lockstep co-simulation", "rv32_random"};
  std::string config, out, format = "elf";
  strata::rv32_random::Options o;
  std::uint64_t count = 1, max_cycles = 1'000'000;
  bool check = false, no_traps = false, no_timing = false;
  app.add_option("--config", config, "config file (YAML) with an rv32 section")->required();
  app.add_option("--seed", o.seed, "seed of the first program (printed; replays it)");
  app.add_option("--count", count, "number of programs: seeds seed .. seed + count - 1");
  app.add_option("--blocks", o.blocks, "blocks (straight-line code or loops) per program")->check(CLI::Range(1, 10000));
  app.add_option("--out", out, "write the programs to this directory as random_<seed>.elf / .S");
  app.add_option("--format", format, "elf, asm or both")->check(CLI::IsMember({"elf", "asm", "both"}));
  app.add_flag("--no-traps", no_traps, "no deliberate traps");
  app.add_flag("--no-timing", no_timing, "no reads of mcycle, mip or mtime");
  app.add_flag("--check", check, "run each program on the ISS: it must end with tohost = 1");
  app.add_option("--max-cycles", max_cycles, "cycle limit of --check");
  CLI11_PARSE(app, argc, argv);
  o.traps = !no_traps;
  o.timing = !no_timing;
  try {
    const strata::SocConfig c = strata::load_config(config);
    if (!c.rv32) {
      fmt::print(stderr, "{}: error: rv32: missing; allowed: a config with an rv32 section\n", config);
      return 2;
    }
    const rv::IssParams p = strata::rv32_iss_params(*c.rv32);
    if (!out.empty()) std::filesystem::create_directories(out);
    std::uint64_t cycles = 0, traps = 0, failures = 0;
    std::map<std::uint32_t, std::uint64_t> causes;
    const std::uint64_t first = o.seed;
    for (std::uint64_t s = first; s < first + count; ++s) {
      o.seed = s;
      const auto prog = strata::rv32_random::generate(p, o);
      if (prog.text.size() * 4 > p.imem_bytes - p.reset_vector) {
        fmt::print(stderr, "rv32_random: seed {}: {} instructions do not fit IMEM; use fewer --blocks\n", s, prog.text.size());
        return 1;
      }
      const auto image = prog.image();
      if (!out.empty()) {
        const auto stem = std::filesystem::path(out) / fmt::format("random_{}", s);
        if (format != "asm") rv::write_elf(stem.string() + ".elf", image);
        if (format != "elf") std::ofstream(stem.string() + ".S") << prog.assembly();
      }
      if (!check) continue;
      // The ISS alone, and a second one following it by the lockstep protocol.
      rv::Iss iss(p), follower(p);
      rv::load(iss, image);
      rv::load(follower, image);
      while (!iss.exit() && iss.cycles() < max_cycles) {
        const auto r = iss.step();
        if (r.trap) {
          ++traps;
          ++causes[*iss.read_csr(rv::csr::mcause)];
        }
        if (const auto msg = rv::lockstep_check(follower, r)) {
          fmt::print(stderr, "rv32_random: seed {}: the lockstep follower disagrees:\n{}", s, *msg);
          return 1;
        }
      }
      cycles += iss.cycles();
      if (!iss.exit() || !iss.exit()->pass()) {
        ++failures;
        fmt::print(stderr, "rv32_random: seed {}: {} after {} cycles (pc 0x{:08x})\n", s,
                   iss.exit() ? iss.exit()->describe() : "did not end", iss.cycles(), iss.pc());
      }
    }
    if (check) {
      std::string by_cause;
      for (const auto& [cause, n] : causes) by_cause += fmt::format(" {}:{}", cause, n);
      fmt::print("rv32_random: {} programs from seed {} on the ISS: {} ended with tohost = 1, {} cycles, {} traps (cause:count{})\n", count,
                 first, count - failures, cycles, traps, by_cause);
    }
    return failures ? 1 : 0;
  } catch (const strata::ConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rv32_random: error: {}\n", e.what());
    return 1;
  }
}
