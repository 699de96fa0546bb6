// One interface over every scalar format the arithmetic unit knows: two's
// complement integers, FP4 E2M1 and posit(n, es). Each format maps a code to
// an exact value and an exact value to its correctly rounded code; the
// operations below are exact and then rounded once.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "golden/posit.h"

namespace strata::golden {

class NumberFormat {
 public:
  enum class Kind { integer, fp4, posit };

  // "int4", "int8", "int16", "fp4", or "posit<N>_<ES>" (e.g. posit16_1).
  // Throws std::invalid_argument listing what is allowed.
  static NumberFormat parse(const std::string& name);

  Kind kind() const { return kind_; }
  int bits() const { return bits_; }
  std::string name() const;
  bool has_nar() const { return kind_ == Kind::posit; }
  std::uint32_t nar() const { return posit_nar(posit_); }

  // The exact value of a code (low bits() bits read); nullopt for NaR.
  std::optional<mpq_class> decode(std::uint32_t code) const;
  // Integers round to nearest, ties to even, and saturate; FP4 and posits as
  // in posit.h.
  std::uint32_t encode(const mpq_class& x) const;

  // Correctly rounded a*b and a+b; NaR in, NaR out.
  std::uint32_t mul(std::uint32_t a, std::uint32_t b) const;
  std::uint32_t add(std::uint32_t a, std::uint32_t b) const;
  // Fused dot product: the exact sum of the exact products, rounded once.
  std::uint32_t fdp(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs) const;

 private:
  Kind kind_ = Kind::integer;
  int bits_ = 8;
  PositFormat posit_{8, 0};
};

}  // namespace strata::golden
