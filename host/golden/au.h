// Golden model of the mixed-precision SIMD multiply-accumulate arithmetic
// unit (AU). This file is the specification; docs/blocks/au.md explains it in
// prose.
//
// Operands. Each beat carries two 16-bit operand words a and b and a format
// code (formats.h). In a format of N-bit lanes the word holds 16/N lanes,
// lane i in bits [N*i+N-1 : N*i]; each lane decodes to its exact value
// (two's complement, FP4 E2M1 or posit, as in number_format.h). The beat's
// value is the exact sum of the lane products, sum_i a_i * b_i.
//
// Accumulator (quire). A dot product is a run of beats ending with one whose
// `last` flag is set. Its result is the exact sum of the beat values, held as
// a signed integer Q of W bits in units of 2^-F:
//   F = the largest product_frac_bits of the enabled formats (formats.h), so
//       every product is an integer number of units (F = 0 for integers only);
//   W = the smallest width that cannot overflow in max_accumulations beats of
//       the largest products: bitlength(K * lanes * max|lane|^2 * 2^F) + 1,
//       maximised over the enabled formats.
// The sum is independent of the order of the beats.
//
// Saturation. A run longer than max_accumulations may leave that range: each
// step then clamps Q to [-2^(W-1), 2^(W-1)-1] and sets `saturated` until the
// end of the dot product; later beats may move a clamped value back.
//
// NaR. A NaR lane operand (posits only; in either word, in any lane) makes
// the whole dot product NaR: the result has `nar` set, Q = 0 and `saturated`
// clear.
//
// Format errors. A beat whose code is not an enabled format contributes 0 and
// sets `format_error` (sticky until `last`, like `saturated`).
//
// Read-out. When the config enables a float format (FP4 or a posit) the AU
// also rounds each result once, correctly, to a read-out format chosen by the
// code given with the last beat (`out_fmt`), any enabled format:
// NumberFormat::encode of the exact value Q * 2^-F (integers: nearest, ties
// to even, saturated; FP4 and posits as in posit.h). A NaR result reads out
// as the posit's NaR code, or 0 in FP4 and the integers (the `nar` flag says
// so). A read-out code that is not an enabled format reads out 0 and sets
// `format_error`. Configs with integer formats only have no read-out.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "golden/formats.h"

namespace strata::golden {

struct AuSpec {
  std::vector<Format> formats;     // enabled formats, at least one, sorted by code
  std::uint64_t max_accumulations; // beats per dot product without overflow
  int pipeline_stages;             // register stages before the accumulator
};

struct AuShape {
  int frac_bits;   // F
  int acc_width;   // W, sign included
  int beat_width;  // signed width of one beat's value in units of 2^-F
};
AuShape au_shape(const std::vector<Format>& formats, std::uint64_t max_accumulations);
// Whether the AU has a read-out (some enabled format is FP4 or a posit).
bool au_has_readout(const std::vector<Format>& formats);
// Whether the AU reports NaR (some enabled format is a posit).
bool au_has_nar(const std::vector<Format>& formats);
// Cycles from accepting the last beat of a dot product to out_valid.
inline int au_latency(const AuSpec& s) { return s.pipeline_stages + 1; }

// Sign-extends the lane of `bits` bits at position `lane` of `word`.
std::int64_t lane_value(std::uint16_t word, int bits, int lane);
// Largest magnitude of one lane value of format f.
mpq_class max_lane_magnitude(Format f);

struct AuResult {
  mpz_class acc;  // Q: the dot product is acc * 2^-F
  bool saturated = false;
  bool nar = false;
  bool format_error = false;
  std::uint32_t readout = 0;  // the rounded result (0 without a read-out)
  bool operator==(const AuResult&) const = default;
};

class AuModel {
 public:
  explicit AuModel(AuSpec spec);

  // Accepts one beat; returns the dot product's result when `last` is set.
  // `out_fmt` is read with the last beat only.
  std::optional<AuResult> accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last, unsigned out_fmt = 0);
  // Forgets any partial dot product, as the RTL's reset does.
  void reset();

  const AuSpec& spec() const { return spec_; }
  const AuShape& shape() const { return shape_; }
  // The exact value of a result: acc * 2^-F.
  mpq_class value(const AuResult& r) const;

 private:
  // One lane code of one format: NaR, or its value in units of 2^-(P/2),
  // P the format's product_frac_bits (an integer below 2^57).
  struct Lane {
    bool nar;
    std::int64_t units;
  };
  const std::vector<Lane>& lanes(Format f) const { return lane_tables_[static_cast<unsigned>(f)]; }

  AuSpec spec_;
  AuShape shape_;
  bool readout_;
  std::vector<std::vector<Lane>> lane_tables_;  // by format code; empty when not enabled
  mpz_class max_, min_;
  AuResult partial_;
};

}  // namespace strata::golden
