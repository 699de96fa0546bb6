// The modules of the RV32 core, one generator each (the file list reads as
// the block diagram): decode, ALU, register file, CSRs, load/store unit,
// multiplier/divider (fast or small), the pipeline that joins them, and the
// system around the core (memories, MMIO). Each adds its module to the
// design and returns its name.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata::rv32 {

// Fixed by the memory map of docs/blocks/rv32.md.
inline constexpr unsigned kDmemBase = 0x10000000u;
inline constexpr unsigned kMmioBase = 0x20000000u;

int imem_addr_bits(const Rv32Config& r);  // word address bits of IMEM
int dmem_addr_bits(const Rv32Config& r);  // word address bits of DMEM

std::string decode(const SocConfig& c, ir::Design& d);
std::string alu(const SocConfig& c, ir::Design& d);
std::string shifter(const SocConfig& c, ir::Design& d);
std::string regfile(const SocConfig& c, ir::Design& d);
std::string csr(const SocConfig& c, ir::Design& d);
std::string lsu(const SocConfig& c, ir::Design& d);
std::string muldiv(const SocConfig& c, ir::Design& d);  // _muldiv_fast or _muldiv_small
// mmio_addr_bits: the MMIO region is 2^mmio_addr_bits bytes from kMmioBase
// (5 in the rv32 system; the SoC widens it for the engine's windows).
// <name>_rv32_core of rv32.core: the pipeline, or (compact) core_compact.
std::string core(const SocConfig& c, ir::Design& d, int mmio_addr_bits = 5);
std::string core_compact(const SocConfig& c, ir::Design& d, int mmio_addr_bits);
std::string mmio(const SocConfig& c, ir::Design& d);
std::string imem(const SocConfig& c, ir::Design& d);
std::string dmem(const SocConfig& c, ir::Design& d);

}  // namespace strata::rv32
