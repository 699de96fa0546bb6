// The RV32 ISS's parameters from a config's rv32 section.
#pragma once

#include "config/config.h"
#include "golden/rv32_iss.h"

namespace strata {

inline golden::rv32::IssParams rv32_iss_params(const Rv32Config& rv) {
  golden::rv32::IssParams p;
  p.has_m = rv.isa == Rv32Isa::rv32im;
  p.reset_vector = rv.reset_vector;
  p.imem_bytes = static_cast<std::uint32_t>(rv.imem_bytes);
  p.dmem_bytes = static_cast<std::uint32_t>(rv.dmem_bytes);
  return p;
}

}  // namespace strata
