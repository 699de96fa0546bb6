// rv32_run: runs an ELF32 program on the Verilated RV32 system of this
// build's config until it stores to the exit register or to `tohost`
// (1 = pass, (n << 1) | 1 = fail with code n), or reaches the cycle limit.
// With --cosim the ISS (host/golden/rv32_iss.h) runs in lockstep: after every
// retirement of the core it executes one step and the two RVFI records must
// agree; the first difference stops the run with both states printed.
// Console bytes go to standard output; the summary (cycles, instructions
// retired, CPI, simulation speed) to standard error. Exit status: 0 pass,
// 1 program failed, 2 error, 3 cycle limit, 4 lockstep mismatch.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <cstdio>

#include "config/config.h"
#include "golden/rv32_elf.h"
#include "rv32/rv32_dut.h"
#include "rv32_config.h"
#include "rv32_params.h"

namespace {

namespace rv = strata::golden::rv32;

void load(strata::sim::Rv32Dut& dut, const rv::ElfImage& img, const rv::IssParams& p) {
  const rv::MemoryImage mem = rv::memory_image(img, p);
  auto word = [](const std::vector<std::uint8_t>& b, std::size_t i) {
    return std::uint32_t{b[i]} | std::uint32_t{b[i + 1]} << 8 | std::uint32_t{b[i + 2]} << 16 | std::uint32_t{b[i + 3]} << 24;
  };
  for (std::size_t i = 0; i + 3 < mem.imem.size(); i += 4) dut.load_word(rv::kImemBase + static_cast<std::uint32_t>(i), word(mem.imem, i));
  for (std::size_t i = 0; i + 3 < mem.dmem.size(); i += 4) dut.load_word(rv::kDmemBase + static_cast<std::uint32_t>(i), word(mem.dmem, i));
}

// How the core's run ended, from its own outputs: the exit register, or a
// store to tohost seen on RVFI.
std::optional<rv::Exit> rtl_exit(const strata::sim::Rv32Dut::Cycle& c, const std::optional<std::uint32_t>& tohost) {
  if (c.exit) return rv::Exit{rv::Exit::Kind::exit_register, c.exit_code, {}};
  if (tohost && c.retired && !c.r.trap && c.r.mem_wmask == 0xF && c.r.mem_addr == *tohost)
    return rv::Exit{rv::Exit::Kind::tohost, c.r.mem_wdata, {}};
  return std::nullopt;
}

struct Options {
  std::string trace, json;
  std::uint64_t max_cycles = 100'000'000;
  bool cosim = false, quiet = false;
};

// Runs one program; returns the exit status of the whole command for it.
int run_one(const std::string& elf, const rv::IssParams& params, const Options& o) {
  const rv::ElfImage img = rv::read_elf(elf, params);
  strata::sim::Rv32Dut dut(o.trace);
  load(dut, img, params);
  std::optional<rv::Iss> iss;
  if (o.cosim) {
    iss.emplace(params);
    rv::load(*iss, img);
  }
  dut.start();
  std::uint64_t instret = 0;
  std::uint32_t next_pc = params.reset_vector;
  std::optional<rv::Exit> exit;
  const auto t0 = std::chrono::steady_clock::now();
  while (!exit && dut.cycles() < o.max_cycles) {
    const auto c = dut.step();
    if (c.console) std::fputc(c.byte, stdout);
    if (c.retired) {
      if (!c.r.trap) ++instret;
      next_pc = c.r.pc_wdata;
      if (iss) {
        if (const auto msg = rv::lockstep_check(*iss, c.r)) {
          std::fflush(stdout);
          fmt::print(stderr, "rv32_run: '{}': lockstep mismatch at cycle {} (retirement {}):\n{}\n", elf, dut.cycles(), c.r.order, *msg);
          return 4;
        }
      }
    }
    exit = rtl_exit(c, img.tohost);
    if (iss && exit.has_value() != iss->exit().has_value()) {
      std::fflush(stdout);
      fmt::print(stderr, "rv32_run: '{}': lockstep mismatch at cycle {}: the core {} but the ISS {}\n", elf, dut.cycles(),
                 exit ? "ended (" + exit->describe() + ")" : std::string("runs on"), iss->exit() ? "ended (" + iss->exit()->describe() + ")" : std::string("runs on"));
      return 4;
    }
  }
  std::fflush(stdout);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!o.json.empty()) {
    nlohmann::json j;
    j["program"] = elf;
    j["cycles"] = dut.cycles();
    j["instructions"] = instret;
    j["pc"] = next_pc;
    j["seconds"] = secs;  // wall-clock time of the simulation loop
    j["exit"] = exit ? nlohmann::json{{"kind", exit->kind == rv::Exit::Kind::tohost ? "tohost" : "exit_register"}, {"value", exit->value}}
                     : nlohmann::json(nullptr);
    std::ofstream(o.json) << j.dump(2) << "\n";
  }
  const std::string stats = fmt::format("cycles {}, instret {}, CPI {:.3f}, {:.0f} instructions/s simulated{}", dut.cycles(), instret,
                                        instret ? static_cast<double>(dut.cycles()) / static_cast<double>(instret) : 0.0,
                                        secs > 0 ? static_cast<double>(instret) / secs : 0.0, iss ? " (lockstep with the ISS)" : "");
  if (!exit) {
    fmt::print(stderr, "rv32_run: error: '{}' did not end within {} cycles (it ends by a store to tohost or to the exit register); {}\n", elf,
               o.max_cycles, stats);
    return 3;
  }
  if (!o.quiet || !exit->pass()) fmt::print(stderr, "rv32_run: '{}': {}; {}\n", elf, exit->describe(), stats);
  return exit->pass() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run ELF32 programs on the Verilated RV32 system (optionally in lockstep with the ISS)"};
  std::vector<std::string> inputs;
  Options o;
  app.add_option("PROGRAM", inputs, "ELF32 executables, or directories of them (every *.elf, in name order)")->required();
  app.add_flag("--cosim", o.cosim, "compare every retirement with the instruction-set simulator");
  app.add_option("--max-cycles", o.max_cycles, "stop a program after this many cycles");
  app.add_option("--trace", o.trace, "write an FST waveform of the run (one program)");
  app.add_flag("--quiet", o.quiet, "no summary line for a program that passes");
  app.add_option("--json", o.json, "write cycles, instructions, the next pc and the ending as JSON (one program)");
  CLI11_PARSE(app, argc, argv);
  try {
    const strata::SocConfig cfg = strata::load_config(STRATA_RV32_CONFIG);
    const rv::IssParams params = strata::rv32_iss_params(*cfg.rv32);
    std::vector<std::string> files;
    for (const auto& in : inputs) {
      if (std::filesystem::is_directory(in)) {
        std::vector<std::string> dir;
        for (const auto& e : std::filesystem::directory_iterator(in))
          if (e.path().extension() == ".elf") dir.push_back(e.path().string());
        std::sort(dir.begin(), dir.end());
        if (dir.empty()) throw std::runtime_error(fmt::format("{}: no .elf files", in));
        files.insert(files.end(), dir.begin(), dir.end());
      } else {
        files.push_back(in);
      }
    }
    if ((!o.trace.empty() || !o.json.empty()) && files.size() != 1) throw std::runtime_error("--trace and --json need exactly one program");
    for (const auto& f : files)
      if (const int rc = run_one(f, params, o); rc != 0) return rc;
    if (files.size() > 1) fmt::print(stderr, "rv32_run: {} programs pass{}\n", files.size(), o.cosim ? " in lockstep with the ISS" : "");
    return 0;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "rv32_run: error: {}\n", e.what());
    return 2;
  }
}
