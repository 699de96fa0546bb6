// What `strata run-elf` runs a program on. The ISS alone is one target;
// the Verilated core (alone or in lockstep with the ISS) is another, with
// the same interface: load once, run to the end or the cycle limit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "golden/rv32_elf.h"
#include "golden/rv32_iss.h"

namespace strata::cli {

struct Rv32RunResult {
  std::optional<golden::rv32::Exit> exit;  // nullopt: stopped at the cycle limit
  std::uint64_t cycles = 0;                // clock cycles
  std::uint64_t instructions = 0;          // instructions retired (trapping ones not counted)
  std::uint32_t pc = 0;                    // the next instruction's address when it stopped
};

class Rv32Target {
 public:
  virtual ~Rv32Target() = default;
  virtual std::string name() const = 0;  // for messages: "the ISS", "the core", ...
  // Runs the loaded program; console output goes to stdout as it is written.
  virtual Rv32RunResult run(std::uint64_t max_cycles) = 0;
};

// The generated core in Verilator (sim/rv32, built for the config on first
// use, with its RVFI port on), alone or in lockstep with the ISS.
struct RtlRunOptions {
  bool cosim = false;     // compare every retirement with the ISS
  std::string trace;      // FST waveform file, if any
  std::string build_dir;  // default build/<name>/rv32
};
std::unique_ptr<Rv32Target> make_rtl_target(const SocConfig& c, const std::filesystem::path& program, const RtlRunOptions& o);

// The instruction-set simulator alone (one cycle per instruction); with a
// `log` path, one line per retirement (golden::rv32::format) goes there.
std::unique_ptr<Rv32Target> make_iss_target(const Rv32Config& rv, const golden::rv32::ElfImage& program, const std::string& log = {});

}  // namespace strata::cli
