// Lane formats of the arithmetic unit and their run-time codes.
//
// The code is what the AU's `fmt_i` (and `out_fmt_i`) port carries. Codes are
// fixed across all configs so that software written for one config runs on
// another that enables the same format; a config that does not enable a
// format treats its code as an error (see au.h). Code 7 is reserved.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace strata::golden {

enum class Format : unsigned { int4 = 0, int8 = 1, int16 = 2, fp4 = 3, posit4_1 = 4, posit8_0 = 5, posit16_1 = 6 };

inline constexpr int kFormatCodeBits = 3;  // width of fmt_i
inline constexpr int kOperandBits = 16;    // width of one operand word

struct FormatInfo {
  Format format;
  std::string_view name;  // also the name NumberFormat::parse reads
  int lane_bits;          // bits per lane
  int lanes;              // lanes per 16-bit operand word
  bool is_integer;        // two's complement; else FP4 or a posit
  bool has_nar;           // posits: the code 1000..0 is NaR
  // Every product of two lane values is a multiple of 2^-product_frac_bits
  // (twice -log2 of the smallest lane value step): int 0, fp4 2 (0.5^2),
  // posit4_1 8 (minpos 2^-4), posit8_0 12 (2^-6), posit16_1 56 (2^-28).
  int product_frac_bits;
};

inline constexpr std::array<FormatInfo, 7> kFormats{{
    {Format::int4, "int4", 4, 4, true, false, 0},
    {Format::int8, "int8", 8, 2, true, false, 0},
    {Format::int16, "int16", 16, 1, true, false, 0},
    {Format::fp4, "fp4", 4, 4, false, false, 2},
    {Format::posit4_1, "posit4_1", 4, 4, false, true, 8},
    {Format::posit8_0, "posit8_0", 8, 2, false, true, 12},
    {Format::posit16_1, "posit16_1", 16, 1, false, true, 56},
}};

constexpr const FormatInfo& info(Format f) { return kFormats[static_cast<unsigned>(f)]; }

constexpr std::optional<Format> format_from_name(std::string_view name) {
  for (const auto& f : kFormats)
    if (f.name == name) return f.format;
  return std::nullopt;
}

// The enabled format with this code, if any.
template <class Formats>
constexpr std::optional<Format> enabled_format(const Formats& enabled, unsigned code) {
  for (Format f : enabled)
    if (static_cast<unsigned>(f) == code) return f;
  return std::nullopt;
}

}  // namespace strata::golden
