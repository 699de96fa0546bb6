// Golden model of the mixed-precision accumulator (quire) of the arithmetic
// unit: the specification the mixed-precision AU is built against. Not yet
// used by a generator (the integer AU's AuModel is the special case of this
// model with integer formats only, and the tests check that they agree).
//
// Lane formats: int4/int8/int16 (two's complement), fp4 (E2M1), posit4_1,
// posit8_0, posit16_1; 16/N lanes of N bits per 16-bit operand word.
//
// The quire holds Q * 2^-F exactly, Q a signed integer of W bits. F is the
// number of fraction bits the finest enabled product needs (int 0, fp4 2,
// posit4_1 8, posit8_0 12, posit16_1 56: twice -log2 of the format's
// smallest lane value ulp); W is the smallest width for which
// max_accumulations beats of the largest products cannot overflow. Every
// beat adds the exact sum of its exact lane products, so a dot product's
// value does not depend on the order of its beats. Beyond max_accumulations
// beats each step clamps Q to its range and flags `saturated`. A NaR lane
// operand makes the whole dot product NaR, reported with Q = 0 and
// `saturated` clear. A format that is not enabled
// counts as 0 and flags `format_error`. Flags last until `last`.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "golden/number_format.h"

namespace strata::golden {

enum class LaneFormat : unsigned { int4 = 0, int8 = 1, int16 = 2, fp4 = 3, posit4_1 = 4, posit8_0 = 5, posit16_1 = 6 };

struct LaneFormatInfo {
  LaneFormat format;
  std::string_view name;  // as NumberFormat::parse reads it
  int lane_bits;
  int lanes;
  int product_frac_bits;  // F this format needs
};

const LaneFormatInfo& info(LaneFormat f);
NumberFormat number_format(LaneFormat f);

struct QuireSpec {
  std::vector<LaneFormat> formats;
  std::uint64_t max_accumulations;
};

struct QuireShape {
  int frac_bits;  // F
  int width;      // W, sign included
};
QuireShape quire_shape(const QuireSpec& spec);

struct QuireResult {
  mpz_class q;  // the dot product is q * 2^-frac_bits
  bool saturated = false;
  bool nar = false;
  bool format_error = false;
  bool operator==(const QuireResult&) const = default;
};

class QuireModel {
 public:
  explicit QuireModel(QuireSpec spec);
  std::optional<QuireResult> accept(std::uint16_t a, std::uint16_t b, unsigned fmt_code, bool last);
  void reset() { partial_ = QuireResult{}; }
  const QuireShape& shape() const { return shape_; }
  // The exact value of a result: q * 2^-F.
  mpq_class value(const QuireResult& r) const;

 private:
  QuireSpec spec_;
  QuireShape shape_;
  mpz_class max_, min_;
  QuireResult partial_;
};

}  // namespace strata::golden
