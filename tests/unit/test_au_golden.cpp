// The AU golden model against a reference written independently here
// (C++ narrowing casts for lanes, plain sums for dot products).
#include <gtest/gtest.h>

#include <random>

#include "golden/au.h"

namespace strata::golden {
namespace {

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
  EXPECT_EQ(lane_value(0x7000, 4, 3), 7);
  EXPECT_EQ(lane_value(0x8000, 16, 0), -32768);
}

TEST(AuGolden, BeatValueIsTheSumOfLaneProducts) {
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 1000000; ++i) {
    const auto a = static_cast<std::uint16_t>(rng()), b = static_cast<std::uint16_t>(rng());
    ASSERT_EQ(au_beat_value(a, b, Format::int16), std::int64_t{static_cast<std::int16_t>(a)} * static_cast<std::int16_t>(b));
    ASSERT_EQ(au_beat_value(a, b, Format::int8),
              std::int64_t{static_cast<std::int8_t>(a)} * static_cast<std::int8_t>(b) +
                  std::int64_t{static_cast<std::int8_t>(a >> 8)} * static_cast<std::int8_t>(b >> 8));
    std::int64_t s4 = 0;
    for (int l = 0; l < 4; ++l) s4 += ref_lane(a, 4, l) * ref_lane(b, 4, l);
    ASSERT_EQ(au_beat_value(a, b, Format::int4), s4);
  }
}

TEST(AuGolden, WidthsByHand) {
  // (-2^15)^2 = 2^30 needs 32 signed bits; 2 * 2^14 = 2^15 needs 17; 4 * 2^6 needs 10.
  EXPECT_EQ(au_dot_width({Format::int16}), 32);
  EXPECT_EQ(au_dot_width({Format::int8}), 17);
  EXPECT_EQ(au_dot_width({Format::int4}), 10);
  EXPECT_EQ(au_dot_width({Format::int4, Format::int8}), 17);
  EXPECT_EQ(au_acc_width({Format::int4, Format::int8, Format::int16}, 1024), 42);  // 2^40 -> 41 bits + sign
  EXPECT_EQ(au_acc_width({Format::int8}, 4096), 29);                               // 2^27
  EXPECT_EQ(au_acc_width({Format::int4, Format::int16}, 1u << 20), 52);            // 2^50
  EXPECT_EQ(au_acc_width({Format::int16}, 3), 33);                                 // 3 * 2^30 < 2^32
}

// The accumulator width is the smallest that holds K worst-case beats.
TEST(AuGolden, AccumulatorWidthIsMinimal) {
  for (const auto& f : kFormats)
    for (std::uint64_t k : {1ull, 2ull, 3ull, 5ull, 1000ull, 1024ull, 1025ull, 65535ull, (1ull << 24) - 1, 1ull << 24}) {
      const int w = au_acc_width({f.format}, k);
      const long double worst = static_cast<long double>(k) * f.lanes * std::ldexp(1.0L, 2 * f.lane_bits - 2);
      EXPECT_LE(worst, std::ldexp(1.0L, w - 1) - 1) << f.name << " K=" << k;
      EXPECT_GT(worst, std::ldexp(1.0L, w - 2) - 1) << f.name << " K=" << k << ": width " << w << " is not minimal";
    }
}

AuSpec spec(std::vector<Format> f, std::uint64_t k) { return AuSpec{std::move(f), k, 1}; }

TEST(AuGolden, DotProductAccumulatesUntilLast) {
  AuModel m(spec({Format::int8}, 16));
  EXPECT_FALSE(m.accept(0x0102, 0x0304, 1, false));  // 1*3 + 2*4 = 11... lanes: lo 2*4=8, hi 1*3=3
  const auto r = m.accept(0xff01, 0x0101, 1, true);  // lo 1*1, hi -1*1 -> 0
  ASSERT_TRUE(r);
  EXPECT_EQ(r->acc, 11);
  EXPECT_FALSE(r->saturated);
  EXPECT_FALSE(r->format_error);
  const auto r2 = m.accept(0x0002, 0x0003, 1, true);  // a new product starts from 0
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->acc, 6);
}

TEST(AuGolden, SaturatesBeyondMaxAccumulationsAndFlagsUntilLast) {
  AuModel m(spec({Format::int16}, 2));  // width 33: max 2^32 - 1
  ASSERT_EQ(m.acc_width(), 33);
  const std::int64_t max = (std::int64_t{1} << 32) - 1;
  m.accept(0x8000, 0x8000, 2, false);
  m.accept(0x8000, 0x8000, 2, false);  // 2^31, fits
  m.accept(0x8000, 0x8000, 2, false);  // 3 * 2^30 fits; 2^32 would not
  m.accept(0x8000, 0x8000, 2, false);  // 2^32: clamps to max
  const auto r = m.accept(0x8000, 0x7fff, 2, true);  // back down from the clamped value
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->saturated);
  EXPECT_EQ(r->acc, max - (std::int64_t{1} << 30) + (std::int64_t{1} << 15));
  const auto next = m.accept(0x0001, 0x0001, 2, true);
  EXPECT_FALSE(next->saturated) << "the flag ends with its dot product";

  AuModel n(spec({Format::int16}, 2));
  for (int i = 0; i < 5; ++i) n.accept(0x8000, 0x7fff, 2, false);
  const auto low = n.accept(0x0000, 0x0000, 2, true);
  EXPECT_EQ(low->acc, -(std::int64_t{1} << 32));
  EXPECT_TRUE(low->saturated);
}

TEST(AuGolden, DisabledFormatCountsZeroAndFlags) {
  AuModel m(spec({Format::int4, Format::int16}, 8));
  m.accept(0x0003, 0x0005, 0, false);           // int4: 15
  m.accept(0x7777, 0x7777, 1, false);           // int8 not enabled
  const auto r = m.accept(0x0000, 0x0000, 7, true);  // reserved code
  EXPECT_EQ(r->acc, 15);
  EXPECT_TRUE(r->format_error);
  EXPECT_FALSE(m.accept(0x1, 0x1, 0, true)->format_error);
}

TEST(AuGolden, ResetForgetsThePartialProduct) {
  AuModel m(spec({Format::int8}, 8));
  m.accept(0x0505, 0x0505, 1, false);
  m.reset();
  EXPECT_EQ(m.accept(0x0001, 0x0001, 1, true)->acc, 1);
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
