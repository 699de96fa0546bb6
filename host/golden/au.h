// Golden model of the integer SIMD multiply-accumulate arithmetic unit (AU).
// This file is the specification; docs/blocks/au.md explains it in prose.
//
// Operands. Each beat carries two 16-bit operand words a and b and a format
// code. In format intN the word is split into 16/N two's-complement lanes,
// lane i in bits [N*i+N-1 : N*i]. The beat's value is the exact sum of the lane
// products, sum_i a_i * b_i.
//
// Accumulation. A dot product is a run of beats ending with one whose `last`
// flag is set. Its result is the sum of the beat values, held in a signed
// accumulator of acc_width bits. acc_width is the smallest width that cannot
// overflow for max_accumulations beats of the worst-case format: the largest
// magnitude a beat can reach is lanes * 2^(2N-2) (every lane the most negative
// value squared), so acc_width = bitlength(K * lanes * 2^(2N-2)) + 1,
// maximised over the enabled formats.
//
// Saturation. A run longer than max_accumulations may exceed that range. Each
// step then clamps to [-2^(W-1), 2^(W-1)-1] and sets the result's `saturated`
// flag, which stays set until the end of the dot product. Saturation is
// applied per step, so later beats may move a clamped value back into range.
//
// Format errors. A beat whose code is not an enabled format contributes 0 and
// sets the result's `format_error` flag (sticky until the end of the dot
// product like `saturated`).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "golden/formats.h"

namespace strata::golden {

struct AuSpec {
  std::vector<Format> formats;     // enabled formats, at least one
  std::uint64_t max_accumulations; // beats per dot product without overflow
  int pipeline_stages;             // register stages before the accumulator
};

// Width in bits of one beat's value (the sum of its lane products).
int au_dot_width(const std::vector<Format>& formats);
// Width in bits of the accumulator; see the header comment.
int au_acc_width(const std::vector<Format>& formats, std::uint64_t max_accumulations);
// Cycles from accepting the last beat of a dot product to out_valid.
inline int au_latency(const AuSpec& s) { return s.pipeline_stages + 1; }

// Sign-extends the lane of `bits` bits at position `lane` of `word`.
std::int64_t lane_value(std::uint16_t word, int bits, int lane);
// Exact sum of the lane products of one beat in format f.
std::int64_t au_beat_value(std::uint16_t a, std::uint16_t b, Format f);

struct AuResult {
  std::int64_t acc = 0;
  bool saturated = false;
  bool format_error = false;
  bool operator==(const AuResult&) const = default;
};

class AuModel {
 public:
  explicit AuModel(AuSpec spec);

  // Accepts one beat; returns the dot product's result when `last` is set.
  std::optional<AuResult> accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last);
  // Forgets any partial dot product, as the RTL's reset does.
  void reset();

  const AuSpec& spec() const { return spec_; }
  int acc_width() const { return acc_width_; }

 private:
  AuSpec spec_;
  int acc_width_;
  AuResult partial_;
};

}  // namespace strata::golden
