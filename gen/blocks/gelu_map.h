// The GELU unit's program port (docs/blocks/gelu.md): the word address of
// every table entry, register and coefficient, and the writes that load the
// golden model's programs (host/golden/gelu.h) into one form's bank. Shared
// by the generator (gen/blocks/gelu_gen.cpp) and every driver of the unit.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "golden/gelu.h"

namespace strata::gelu_map {

// prog_addr_i: [12:11] region, [10] bank (the form's position in gelu.forms),
// [9:0] index within the region. prog_wdata_i: 24 bits.
inline constexpr int kAddrBits = 13;
inline constexpr int kDataBits = 24;
inline constexpr int kBankBit = 10;
inline constexpr int kRegionShift = 11;
enum Region : unsigned { table8 = 0, regs16 = 1, coeffs16 = 2 };
// The int16 registers of a bank (region regs16, index [2:0]).
enum Reg16 : unsigned { in_zero = 0, out_zero = 1, relu_mult = 2, relu_shift = 3, seg_shift = 4 };
inline constexpr int kRegs16 = 5;

inline constexpr std::uint32_t address(Region r, int bank, unsigned index) {
  return (static_cast<std::uint32_t>(r) << kRegionShift) | (static_cast<std::uint32_t>(bank) << kBankBit) | index;
}
// Coefficient c_k of segment s: index {k[1:0], s[7:0]}.
inline constexpr std::uint32_t coeff_address(int bank, int k, int segment) {
  return address(coeffs16, bank, (static_cast<unsigned>(k) << 8) | static_cast<unsigned>(segment));
}

using Write = std::pair<std::uint32_t, std::uint32_t>;  // (prog_addr_i, prog_wdata_i)
inline std::uint32_t word(std::int64_t v) { return static_cast<std::uint32_t>(v) & ((1u << kDataBits) - 1); }

// The 256 writes of an int8 table.
inline std::vector<Write> table8_writes(int bank, const std::array<std::int8_t, 256>& table) {
  std::vector<Write> w;
  for (unsigned i = 0; i < 256; ++i) w.emplace_back(address(table8, bank, i), word(table[i]));
  return w;
}

// The writes of an int16 program: the five registers, then c_0..c_D of every segment.
inline std::vector<Write> int16_writes(int bank, const golden::gelu::Int16Program& p, const golden::gelu::Int16Shape& shape) {
  std::vector<Write> w{{address(regs16, bank, in_zero), word(p.in_zero)},
                       {address(regs16, bank, out_zero), word(p.out_zero)},
                       {address(regs16, bank, relu_mult), word(p.relu_mult)},
                       {address(regs16, bank, relu_shift), word(p.relu_shift)},
                       {address(regs16, bank, seg_shift), word(p.seg_shift)}};
  for (int s = 0; s < shape.segments; ++s)
    for (int k = 0; k <= shape.degree; ++k)
      w.emplace_back(coeff_address(bank, k, s), word(p.coeffs[static_cast<std::size_t>(s)][static_cast<std::size_t>(k)]));
  return w;
}

}  // namespace strata::gelu_map
