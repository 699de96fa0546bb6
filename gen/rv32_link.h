// The firmware's linker script for a config's RV32 memory map
// (docs/blocks/rv32.md): `link.ld` of `strata gen`, used with
// host/firmware/crt0.S.
#pragma once

#include <cstdint>
#include <string>

#include "config/config.h"

namespace strata {

// Code from the reset vector in IMEM; read-only data, data, the `tohost`
// word, thread-local data, bss, heap and stack in DMEM (no program loads
// from IMEM). `header` is the comment naming the generator and config.
// `dmem_reserved` bytes at the start of DMEM are left to others (the SoC's
// mailbox).
std::string rv32_linker_script(const Rv32Config& rv, const std::string& header, std::uint32_t dmem_reserved = 0);

}  // namespace strata
