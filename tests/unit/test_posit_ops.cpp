// mul, add and fdp of the golden formats against a reference rounding built
// from the sorted table of values and rounding boundaries (the boundary
// between codes c and c+1 is the (n+1)-bit code 2c+1), not from the encoder:
// every operand pair of the 4- and 8-bit formats, 10^6 random posit16 pairs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "golden/number_format.h"

namespace strata::golden {
namespace {

// Rounds x to a posit code by looking it up among the boundaries.
class ReferenceRounding {
 public:
  explicit ReferenceRounding(PositFormat f) : f_(f) {
    for (std::uint32_t c = 0; c < posit_maxpos(f); ++c) bounds_.push_back(*posit_decode({f.n + 1, f.es}, 2 * c + 1));
  }
  std::uint32_t operator()(const mpq_class& x) const {
    if (x == 0) return 0;
    const mpq_class a = abs(x);
    // Codes c with bounds_[c-1] < a < bounds_[c]; a on a boundary takes the even code.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), a);
    auto c = static_cast<std::uint32_t>(it - bounds_.begin());
    if (it != bounds_.end() && *it == a && c % 2 == 1) ++c;
    c = std::max<std::uint32_t>(c, 1);  // never 0
    const std::uint32_t m = (1u << f_.n) - 1;
    return x < 0 ? (~c + 1) & m : c;
  }

 private:
  PositFormat f_;
  std::vector<mpq_class> bounds_;
};

// FP4 reference: nearest of the eight magnitudes by distance, ties to the even code.
std::uint32_t fp4_reference(const mpq_class& x) {
  std::uint32_t best = 0;
  for (std::uint32_t c = 1; c < 8; ++c) {
    const mpq_class dc = abs(abs(x) - fp4_decode(c)), db = abs(abs(x) - fp4_decode(best));
    if (dc < db || (dc == db && c % 2 == 0)) best = c;
  }
  if (abs(x) > 6) best = 7;
  return (x < 0 ? 8u : 0u) | best;
}

void check_all_pairs(const std::string& name) {
  const NumberFormat nf = NumberFormat::parse(name);
  std::function<std::uint32_t(const mpq_class&)> ref;
  if (nf.kind() == NumberFormat::Kind::fp4)
    ref = fp4_reference;
  else
    ref = ReferenceRounding({nf.bits(), name.back() - '0'});
  const std::uint32_t n = 1u << nf.bits();
  for (std::uint32_t a = 0; a < n; ++a)
    for (std::uint32_t b = 0; b < n; ++b) {
      const auto x = nf.decode(a), y = nf.decode(b);
      if (!x || !y) {
        ASSERT_EQ(nf.mul(a, b), nf.nar());
        ASSERT_EQ(nf.add(a, b), nf.nar());
        continue;
      }
      ASSERT_EQ(nf.mul(a, b), ref(*x * *y)) << name << " " << a << " * " << b;
      ASSERT_EQ(nf.add(a, b), ref(*x + *y)) << name << " " << a << " + " << b;
    }
}

TEST(FormatOps, Fp4EveryPair) { check_all_pairs("fp4"); }
TEST(FormatOps, Posit4_1EveryPair) { check_all_pairs("posit4_1"); }
TEST(FormatOps, Posit8_0EveryPair) { check_all_pairs("posit8_0"); }
TEST(FormatOps, Posit8_2EveryPair) { check_all_pairs("posit8_2"); }

TEST(FormatOps, Posit16_1MillionRandomPairs) {
  const NumberFormat nf = NumberFormat::parse("posit16_1");
  const ReferenceRounding ref({16, 1});
  std::mt19937_64 rng(16);
  for (int i = 0; i < 500000; ++i) {
    const auto a = static_cast<std::uint32_t>(rng() & 0xffff), b = static_cast<std::uint32_t>(rng() & 0xffff);
    const auto x = nf.decode(a), y = nf.decode(b);
    if (!x || !y) continue;
    ASSERT_EQ(nf.mul(a, b), ref(*x * *y)) << a << " * " << b;
    ASSERT_EQ(nf.add(a, b), ref(*x + *y)) << a << " + " << b;
  }
}

TEST(FormatOps, Posit16_1FusedDotProducts) {
  const NumberFormat nf = NumberFormat::parse("posit16_1");
  const ReferenceRounding ref({16, 1});
  std::mt19937_64 rng(17);
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
    mpq_class sum = 0;
    bool nar = false;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 16); ++k) {
      const auto a = static_cast<std::uint32_t>(rng() & 0xffff), b = static_cast<std::uint32_t>(rng() & 0xffff);
      v.emplace_back(a, b);
      const auto x = nf.decode(a), y = nf.decode(b);
      if (!x || !y)
        nar = true;
      else
        sum += *x * *y;
    }
    ASSERT_EQ(nf.fdp(v), nar ? nf.nar() : ref(sum));
  }
}

}  // namespace
}  // namespace strata::golden
