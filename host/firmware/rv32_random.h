// Constrained random RV32 programs for lockstep co-simulation: legal
// encodings of every RV32I(M)/Zicsr instruction with random operands,
// bounded loops, loads and stores inside DMEM (and loads from MMIO), and
// deliberate traps (illegal words, ECALL, EBREAK, misaligned and faulting
// loads and stores, misaligned jumps and branches) that a handler counts
// in x31 and skips. Every program ends by storing 1 to `tohost`.
//
// Why it terminates: control flow only goes forward (branches and jumps
// stay inside their block), except a loop's back edge, whose counter x18
// no other instruction writes and which counts down from at most 8; every
// trap returns to the instruction after the trapping one (no fetch faults
// are generated). x8 holds the centre of the DMEM window and x9 the MMIO
// base, x19 the jump base; random instructions write none of x8, x9, x18,
// x19, x30, x31.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden/rv32_elf.h"
#include "golden/rv32_iss.h"

namespace strata::rv32_random {

struct Options {
  std::uint64_t seed = 1;
  int blocks = 40;     // straight-line blocks and loops
  bool traps = true;   // deliberate traps
  bool timing = true;  // reads of mcycle, mip and MMIO mtime (values the lockstep takes from the core)
};

struct Program {
  std::uint32_t text_base = 0;           // the reset vector
  std::vector<std::uint32_t> text;       // instruction words from text_base
  std::vector<std::string> comments;     // one per word: its disassembly, or what it is for
  std::vector<std::uint8_t> data;        // DMEM from its base: the random window, then tohost (0)
  std::uint32_t tohost = 0;              // the word after the window (the lower half of DMEM, at most 4 KiB)
  golden::rv32::ElfImage image() const;  // as a loadable program
  std::string assembly() const;          // a .S file of .word lines that assembles to the same image
};

Program generate(const golden::rv32::IssParams& p, const Options& o);

}  // namespace strata::rv32_random
