// Golden model of the posit and FP4 number formats: exact decoding and
// correctly rounded encoding. This file is the specification; docs/blocks/
// numerics.md explains it in prose.
//
// Posit(n, es), 2 <= n <= 32, 0 <= es <= 3, the classic definition: a sign
// bit; a regime, a run of m identical bits ended by the opposite bit or by the
// end of the word, worth k = m-1 for a run of ones and k = -m for a run of
// zeros; es exponent bits e (bits cut off by the word's end count as 0); the
// remaining bits are the fraction f of fb bits. The value is
//   (-1)^s * 2^(k*2^es + e) * (1 + f/2^fb)
// where negative numbers are the two's complement of the positive code. The
// code 0 is zero; 1 followed by zeros is NaR (not a real).
//
// Encoding a real x rounds on the infinitely precise encoding of |x| (regime,
// exponent and fraction bits without end): the n-1 bits after the sign are
// kept and rounded to nearest, ties to the even kept pattern. Where the
// exponent bits themselves are cut off (near minpos and maxpos) this rounds
// between powers of two at the point the next-longer encoding marks, not at
// the arithmetic midpoint. A non-zero x is never rounded to 0 or NaR: |x|
// below minpos gives minpos, above maxpos gives maxpos (with x's sign).
//
// FP4 E2M1 (OCP Microscaling formats): 1 sign, 2 exponent bits (bias 1),
// 1 mantissa bit; exponent 0 is the subnormal 0.5; values
// ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}; no Inf or NaN. Encoding rounds to nearest,
// ties to even mantissa, and saturates to ±6. -0 (code 0x8) decodes to 0;
// encoding 0 gives +0, a negative value that rounds to zero gives -0.
#pragma once

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <string>

namespace strata::golden {

struct PositFormat {
  int n;
  int es;
  bool operator==(const PositFormat&) const = default;
};

// Throws std::invalid_argument outside 2 <= n <= 32, 0 <= es <= 3.
void check(PositFormat f);

std::uint32_t posit_nar(PositFormat f);
std::uint32_t posit_maxpos(PositFormat f);
// The exact value of a code (only its low n bits are read); nullopt for NaR.
std::optional<mpq_class> posit_decode(PositFormat f, std::uint32_t code);
// The correctly rounded code of an exact real; see the header comment.
std::uint32_t posit_encode(PositFormat f, const mpq_class& x);

mpq_class fp4_decode(std::uint32_t code);
std::uint32_t fp4_encode(const mpq_class& x);

// Parses a decimal real ("-12.5", "3e-7", ".25") exactly. Throws
// std::invalid_argument naming the text when it is not one.
mpq_class parse_decimal(const std::string& text);
// An exact decimal expansion of a dyadic rational (every decoded value is
// one); other rationals are shown as "p/q".
std::string to_decimal(const mpq_class& x);

}  // namespace strata::golden
