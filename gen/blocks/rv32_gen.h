// The RV32 control core and its system (docs/blocks/rv32.md): builds
// <name>_rv32 (core, IMEM, DMEM, MMIO) into the design and returns its name.
#pragma once

#include <string>

#include "config/config.h"
#include "ir/design.h"

namespace strata {

std::string generate_rv32(const SocConfig& c, ir::Design& d);

}  // namespace strata
