// Number formats of the arithmetic unit and their run-time codes.
//
// The code is what the AU's `fmt_i` port carries. Codes are fixed across all
// configs so that software written for one config runs on another that enables
// the same format; a config that does not enable a format treats its code as an
// error (see au.h). Codes 3..7 are reserved for the floating formats (FP4,
// posits) of the mixed-precision unit.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace strata::golden {

enum class Format : unsigned { int4 = 0, int8 = 1, int16 = 2 };

inline constexpr int kFormatCodeBits = 3;  // width of fmt_i
inline constexpr int kOperandBits = 16;    // width of one operand word

struct FormatInfo {
  Format format;
  std::string_view name;
  int lane_bits;  // bits per lane
  int lanes;      // lanes per 16-bit operand word
};

inline constexpr std::array<FormatInfo, 3> kFormats{{
    {Format::int4, "int4", 4, 4},
    {Format::int8, "int8", 8, 2},
    {Format::int16, "int16", 16, 1},
}};

constexpr const FormatInfo& info(Format f) { return kFormats[static_cast<unsigned>(f)]; }

constexpr std::optional<Format> format_from_name(std::string_view name) {
  for (const auto& f : kFormats)
    if (f.name == name) return f.format;
  return std::nullopt;
}

}  // namespace strata::golden
