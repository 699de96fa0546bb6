// The quire model: its shape by hand and by exhaustive products, agreement
// with the integer AU model, and with exact rational dot products.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "golden/au.h"
#include "golden/quire.h"

namespace strata::golden {
namespace {

TEST(Quire, ShapesByHand) {
  EXPECT_EQ(quire_shape({{LaneFormat::int8}, 4096}).width, au_acc_width({Format::int8}, 4096));
  EXPECT_EQ(quire_shape({{LaneFormat::int8}, 4096}).frac_bits, 0);
  // posit8_0: maxpos 64, two lanes: 2 * 2^12 = 2^13, times 2^12 units: 2^25.
  EXPECT_EQ(quire_shape({{LaneFormat::posit8_0}, 1}).width, 27);
  EXPECT_EQ(quire_shape({{LaneFormat::posit8_0}, 1}).frac_bits, 12);
  // posit16_1: (2^28)^2 = 2^56, times 2^56 units: 2^112.
  EXPECT_EQ(quire_shape({{LaneFormat::posit16_1}, 1}).width, 114);
  // fp4: 4 lanes of 6*6 = 144, times 4 units = 576 (10 bits).
  EXPECT_EQ(quire_shape({{LaneFormat::fp4}, 1}).width, 11);
  const QuireShape all = quire_shape({{LaneFormat::int4, LaneFormat::int8, LaneFormat::int16, LaneFormat::fp4, LaneFormat::posit4_1,
                                       LaneFormat::posit8_0, LaneFormat::posit16_1},
                                      1024});
  EXPECT_EQ(all.frac_bits, 56);
  EXPECT_EQ(all.width, 56 + 56 + 10 + 2);  // 2^56 * 2^10 beats in 2^-56 units, sign
}

// F is exactly what the finest products need: every product is a multiple
// of 2^-F and some product is not a multiple of 2^-(F-1).
TEST(Quire, FractionBitsAreSufficientAndMinimal) {
  for (unsigned code = 3; code <= 6; ++code) {
    const auto f = static_cast<LaneFormat>(code);
    const NumberFormat nf = number_format(f);
    const int frac = info(f).product_frac_bits;
    const std::uint32_t n = 1u << info(f).lane_bits;
    const std::uint32_t step = n > 256 ? 97 : 1;  // posit16: a sample of codes
    bool needs_all = false;
    for (std::uint32_t a = 0; a < n; a += step)
      for (std::uint32_t b = 0; b < n; b += step) {
        const auto x = nf.decode(a), y = nf.decode(b);
        if (!x || !y) continue;
        const mpq_class units = *x * *y * mpq_class(mpz_class(1) << frac);
        ASSERT_EQ(units.get_den(), 1) << info(f).name;
        if (mpz_odd_p(units.get_num_mpz_t())) needs_all = true;
      }
    // minpos * minpos needs exactly F bits
    const mpq_class tiny = *nf.decode(1) * *nf.decode(1) * mpq_class(mpz_class(1) << frac);
    EXPECT_TRUE(needs_all || tiny == 1) << info(f).name;
  }
}

TEST(Quire, IntegerFormatsAgreeWithTheIntegerAu) {
  std::mt19937_64 rng(3);
  QuireModel qm({{LaneFormat::int4, LaneFormat::int8, LaneFormat::int16}, 3});
  AuModel am({{Format::int4, Format::int8, Format::int16}, 3, 1});
  ASSERT_EQ(qm.shape().width, am.acc_width());
  for (int i = 0; i < 200000; ++i) {
    const auto a = static_cast<std::uint16_t>(rng()), b = static_cast<std::uint16_t>(rng());
    const auto code = static_cast<unsigned>(rng() % 8);
    const bool last = rng() % 6 == 0;
    const auto q = qm.accept(a, b, code, last);
    const auto r = am.accept(a, b, code, last);
    ASSERT_EQ(q.has_value(), r.has_value());
    if (q) {
      ASSERT_EQ(q->q, r->acc) << i;
      ASSERT_EQ(q->saturated, r->saturated);
      ASSERT_EQ(q->format_error, r->format_error);
      ASSERT_FALSE(q->nar);
    }
  }
}

// Random dot products of every float format: the fixed-point quire rounded
// once equals the format's own exact rational fdp, in any beat order.
TEST(Quire, FloatDotProductsAreExactAndOrderFree) {
  std::mt19937_64 rng(4);
  for (unsigned code = 3; code <= 6; ++code) {
    const auto f = static_cast<LaneFormat>(code);
    const NumberFormat nf = number_format(f);
    QuireModel qm({{f}, 64});
    for (int dot = 0; dot < 2000; ++dot) {
      std::vector<std::pair<std::uint16_t, std::uint16_t>> beats;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
      const int len = 1 + static_cast<int>(rng() % 64);
      for (int i = 0; i < len; ++i) {
        auto a = static_cast<std::uint16_t>(rng()), b = static_cast<std::uint16_t>(rng());
        if (nf.has_nar())  // keep NaR rare: clear lane sign-only patterns most of the time
          for (int l = 0; l < info(f).lanes; ++l) {
            const unsigned sh = static_cast<unsigned>(l * info(f).lane_bits), m = (1u << info(f).lane_bits) - 1;
            if (((a >> sh) & m) == nf.nar() && rng() % 8) a = static_cast<std::uint16_t>(a ^ (1u << sh));
            if (((b >> sh) & m) == nf.nar() && rng() % 8) b = static_cast<std::uint16_t>(b ^ (1u << sh));
          }
        beats.emplace_back(a, b);
        for (int l = 0; l < info(f).lanes; ++l) {
          const unsigned sh = static_cast<unsigned>(l * info(f).lane_bits), m = (1u << info(f).lane_bits) - 1;
          pairs.emplace_back((a >> sh) & m, (b >> sh) & m);
        }
      }
      QuireResult r;
      for (int i = 0; i < len; ++i) r = qm.accept(beats[i].first, beats[i].second, code, i + 1 == len).value_or(r);
      const std::uint32_t want = nf.fdp(pairs);
      if (r.nar) {
        ASSERT_EQ(want, nf.nar());
        ASSERT_EQ(r.q, 0);
      } else {
        ASSERT_FALSE(r.saturated);
        ASSERT_EQ(nf.encode(qm.value(r)), want) << info(f).name << " dot " << dot;
      }
      std::shuffle(beats.begin(), beats.end(), rng);
      QuireResult s;
      for (int i = 0; i < len; ++i) s = qm.accept(beats[i].first, beats[i].second, code, i + 1 == len).value_or(s);
      ASSERT_EQ(s, r);
    }
  }
}

TEST(Quire, SaturatesBeyondMaxAccumulations) {
  QuireModel qm({{LaneFormat::posit8_0}, 1});
  const std::uint16_t maxpos2 = 0x7f7f;  // both lanes maxpos
  qm.accept(maxpos2, maxpos2, 5, false);
  const auto r = qm.accept(maxpos2, maxpos2, 5, true);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->saturated);
  EXPECT_EQ(r->q, (mpz_class(1) << 26) - 1);
  EXPECT_FALSE(qm.accept(0x4040, 0x4040, 5, true)->saturated);
}

TEST(Quire, NaRPoisonsTheDotProduct) {
  QuireModel qm({{LaneFormat::posit16_1, LaneFormat::int8}, 16});
  qm.accept(0x4000, 0x4000, 6, false);
  qm.accept(0x8000, 0x4000, 6, false);  // NaR
  const auto r = qm.accept(0x0101, 0x0101, 1, true);
  EXPECT_TRUE(r->nar);
  EXPECT_EQ(r->q, 0);
  const auto next = qm.accept(0x4000, 0x4000, 6, true);
  EXPECT_FALSE(next->nar);
  EXPECT_EQ(qm.value(*next), 1);
}

}  // namespace
}  // namespace strata::golden
