// The lockstep protocol on the ISS alone: a standalone ISS plays the core,
// a second ISS follows its records with lockstep_check (interrupts injected
// as the first one took them, mcycle/mip/mtime values taken from its
// records). Every record must agree. With --corrupt N, record N's rd_wdata
// is flipped in bit 0 and the follower must stop there.
//   rv32_iss_selfcheck --config CFG PROGRAM.elf [--corrupt N] [--max-cycles N]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/config.h"
#include "golden/rv32_elf.h"
#include "rv32_params.h"

namespace rv = strata::golden::rv32;

int main(int argc, char** argv) {
  CLI::App app{"ISS-against-ISS lockstep check", "rv32_iss_selfcheck"};
  std::string config, program;
  std::int64_t corrupt = -1;
  std::uint64_t max_cycles = 10'000'000;
  app.add_option("--config", config)->required();
  app.add_option("PROGRAM", program)->required();
  app.add_option("--corrupt", corrupt, "flip bit 0 of this record's rd_wdata (the follower must catch it)");
  app.add_option("--max-cycles", max_cycles);
  CLI11_PARSE(app, argc, argv);
  const auto c = strata::load_config(config);
  const auto p = strata::rv32_iss_params(*c.rv32);
  const auto image = rv::read_elf(program, p);
  rv::Iss core(p), follower(p);
  rv::load(core, image);
  rv::load(follower, image);
  std::uint64_t n = 0, interrupts = 0;
  while (!core.exit() && core.cycles() < max_cycles) {
    rv::Retirement r = core.step();
    if (r.intr && n > 0) interrupts += 1;
    if (static_cast<std::int64_t>(r.order) == corrupt) r.rd_wdata ^= 1;
    if (const auto msg = rv::lockstep_check(follower, r)) {
      fmt::print("{}", *msg);
      return corrupt >= 0 && static_cast<std::int64_t>(r.order) == corrupt ? 0 : 1;
    }
    ++n;
  }
  if (corrupt >= 0) {
    fmt::print("the corrupted record {} was not caught\n", corrupt);
    return 1;
  }
  if (!core.exit() || !core.exit()->pass() || !follower.exit() || follower.exit()->describe() != core.exit()->describe()) {
    fmt::print("the program did not pass on both ({})\n", core.exit() ? core.exit()->describe() : "no end");
    return 1;
  }
  fmt::print("{} retirements agree ({} handler entries)\n", n, interrupts);
  return 0;
}
