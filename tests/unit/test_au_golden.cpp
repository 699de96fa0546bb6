// The AU golden model against references written independently here: C++
// narrowing casts for integer lanes, exact rational dot products
// (NumberFormat::fdp) for FP4 and posits, widths by hand and by brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "golden/au.h"
#include "golden/number_format.h"

namespace strata::golden {
namespace {

const std::vector<Format> kAll{Format::int4, Format::int8, Format::int16, Format::fp4, Format::posit4_1, Format::posit8_0, Format::posit16_1};

AuSpec spec(std::vector<Format> f, std::uint64_t k) { return AuSpec{std::move(f), k, 1}; }
NumberFormat nf(Format f) { return NumberFormat::parse(std::string(info(f).name)); }

// Reference lane decode: shift the lane to the top of a 32-bit word and back.
std::int64_t ref_lane(std::uint16_t w, int bits, int lane) {
  const auto top = static_cast<std::int32_t>(static_cast<std::uint32_t>(w >> (bits * lane)) << (32 - bits));
  return top >> (32 - bits);
}

TEST(AuGolden, LaneValuesMatchTwoComplementCasts) {
  for (unsigned w = 0; w < 65536; ++w) {
    const auto word = static_cast<std::uint16_t>(w);
    ASSERT_EQ(lane_value(word, 16, 0), static_cast<std::int16_t>(word));
    for (int l = 0; l < 2; ++l) ASSERT_EQ(lane_value(word, 8, l), static_cast<std::int8_t>(word >> (8 * l))) << w;
    for (int l = 0; l < 4; ++l) ASSERT_EQ(lane_value(word, 4, l), ref_lane(word, 4, l)) << w;
  }
  EXPECT_EQ(lane_value(0x0008, 4, 0), -8);
  EXPECT_EQ(lane_value(0x8000, 16, 0), -32768);
}

TEST(AuGolden, IntegerBeatsAreSumsOfLaneProducts) {
  std::mt19937_64 rng(12345);
  AuModel m(spec({Format::int4, Format::int8, Format::int16}, 1));
  for (int i = 0; i < 300000; ++i) {
    const auto a = static_cast<std::uint16_t>(rng()), b = static_cast<std::uint16_t>(rng());
    ASSERT_EQ(m.accept(a, b, 2, true)->acc, std::int64_t{static_cast<std::int16_t>(a)} * static_cast<std::int16_t>(b));
    ASSERT_EQ(m.accept(a, b, 1, true)->acc, std::int64_t{static_cast<std::int8_t>(a)} * static_cast<std::int8_t>(b) +
                                                std::int64_t{static_cast<std::int8_t>(a >> 8)} * static_cast<std::int8_t>(b >> 8));
    std::int64_t s4 = 0;
    for (int l = 0; l < 4; ++l) s4 += ref_lane(a, 4, l) * ref_lane(b, 4, l);
    ASSERT_EQ(m.accept(a, b, 0, true)->acc, s4);
  }
}

TEST(AuGolden, ShapesByHand) {
  // (-2^15)^2 = 2^30 needs 32 signed bits; 2 * 2^14 = 2^15 needs 17; 4 * 2^6 needs 10.
  EXPECT_EQ(au_shape({Format::int16}, 1).beat_width, 32);
  EXPECT_EQ(au_shape({Format::int8}, 1).beat_width, 17);
  EXPECT_EQ(au_shape({Format::int4}, 1).beat_width, 10);
  EXPECT_EQ(au_shape({Format::int4, Format::int8, Format::int16}, 1024).acc_width, 42);  // 2^40 -> 41 bits + sign
  EXPECT_EQ(au_shape({Format::int8}, 4096).acc_width, 29);                               // 2^27
  EXPECT_EQ(au_shape({Format::int4, Format::int16}, 1u << 20).acc_width, 52);            // 2^50
  EXPECT_EQ(au_shape({Format::int16}, 3).acc_width, 33);                                 // 3 * 2^30 < 2^32
  EXPECT_EQ(au_shape({Format::int8}, 4096).frac_bits, 0);
  // posit8_0: maxpos 64, two lanes: 2 * 2^12 = 2^13, times 2^12 units: 2^25.
  EXPECT_EQ(au_shape({Format::posit8_0}, 1).acc_width, 27);
  EXPECT_EQ(au_shape({Format::posit8_0}, 1).frac_bits, 12);
  // posit16_1: (2^28)^2 = 2^56, times 2^56 units: 2^112.
  EXPECT_EQ(au_shape({Format::posit16_1}, 1).acc_width, 114);
  // fp4: 4 lanes of 6*6 = 144, times 4 units = 576 (10 bits).
  EXPECT_EQ(au_shape({Format::fp4}, 1).acc_width, 11);
  const AuShape all = au_shape(kAll, 1024);
  EXPECT_EQ(all.frac_bits, 56);
  EXPECT_EQ(all.acc_width, 56 + 56 + 10 + 2);  // 2^56 * 2^10 beats in 2^-56 units, sign
  EXPECT_EQ(all.beat_width, 56 + 56 + 2);
}

// The accumulator width is the smallest that holds K worst-case integer beats.
TEST(AuGolden, IntegerAccumulatorWidthIsMinimal) {
  for (Format f : {Format::int4, Format::int8, Format::int16})
    for (std::uint64_t k : {1ull, 2ull, 3ull, 5ull, 1000ull, 1024ull, 1025ull, 65535ull, (1ull << 24) - 1, 1ull << 24}) {
      const int w = au_shape({f}, k).acc_width;
      const long double worst = static_cast<long double>(k) * info(f).lanes * std::ldexp(1.0L, 2 * info(f).lane_bits - 2);
      EXPECT_LE(worst, std::ldexp(1.0L, w - 1) - 1) << info(f).name << " K=" << k;
      EXPECT_GT(worst, std::ldexp(1.0L, w - 2) - 1) << info(f).name << " K=" << k << ": width " << w << " is not minimal";
    }
}

// F is exactly what the finest products need: every product is a multiple of
// 2^-F and minpos * minpos is 2^-F.
TEST(AuGolden, FractionBitsAreSufficientAndMinimal) {
  for (Format f : {Format::fp4, Format::posit4_1, Format::posit8_0, Format::posit16_1}) {
    const NumberFormat n = nf(f);
    const int frac = info(f).product_frac_bits;
    const std::uint32_t codes = 1u << info(f).lane_bits;
    const std::uint32_t step = codes > 256 ? 97 : 1;  // posit16: a sample of codes
    for (std::uint32_t a = 0; a < codes; a += step)
      for (std::uint32_t b = 0; b < codes; b += step) {
        const auto x = n.decode(a), y = n.decode(b);
        if (!x || !y) continue;
        ASSERT_EQ(mpq_class(*x * *y * mpq_class(mpz_class(1) << frac)).get_den(), 1) << info(f).name;
      }
    EXPECT_EQ(*n.decode(1) * *n.decode(1) * mpq_class(mpz_class(1) << frac), 1) << info(f).name;
  }
}

// Random dot products of every float format: the quire rounded once equals
// the format's exact rational fdp, in any beat order, and the read-out is it.
TEST(AuGolden, FloatDotProductsAreExactOrderFreeAndReadOutRounded) {
  std::mt19937_64 rng(4);
  for (Format f : {Format::fp4, Format::posit4_1, Format::posit8_0, Format::posit16_1}) {
    const NumberFormat n = nf(f);
    const auto code = static_cast<unsigned>(f);
    AuModel m(spec({f}, 64));
    const int bits = info(f).lane_bits;
    const unsigned mask = (1u << bits) - 1;
    for (int dot = 0; dot < 2000; ++dot) {
      std::vector<std::pair<std::uint16_t, std::uint16_t>> beats;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
      const int len = 1 + static_cast<int>(rng() % 64);
      for (int i = 0; i < len; ++i) {
        auto a = static_cast<std::uint16_t>(rng()), b = static_cast<std::uint16_t>(rng());
        if (n.has_nar())  // keep NaR rare
          for (int l = 0; l < info(f).lanes; ++l) {
            const unsigned sh = static_cast<unsigned>(l * bits);
            if (((a >> sh) & mask) == n.nar() && rng() % 8) a = static_cast<std::uint16_t>(a ^ (1u << sh));
            if (((b >> sh) & mask) == n.nar() && rng() % 8) b = static_cast<std::uint16_t>(b ^ (1u << sh));
          }
        beats.emplace_back(a, b);
        for (int l = 0; l < info(f).lanes; ++l) pairs.emplace_back((a >> (l * bits)) & mask, (b >> (l * bits)) & mask);
      }
      AuResult r;
      for (int i = 0; i < len; ++i) r = m.accept(beats[i].first, beats[i].second, code, i + 1 == len, code).value_or(r);
      const std::uint32_t want = n.fdp(pairs);
      ASSERT_EQ(r.readout, want) << info(f).name << " dot " << dot;
      if (r.nar) {
        ASSERT_EQ(want, n.nar());
        ASSERT_EQ(r.acc, 0);
      } else {
        ASSERT_FALSE(r.saturated);
        ASSERT_EQ(n.encode(m.value(r)), want);
      }
      std::shuffle(beats.begin(), beats.end(), rng);
      AuResult s;
      for (int i = 0; i < len; ++i) s = m.accept(beats[i].first, beats[i].second, code, i + 1 == len, code).value_or(s);
      ASSERT_EQ(s, r);
    }
  }
}

TEST(AuGolden, DotProductAccumulatesUntilLast) {
  AuModel m(spec({Format::int8}, 16));
  EXPECT_FALSE(m.accept(0x0102, 0x0304, 1, false));  // lanes: lo 2*4=8, hi 1*3=3
  const auto r = m.accept(0xff01, 0x0101, 1, true);  // lo 1*1, hi -1*1 -> 0
  ASSERT_TRUE(r);
  EXPECT_EQ(r->acc, 11);
  EXPECT_FALSE(r->saturated);
  EXPECT_FALSE(r->format_error);
  EXPECT_EQ(r->readout, 0u) << "integer-only configs have no read-out";
  EXPECT_EQ(m.accept(0x0002, 0x0003, 1, true)->acc, 6) << "a new product starts from 0";
}

TEST(AuGolden, SaturatesBeyondMaxAccumulationsAndFlagsUntilLast) {
  AuModel m(spec({Format::int16}, 2));  // width 33: max 2^32 - 1
  ASSERT_EQ(m.shape().acc_width, 33);
  const std::int64_t max = (std::int64_t{1} << 32) - 1;
  for (int i = 0; i < 4; ++i) m.accept(0x8000, 0x8000, 2, false);  // 2^32 on the fourth: clamps
  const auto r = m.accept(0x8000, 0x7fff, 2, true);                 // back down from the clamped value
  EXPECT_TRUE(r->saturated);
  EXPECT_EQ(r->acc, max - (std::int64_t{1} << 30) + (std::int64_t{1} << 15));
  EXPECT_FALSE(m.accept(0x0001, 0x0001, 2, true)->saturated) << "the flag ends with its dot product";

  AuModel n(spec({Format::int16}, 2));
  for (int i = 0; i < 5; ++i) n.accept(0x8000, 0x7fff, 2, false);
  const auto low = n.accept(0x0000, 0x0000, 2, true);
  EXPECT_EQ(low->acc, -(std::int64_t{1} << 32));
  EXPECT_TRUE(low->saturated);

  AuModel p(spec({Format::posit8_0}, 1));
  p.accept(0x7f7f, 0x7f7f, 5, false);  // both lanes maxpos
  const auto q = p.accept(0x7f7f, 0x7f7f, 5, true, 5);
  EXPECT_TRUE(q->saturated);
  EXPECT_EQ(q->acc, (mpz_class(1) << 26) - 1);
  EXPECT_EQ(q->readout, 0x7fu) << "a clamped quire reads out as maxpos";
}

TEST(AuGolden, NaRPoisonsTheDotProduct) {
  AuModel m(spec({Format::int8, Format::posit16_1}, 16));
  m.accept(0x4000, 0x4000, 6, false);
  m.accept(0x8000, 0x4000, 6, false);  // NaR
  const auto r = m.accept(0x0101, 0x0101, 1, true, 6);
  EXPECT_TRUE(r->nar);
  EXPECT_EQ(r->acc, 0);
  EXPECT_EQ(r->readout, 0x8000u);
  m.accept(0x4000, 0x8000, 6, false);
  EXPECT_EQ(m.accept(0, 0, 6, true, 1)->readout, 0u) << "NaR reads out as 0 in an integer format";
  const auto next = m.accept(0x4000, 0x4000, 6, true, 6);
  EXPECT_FALSE(next->nar);
  EXPECT_EQ(m.value(*next), 1);
  EXPECT_EQ(next->readout, 0x4000u);
}

TEST(AuGolden, ReadOutInAnotherFormat) {
  AuModel m(spec({Format::int8, Format::fp4, Format::posit8_0}, 16));
  // 3 * 1.5 (fp4 0x5 = 3, 0x3 = 1.5) in lane 0 = 4.5: fp4 ties to 4 (even), posit8_0 exact, int8 ties to 4.
  EXPECT_EQ(m.accept(0x0005, 0x0003, 3, true, 3)->readout, 0x6u);
  EXPECT_EQ(m.accept(0x0005, 0x0003, 3, true, 5)->readout, nf(Format::posit8_0).encode(mpq_class(9, 2)));
  EXPECT_EQ(m.accept(0x0005, 0x0003, 3, true, 1)->readout, 4u);
  const auto bad = m.accept(0x0005, 0x0003, 3, true, 6);  // posit16_1 not enabled
  EXPECT_TRUE(bad->format_error);
  EXPECT_EQ(bad->readout, 0u);
  EXPECT_EQ(m.accept(0x7f, 0x7f, 1, true, 1)->readout, 0x7fu) << "int8 read-out saturates";
}

TEST(AuGolden, DisabledFormatCountsZeroAndFlags) {
  AuModel m(spec({Format::int4, Format::int16}, 8));
  m.accept(0x0003, 0x0005, 0, false);                // int4: 15
  m.accept(0x7777, 0x7777, 1, false);                // int8 not enabled
  const auto r = m.accept(0x0000, 0x0000, 7, true);  // reserved code
  EXPECT_EQ(r->acc, 15);
  EXPECT_TRUE(r->format_error);
  EXPECT_FALSE(m.accept(0x1, 0x1, 0, true)->format_error);
}

TEST(AuGolden, ResetForgetsThePartialProduct) {
  AuModel m(spec({Format::posit8_0}, 8));
  m.accept(0x0080, 0x0505, 5, false);  // NaR
  m.reset();
  EXPECT_FALSE(m.accept(0x0040, 0x0040, 5, true)->nar);
}

TEST(AuGolden, RejectsImpossibleSpecs) {
  EXPECT_THROW(AuModel(spec({}, 8)), std::invalid_argument);
  EXPECT_THROW(AuModel(spec({Format::int8}, 0)), std::invalid_argument);
}

TEST(AuGolden, LatencyIsStagesPlusOne) {
  for (int s = 0; s <= 2; ++s) EXPECT_EQ(au_latency(AuSpec{{Format::int8}, 1, s}), s + 1);
}

}  // namespace
}  // namespace strata::golden
