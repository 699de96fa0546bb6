// The softmax golden model (host/golden/softmax.h) against references written
// here: exact integer and long double arithmetic for the scale, the
// exponential's table and the reciprocal, float64 softmax for whole vectors
// (the error bounds of docs/blocks/softmax.md), hand-worked vectors, and
// monotonicity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "golden/softmax.h"

namespace strata::golden::softmax {
namespace {

constexpr Algorithm kAlgorithms[] = {Algorithm::three_pass, Algorithm::online, Algorithm::two_pass};
constexpr OutType kOutTypes[] = {OutType::uint8, OutType::uint16, OutType::int8};

std::vector<double> reference(const std::vector<int>& q, Scale s) {
  // The exact real softmax of the scale (M, s) stands for: 2^(M 2^-(s+8) q).
  const long double y = std::ldexp(static_cast<long double>(s.mult), -(s.shift + 8));
  const int qmax = *std::max_element(q.begin(), q.end());
  long double sum = 0;
  for (int v : q) sum += std::exp2(y * (v - qmax));
  std::vector<double> p;
  for (int v : q) p.push_back(static_cast<double>(std::exp2(y * (v - qmax)) / sum));
  return p;
}

TEST(SoftmaxGolden, ExponentIsTheScaledDifferenceRoundedHalfUp) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const Scale s{static_cast<std::uint32_t>(rng() % 65536), static_cast<int>(rng() % 32)};
    const std::int64_t v = static_cast<std::int64_t>(rng() % 131071) - 65535;
    const long double exact = std::ldexp(static_cast<long double>(v) * s.mult * 256.0L, -s.shift);
    ASSERT_EQ(exponent(v, s), static_cast<std::int64_t>(std::floor(exact + 0.5L))) << v << " " << s.mult << " " << s.shift;
  }
}

TEST(SoftmaxGolden, ScaleForPicksTheClosestMultiplier) {
  for (double sc : {1e-6, 0.001, 0.0123, 0.1, 0.5, 1.0, 3.7, 100.0, 177.0}) {
    const Scale s = scale_for(sc);
    EXPECT_LT(s.mult, 65536u);
    EXPECT_GE(s.mult, s.shift == 31 ? 0u : 32768u) << sc;
    EXPECT_NEAR(real_scale(s) / sc, 1.0, s.shift == 31 ? 1e-3 : 2.0 / 65536) << sc;
  }
  EXPECT_THROW(scale_for(0.0), std::invalid_argument);
  EXPECT_THROW(scale_for(-1.0), std::invalid_argument);
  EXPECT_THROW(scale_for(178.0), std::invalid_argument);
}

// Every fraction f: the table plus chord is within 1.2 units of 2^-16 of
// 2^(f/2^16), below 2, and non-decreasing in f.
TEST(SoftmaxGolden, Exp2IsAccurateAndMonotoneOnEveryFraction) {
  std::uint32_t prev = 0;
  double worst = 0;
  for (std::int64_t f = 0; f < 65536; ++f) {
    const Exp2 e = exp2_neg(-f);  // n = 0 - ceil(-f/2^16)... w = -f gives n = 0, f
    ASSERT_EQ(e.n, 0);
    ASSERT_LT(e.t, 65536u);
    ASSERT_GE(e.t, prev) << f;
    prev = e.t;
    worst = std::max(worst, std::abs((65536.0 + e.t) - std::exp2(static_cast<double>(f) / 65536.0) * 65536.0));
  }
  EXPECT_LE(worst, 1.2);
  const auto& t = exp2_table();
  EXPECT_EQ(t[0], 0u);
  EXPECT_EQ(t[256], 65536u);
  EXPECT_EQ(t[128], 27146u);  // round(sqrt(2) * 2^16) - 2^16 = 92682 - 65536
}

TEST(SoftmaxGolden, Exp2SplitsTheExponent) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t w = static_cast<std::int64_t>(rng() % (std::uint64_t{1} << 30)) - (std::int64_t{1} << 29);
    const Exp2 e = exp2_neg(w);
    const double wd = static_cast<double>(w);
    ASSERT_EQ(e.n, static_cast<std::int64_t>(std::ceil(wd / 65536.0)));
    const double got = std::log2(1.0 + e.t / 65536.0) - static_cast<double>(e.n);
    ASSERT_NEAR(got, -wd / 65536.0, 2.0 / 65536) << w;
  }
  EXPECT_EQ(exp2_neg(0), (Exp2{0, 0}));
  EXPECT_EQ(exp2_neg(65536), (Exp2{1, 0}));
  EXPECT_EQ(exp2_neg(1).n, 1);
}

TEST(SoftmaxGolden, RoundingShiftRoundsHalfUp) {
  EXPECT_EQ(rsh(5, 1), 3u);   // 2.5 -> 3
  EXPECT_EQ(rsh(7, 2), 2u);   // 1.75 -> 2
  EXPECT_EQ(rsh(5, 2), 1u);   // 1.25 -> 1
  EXPECT_EQ(rsh(6, 2), 2u);   // 1.5 -> 2
  EXPECT_EQ(rsh(9, 0), 9u);
  EXPECT_EQ(rsh(1, 1), 1u);   // 0.5 -> 1
  EXPECT_EQ(rsh(1, 2), 0u);
  EXPECT_EQ(rsh(std::uint64_t{1} << 40, 70), 0u);
  EXPECT_EQ(term(0, 0), std::uint64_t{1} << 24);
  EXPECT_EQ(term(0, 24), 1u);
  EXPECT_EQ(term(0, 26), 0u);
}

TEST(SoftmaxGolden, ReciprocalIsTheRoundedInverseOfTheNormalisedSum) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t sum = (std::uint64_t{1} << 24) + rng() % (std::uint64_t{1} << 36);
    const Recip r = reciprocal(sum);
    const int msb = 63 - __builtin_clzll(sum);
    ASSERT_EQ(r.k, msb - 24);
    const long double sig = std::floor(std::ldexp(static_cast<long double>(sum), 17 - msb));  // 1.17 truncated
    const long double want = std::min(std::round(std::ldexp(1.0L, 34) / sig), 131071.0L);
    ASSERT_EQ(static_cast<long double>(r.r), want) << sum;
    ASSERT_GE(r.r, 65536u);
  }
  EXPECT_EQ(reciprocal(std::uint64_t{1} << 24).r, 131071u);  // 1/1 clamped below 1
  EXPECT_EQ(reciprocal(std::uint64_t{3} << 24).k, 1);
  EXPECT_THROW(reciprocal(1), std::logic_error);
}

TEST(SoftmaxGolden, HandWorkedVectors) {
  const Scale s = scale_for(0.1);
  for (Algorithm a : kAlgorithms) {
    EXPECT_EQ(run({5}, a, InType::int8, s, OutType::uint8), std::vector<int>{255}) << name(a);
    EXPECT_EQ(run({-128}, a, InType::int8, s, OutType::uint16), std::vector<int>{65535}) << name(a);
    EXPECT_EQ(run({127}, a, InType::int8, s, OutType::int8), std::vector<int>{127}) << name(a);
    EXPECT_EQ(run({3, 3}, a, InType::int8, s, OutType::uint8), (std::vector<int>{128, 128})) << name(a);
    EXPECT_EQ(run({3, 3, 3, 3}, a, InType::int8, s, OutType::int8), (std::vector<int>{-64, -64, -64, -64})) << name(a);
    EXPECT_EQ(run({3, 3, 3, 3}, a, InType::int8, s, OutType::uint16), (std::vector<int>{16384, 16384, 16384, 16384})) << name(a);
    // One dominant: 127 vs -128 at scale 1 is e^-255, nothing.
    EXPECT_EQ(run({-128, 127}, a, InType::int8, scale_for(1.0), OutType::uint16), (std::vector<int>{0, 65535})) << name(a);
    // ln 3 apart: 1/4 and 3/4.
    const Scale ln3 = scale_for(std::log(3.0) / 100);
    EXPECT_EQ(run({0, 100}, a, InType::int8, ln3, OutType::uint8), (std::vector<int>{64, 192})) << name(a);
  }
}

TEST(SoftmaxGolden, RejectsWhatTheUnitCannotTake) {
  const Scale s = scale_for(0.1);
  EXPECT_THROW(run({}, Algorithm::three_pass, InType::int8, s, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(run({128}, Algorithm::three_pass, InType::int8, s, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(run({-32769}, Algorithm::online, InType::int16, s, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(run({0}, Algorithm::two_pass, InType::int16, Scale{65536, 0}, OutType::uint8), std::invalid_argument);
  EXPECT_THROW(run({0}, Algorithm::two_pass, InType::int16, Scale{1, 32}, OutType::uint8), std::invalid_argument);
}

// Random vectors of many lengths and spreads, against float64: 8-bit outputs
// within 1 LSB (the rounding's half plus the approximations), 16-bit within
// 4 LSB, sums within 2^-12 of 1 for 8-bit, and larger logits never get
// smaller codes.
TEST(SoftmaxGolden, RandomVectorsAreWithinTheStatedBoundsOfFloat64) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 2500; ++i) {
    const InType in = i % 2 ? InType::int16 : InType::int8;
    const int len = 1 + static_cast<int>(rng() % (i % 5 == 0 ? 1024 : 64));
    const double spread = std::ldexp(1.0, static_cast<int>(rng() % 7)) / 4;  // 0.25 .. 16 in natural-log units
    const int qmax = in == InType::int8 ? 127 : 32767;
    const Scale s = scale_for(spread / qmax);
    std::vector<int> q(static_cast<std::size_t>(len));
    for (auto& v : q) v = static_cast<int>(rng() % (2 * static_cast<std::uint64_t>(qmax) + 1)) - qmax;
    const std::vector<double> ref = reference(q, s);
    for (Algorithm a : kAlgorithms)
      for (OutType out : kOutTypes) {
        const std::vector<int> c = run(q, a, in, s, out);
        const double lsb = std::ldexp(1.0, -out_bits(out));
        double sum = 0;
        for (std::size_t j = 0; j < c.size(); ++j) {
          const double p = probability(c[j], out);
          sum += p;
          ASSERT_LE(std::abs(p - ref[j]), (out == OutType::uint16 ? 4 : 1) * lsb)
              << name(a) << " " << name(out) << " vector " << i << " element " << j << " of " << len;
          for (std::size_t k = 0; k < c.size(); ++k) {
            if (q[k] > q[j] && len <= 64) {
              ASSERT_GE(c[k], c[j]) << name(a) << " monotonicity, vector " << i;
            }
          }
        }
        (void)sum;
      }
  }
}

// The sums follow their definitions: three_pass and online agree with the
// exact sum of 2^-(y (qmax - q)) to the terms' rounding; two_pass's sum is
// scaled by 2^(r) relative to it.
TEST(SoftmaxGolden, SumsApproximateTheExactSum) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) {
    const int len = 1 + static_cast<int>(rng() % 300);
    const Scale s = scale_for(std::ldexp(1.0, -static_cast<int>(rng() % 8)) / 10);
    std::vector<int> q(static_cast<std::size_t>(len));
    for (auto& v : q) v = static_cast<int>(rng() % 255) - 127;
    const long double y = std::ldexp(static_cast<long double>(s.mult), -(s.shift + 8));
    const int qmax = *std::max_element(q.begin(), q.end());
    long double exact = 0;
    for (int v : q) exact += std::exp2(y * (v - qmax));
    for (Algorithm a : kAlgorithms) {
      const Trace t = run_traced(q, a, InType::int8, s, OutType::uint8);
      long double got = std::ldexp(static_cast<long double>(t.sum), -24);
      if (a == Algorithm::two_pass) got *= std::exp2(-static_cast<long double>(t.ref) - y * qmax);  // from units of 2^-r to 2^(y qmax)
      ASSERT_NEAR(static_cast<double>(got / exact), 1.0, 4e-5 + len * std::ldexp(1.0, -24)) << name(a) << " vector " << i;
      ASSERT_LT(t.sum, std::uint64_t{1} << sum_bits(len));
    }
  }
}

}  // namespace
}  // namespace strata::golden::softmax
