// The SoC (docs/blocks/soc.md): the RV32 core with its IMEM, DMEM and
// system MMIO, the network engine, the SoC registers (core reset, doorbells,
// mailbox), the decoders of the core's and the host's accesses, interrupt
// wiring and the AXI4-Lite host port. The memory map and the mailbox
// protocol are the tables of soc/soc_map.h.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

// Adds <name>_soc (for a config with both nn and rv32) and everything in it
// to `d`; returns the top's name.
std::string generate_soc(const SocConfig& c, ir::Design& d);

}  // namespace strata
