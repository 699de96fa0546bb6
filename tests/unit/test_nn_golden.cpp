// The layer golden model (host/golden/nn.h) against references written
// independently here: exact 128-bit rational rounding for the fixed-point
// primitives, hand-worked examples for every layer type, a float64
// computation of random layers from dequantized values, and for posit8
// layers NumberFormat's exact fused dot product and exact rationals.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "golden/nn.h"
#include "golden/number_format.h"

namespace strata::golden::nn {

// Failure messages show a tensor's shape and codes.
void PrintTo(const Tensor& t, std::ostream* os) {
  *os << t.length << "x" << t.channels << " {";
  for (std::size_t i = 0; i < t.data.size(); ++i) *os << (i ? ", " : "") << int{t.data[i]};
  *os << "}";
}

namespace {

__extension__ typedef __int128 i128;

constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t k2p30 = std::int64_t{1} << 30;
constexpr std::int64_t k2p31 = std::int64_t{1} << 31;

// ---------------------------------------------------------------------------
// Independent references for the fixed-point primitives.

// floor(n / 2^e) and its remainder 0 <= r < 2^e, by arithmetic on a
// magnitude (no reliance on the sign behaviour of >> or /).
struct FloorDiv {
  i128 q, r;
};
FloorDiv floor_div_pot(i128 n, int e) {
  const i128 d = i128{1} << e;
  if (n >= 0) return {n / d, n % d};
  const i128 mag = -n;
  i128 q = -(mag / d);
  if (mag % d != 0) q -= 1;
  return {q, n - q * d};
}

i128 clamp32(i128 v) { return std::clamp<i128>(v, kMin, kMax); }

// gemmlowp's SaturatingRoundingDoublingHighMul is the integer nearest to
// a*b / 2^31 with ties towards +infinity: +2.5 -> 3 but -2.5 -> -2 (its
// "nudge" of 1 - 2^30 for negative products, combined with C++'s truncating
// division, rounds negative ties towards zero). The one result outside int32
// (INT32_MIN * INT32_MIN / 2^31 = 2^31) saturates.
std::int32_t ref_srdhm(std::int32_t a, std::int32_t b) {
  const FloorDiv f = floor_div_pot(i128{a} * b, 31);
  const i128 nearest = f.q + (2 * f.r >= i128{1} << 31 ? 1 : 0);  // r/2^31 >= 1/2 rounds up
  return static_cast<std::int32_t>(clamp32(nearest));
}

// RoundingDivideByPOT: the integer nearest to x / 2^e, ties away from zero.
std::int32_t ref_rdbpot(std::int32_t x, int e) {
  const bool neg = x < 0;
  const i128 mag = neg ? -i128{x} : i128{x};
  const i128 d = i128{1} << e;
  i128 q = mag / d;
  if (2 * (mag % d) >= d && e > 0) q += 1;
  return static_cast<std::int32_t>(neg ? -q : q);
}

std::int32_t ref_mbqm(std::int32_t x, std::int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift < 0 ? -shift : 0;
  const auto shifted = static_cast<std::int32_t>(clamp32(i128{x} * (i128{1} << left)));
  return ref_rdbpot(ref_srdhm(shifted, m), right);
}

// ---------------------------------------------------------------------------
// Helpers for building layers.

Tensor tensor(int length, int channels, std::initializer_list<int> v) {
  Tensor t{length, channels, {}};
  for (int x : v) t.data.push_back(static_cast<std::int8_t>(x));
  EXPECT_EQ(t.data.size(), static_cast<std::size_t>(length * channels));
  return t;
}

std::vector<Code> i8(std::initializer_list<int> v) {
  std::vector<Code> r;
  for (int x : v) r.push_back(static_cast<std::int8_t>(x));
  return r;
}

Layer layer(std::string name, LayerKind kind, std::vector<std::string> inputs, std::string output) {
  Layer l;
  l.name = std::move(name);
  l.kind = kind;
  l.inputs = std::move(inputs);
  l.output = std::move(output);
  return l;
}

// Expects `f` to throw std::invalid_argument whose message contains every
// one of `parts`.
void expect_invalid(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning '" << *parts.begin() << "'";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message '" << msg << "' lacks '" << p << "'";
  }
}

// ---------------------------------------------------------------------------
// Fixed-point primitives.

TEST(NnFixedPoint, DoublingHighMulCornersByHand) {
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);             // 2^62 / 2^31 = 2^31 saturates
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMax), -2147483647);      // (-2^62 + 2^31) / 2^31, exact
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, kMax), 2147483646);       // 2^31 - 2 + 2^-31
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, kMin), -2147483647);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, 1), -1);                  // -2^31 / 2^31
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, -1), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(0, kMin), 0);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, 1), 1);                   // 0.99999... -> 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, -1), -1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 20, 1 << 11), 1);          // 2^31 / 2^31
}

TEST(NnFixedPoint, DoublingHighMulRoundsTiesTowardsPlusInfinity) {
  const auto h = static_cast<std::int32_t>(k2p30);                                // b = 2^30: a*b/2^31 = a/2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, h), 1);                      // +0.5 -> 1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, h), 0);                     // -0.5 -> 0 (not -1)
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, h), 2);                      // +1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, h), -1);                    // -1.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-5, h), -2);                    // -2.5 -> -2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, h + 1), -1);                // just below -0.5 -> -1
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, h - 1), 0);                 // just above -0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, h - 1), 0);                  // just below +0.5 -> 0
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(1 << 15), 1 << 15), 0);       // -2^30 / 2^31 = -0.5
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin + 1, h), -1073741823);     // (-2^31 + 1)/2 = -2^30 + 0.5
}

TEST(NnFixedPoint, RoundingDivideByPotCornersByHand) {
  for (const std::int32_t x : {kMin, -1, 0, 1, kMax}) EXPECT_EQ(rounding_divide_by_pot(x, 0), x);
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);                                // exactly -1
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);                                 // 0.99999... -> 1
  EXPECT_EQ(rounding_divide_by_pot(static_cast<std::int32_t>(k2p30), 31), 1);     // +0.5 -> 1
  EXPECT_EQ(rounding_divide_by_pot(static_cast<std::int32_t>(-k2p30), 31), -1);   // -0.5 -> -1 (away from zero)
  EXPECT_EQ(rounding_divide_by_pot(static_cast<std::int32_t>(-k2p30 + 1), 31), 0);
  EXPECT_EQ(rounding_divide_by_pot(kMin, 30), -2);
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);                                     // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);                                   // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(-1, 1), -1);                                   // -0.5 -> -1
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);                                   // -1.5 -> -2
  EXPECT_EQ(rounding_divide_by_pot(-3, 2), -1);                                   // -0.75 -> -1
  EXPECT_EQ(rounding_divide_by_pot(-2, 3), 0);                                    // -0.25 -> 0
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);                                     // 1.5 -> 2
  EXPECT_EQ(rounding_divide_by_pot(-1, 31), 0);
}

TEST(NnFixedPoint, MultiplyByQuantizedMultiplierCornersByHand) {
  const auto h = static_cast<std::int32_t>(k2p30);
  // {2^30, 1} is exactly 1.0, but its left shift by 1 saturates for |x| >= 2^30:
  // INT32_MIN -> 2 * INT32_MIN -> INT32_MIN -> -2^30; INT32_MAX -> INT32_MAX -> 2^30.
  for (const std::int32_t x : {-(1 << 30), -7, 0, 7, (1 << 30) - 1}) EXPECT_EQ(multiply_by_quantized_multiplier(x, {h, 1}), x);
  EXPECT_EQ(multiply_by_quantized_multiplier(kMin, {h, 1}), -(1 << 30));
  EXPECT_EQ(multiply_by_quantized_multiplier(kMax, {h, 1}), 1 << 30);
  // The left shift saturates (Strata's departure): 3 * 2^30 -> INT32_MAX,
  // then * 2^30 / 2^31 = 2^30 - 1/2 -> 2^30.
  EXPECT_EQ(multiply_by_quantized_multiplier(3, {h, 30}), 1 << 30);
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, {h, 30}), -(1 << 30));  // INT32_MIN / 2
  EXPECT_EQ(multiply_by_quantized_multiplier(1, {h, 30}), 1 << 29);      // no saturation
  // Shift -31: INT32_MAX * 2^-32 = 0.49999... but the two roundings give
  // SRDHM = 2^30, then 2^30 / 2^31 = 0.5 -> 1 (TFLite's double rounding).
  EXPECT_EQ(multiply_by_quantized_multiplier(kMax, {h, -31}), 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(kMin, {h, -31}), -1);       // -2^30, then -0.5 -> -1
  EXPECT_EQ(multiply_by_quantized_multiplier(kMin, {kMin, 0}), kMax);
  // x * 0.25 with {2^30, -1}: 1 -> SRDHM 0.5 -> 1 -> 1/2 -> 1 (double rounding),
  // 9 -> 4.5 -> 5 -> 2.5 -> 3, -9 -> -4.5 -> -4 -> -2.
  EXPECT_EQ(multiply_by_quantized_multiplier(1, {h, -1}), 1);
  EXPECT_EQ(multiply_by_quantized_multiplier(9, {h, -1}), 3);
  EXPECT_EQ(multiply_by_quantized_multiplier(-9, {h, -1}), -2);
  expect_invalid([] { multiply_by_quantized_multiplier(1, {1 << 30, 31}); }, {"shift 31"});
  expect_invalid([] { multiply_by_quantized_multiplier(1, {1 << 30, -32}); }, {"shift -32"});
  expect_invalid([] { rounding_divide_by_pot(1, 32); }, {"exponent 32"});
  expect_invalid([] { rounding_divide_by_pot(1, -1); }, {"exponent -1"});
}

// Draws int32 operands that hit the interesting cases often: full range,
// small values, powers of two (which make exact ties), realistic multipliers.
std::int32_t draw(std::mt19937_64& rng, int mode) {
  const auto u = static_cast<std::uint32_t>(rng());
  switch (mode) {
    case 0: return static_cast<std::int32_t>(u);
    case 1: return static_cast<std::int32_t>(u % 131071) - 65535;
    case 2: {
      const std::int32_t p = static_cast<std::int32_t>(std::int64_t{1} << (u % 31));
      return (u >> 8) & 1 ? -p : p;
    }
    case 3: return static_cast<std::int32_t>(k2p30 + (u % static_cast<std::uint32_t>(k2p30)));
    default: return static_cast<std::int32_t>(u >> (u % 32));
  }
}

TEST(NnFixedPoint, DoublingHighMulMatchesExactReferenceOnRandomOperands) {
  const std::uint64_t seed = 0x5eed0001;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  int negative_ties = 0;
  for (int i = 0; i < 4'000'000; ++i) {
    std::int32_t a = draw(rng, static_cast<int>(rng() % 5)), b = draw(rng, static_cast<int>(rng() % 5));
    if (rng() % 8 == 0) {  // force an exact tie: a * b = (2j + 1) * 2^30
      const int k = static_cast<int>(rng() % 31);
      const std::int64_t j = static_cast<std::int64_t>(rng() % (std::uint64_t{2} << k)) - (std::int64_t{1} << k);
      a = static_cast<std::int32_t>((2 * j + 1) * (std::int64_t{1} << (30 - k)));
      b = static_cast<std::int32_t>(rng() % 2 ? std::int64_t{1} << k : -(std::int64_t{1} << k));
    }
    const std::int64_t ab = std::int64_t{a} * b;
    if (ab < 0 && (ab % k2p31 == -k2p30)) ++negative_ties;
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), ref_srdhm(a, b)) << a << " * " << b;
  }
  EXPECT_GT(negative_ties, 200000);  // the tie rule was exercised
}

TEST(NnFixedPoint, RoundingDivideByPotMatchesExactReferenceOnRandomOperands) {
  const std::uint64_t seed = 0x5eed0002;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  int ties = 0;
  for (int i = 0; i < 4'000'000; ++i) {
    const int e = static_cast<int>(rng() % 32);
    std::int32_t x = draw(rng, static_cast<int>(rng() % 5));
    if (e > 0 && rng() % 4 == 0) {  // force an exact tie: x = (2k + 1) * 2^(e-1)
      const std::int64_t k = static_cast<std::int64_t>(rng() % (std::uint64_t{1} << (32 - e))) - (std::int64_t{1} << (31 - e));
      x = static_cast<std::int32_t>(std::clamp<std::int64_t>((2 * k + 1) << (e - 1), kMin, kMax));
      ++ties;
    }
    ASSERT_EQ(rounding_divide_by_pot(x, e), ref_rdbpot(x, e)) << x << " / 2^" << e;
  }
  EXPECT_GT(ties, 500000);
}

TEST(NnFixedPoint, MultiplyByQuantizedMultiplierMatchesExactReferenceOnRandomOperands) {
  const std::uint64_t seed = 0x5eed0003;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 4'000'000; ++i) {
    const std::int32_t x = draw(rng, static_cast<int>(rng() % 5));
    const std::int32_t m = rng() % 8 == 0 ? draw(rng, static_cast<int>(rng() % 5)) : draw(rng, 3);
    const int shift = static_cast<int>(rng() % 62) - 31;  // -31..30
    ASSERT_EQ(multiply_by_quantized_multiplier(x, {m, shift}), ref_mbqm(x, m, shift)) << x << " * {" << m << ", " << shift << "}";
    // Whatever the double rounding, the result is within one of the exact
    // product (when the left shift does not saturate).
    if (shift <= 0 || std::abs(std::int64_t{x}) << shift <= kMax) {
      const long double exact = std::ldexp(static_cast<long double>(x) * m, shift - 31);
      ASSERT_LE(std::fabs(static_cast<long double>(multiply_by_quantized_multiplier(x, {m, shift})) - exact), 1.0L);
    }
  }
}

// ---------------------------------------------------------------------------
// QuantizeMultiplier.

TEST(NnQuantizeMultiplier, KnownValues) {
  constexpr std::int32_t h = 1 << 30;
  EXPECT_EQ(quantize_multiplier(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(0.5), (QuantizedMultiplier{h, 0}));
  EXPECT_EQ(quantize_multiplier(1.0), (QuantizedMultiplier{h, 1}));
  EXPECT_EQ(quantize_multiplier(0.25), (QuantizedMultiplier{h, -1}));
  EXPECT_EQ(quantize_multiplier(0.75), (QuantizedMultiplier{1610612736, 0}));  // 0.75 * 2^31
  EXPECT_EQ(quantize_multiplier(3.0), (QuantizedMultiplier{1610612736, 2}));   // 0.75 * 2^2
  EXPECT_EQ(quantize_multiplier(0.1), (QuantizedMultiplier{1717986918, -3}));  // 0.8 * 2^31 = 1717986918.4
  // Mantissa 0.5 + 2^-32 gives 2^30 + 0.5, rounded away from zero; 0.5 + 2^-33 gives 2^30 + 0.25.
  EXPECT_EQ(quantize_multiplier(0.5 + std::ldexp(1.0, -32)), (QuantizedMultiplier{h + 1, 0}));
  EXPECT_EQ(quantize_multiplier(0.5 + std::ldexp(1.0, -33)), (QuantizedMultiplier{h, 0}));
  // A mantissa that rounds up to 2^31 is renormalised.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{h, 1}));
  // 2^-32 = 0.5 * 2^-31 keeps shift -31; 2^-33 would need -32 and flushes.
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{h, -31}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(1e-300), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, 30)), (QuantizedMultiplier{h, 31}));  // representable, not usable
}

TEST(NnQuantizeMultiplier, RejectsNegativeAndNonFinite) {
  expect_invalid([] { quantize_multiplier(-0.5); }, {"-0.5"});
  expect_invalid([] { quantize_multiplier(std::numeric_limits<double>::quiet_NaN()); }, {"nan"});
  expect_invalid([] { quantize_multiplier(std::numeric_limits<double>::infinity()); }, {"inf"});
}

TEST(NnQuantizeMultiplier, IsTheNearestMultiplierOnRandomReals) {
  const std::uint64_t seed = 0x5eed0004;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> e(-31.0, 30.0);
  for (int i = 0; i < 200000; ++i) {
    const double real = std::exp2(e(rng));
    const QuantizedMultiplier q = quantize_multiplier(real);
    ASSERT_GE(q.multiplier, 1 << 30) << real;
    const double approx = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    const double half_step = std::ldexp(1.0, q.shift - 32);
    // The exact nearest, ties (half a step above) going up.
    ASSERT_TRUE(approx - real <= half_step && real - approx < half_step) << real;
  }
}

TEST(NnQuantizeMultiplier, ConvAndAddMultipliersFromScales) {
  // 0.5 * 0.25 / 2 = 2^-4 = 0.5 * 2^-3.
  EXPECT_EQ(conv_multiplier({0.5f, 3}, 0.25f, {2.0f, -1}), (QuantizedMultiplier{1 << 30, -3}));
  // 0.1f * 0.3f / 0.7f in double from the float values: 0.042857145928606774
  // = 0.6857143348577084 * 2^-4, mantissa * 2^31 = 1472560321.306 (worked out
  // with Python's frexp).
  EXPECT_EQ(conv_multiplier({0.1f, 0}, 0.3f, {0.7f, 0}), (QuantizedMultiplier{1472560321, -4}));
  // Add: twice_max = 1; 0.5 / 1 = {2^30, 0}; 0.25 / 1 = {2^30, -1}; 1 / (2^20 * 1) = {2^30, -19}.
  const AddParams p = add_params({0.5f, 0}, {0.25f, 10}, {1.0f, -1});
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.input1, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.input2, (QuantizedMultiplier{1 << 30, -1}));
  EXPECT_EQ(p.output, (QuantizedMultiplier{1 << 30, -19}));
  // Equal scales: both inputs 0.5; output 2 * 3 / (2^20 * 0.375) = 16 / 2^20 = 2^-16.
  const AddParams e = add_params({3.0f, 0}, {3.0f, 0}, {0.375f, 0});
  EXPECT_EQ(e.input1, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(e.input2, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(e.output, (QuantizedMultiplier{1 << 30, -15}));  // 2^-16 = 0.5 * 2^-15
  expect_invalid([] { add_params({0.0f, 0}, {1.0f, 0}, {1.0f, 0}); }, {"scale"});
}

// ---------------------------------------------------------------------------
// Activation ranges and windows.

TEST(NnActivation, RangesByHand) {
  auto eq = [](ActRange r, int lo, int hi) {
    EXPECT_EQ(r.min, lo);
    EXPECT_EQ(r.max, hi);
  };
  eq(activation_range(Activation::none, {0.1f, 5}), -128, 127);
  eq(activation_range(Activation::relu, {0.1f, -5}), -5, 127);     // quantize(0) = zero point
  eq(activation_range(Activation::relu, {0.1f, -128}), -128, 127);
  eq(activation_range(Activation::relu, {0.1f, 100}), 100, 127);
  eq(activation_range(Activation::relu6, {0.05f, -128}), -128, -8);  // 6 / 0.05 = 120
  eq(activation_range(Activation::relu6, {12.0f, 3}), 3, 4);         // 6 / 12 = 0.5 rounds away from zero
  eq(activation_range(Activation::relu6, {0.01f, 0}), 0, 127);       // 600 clamps
  eq(activation_range(Activation::relu6, {1e-30f, 0}), 0, 127);      // 6e30 does not overflow
  eq(activation_range(Activation::relu6, {6.0f / 255.0f, -128}), -128, 127);
}

TEST(NnWindow, ValidPaddingByHand) {
  auto eq = [](Window w, int out, int pad) {
    EXPECT_EQ(w.out_length, out);
    EXPECT_EQ(w.pad_left, pad);
  };
  eq(window(10, 3, 1, 1, Padding::valid), 8, 0);   // starts 0..7
  eq(window(10, 3, 2, 1, Padding::valid), 4, 0);   // starts 0,2,4,6 (8 would end at 10)
  eq(window(10, 3, 1, 2, Padding::valid), 6, 0);   // span 5: starts 0..5
  eq(window(10, 3, 3, 2, Padding::valid), 2, 0);   // span 5: starts 0,3 (6 would end at 10)
  eq(window(11, 3, 3, 2, Padding::valid), 3, 0);   // starts 0,3,6
  eq(window(5, 5, 1, 1, Padding::valid), 1, 0);
  eq(window(4, 5, 1, 1, Padding::valid), 0, 0);    // window longer than the input
  eq(window(4, 3, 2, 2, Padding::valid), 0, 0);    // span 5 > 4
  eq(window(1, 1, 7, 1, Padding::valid), 1, 0);
}

TEST(NnWindow, SamePaddingByHand) {
  auto eq = [](Window w, int out, int pad) {
    EXPECT_EQ(w.out_length, out);
    EXPECT_EQ(w.pad_left, pad);
  };
  eq(window(10, 3, 1, 1, Padding::same), 10, 1);   // total 9 + 3 - 10 = 2
  eq(window(10, 4, 1, 1, Padding::same), 10, 1);   // total 3: the odd one goes right
  eq(window(10, 3, 2, 1, Padding::same), 5, 0);    // total 8 + 3 - 10 = 1
  eq(window(10, 3, 3, 1, Padding::same), 4, 1);    // total 9 + 3 - 10 = 2
  eq(window(10, 3, 1, 3, Padding::same), 10, 3);   // span 7: total 9 + 7 - 10 = 6
  eq(window(5, 3, 2, 2, Padding::same), 3, 2);     // span 5: total 4 + 5 - 5 = 4
  eq(window(5, 1, 2, 1, Padding::same), 3, 0);     // total 4 + 1 - 5 = 0
  eq(window(1, 5, 1, 1, Padding::same), 1, 2);     // total 4
  eq(window(7, 2, 4, 1, Padding::same), 2, 0);     // total 4 + 2 - 7 < 0 -> 0
  expect_invalid([] { window(10, 0, 1, 1, Padding::same); }, {"kernel 0"});
  expect_invalid([] { window(10, 1, 0, 1, Padding::valid); }, {"stride 0"});
  expect_invalid([] { window(10, 1, 1, 0, Padding::valid); }, {"dilation 0"});
  expect_invalid([] { window(-1, 1, 1, 1, Padding::valid); }, {"length -1"});
}

// ---------------------------------------------------------------------------
// Hand-worked layers.

Layer example_conv() {
  Layer l = layer("c", LayerKind::conv1d, {"x"}, "y");
  l.kernel = 2;
  l.out_channels = 2;
  // w[co][k][ci]
  l.weights = i8({1, 2, -1, 3,  /* co 1 */ 2, 0, 0, -4});
  l.bias = {3, -2};
  l.weight_scales = {0.5f, 1.5f};  // with in 0.5, out 1: multipliers 0.25 {2^30,-1}, 0.75 {0.75*2^31, 0}
  l.output_quant = {1.0f, -3};
  return l;
}

TEST(NnConv1d, WorkedExampleValidPadding) {
  // x (zero point 1) minus zero point: l0 [2,-2], l1 [0,0], l2 [4,1], l3 [-3,-1].
  // o0 (l0,l1): co0 1*2 + 2*-2 + -1*0 + 3*0 = -2, +3 = 1;  co1 2*2 + 0 + 0 + -4*0 = 4, -2 = 2
  // o1 (l1,l2): co0 0 + 0 + -1*4 + 3*1 = -1, +3 = 2;       co1 0 + 0 + 0 + -4*1 = -4, -2 = -6
  // o2 (l2,l3): co0 4 + 2 + 3 - 3 = 6, +3 = 9;             co1 8 + 0 + 0 + 4 = 12, -2 = 10
  // co0 * 0.25 as {2^30, -1}: SRDHM halves rounding up, then RDBPOT halves
  //   again: 1 -> 1 -> 1; 2 -> 1 -> 1; 9 -> 5 -> 3 (double rounding, exact 2.25).
  // co1 * 0.75 as {1610612736, 0}: 2 -> 1.5 -> 2; -6 -> -4.5 -> -4 (tie to +inf);
  //   10 -> 7.5 -> 8.
  // Plus the output zero point -3.
  const Tensor x = tensor(4, 2, {3, -1, 1, 1, 5, 2, -2, 0});
  EXPECT_EQ(conv1d(x, {0.5f, 1}, example_conv()), tensor(3, 2, {-2, -1, -2, -7, 0, 5}));
  Layer relu = example_conv();
  relu.activation = Activation::relu;  // clamps at the zero point -3
  EXPECT_EQ(conv1d(x, {0.5f, 1}, relu), tensor(3, 2, {-2, -1, -2, -3, 0, 5}));
}

TEST(NnConv1d, WorkedExampleSamePaddingStrideAndDilation) {
  // Length 5, kernel 3, stride 2, dilation 2, same: span 5, 3 outputs,
  // pad 2. x - zp = [0, -1, 1, -1, -2]; w = [1, 2, 3]; multiplier 1.
  // o0 taps at -2 (padding), 0, 2: 2*0 + 3*1 = 3
  // o1 taps at 0, 2, 4: 1*0 + 2*1 + 3*-2 = -4
  // o2 taps at 2, 4, 6 (padding): 1*1 + 2*-2 = -3
  Layer l = layer("c", LayerKind::conv1d, {"x"}, "y");
  l.kernel = 3;
  l.stride = 2;
  l.dilation = 2;
  l.padding = Padding::same;
  l.out_channels = 1;
  l.weights = i8({1, 2, 3});
  l.bias = {0};
  l.weight_scales = {1.0f};
  l.output_quant = {1.0f, 0};
  EXPECT_EQ(conv1d(tensor(5, 1, {1, 0, 2, 0, -1}), {1.0f, 1}, l), tensor(3, 1, {3, -4, -3}));
}

TEST(NnConv1d, AccumulatorSaturatesToInt32OnceInsteadOfWrapping) {
  // bias INT32_MAX - 100 plus 2 * 127 * 1 = INT32_MAX + 154 -> INT32_MAX; times
  // 2^-25 ({2^30, -24}): 2^30 then 64. Wrapping would give about -64.
  Layer l = layer("c", LayerKind::conv1d, {"x"}, "y");
  l.out_channels = 2;
  l.weights = i8({127, 127, -128, -128});
  l.bias = {kMax - 100, kMin + 100};  // co1: INT32_MIN + 100 - 2*128 saturates to INT32_MIN -> -2^30 -> -64
  l.weight_scales = {std::ldexp(1.0f, -25), std::ldexp(1.0f, -25)};
  l.output_quant = {1.0f, 0};
  EXPECT_EQ(conv1d(tensor(1, 2, {1, 1}), {1.0f, 0}, l), tensor(1, 2, {64, -64}));
  // Dense saturates the same way.
  l.kind = LayerKind::dense;
  EXPECT_EQ(dense(tensor(1, 2, {1, 1}), {1.0f, 0}, l), tensor(1, 2, {64, -64}));
}

TEST(NnDepthwiseConv1d, WorkedExample) {
  // Channels filtered separately; w[c][k]: c0 [1, -1], c1 [2, 3]; bias [0, 1].
  // o0: c0 5 - 2 = 3 (x1); c1 2*1 + 3*-2 + 1 = -3, x0.5 = -1.5 -> -1 (tie to +inf)
  // o1: c0 2 + 4 = 6;      c1 2*-2 + 3*3 + 1 = 6, x0.5 = 3
  Layer l = layer("d", LayerKind::depthwise_conv1d, {"x"}, "y");
  l.kernel = 2;
  l.out_channels = 2;
  l.weights = i8({1, -1, 2, 3});
  l.bias = {0, 1};
  l.weight_scales = {1.0f, 0.5f};
  l.output_quant = {1.0f, 0};
  EXPECT_EQ(depthwise_conv1d(tensor(3, 2, {5, 1, 2, -2, -4, 3}), {1.0f, 0}, l), tensor(2, 2, {3, -1, 6, 3}));
  // Output scale 0.5, zero point 2, relu6: multipliers 2 and 1, range
  // [2, 2 + 6/0.5 = 14]: o0 3*2 + 2 = 8, -3 + 2 = -1 -> 2; o1 6*2 + 2 = 14, 6 + 2 = 8.
  l.activation = Activation::relu6;
  l.output_quant = {0.5f, 2};
  EXPECT_EQ(depthwise_conv1d(tensor(3, 2, {5, 1, 2, -2, -4, 3}), {1.0f, 0}, l), tensor(2, 2, {8, 2, 14, 8}));
}

TEST(NnDense, WorkedExampleFlattensChannelsLast) {
  // Features (l0c0, l0c1, l1c0, l1c1) = [1, 2, 3, 4] - 2 = [-1, 0, 1, 2].
  // co0: [1, 2, 3, 4]: -1 + 0 + 3 + 8 = 10, bias -4 -> 6, x0.5 -> 3
  // co1: [-1, -1, -1, 127]: 1 + 0 - 1 + 254 = 254, bias 100 -> 354, x0.5 -> 177 -> 127
  // co2: [0, 0, 0, -1]: -2, bias 1 -> -1, x0.5 -> -0.5 -> 0
  Layer l = layer("f", LayerKind::dense, {"x"}, "y");
  l.out_channels = 3;
  l.weights = i8({1, 2, 3, 4, -1, -1, -1, 127, 0, 0, 0, -1});
  l.bias = {-4, 100, 1};
  l.weight_scales = {1.0f, 1.0f, 1.0f};
  l.output_quant = {1.0f, 0};
  EXPECT_EQ(dense(tensor(2, 2, {1, 2, 3, 4}), {0.5f, 2}, l), tensor(1, 3, {3, 127, 0}));
}

TEST(NnMaxPool, WorkedExampleSamePadding) {
  // Length 5, kernel 2, stride 2, same: 3 outputs, pad 0; windows [0,1], [2,3], [4].
  // c0 [1, -3, 7, 7, -128] -> [1, 7, -128]; c1 [-5, -6, 0, 2, 3] -> [-5, 2, 3].
  Layer l = layer("p", LayerKind::max_pool, {"x"}, "y");
  l.kernel = 2;
  l.stride = 2;
  l.padding = Padding::same;
  l.output_quant = {1.0f, -2};
  const Tensor x = tensor(5, 2, {1, -5, -3, -6, 7, 0, 7, 2, -128, 3});
  EXPECT_EQ(max_pool(x, l), tensor(3, 2, {1, -5, 7, 2, -128, 3}));
  l.activation = Activation::relu;  // clamps at the zero point -2
  EXPECT_EQ(max_pool(x, l), tensor(3, 2, {1, -2, 7, 2, -2, 3}));
}

TEST(NnAvgPool, WorkedExampleRoundsHalfAwayFromZeroOverValidTaps) {
  // Length 4, kernel 3, stride 1, same: pad 1; windows cover
  // {0,1} {0,1,2} {1,2,3} {2,3}: the padding is not counted.
  // x [3, 0, -4, -5]: 3/2 = 1.5 -> 2; -1/3 -> 0; -9/3 = -3; -9/2 = -4.5 -> -5.
  Layer l = layer("a", LayerKind::avg_pool, {"x"}, "y");
  l.kernel = 3;
  l.padding = Padding::same;
  EXPECT_EQ(avg_pool(tensor(4, 1, {3, 0, -4, -5}), l), tensor(4, 1, {2, 0, -3, -5}));
  // x [1, 0, 2, -2]: 1/2 -> 1; 3/3 = 1; 0/3 = 0; 0/2 = 0.
  EXPECT_EQ(avg_pool(tensor(4, 1, {1, 0, 2, -2}), l), tensor(4, 1, {1, 1, 0, 0}));
  // Valid, stride 2, 2 channels: windows {0,1,2}, {2,3,4}.
  // c0 [5, 5, 5, -1, -1] -> 15/3 = 5, 3/3 = 1; c1 [-1, -1, 0, 0, 0] -> -2/3 -> -1, 0.
  l.padding = Padding::valid;
  l.stride = 2;
  EXPECT_EQ(avg_pool(tensor(5, 2, {5, -1, 5, -1, 5, 0, -1, 0, -1, 0}), l), tensor(2, 2, {5, -1, 1, 0}));
}

TEST(NnGlobalAvgPool, WorkedExample) {
  // c0 [1, 2, 2]: 5/3 = 1.67 -> 2; c1 [-1, -1, 0]: -2/3 = -0.67 -> -1.
  Layer l = layer("g", LayerKind::global_avg_pool, {"x"}, "y");
  l.kernel = 99;  // ignored: the window is the whole input
  const Tensor x = tensor(3, 2, {1, -1, 2, -1, 2, 0});
  EXPECT_EQ(global_avg_pool(x, l), tensor(1, 2, {2, -1}));
  l.activation = Activation::relu;
  l.output_quant = {1.0f, 0};
  EXPECT_EQ(global_avg_pool(x, l), tensor(1, 2, {2, 0}));
  // -4.5 -> -5, 4.5 -> 5 over length 2.
  EXPECT_EQ(global_avg_pool(tensor(2, 2, {-4, 4, -5, 5}), Layer{}), tensor(1, 2, {-5, 5}));
}

TEST(NnAdd, WorkedExample) {
  // a {0.5, 0}, b {0.25, 10}, out {1, -1}: twice_max = 1, multipliers 0.5,
  // 0.25 and 2^-20 (see ConvAndAddMultipliersFromScales). In units of 2^-20:
  //   (3, 12):  3*0.5 + 2*0.25  =  2     -> 2 - 1 = 1
  //   (-1, 9): -0.5   - 0.25    = -0.75  -> -1 - 1 = -2
  //   (1, 11):  0.5   + 0.25    =  0.75  -> 1 - 1 = 0
  //   (-1, 11): -0.5  + 0.25    = -0.25  -> 0 - 1 = -1
  //   (1, 10):  0.5             =  0.5   -> 1 - 1 = 0   (RDBPOT: tie away from zero)
  //   (-1, 10): -0.5            = -0.5   -> -1 - 1 = -2
  //   (127, 127): 63.5 + 29.25  = 92.75  -> 93 - 1 = 92
  //   (-128, -128): -64 - 34.5  = -98.5  -> -99 - 1 = -100
  Layer l = layer("s", LayerKind::add, {"a", "b"}, "y");
  l.output_quant = {1.0f, -1};
  const Tensor a = tensor(4, 2, {3, -1, 1, -1, 1, -1, 127, -128});
  const Tensor b = tensor(4, 2, {12, 9, 11, 11, 10, 10, 127, -128});
  EXPECT_EQ(add(a, {0.5f, 0}, b, {0.25f, 10}, l), tensor(4, 2, {1, -2, 0, -1, 0, -2, 92, -100}));
  l.activation = Activation::relu;  // clamps at -1
  EXPECT_EQ(add(a, {0.5f, 0}, b, {0.25f, 10}, l), tensor(4, 2, {1, -1, 0, -1, 0, -1, 92, -1}));
  // Output scale 0.25: 92.75 * 4 = 371 clamps to 127.
  l.activation = Activation::none;
  l.output_quant = {0.25f, 0};
  EXPECT_EQ(add(a, {0.5f, 0}, b, {0.25f, 10}, l), tensor(4, 2, {8, -3, 3, -1, 2, -2, 127, -128}));
}

// ---------------------------------------------------------------------------
// A float64 computation of random layers from dequantized values.

struct Rand {
  std::mt19937_64 rng;
  int i(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  float scale(double lo_exp, double hi_exp) {
    return static_cast<float>(std::exp2(std::uniform_real_distribution<double>(lo_exp, hi_exp)(rng)));
  }
  Tensor t(int length, int channels) {
    Tensor r{length, channels, {}};
    for (int k = 0; k < length * channels; ++k) r.data.push_back(static_cast<std::int8_t>(i(-128, 127)));
    return r;
  }
  QuantParams q(double lo_exp, double hi_exp) { return {scale(lo_exp, hi_exp), i(-128, 127)}; }
  Activation act() { return static_cast<Activation>(i(0, 2)); }
};

// The real-valued result of an activation, quantized without rounding.
double requantize_real(double y, Activation a, QuantParams out) {
  if (a != Activation::none) y = std::max(y, 0.0);
  if (a == Activation::relu6) y = std::min(y, 6.0);
  return std::clamp(y / static_cast<double>(out.scale) + out.zero_point, -128.0, 127.0);
}

// Counts outputs off by more than `tol` LSB from the real reference and
// outputs strictly inside the int8 range.
struct Compare {
  int checked = 0, interior = 0;
  void operator()(int golden, double real, double tol, const std::string& where) {
    ++checked;
    if (real > -127.5 && real < 126.5) ++interior;
    ASSERT_LE(std::fabs(golden - real), tol + 1e-9) << where << ": golden " << golden << ", real " << real;
  }
};

// Independent window arithmetic for the reference (the formulas of nn.h).
int ref_pad(int length, int kernel, int stride, int dilation, Padding p, int* out) {
  const int span = (kernel - 1) * dilation + 1;
  if (p == Padding::valid) {
    *out = length >= span ? (length - span) / stride + 1 : 0;
    return 0;
  }
  *out = (length + stride - 1) / stride;
  return std::max((*out - 1) * stride + span - length, 0) / 2;
}

TEST(NnFloatCrossCheck, ConvAndDepthwiseWithinOneLsbOfFloat64) {
  const std::uint64_t seed = 0x5eed0005;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  Rand r{std::mt19937_64(seed)};
  Compare cmp;
  for (int trial = 0; trial < 1500; ++trial) {
    const bool depthwise = trial % 2 == 1;
    const int length = r.i(1, 24), channels = r.i(1, 6);
    Layer l = layer("c", depthwise ? LayerKind::depthwise_conv1d : LayerKind::conv1d, {"x"}, "y");
    l.kernel = r.i(1, 5);
    l.stride = r.i(1, 3);
    l.dilation = r.i(1, 3);
    l.padding = r.i(0, 1) ? Padding::same : Padding::valid;
    int out_length = 0;
    const int pad = ref_pad(length, l.kernel, l.stride, l.dilation, l.padding, &out_length);
    if (out_length == 0) continue;
    l.out_channels = depthwise ? channels : r.i(1, 6);
    const int per_out = depthwise ? l.kernel : l.kernel * channels;
    for (int k = 0; k < l.out_channels * per_out; ++k) l.weights.push_back(static_cast<std::int8_t>(r.i(-127, 127)));
    const QuantParams in_q = r.q(-8, 0);
    const float ws0 = r.scale(-10, -4);
    for (int c = 0; c < l.out_channels; ++c) {
      l.weight_scales.push_back(ws0 * r.scale(-1, 1));
      l.bias.push_back(r.i(-3000, 3000));
    }
    // An output scale that puts typical results inside the int8 range: each
    // term w * (x - zp) is about 73 * 74 = 5400 (standard deviations).
    l.output_quant = {static_cast<float>(in_q.scale * ws0 * std::sqrt(per_out) * 100.0 * std::exp2(r.i(-1, 2))), r.i(-64, 64)};
    l.activation = r.act();
    const Tensor x = r.t(length, channels);
    const Tensor y = depthwise ? depthwise_conv1d(x, in_q, l) : conv1d(x, in_q, l);
    ASSERT_EQ(y.length, out_length);
    ASSERT_EQ(y.channels, l.out_channels);
    for (int o = 0; o < out_length; ++o)
      for (int co = 0; co < l.out_channels; ++co) {
        const double ws = l.weight_scales[static_cast<std::size_t>(co)];
        double real = l.bias[static_cast<std::size_t>(co)] * static_cast<double>(in_q.scale) * ws;
        for (int k = 0; k < l.kernel; ++k) {
          const int p = o * l.stride + k * l.dilation - pad;
          if (p < 0 || p >= length) continue;
          for (int ci = 0; ci < channels; ++ci) {
            if (depthwise && ci != co) continue;
            const int w = depthwise ? l.weights[static_cast<std::size_t>(co * l.kernel + k)]
                                    : l.weights[static_cast<std::size_t>((co * l.kernel + k) * channels + ci)];
            real += w * ws * static_cast<double>(in_q.scale) * (x.at(p, ci) - in_q.zero_point);
          }
        }
        cmp(y.at(o, co), requantize_real(real, l.activation, l.output_quant), 1.0, fmt::format("trial {} o {} co {}", trial, o, co));
        if (::testing::Test::HasFatalFailure()) return;
      }
  }
  RecordProperty("checked", cmp.checked);
  RecordProperty("interior", cmp.interior);
  EXPECT_GT(cmp.interior, cmp.checked / 3);
}

TEST(NnFloatCrossCheck, DenseWithinOneLsbOfFloat64) {
  const std::uint64_t seed = 0x5eed0006;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  Rand r{std::mt19937_64(seed)};
  Compare cmp;
  for (int trial = 0; trial < 1500; ++trial) {
    const int length = r.i(1, 8), channels = r.i(1, 8), features = length * channels;
    Layer l = layer("f", LayerKind::dense, {"x"}, "y");
    l.out_channels = r.i(1, 10);
    for (int k = 0; k < l.out_channels * features; ++k) l.weights.push_back(static_cast<std::int8_t>(r.i(-127, 127)));
    const QuantParams in_q = r.q(-8, 2);
    const float ws0 = r.scale(-10, -2);
    for (int c = 0; c < l.out_channels; ++c) {
      l.weight_scales.push_back(ws0 * r.scale(-1, 1));
      l.bias.push_back(r.i(-5000, 5000));
    }
    l.output_quant = {static_cast<float>(in_q.scale * ws0 * std::sqrt(features) * 100.0 * std::exp2(r.i(-1, 2))), r.i(-64, 64)};
    l.activation = r.act();
    const Tensor x = r.t(length, channels);
    const Tensor y = dense(x, in_q, l);
    ASSERT_EQ(y.length, 1);
    ASSERT_EQ(y.channels, l.out_channels);
    for (int co = 0; co < l.out_channels; ++co) {
      const double s = static_cast<double>(in_q.scale) * l.weight_scales[static_cast<std::size_t>(co)];
      double real = l.bias[static_cast<std::size_t>(co)] * s;
      for (int f = 0; f < features; ++f)
        real += l.weights[static_cast<std::size_t>(co * features + f)] * s * (x.data[static_cast<std::size_t>(f)] - in_q.zero_point);
      cmp(y.at(0, co), requantize_real(real, l.activation, l.output_quant), 1.0, fmt::format("trial {} co {}", trial, co));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  RecordProperty("checked", cmp.checked);
  RecordProperty("interior", cmp.interior);
  EXPECT_GT(cmp.interior, cmp.checked / 3);
}

TEST(NnFloatCrossCheck, AddWithinOneLsbOfFloat64) {
  const std::uint64_t seed = 0x5eed0007;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  Rand r{std::mt19937_64(seed)};
  Compare cmp;
  for (int trial = 0; trial < 2000; ++trial) {
    const int length = r.i(1, 10), channels = r.i(1, 4);
    const QuantParams a_q = r.q(-10, 2);
    const QuantParams b_q = {static_cast<float>(a_q.scale * std::exp2(std::uniform_real_distribution<double>(-5, 5)(r.rng))), r.i(-128, 127)};
    Layer l = layer("s", LayerKind::add, {"a", "b"}, "y");
    l.output_quant = {static_cast<float>(std::max(a_q.scale, b_q.scale) * std::exp2(std::uniform_real_distribution<double>(0, 2.5)(r.rng))),
                      r.i(-128, 127)};
    l.activation = r.act();
    const Tensor a = r.t(length, channels), b = r.t(length, channels);
    const Tensor y = add(a, a_q, b, b_q, l);
    ASSERT_EQ(y.length, length);
    ASSERT_EQ(y.channels, channels);
    for (std::size_t k = 0; k < a.data.size(); ++k) {
      const double real = static_cast<double>(a_q.scale) * (a.data[k] - a_q.zero_point) + static_cast<double>(b_q.scale) * (b.data[k] - b_q.zero_point);
      cmp(y.data[k], requantize_real(real, l.activation, l.output_quant), 1.0, fmt::format("trial {} element {}", trial, k));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  RecordProperty("checked", cmp.checked);
  RecordProperty("interior", cmp.interior);
  EXPECT_GT(cmp.interior, cmp.checked / 3);
}

TEST(NnFloatCrossCheck, AvgPoolsWithinHalfLsbOfFloat64) {
  const std::uint64_t seed = 0x5eed0008;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  Rand r{std::mt19937_64(seed)};
  Compare cmp;
  for (int trial = 0; trial < 2000; ++trial) {
    const bool global = trial % 4 == 0;
    const int length = r.i(1, 30), channels = r.i(1, 5);
    Layer l = layer("a", global ? LayerKind::global_avg_pool : LayerKind::avg_pool, {"x"}, "y");
    l.kernel = global ? length : r.i(1, 6);
    l.stride = global ? 1 : r.i(1, 4);
    l.padding = !global && r.i(0, 1) ? Padding::same : Padding::valid;
    int out_length = 0;
    const int pad = ref_pad(length, l.kernel, l.stride, 1, l.padding, &out_length);
    if (out_length == 0) continue;
    l.output_quant = r.q(-6, 0);
    l.activation = r.act();
    const Tensor x = r.t(length, channels);
    const Tensor y = global ? global_avg_pool(x, l) : avg_pool(x, l);
    ASSERT_EQ(y.length, out_length);
    for (int o = 0; o < out_length; ++o)
      for (int c = 0; c < channels; ++c) {
        double sum = 0;
        int count = 0;
        for (int k = 0; k < l.kernel; ++k) {
          const int p = o * l.stride + k - pad;
          if (p < 0 || p >= length) continue;
          sum += x.at(p, c);
          ++count;
        }
        // The average of the codes is the code of the average real value.
        const double real = (sum / count - l.output_quant.zero_point) * static_cast<double>(l.output_quant.scale);
        cmp(y.at(o, c), requantize_real(real, l.activation, l.output_quant), 0.5, fmt::format("trial {} o {} c {}", trial, o, c));
        if (::testing::Test::HasFatalFailure()) return;
      }
  }
  RecordProperty("checked", cmp.checked);
  RecordProperty("interior", cmp.interior);
  EXPECT_GT(cmp.interior, cmp.checked / 2);
}

// ---------------------------------------------------------------------------
// Models.

Model small_model() {
  Model m;
  m.name = "tiny";
  m.input = "in";
  m.input_length = 6;
  m.input_channels = 2;
  m.input_quant = {0.5f, 1};
  Layer c = layer("conv", LayerKind::conv1d, {"in"}, "c");
  c.kernel = 3;
  c.padding = Padding::same;
  c.out_channels = 2;
  c.weights = i8({1, 0, 2, -1, 0, 1, /* co 1 */ -1, 1, 0, 2, 3, -2});
  c.bias = {10, -10};
  c.weight_scales = {0.25f, 0.125f};
  c.output_quant = {0.25f, -4};
  c.activation = Activation::relu;
  Layer p = layer("pool", LayerKind::max_pool, {"c"}, "p");
  p.kernel = 2;
  p.stride = 2;
  p.output_quant = c.output_quant;
  Layer s = layer("sum", LayerKind::add, {"p", "p"}, "s");
  s.output_quant = {0.5f, 0};
  Layer g = layer("gap", LayerKind::global_avg_pool, {"s"}, "g");
  g.output_quant = s.output_quant;
  Layer d = layer("fc", LayerKind::dense, {"s"}, "d");
  d.out_channels = 1;
  d.weights = i8({1, -1, 2, -2, 3, -3});
  d.bias = {5};
  d.weight_scales = {0.5f};
  d.output_quant = {0.1f, 0};
  m.layers = {c, p, s, g, d};
  m.outputs = {"d", "g"};
  return m;
}

TEST(NnModel, RunChainsTheLayersOnNamedTensors) {
  const Model m = small_model();
  const Tensor x = tensor(6, 2, {1, 2, 3, 4, 5, 6, -7, -8, 9, 10, -11, 12});
  const auto t = run(m, x);
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t.at("in"), x);
  const Tensor c = conv1d(x, m.input_quant, m.layers[0]);
  EXPECT_EQ(t.at("c"), c);
  EXPECT_EQ(t.at("c").length, 6);
  const Tensor p = max_pool(c, m.layers[1]);
  EXPECT_EQ(t.at("p"), p);
  EXPECT_EQ(t.at("p").length, 3);
  const Tensor s = add(p, m.layers[0].output_quant, p, m.layers[0].output_quant, m.layers[2]);
  EXPECT_EQ(t.at("s"), s);
  EXPECT_EQ(t.at("g"), global_avg_pool(s, m.layers[3]));
  EXPECT_EQ(t.at("d"), dense(s, m.layers[2].output_quant, m.layers[4]));
  EXPECT_EQ(t.at("d").channels, 1);
}

TEST(NnModel, TensorQuantsGivePoolsTheirInputsQuantization) {
  Model m = small_model();
  m.layers[1].output_quant = {9.0f, 9};  // ignored for a pool
  m.layers[3].output_quant = {7.0f, 7};
  const auto q = tensor_quants(m);
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(q.at("in"), (QuantParams{0.5f, 1}));
  EXPECT_EQ(q.at("c"), (QuantParams{0.25f, -4}));
  EXPECT_EQ(q.at("p"), (QuantParams{0.25f, -4}));
  EXPECT_EQ(q.at("s"), (QuantParams{0.5f, 0}));
  EXPECT_EQ(q.at("g"), (QuantParams{0.5f, 0}));
  EXPECT_EQ(q.at("d"), (QuantParams{0.1f, 0}));
}

// ---------------------------------------------------------------------------
// Errors.

TEST(NnErrors, RunRejectsBadModelsNamingTheLayer) {
  const Tensor x = tensor(6, 2, {1, 2, 3, 4, 5, 6, -7, -8, 9, 10, -11, 12});
  auto bad = [&](const std::function<void(Model&)>& edit, std::initializer_list<std::string> parts) {
    Model m = small_model();
    edit(m);
    expect_invalid([&] { run(m, x); }, parts);
  };
  bad([](Model& m) { m.layers[2].inputs = {"p", "nope"}; }, {"'sum'", "'nope'", "not defined"});
  bad([](Model& m) { m.layers[0].inputs = {"c"}; }, {"'conv'", "'c'", "not defined"});  // defined only later
  bad([](Model& m) { m.layers[2].inputs = {"p"}; }, {"'sum'", "1 input", "takes 2"});
  bad([](Model& m) { m.layers[0].weights.pop_back(); }, {"'conv'", "11 weights", "12"});
  bad([](Model& m) { m.layers[0].bias.push_back(0); }, {"'conv'", "3 biases"});
  bad([](Model& m) { m.layers[0].weight_scales = {1.0f}; }, {"'conv'", "1 weight scales"});
  bad([](Model& m) { m.layers[0].weight_scales[1] = 0.0f; }, {"'conv'", "weight scale 0"});
  bad([](Model& m) { m.layers[0].kernel = 0; }, {"'conv'", "kernel 0"});
  bad([](Model& m) { m.layers[0].stride = 0; }, {"'conv'", "stride 0"});
  bad([](Model& m) { m.layers[0].dilation = -1; }, {"'conv'", "dilation -1"});
  bad([](Model& m) { m.layers[0].out_channels = 0; }, {"'conv'", "out_channels 0"});
  bad(
      [](Model& m) {
        m.layers[0].padding = Padding::valid;
        m.layers[0].kernel = 7;
        m.layers[0].weights.resize(28);
      },
      {"'conv'", "no output", "length 6"});
  bad([](Model& m) { m.layers[1].kernel = 7; }, {"'pool'", "no output"});
  bad([](Model& m) { m.layers[1].dilation = 2; }, {"'pool'", "dilation 2"});
  bad([](Model& m) { m.layers[1].output_quant = {1.0f, 0}; }, {"'pool'", "must equal the input's"});
  bad([](Model& m) { m.layers[3].output_quant = {1.0f, 0}; }, {"'gap'", "must equal the input's"});
  bad([](Model& m) { m.layers[4].weights.push_back(1); }, {"'fc'", "7 weights", "6"});
  bad([](Model& m) { m.layers[4].out_channels = 2; }, {"'fc'", "expected"});
  bad([](Model& m) { m.layers[2].output_quant.scale = -1.0f; }, {"'sum'", "scale -1"});
  bad([](Model& m) { m.layers[0].output_quant.zero_point = 128; }, {"'conv'", "zero point 128"});
  bad([](Model& m) { m.layers[4].output = m.layers[0].output; }, {"'fc'", "'c'", "already defined"});
  bad([](Model& m) { m.outputs.push_back("zzz"); }, {"'tiny'", "'zzz'"});
  bad([](Model& m) { m.input_length = 5; }, {"'tiny'", "5x2"});
  Model m = small_model();
  m.layers[0].output = "x";
  m.layers[1].inputs = {"missing"};
  expect_invalid([&] { tensor_quants(m); }, {"'pool'", "'missing'"});
}

TEST(NnErrors, LayerFunctionsRejectBadShapes) {
  Layer dw = layer("dw", LayerKind::depthwise_conv1d, {"x"}, "y");
  dw.kernel = 1;
  dw.out_channels = 3;
  dw.weights = i8({1, 1});
  dw.bias = {0, 0};
  dw.weight_scales = {1.0f, 1.0f};
  expect_invalid([&] { depthwise_conv1d(tensor(2, 2, {1, 2, 3, 4}), {1.0f, 0}, dw); }, {"'dw'", "out_channels 3", "2 channels"});
  dw.out_channels = 2;
  EXPECT_EQ(depthwise_conv1d(tensor(2, 2, {1, 2, 3, 4}), {1.0f, 0}, dw), tensor(2, 2, {1, 2, 3, 4}));
  dw.kernel = 2;
  expect_invalid([&] { depthwise_conv1d(tensor(2, 2, {1, 2, 3, 4}), {1.0f, 0}, dw); }, {"'dw'", "2 weights", "4"});

  Layer s = layer("sum", LayerKind::add, {"a", "b"}, "y");
  expect_invalid([&] { add(tensor(2, 1, {1, 2}), {1.0f, 0}, tensor(1, 2, {1, 2}), {1.0f, 0}, s); }, {"'sum'", "2x1", "1x2", "broadcast"});
  Tensor broken = tensor(2, 1, {1, 2});
  broken.data.pop_back();
  expect_invalid([&] { add(broken, {1.0f, 0}, broken, {1.0f, 0}, s); }, {"'sum'", "1 values"});

  Layer g = layer("gap", LayerKind::global_avg_pool, {"x"}, "y");
  expect_invalid([&] { global_avg_pool(Tensor{0, 1, {}}, g); }, {"'gap'", "length 0"});

  Layer c = example_conv();
  expect_invalid([&] { conv1d(tensor(1, 2, {0, 0}), {1.0f, 0}, c); }, {"'c'", "no output"});  // kernel 2 on length 1
  expect_invalid([&] { conv1d(tensor(4, 2, {0, 0, 0, 0, 0, 0, 0, 0}), {0.0f, 0}, c); }, {"'c'", "input quantization"});
  c.output_quant.scale = 1e-30f;  // 0.5 * 0.5 / 1e-30 needs a left shift beyond 30
  expect_invalid([&] { conv1d(tensor(4, 2, {0, 0, 0, 0, 0, 0, 0, 0}), {0.5f, 0}, c); }, {"'c'", "2^30 or more"});
}

// ---------------------------------------------------------------------------
// Posit8 layers. References: NumberFormat (posit.h's exact decoding and
// correctly rounded encoding), its fused dot product fdp, exact rationals,
// and ref_mbqm above.

const NumberFormat& p8() {
  static const NumberFormat f = NumberFormat::parse("posit8_0");
  return f;
}
std::uint32_t bits8(int code) { return static_cast<std::uint32_t>(code) & 0xffu; }
mpq_class p8_value(int code) { return *p8().decode(bits8(code)); }
int p8_code(const mpq_class& x) { return static_cast<std::int8_t>(p8().encode(x)); }

// A posit8 activation applied to a value, not to codes.
mpq_class activate(mpq_class v, Activation a) {
  if (a != Activation::none && v < 0) v = 0;
  if (a == Activation::relu6 && v > 6) v = 6;
  return v;
}

TEST(NnPosit8, SignedCodeOrderIsValueOrderForAllPairs) {
  // Justifies posit8 max_pool on codes: for every pair of non-NaR codes,
  // comparing them as two's complement integers compares their values.
  EXPECT_FALSE(p8().decode(0x80).has_value());  // -128 is NaR
  for (int a = -127; a <= 127; ++a)
    for (int b = -127; b <= 127; ++b) {
      ASSERT_EQ(a < b, p8_value(a) < p8_value(b)) << a << " vs " << b;
      ASSERT_EQ(a == b, p8_value(a) == p8_value(b)) << a << " vs " << b;
    }
}

TEST(NnPosit8, ActivationRanges) {
  EXPECT_EQ(posit8_activation_range(Activation::none).min, -128);
  EXPECT_EQ(posit8_activation_range(Activation::none).max, 127);
  EXPECT_EQ(posit8_activation_range(Activation::relu).min, 0);
  EXPECT_EQ(posit8_activation_range(Activation::relu).max, 127);
  const ActRange r6 = posit8_activation_range(Activation::relu6);
  EXPECT_EQ(r6.min, 0);
  EXPECT_EQ(r6.max, p8_code(6));
  EXPECT_EQ(p8_value(r6.max), 6);  // 6 is exact: the clamp on codes is the clamp on values
  EXPECT_EQ(r6.max, 0x74);         // 0 1110 100: regime k = 2, fraction .100: 4 * 1.5
  EXPECT_EQ(p8_value(0), 0);       // relu's lower bound is the value 0
}

TEST(NnPosit8, MultiplierIsTwoToMinus12OverTheOutputScale) {
  EXPECT_EQ(posit8_multiplier({std::ldexp(1.0f, -12), 0}), (QuantizedMultiplier{1 << 30, 1}));  // 1.0
  EXPECT_EQ(posit8_multiplier({0.0625f, 5}), (QuantizedMultiplier{1 << 30, -7}));                // 2^-8 = 0.5 * 2^-7
  // 1/3 = 0.666... * 2^-1; 0.666... * 2^31 = 1431655765.33.
  EXPECT_EQ(posit8_multiplier({3.0f * std::ldexp(1.0f, -12), 0}), (QuantizedMultiplier{1431655765, -1}));
  expect_invalid([] { posit8_multiplier({0.0f, 0}); }, {"au_multiplier (posit8_0)", "scale 0"});
  expect_invalid([] { posit8_multiplier({1.0f, 200}); }, {"au_multiplier (posit8_0)", "zero point 200"});
}

Layer posit8_layer(std::string name, LayerKind kind, Format out = Format::posit8_0) {
  Layer l = layer(std::move(name), kind, {"x"}, "y");
  l.output_format = out;
  return l;
}

TEST(NnPosit8Mac, WorkedConv1d) {
  // Codes: 1.0 = 64, 0.5 = 32, 2.0 = 96, -1.5 = -80 (posit(8,0): 0 10 fffff
  // is 1 + f/32, 0 01 fffff is (1 + f/32) / 2, 0 110 ffff is 2 (1 + f/16)).
  // x [1, 0.5, 2], w [1, -1.5], bias 0.5, kernel 2, same: 3 outputs, pad 0.
  //   o0: 1*1 - 1.5*0.5 + 0.5 = 0.75 = (1 + 16/32) / 2 -> 48
  //   o1: 0.5 - 1.5*2 + 0.5   = -2                     -> -96
  //   o2: 2*1 (tap 3 is padding) + 0.5 = 2.5 = 2 (1 + 4/16) -> 100
  Layer l = posit8_layer("c", LayerKind::conv1d);
  l.kernel = 2;
  l.padding = Padding::same;
  l.out_channels = 1;
  l.weights = i8({64, -80});
  l.bias = {32};
  l.output_quant = {0.0f, 999};  // not used for a posit8 output
  const Tensor x = tensor(3, 1, {64, 32, 96});
  EXPECT_EQ(posit8_mac(x, l), tensor(3, 1, {48, -96, 100}));
  l.activation = Activation::relu;
  EXPECT_EQ(posit8_mac(x, l), tensor(3, 1, {48, 0, 100}));
  l.padding = Padding::valid;
  EXPECT_EQ(posit8_mac(x, l), tensor(2, 1, {48, 0}));
}

TEST(NnPosit8Mac, WorkedDenseRoundsOnceLikeTheQuire) {
  Layer l = posit8_layer("f", LayerKind::dense);
  l.out_channels = 1;
  l.bias = {0};
  // 64 products minpos * minpos = 64 * 2^-12 = 2^-6, exactly minpos (code 1).
  // Rounding each product (to minpos, posits never round to 0) would give 1.0.
  l.weights = std::vector<Code>(64, 1);
  EXPECT_EQ(posit8_mac(Tensor{64, 1, std::vector<Code>(64, 1)}, l), tensor(1, 1, {1}));
  // 1 + 2^-6 lies halfway between 1 (64) and 1 + 1/32 (65): ties to even, 64;
  // 1 + 1.5 * 2^-6 is above the tie: 65; plus a bias of minpos: exactly 65.
  l.weights = i8({64, 64});
  const Tensor x = tensor(1, 2, {64, 1});
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {64}));
  l.weights = i8({64, 80});
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {65}));
  l.weights = i8({64, 64});
  l.bias = {1};
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {65}));
  // 2 * maxpos^2 = 8192 saturates at maxpos 64 (code 127), -8192 at -127;
  // relu6 clamps it to 6 (0x74).
  l.out_channels = 2;
  l.weights = i8({127, 127, -127, 127});
  l.bias = {0, 0};
  const Tensor big = tensor(1, 2, {127, 127});
  EXPECT_EQ(posit8_mac(big, l), tensor(1, 2, {127, 0}));
  l.weights = i8({127, 127, -127, -127});
  EXPECT_EQ(posit8_mac(big, l), tensor(1, 2, {127, -127}));
  l.activation = Activation::relu6;
  EXPECT_EQ(posit8_mac(big, l), tensor(1, 2, {0x74, 0}));
}

TEST(NnPosit8Mac, WorkedInt8Output) {
  // x [1, 0.5] (64, 32), w [2, -1.5] (96, -80), bias 0.25 (0 001 0000 = 16):
  // S = 2 - 0.75 + 0.25 = 1.5, Q = 1.5 * 2^12 = 6144.
  Layer l = posit8_layer("f", LayerKind::dense, Format::int8);
  l.out_channels = 1;
  l.weights = i8({96, -80});
  l.bias = {16};
  const Tensor x = tensor(1, 2, {64, 32});
  l.output_quant = {0.0625f, 3};  // 6144 * 2^-8 = 24, + 3
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {27}));
  l.output_quant = {1.0f, 0};  // 6144 * 2^-12 = 1.5: RDBPOT's tie away from zero, 2
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {2}));
  l.bias = {-16};  // S = 1.0 -> 1, relu6 at zero point 0 with scale 1 keeps it
  l.activation = Activation::relu6;
  EXPECT_EQ(posit8_mac(x, l), tensor(1, 1, {1}));
  // Q saturates to int32 before the rescaling: 200 * maxpos^2 = 200 * 2^24
  // units is beyond INT32_MAX. Scale 2^12 (multiplier 2^-24 = {2^30, -23}):
  // SRDHM(INT32_MAX, 2^30) = 2^30 - 1/2 -> 2^30, then 2^30 / 2^23 = 128,
  // + zero point -128 = 0. Unsaturated it would be 200 - 128 = 72.
  Layer s = posit8_layer("sat", LayerKind::dense, Format::int8);
  s.out_channels = 1;
  s.weights = std::vector<Code>(200, 127);
  s.bias = {0};
  s.output_quant = {4096.0f, -128};
  EXPECT_EQ(posit8_mac(Tensor{200, 1, std::vector<Code>(200, 127)}, s), tensor(1, 1, {0}));
}

TEST(NnPosit8Mac, WorkedDepthwise) {
  // Channels apart, w[c][k]: c0 [1, 1] (64, 64), c1 [0.5, -2] (32, -96);
  // bias c0 -1 (-64), c1 0. x c0 [0.5, 0.5, 1], c1 [2, 1, 0.5].
  //   o0: c0 0.5 + 0.5 - 1 = 0 -> 0;  c1 1 - 2 = -1 -> -64
  //   o1: c0 0.5 + 1 - 1 = 0.5 -> 32; c1 0.5 - 1 = -0.5 -> -32
  Layer l = posit8_layer("d", LayerKind::depthwise_conv1d);
  l.kernel = 2;
  l.out_channels = 2;
  l.weights = i8({64, 64, 32, -96});
  l.bias = {-64, 0};
  EXPECT_EQ(posit8_mac(tensor(3, 2, {32, 96, 32, 64, 64, 32}), l), tensor(2, 2, {0, -64, 32, -32}));
}

struct PositRand {
  std::mt19937_64 rng;
  int i(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  // A non-NaR code, mostly of modest magnitude (|v| <= 1.25) so that sums stay
  // inside the posit range, sometimes anything.
  int code() { return i(0, 3) == 0 ? i(-127, 127) : i(-72, 72); }
  std::vector<Code> codes(int n) {
    std::vector<Code> v;
    for (int k = 0; k < n; ++k) v.push_back(static_cast<std::int8_t>(code()));
    return v;
  }
  Tensor t(int length, int channels) { return Tensor{length, channels, codes(length * channels)}; }
  Activation act() { return static_cast<Activation>(i(0, 2)); }
};

// A random posit8 conv1d, depthwise_conv1d or dense layer and input.
struct PositCase {
  Layer l;
  Tensor x;
  int out_length = 0, pad = 0;
};
PositCase random_posit8_case(PositRand& r, int trial, Format out) {
  PositCase c;
  const auto kind = static_cast<LayerKind>(trial % 3);  // conv1d, depthwise_conv1d, dense
  c.l = posit8_layer("p", kind, out);
  const int length = r.i(1, kind == LayerKind::dense ? 6 : 20), channels = r.i(1, 5);
  c.x = r.t(length, channels);
  c.l.out_channels = kind == LayerKind::depthwise_conv1d ? channels : r.i(1, 5);
  int per_out = length * channels;
  if (kind != LayerKind::dense) {
    c.l.kernel = r.i(1, 5);
    c.l.stride = r.i(1, 3);
    c.l.dilation = r.i(1, 3);
    c.l.padding = r.i(0, 1) ? Padding::same : Padding::valid;
    c.pad = ref_pad(length, c.l.kernel, c.l.stride, c.l.dilation, c.l.padding, &c.out_length);
    per_out = kind == LayerKind::depthwise_conv1d ? c.l.kernel : c.l.kernel * channels;
  } else {
    c.out_length = 1;
  }
  c.l.weights = r.codes(c.l.out_channels * per_out);
  for (int co = 0; co < c.l.out_channels; ++co) c.l.bias.push_back(r.code());
  c.l.activation = r.act();
  return c;
}

// The (weight, input) code pairs of output (o, co) over the taps that are not
// padding, and (bias, 1.0).
std::vector<std::pair<std::uint32_t, std::uint32_t>> posit8_pairs(const PositCase& c, int o, int co) {
  const Layer& l = c.l;
  const Tensor& x = c.x;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs{{bits8(l.bias[static_cast<std::size_t>(co)]), p8().encode(1)}};
  auto add_pair = [&](std::size_t w, int p, int ch) { pairs.emplace_back(bits8(l.weights[w]), bits8(x.at(p, ch))); };
  if (l.kind == LayerKind::dense) {
    for (int p = 0; p < x.length; ++p)
      for (int ch = 0; ch < x.channels; ++ch)
        add_pair(static_cast<std::size_t>(co * x.length * x.channels + p * x.channels + ch), p, ch);
    return pairs;
  }
  for (int k = 0; k < l.kernel; ++k) {
    const int p = o * l.stride + k * l.dilation - c.pad;
    if (p < 0 || p >= x.length) continue;
    if (l.kind == LayerKind::depthwise_conv1d)
      add_pair(static_cast<std::size_t>(co * l.kernel + k), p, co);
    else
      for (int ch = 0; ch < x.channels; ++ch) add_pair(static_cast<std::size_t>((co * l.kernel + k) * x.channels + ch), p, ch);
  }
  return pairs;
}

TEST(NnPosit8Mac, RandomLayersMatchTheFusedDotProduct) {
  const std::uint64_t seed = 0x5eed0009;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  PositRand r{std::mt19937_64(seed)};
  int checked = 0, unsaturated = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const PositCase c = random_posit8_case(r, trial, Format::posit8_0);
    if (c.out_length == 0) continue;
    const Tensor y = posit8_mac(c.x, c.l);
    ASSERT_EQ(y.length, c.out_length);
    ASSERT_EQ(y.channels, c.l.out_channels);
    for (int o = 0; o < c.out_length; ++o)
      for (int co = 0; co < c.l.out_channels; ++co) {
        const int rounded = static_cast<std::int8_t>(p8().fdp(posit8_pairs(c, o, co)));
        const int expected = p8_code(activate(p8_value(rounded), c.l.activation));
        ASSERT_EQ(int{y.at(o, co)}, expected) << "trial " << trial << " o " << o << " co " << co;
        ++checked;
        if (rounded != 127 && rounded != -127) ++unsaturated;
      }
  }
  RecordProperty("checked", checked);
  RecordProperty("unsaturated", unsaturated);
  EXPECT_GT(unsaturated, checked * 3 / 4);
}

TEST(NnPosit8Mac, RandomLayersToInt8MatchExactRequantization) {
  const std::uint64_t seed = 0x5eed000a;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  PositRand r{std::mt19937_64(seed)};
  int checked = 0, interior = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    PositCase c = random_posit8_case(r, trial, Format::int8);
    if (c.out_length == 0) continue;
    const double terms = static_cast<double>(posit8_pairs(c, 0, 0).size());
    c.l.output_quant = {static_cast<float>(std::sqrt(terms) * std::exp2(std::uniform_real_distribution<double>(-8, -5)(r.rng))),
                        r.i(-64, 64)};
    const QuantizedMultiplier m = quantize_multiplier(std::ldexp(1.0, -12) / static_cast<double>(c.l.output_quant.scale));
    const ActRange range = activation_range(c.l.activation, c.l.output_quant);
    const Tensor y = posit8_mac(c.x, c.l);
    ASSERT_EQ(y.length, c.out_length);
    ASSERT_EQ(y.channels, c.l.out_channels);
    for (int o = 0; o < c.out_length; ++o)
      for (int co = 0; co < c.l.out_channels; ++co) {
        mpq_class s = 0;
        for (const auto& [w, v] : posit8_pairs(c, o, co)) s += *p8().decode(w) * *p8().decode(v);
        const mpq_class q = s * 4096;
        ASSERT_EQ(q.get_den(), 1);  // products of posit8 values are multiples of 2^-12
        const std::int32_t q32 = q > kMax ? kMax : q < kMin ? kMin : static_cast<std::int32_t>(q.get_num().get_si());
        const int v = ref_mbqm(q32, m.multiplier, m.shift) + c.l.output_quant.zero_point;
        ASSERT_EQ(int{y.at(o, co)}, std::clamp(v, range.min, range.max)) << "trial " << trial << " o " << o << " co " << co;
        ++checked;
        if (v > -128 && v < 127) ++interior;
      }
  }
  RecordProperty("checked", checked);
  RecordProperty("interior", interior);
  EXPECT_GT(interior, checked / 2);
}

TEST(NnPosit8MaxPool, WorkedExampleComparesInPositOrder) {
  // Kernel 2, stride 2. c0 windows [-1.0, minpos] (-64, 1) and [-0.5, -2]
  // (-32, -96): 1 and -32 (an unsigned comparison would pick -64 over 1).
  // c1 [64, 0] (127, 0) and [2.5, -64] (100, -127): 127 and 100.
  Layer l = posit8_layer("p", LayerKind::max_pool);
  l.kernel = 2;
  l.stride = 2;
  l.output_quant = {0.0f, 500};  // a posit8 pool has no quantization
  const Tensor x = tensor(4, 2, {-64, 127, 1, 0, -32, 100, -96, -127});
  EXPECT_EQ(posit8_max_pool(x, l), tensor(2, 2, {1, 127, -32, 100}));
  l.activation = Activation::relu;
  EXPECT_EQ(posit8_max_pool(x, l), tensor(2, 2, {1, 127, 0, 100}));
  l.activation = Activation::relu6;
  EXPECT_EQ(posit8_max_pool(x, l), tensor(2, 2, {1, 0x74, 0, 100}));
  // Same padding, length 5: the last window is [x4] alone; padding never wins.
  l.activation = Activation::none;
  l.padding = Padding::same;
  EXPECT_EQ(posit8_max_pool(tensor(5, 1, {-1, -2, -3, -4, -127}), l), tensor(3, 1, {-1, -3, -127}));
}

TEST(NnPosit8MaxPool, RandomPoolsMatchTheMaximumValue) {
  const std::uint64_t seed = 0x5eed000b;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  RecordProperty("seed", std::to_string(seed));
  PositRand r{std::mt19937_64(seed)};
  for (int trial = 0; trial < 1000; ++trial) {
    const int length = r.i(1, 20), channels = r.i(1, 4);
    Layer l = posit8_layer("p", LayerKind::max_pool);
    l.kernel = r.i(1, 5);
    l.stride = r.i(1, 3);
    l.padding = r.i(0, 1) ? Padding::same : Padding::valid;
    l.activation = r.act();
    int out_length = 0;
    const int pad = ref_pad(length, l.kernel, l.stride, 1, l.padding, &out_length);
    if (out_length == 0) continue;
    Tensor x{length, channels, {}};
    for (int k = 0; k < length * channels; ++k) x.data.push_back(static_cast<std::int8_t>(r.i(-127, 127)));
    const Tensor y = posit8_max_pool(x, l);
    ASSERT_EQ(y.length, out_length);
    for (int o = 0; o < out_length; ++o)
      for (int c = 0; c < channels; ++c) {
        std::optional<mpq_class> best;
        for (int k = 0; k < l.kernel; ++k) {
          const int p = o * l.stride + k - pad;
          if (p >= 0 && p < length && (!best || p8_value(x.at(p, c)) > *best)) best = p8_value(x.at(p, c));
        }
        ASSERT_TRUE(best.has_value());
        ASSERT_EQ(int{y.at(o, c)}, p8_code(activate(*best, l.activation))) << "trial " << trial << " o " << o << " c " << c;
      }
  }
}

TEST(NnPosit8Errors, LayerFunctionsRejectBadArgumentsNamingTheLayer) {
  Layer c = posit8_layer("pc", LayerKind::conv1d);
  c.kernel = 2;
  c.out_channels = 1;
  c.weights = i8({64, 64, 64, 64});
  c.bias = {0};
  const Tensor x = tensor(3, 2, {64, 64, 64, 64, 64, 64});
  ASSERT_EQ(posit8_mac(x, c).length, 2);
  auto bad = [&](const std::function<void(Layer&, Tensor&)>& edit, std::initializer_list<std::string> parts) {
    Layer l = c;
    Tensor t = x;
    edit(l, t);
    expect_invalid([&] { posit8_mac(t, l); }, parts);
  };
  bad([](Layer& l, Tensor&) { l.weight_scales = {1.0f}; }, {"'pc'", "1 weight scales"});
  bad([](Layer& l, Tensor&) { l.bias = {0, 0}; }, {"'pc'", "2 biases", "one per output channel (1)"});
  bad([](Layer& l, Tensor&) { l.bias = {}; }, {"'pc'", "0 biases"});
  bad([](Layer& l, Tensor&) { l.weights[3] = -128; }, {"'pc'", "weight 3 is NaR"});
  bad([](Layer& l, Tensor&) { l.bias[0] = -128; }, {"'pc'", "bias of output channel 0 is NaR"});
  bad([](Layer& l, Tensor&) { l.bias[0] = 128; }, {"'pc'", "bias 128", "-127..127"});
  bad([](Layer& l, Tensor&) { l.bias[0] = -1000; }, {"'pc'", "bias -1000"});
  bad([](Layer&, Tensor& t) { t.data[2] = -128; }, {"'pc'", "element (1, 0) is NaR"});
  bad([](Layer& l, Tensor&) { l.output_format = Format::fp4; }, {"'pc'", "output_format fp4"});
  bad([](Layer& l, Tensor&) { l.output_format = Format::posit16_1; }, {"'pc'", "output_format posit16_1"});
  bad([](Layer& l, Tensor&) { l.weights.pop_back(); }, {"'pc'", "3 weights", "4"});
  bad([](Layer& l, Tensor&) { l.kernel = 4; }, {"'pc'", "no output"});
  bad([](Layer& l, Tensor&) { l.out_channels = 0; }, {"'pc'", "out_channels 0"});
  bad([](Layer& l, Tensor&) { l.kind = LayerKind::depthwise_conv1d; }, {"'pc'", "out_channels 1", "2 channels"});
  bad([](Layer& l, Tensor&) { l.kind = LayerKind::max_pool; }, {"'pc'", "conv1d, depthwise_conv1d and dense"});
  bad(
      [](Layer& l, Tensor&) {
        l.output_format = Format::int8;
        l.output_quant = {-1.0f, 0};
      },
      {"'pc'", "output_quant", "scale -1"});
  bad(
      [](Layer& l, Tensor&) {
        l.output_format = Format::int8;
        l.output_quant = {1e-20f, 0};  // 2^-12 / 1e-20 needs a shift beyond 30
      },
      {"'pc'", "2^30 or more"});
  // A posit8 output ignores output_quant, valid or not.
  Layer ok = c;
  ok.output_quant = {-1.0f, 1000};
  EXPECT_EQ(posit8_mac(x, ok), posit8_mac(x, c));

  Layer p = posit8_layer("pp", LayerKind::max_pool);
  p.kernel = 2;
  expect_invalid([&] { posit8_max_pool(tensor(2, 1, {1, -128}), p); }, {"'pp'", "element (1, 0) is NaR"});
  p.output_format = Format::int8;
  expect_invalid([&] { posit8_max_pool(tensor(2, 1, {1, 2}), p); }, {"'pp'", "output_format int8", "posit8_0"});
  p.output_format = Format::posit8_0;
  p.dilation = 2;
  expect_invalid([&] { posit8_max_pool(tensor(2, 1, {1, 2}), p); }, {"'pp'", "dilation 2"});
}

// posit8 input -> conv (posit8) -> max_pool (posit8) -> dense (to int8) ->
// add (int8) and global_avg_pool (int8).
Model posit8_model() {
  Model m;
  m.name = "mixed";
  m.input = "in";
  m.input_length = 6;
  m.input_channels = 2;
  m.input_format = Format::posit8_0;
  m.input_quant = {0.0f, 1000};  // unused for a posit8 input
  Layer c = layer("conv", LayerKind::conv1d, {"in"}, "c");
  c.kernel = 3;
  c.padding = Padding::same;
  c.out_channels = 2;
  c.output_format = Format::posit8_0;
  c.weights = i8({64, 0, 32, -64, 0, 16, /* co 1 */ -32, 64, 0, 96, 80, -48});
  c.bias = {16, -16};
  c.activation = Activation::relu6;
  Layer p = layer("pool", LayerKind::max_pool, {"c"}, "p");
  p.kernel = 2;
  p.stride = 2;
  p.output_format = Format::posit8_0;
  p.output_quant = {3.0f, 3};  // a posit8 pool's need not equal anything
  Layer d = layer("fc", LayerKind::dense, {"p"}, "d");
  d.out_channels = 2;
  d.weights = i8({64, -64, 32, -32, 96, 1, /* co 1 */ 8, 8, -8, 8, 127, -1});
  d.bias = {0, 64};
  d.output_quant = {0.05f, -3};
  Layer s = layer("sum", LayerKind::add, {"d", "d"}, "s");
  s.output_quant = {0.1f, 0};
  Layer g = layer("gap", LayerKind::global_avg_pool, {"s"}, "g");
  g.output_quant = s.output_quant;
  m.layers = {c, p, d, s, g};
  m.outputs = {"g"};
  return m;
}

TEST(NnPosit8Model, RunDispatchesByTheInputsFormat) {
  const Model m = posit8_model();
  const Tensor x = tensor(6, 2, {64, 32, -64, 96, 16, 0, 80, -80, 1, 127, -127, 48});
  const auto t = run(m, x);
  ASSERT_EQ(t.size(), 6u);
  const Tensor c = posit8_mac(x, m.layers[0]);
  EXPECT_EQ(t.at("c"), c);
  const Tensor p = posit8_max_pool(c, m.layers[1]);
  EXPECT_EQ(t.at("p"), p);
  const Tensor d = posit8_mac(p, m.layers[2]);
  EXPECT_EQ(t.at("d"), d);
  // By hand from p's values [0.75, 4, 6, 5.5, 0, 6] (codes 48 112 116 115 0 116):
  // co0: 0.75 - 4 + 0.5*6 - 0.5*5.5 + 0 + 6/64 = -2.90625, / 0.05 = -58.1 -> -58, - 3
  // co1: (0.75 + 4 - 6 + 5.5) / 8 + 0 - 6/64 + 1 = 1.4375, / 0.05 = 28.75 -> 29, - 3
  ASSERT_EQ(p, tensor(3, 2, {48, 112, 116, 115, 0, 116}));
  EXPECT_EQ(d, tensor(1, 2, {-61, 26}));
  const Tensor s = add(d, m.layers[2].output_quant, d, m.layers[2].output_quant, m.layers[3]);
  EXPECT_EQ(t.at("s"), s);
  EXPECT_EQ(t.at("g"), global_avg_pool(s, m.layers[4]));
  const auto f = tensor_formats(m);
  const std::map<std::string, Format> expected{{"in", Format::posit8_0}, {"c", Format::posit8_0}, {"p", Format::posit8_0},
                                               {"d", Format::int8},      {"s", Format::int8},      {"g", Format::int8}};
  EXPECT_EQ(f, expected);
  // The int8 model keeps int8 everywhere.
  for (const auto& [name, format] : tensor_formats(small_model())) EXPECT_EQ(format, Format::int8) << name;
}

TEST(NnPosit8Model, RunRejectsFormatMistakesNamingTheLayer) {
  const Tensor x = tensor(6, 2, {64, 32, -64, 96, 16, 0, 80, -80, 1, 127, -127, 48});
  auto bad = [&](const std::function<void(Model&, Tensor&)>& edit, std::initializer_list<std::string> parts) {
    Model m = posit8_model();
    Tensor in = x;
    edit(m, in);
    expect_invalid([&] { run(m, in); }, parts);
  };
  bad([](Model& m, Tensor&) { m.input_format = Format::int4; }, {"'mixed'", "input_format int4"});
  bad([](Model& m, Tensor&) { m.input_format = Format::int16; }, {"'mixed'", "input_format int16"});
  bad([](Model&, Tensor& in) { in.data[7] = -128; }, {"'mixed'", "'in'", "element (3, 1) is NaR"});
  bad([](Model& m, Tensor&) { m.layers[0].weight_scales = {1.0f, 1.0f}; }, {"'conv'", "weight scales"});
  bad([](Model& m, Tensor&) { m.layers[0].weights[5] = -128; }, {"'conv'", "weight 5 is NaR"});
  bad([](Model& m, Tensor&) { m.layers[0].bias[1] = 300; }, {"'conv'", "bias 300"});
  bad([](Model& m, Tensor&) { m.layers[0].output_format = Format::int4; }, {"'conv'", "output_format int4"});
  bad([](Model& m, Tensor&) { m.layers[1].output_format = Format::int8; }, {"'pool'", "output_format int8", "posit8_0"});
  bad([](Model& m, Tensor&) { m.layers[1].kind = LayerKind::avg_pool; }, {"'pool'", "takes int8 input only", "'c'"});
  bad([](Model& m, Tensor&) { m.layers[1].kind = LayerKind::global_avg_pool; }, {"'pool'", "takes int8 input only"});
  bad([](Model& m, Tensor&) { m.layers[3].inputs = {"d", "p"}; }, {"'sum'", "takes int8 input only", "'p'"});
  bad([](Model& m, Tensor&) { m.layers[3].inputs = {"p", "d"}; }, {"'sum'", "takes int8 input only", "'p'"});
  bad([](Model& m, Tensor&) { m.layers[2].output_quant = {0.0f, 0}; }, {"'fc'", "output_quant", "scale 0"});
  // An int8 tensor cannot feed a posit8 layer; an int8 pool stays int8.
  bad([](Model& m, Tensor&) { m.layers[4].output_format = Format::posit8_0; }, {"'gap'", "output_format posit8_0", "int8"});
  bad(
      [](Model& m, Tensor&) {
        Layer l = layer("up", LayerKind::dense, {"s"}, "u");
        l.out_channels = 1;
        l.weights = i8({1, 1});
        l.bias = {0};
        l.weight_scales = {1.0f};
        l.output_format = Format::posit8_0;
        m.layers.push_back(l);
      },
      {"'up'", "output_format posit8_0", "int8 input"});
  // The int8 model: a posit8 output on int8 input, and the int8 input's
  // quantization still checked.
  const Tensor xi = tensor(6, 2, {1, 2, 3, 4, 5, 6, -7, -8, 9, 10, -11, 12});
  Model m = small_model();
  m.layers[0].output_format = Format::posit8_0;
  expect_invalid([&] { run(m, xi); }, {"'conv'", "output_format posit8_0"});
  m = small_model();
  m.layers[1].output_format = Format::posit8_0;
  expect_invalid([&] { run(m, xi); }, {"'pool'", "output_format posit8_0"});
  m = small_model();
  m.input_quant.scale = 0.0f;
  expect_invalid([&] { run(m, xi); }, {"'tiny'", "input quantization"});
}

// ---------------------------------------------------------------------------
// GELU and softmax layers: against float64 GELU and softmax, independently
// of the units' tables.

TEST(NnGeluLayer, EveryInt8CodeIsTheCorrectlyRoundedGelu) {
  for (const auto form : {gelu::Form::erf, gelu::Form::tanh})
    for (const auto& [in_q, out_q] : {std::pair{QuantParams{0.05f, 3}, QuantParams{0.04f, -20}}, std::pair{QuantParams{0.02f, -128}, QuantParams{0.01f, 0}},
                                      std::pair{QuantParams{0.5f, 0}, QuantParams{0.25f, 127}}}) {
      Layer l = layer("act", LayerKind::gelu, {"x"}, "y");
      l.gelu_form = form;
      l.output_quant = out_q;
      Tensor x{128, 2, {}};
      for (int q = -128; q < 128; ++q) x.data.push_back(static_cast<std::int8_t>(q));
      const Tensor y = gelu_layer(x, in_q, l);
      ASSERT_EQ(y.length, 128);
      ASSERT_EQ(y.channels, 2);
      for (int q = -128; q < 128; ++q) {
        const double v = in_q.scale * static_cast<double>(q - in_q.zero_point);
        const double g = form == gelu::Form::erf ? 0.5 * v * std::erfc(-v / std::sqrt(2.0))
                                                 : 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
        const double f = std::clamp(g / out_q.scale + out_q.zero_point, -128.0, 127.0);
        const int got = y.data[static_cast<std::size_t>(q + 128)];
        EXPECT_LE(std::abs(got - f), 0.5 + 1e-9) << "q " << q << " form " << static_cast<int>(form) << " in scale " << in_q.scale;
      }
    }
}

TEST(NnSoftmaxLayer, EachPositionIsASoftmaxOverItsChannels) {
  std::mt19937 rng(7);
  for (const auto algorithm : {softmax::Algorithm::three_pass, softmax::Algorithm::online, softmax::Algorithm::two_pass})
    for (const float scale : {0.02f, 0.1f, 0.5f}) {
      Layer l = layer("prob", LayerKind::softmax, {"x"}, "y");
      l.softmax_algorithm = algorithm;
      l.output_quant = kSoftmaxOutputQuant;
      Tensor x{20, 7, {}};
      for (int i = 0; i < 140; ++i) x.data.push_back(static_cast<std::int8_t>(static_cast<int>(rng() % 256) - 128));
      const Tensor y = softmax_layer(x, {scale, 5}, l);
      ASSERT_EQ(y.length, 20);
      ASSERT_EQ(y.channels, 7);
      for (int p = 0; p < 20; ++p) {
        double sum = 0;
        for (int c = 0; c < 7; ++c) sum += std::exp(scale * static_cast<double>(x.at(p, c) - x.at(0, 0)));
        for (int c = 0; c < 7; ++c) {
          const double prob = std::exp(scale * static_cast<double>(x.at(p, c) - x.at(0, 0))) / sum;
          // int8 output: code = p * 256 - 128; the unit is within 1 LSB.
          EXPECT_LE(std::abs((y.at(p, c) + 128) / 256.0 - prob), 1.0 / 256 + 1e-9) << "position " << p << " channel " << c;
        }
      }
    }
}

TEST(NnUnitLayers, RunChainsDenseGeluAndSoftmax) {
  Model m;
  m.name = "units";
  m.input = "x";
  m.input_length = 2;
  m.input_channels = 2;
  m.input_quant = {0.05f, 0};
  Layer fc = layer("fc", LayerKind::dense, {"x"}, "h");
  fc.out_channels = 3;
  fc.weights = i8({10, 20, 30, 40, -10, -20, -30, -40, 5, 5, 5, 5});
  fc.weight_scales = {0.01f, 0.01f, 0.02f};
  fc.bias = {0, 0, 0};
  fc.output_quant = {0.04f, -10};
  Layer act = layer("act", LayerKind::gelu, {"h"}, "g");
  act.output_quant = {0.03f, -100};
  Layer prob = layer("prob", LayerKind::softmax, {"g"}, "y");
  prob.output_quant = kSoftmaxOutputQuant;
  m.layers = {fc, act, prob};
  m.outputs = {"y"};
  const Tensor x = tensor(2, 2, {30, -40, 90, 127});
  const auto t = run(m, x);
  const Tensor h = dense(x, m.input_quant, fc);
  EXPECT_EQ(t.at("h"), h);
  const Tensor g = gelu_layer(h, fc.output_quant, act);
  EXPECT_EQ(t.at("g"), g);
  EXPECT_EQ(t.at("y"), softmax_layer(g, act.output_quant, prob));
  EXPECT_EQ(tensor_quants(m).at("y"), kSoftmaxOutputQuant);
}

TEST(NnUnitLayers, RejectBadArgumentsNamingTheLayer) {
  const Tensor x = tensor(2, 2, {1, 2, 3, 4});
  Layer g = layer("act", LayerKind::gelu, {"x"}, "y");
  g.output_quant = {0.1f, 0};
  g.activation = Activation::relu;
  expect_invalid([&] { gelu_layer(x, {0.1f, 0}, g); }, {"'act'", "gelu", "fused activation"});
  g.activation = Activation::none;
  g.output_format = Format::posit8_0;
  expect_invalid([&] { gelu_layer(x, {0.1f, 0}, g); }, {"'act'", "output_format posit8_0"});
  g.output_format = Format::int8;
  expect_invalid([&] { gelu_layer(x, {0.0f, 0}, g); }, {"'act'", "input quantization"});
  Layer s = layer("prob", LayerKind::softmax, {"x"}, "y");
  s.output_quant = {0.5f, 0};
  expect_invalid([&] { softmax_layer(x, {0.1f, 0}, s); }, {"'prob'", "softmax", "scale 1/256, zero point -128"});
  s.output_quant = kSoftmaxOutputQuant;
  expect_invalid([&] { softmax_layer(x, {200.0f, 0}, s); }, {"'prob'", "input scale 200"});
  // A posit8 tensor cannot feed them.
  Model m = posit8_model();
  Layer after = layer("act", LayerKind::gelu, {"c"}, "z");
  after.output_quant = {0.1f, 0};
  m.layers.push_back(after);
  expect_invalid([&] { run(m, tensor(6, 2, {64, 32, -64, 96, 16, 0, 80, -80, 1, 127, -127, 48})); }, {"'act'", "takes int8 input only", "'c'"});
}

}  // namespace
}  // namespace strata::golden::nn
