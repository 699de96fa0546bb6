// Posit and FP4 golden numerics against references built differently:
// decoding checked on known values and monotonicity, encoding against the
// rounding boundaries read off the (n+1)-bit format, exhaustively for n <= 16.
#include <gtest/gtest.h>

#include <random>

#include "golden/number_format.h"
#include "golden/posit.h"

namespace strata::golden {
namespace {

mpq_class q(const char* s) { return parse_decimal(s); }

TEST(Posit, KnownValues) {
  const PositFormat p8{8, 0}, p16{16, 1}, p4{4, 1};
  EXPECT_EQ(*posit_decode(p8, 0x40), 1);
  EXPECT_EQ(*posit_decode(p8, 0x60), 2);
  EXPECT_EQ(*posit_decode(p8, 0x50), q("1.5"));
  EXPECT_EQ(*posit_decode(p8, 0x7f), 64);            // maxpos = 2^(n-2) for es = 0
  EXPECT_EQ(*posit_decode(p8, 0x01), q("0.015625"));  // minpos
  EXPECT_EQ(*posit_decode(p8, 0xc0), -1);
  EXPECT_EQ(*posit_decode(p8, 0xff), q("-0.015625"));
  EXPECT_FALSE(posit_decode(p8, 0x80).has_value());
  EXPECT_EQ(*posit_decode(p16, 0x4000), 1);
  EXPECT_EQ(*posit_decode(p16, 0x7fff), mpq_class(mpz_class(1) << 28));  // useed^(n-2) = 4^14
  EXPECT_EQ(*posit_decode(p16, 0x5000), 2);                              // regime 10, exponent 1
  EXPECT_EQ(*posit_decode(p16, 0x6000), 4);                              // regime 110 = useed
  // posit(4,1): 0001 minpos 1/16, 0010 = 1/4, 0011 = 1/2, 0100 = 1, 0101 = 2, 0110 = 4, 0111 = 16
  const char* p4_values[] = {"0", "0.0625", "0.25", "0.5", "1", "2", "4", "16"};
  for (std::uint32_t c = 0; c < 8; ++c) EXPECT_EQ(*posit_decode(p4, c), q(p4_values[c])) << c;
  // posit(32,3): the cut-off exponent bits of maxpos's neighbour count as 0
  EXPECT_EQ(*posit_decode({32, 3}, 0x7fffffff), mpq_class(mpz_class(1) << 240));
  EXPECT_EQ(*posit_decode({32, 3}, 0x7ffffffe), mpq_class(mpz_class(1) << 232));
}

class PositFormats : public ::testing::TestWithParam<PositFormat> {};

TEST_P(PositFormats, DecodeIsMonotonicAndSymmetric) {
  const PositFormat f = GetParam();
  const std::uint32_t count = 1u << f.n;
  std::optional<mpq_class> prev;
  for (std::int64_t s = -(std::int64_t{1} << (f.n - 1)) + 1; s < (std::int64_t{1} << (f.n - 1)); ++s) {
    const auto c = static_cast<std::uint32_t>(s) & (count - 1);
    const auto v = posit_decode(f, c);
    ASSERT_TRUE(v.has_value());
    if (prev) {
      ASSERT_LT(*prev, *v) << std::hex << c;
    }
    ASSERT_EQ(*posit_decode(f, (count - c) & (count - 1)), -*v);
    prev = v;
  }
}

// Round trip, and rounding against boundaries from the (n+1)-bit format: the
// encoding of posit(n+1) code 2c+1 lies exactly between codes c and c+1.
TEST_P(PositFormats, EncodeRoundsAtTheNextLongerEncoding) {
  const PositFormat f = GetParam(), wide{f.n + 1, f.es};
  const std::uint32_t maxpos = posit_maxpos(f);
  for (std::uint32_t c = 0; c <= maxpos; ++c) {
    const mpq_class v = *posit_decode(f, c);
    ASSERT_EQ(posit_encode(f, v), c);
    ASSERT_EQ(posit_encode(f, -v), (-c) & ((1u << f.n) - 1));
    if (c == maxpos) break;
    const mpq_class mid = *posit_decode(wide, 2 * c + 1);
    const mpq_class next = *posit_decode(f, c + 1);
    ASSERT_LT(v, mid);
    ASSERT_LT(mid, next);
    const std::uint32_t even = c == 0 ? 1 : c % 2 == 0 ? c : c + 1;  // nothing rounds to 0
    ASSERT_EQ(posit_encode(f, mid), even) << "tie at code " << c;
    // Just inside each side of the boundary.
    const mpq_class eps = (next - v) / 1024;
    ASSERT_EQ(posit_encode(f, mid - eps), c == 0 ? 1u : c) << c;  // nothing rounds to 0
    ASSERT_EQ(posit_encode(f, mid + eps), c + 1) << c;
  }
}

TEST_P(PositFormats, SaturatesAndNeverRoundsToZero) {
  const PositFormat f = GetParam();
  const mpq_class maxpos = *posit_decode(f, posit_maxpos(f)), minpos = *posit_decode(f, 1);
  EXPECT_EQ(posit_encode(f, maxpos * 1000), posit_maxpos(f));
  EXPECT_EQ(posit_encode(f, minpos / 1000), 1u);
  EXPECT_EQ(posit_encode(f, -minpos / 1000), (1u << f.n) - 1);
  EXPECT_EQ(posit_encode(f, mpq_class(0)), 0u);
}

std::string format_name(const ::testing::TestParamInfo<PositFormat>& i) {
  return "posit" + std::to_string(i.param.n) + "_" + std::to_string(i.param.es);
}

INSTANTIATE_TEST_SUITE_P(Exhaustive, PositFormats,
                         ::testing::Values(PositFormat{4, 1}, PositFormat{4, 0}, PositFormat{5, 2}, PositFormat{8, 0}, PositFormat{8, 1},
                                           PositFormat{8, 2}, PositFormat{8, 3}, PositFormat{12, 1}, PositFormat{16, 1}, PositFormat{16, 2}),
                         format_name);

TEST(Posit, RandomPosit32RoundTrips) {
  std::mt19937_64 rng(98);
  for (const PositFormat f : {PositFormat{32, 0}, PositFormat{32, 2}, PositFormat{32, 3}})
    for (int i = 0; i < 20000; ++i) {
      const auto c = static_cast<std::uint32_t>(rng());
      if (c == posit_nar(f)) continue;
      ASSERT_EQ(posit_encode(f, *posit_decode(f, c)), c);
    }
}

// Wider formats than the exhaustive tests reach, sampled: boundaries from the
// (n+1)-bit format (n + 1 <= 32).
TEST(Posit, RandomWideFormatsRoundAtBoundaries) {
  std::mt19937_64 rng(99);
  for (const PositFormat f : {PositFormat{31, 2}, PositFormat{31, 3}, PositFormat{24, 0}, PositFormat{20, 1}})
    for (int i = 0; i < 20000; ++i) {
      const std::uint32_t c = static_cast<std::uint32_t>(rng()) & posit_maxpos(f);
      if (c == 0 || c == posit_maxpos(f)) continue;
      const mpq_class v = *posit_decode(f, c), next = *posit_decode(f, c + 1);
      ASSERT_EQ(posit_encode(f, v), c);
      const mpq_class mid = *posit_decode({f.n + 1, f.es}, 2 * c + 1);
      ASSERT_EQ(posit_encode(f, mid), c % 2 ? c + 1 : c);
      ASSERT_EQ(posit_encode(f, (v + mid) / 2), c);
      ASSERT_EQ(posit_encode(f, (mid + next) / 2), c + 1);
    }
}

TEST(Posit, RejectsFormatsOutOfRange) {
  EXPECT_THROW(posit_decode({33, 1}, 0), std::invalid_argument);
  EXPECT_THROW(posit_encode({8, 4}, mpq_class(1)), std::invalid_argument);
}

TEST(Fp4, ValuesRoundingAndSaturation) {
  const char* values[] = {"0", "0.5", "1", "1.5", "2", "3", "4", "6"};
  for (std::uint32_t c = 0; c < 8; ++c) {
    EXPECT_EQ(fp4_decode(c), q(values[c]));
    EXPECT_EQ(fp4_decode(c | 8), -q(values[c]));
    EXPECT_EQ(fp4_encode(q(values[c])), c);
  }
  EXPECT_EQ(fp4_encode(q("0.25")), 0u);   // tie -> even
  EXPECT_EQ(fp4_encode(q("0.75")), 2u);   // tie 0.5|1 -> 1.0 (even mantissa)
  EXPECT_EQ(fp4_encode(q("1.25")), 2u);   // tie 1|1.5 -> 1.0
  EXPECT_EQ(fp4_encode(q("1.75")), 4u);   // tie 1.5|2 -> 2.0
  EXPECT_EQ(fp4_encode(q("2.5")), 4u);    // tie 2|3 -> 2
  EXPECT_EQ(fp4_encode(q("3.5")), 6u);    // tie 3|4 -> 4
  EXPECT_EQ(fp4_encode(q("5")), 6u);      // tie 4|6 -> 4
  EXPECT_EQ(fp4_encode(q("5.01")), 7u);
  EXPECT_EQ(fp4_encode(q("1000")), 7u);   // saturates
  EXPECT_EQ(fp4_encode(q("-1000")), 15u);
  EXPECT_EQ(fp4_encode(q("-0.1")), 8u);   // -0
}

TEST(Decimal, ParsesAndPrintsExactly) {
  EXPECT_EQ(parse_decimal("-12.5"), mpq_class(-25, 2));
  EXPECT_EQ(parse_decimal(".25"), mpq_class(1, 4));
  EXPECT_EQ(parse_decimal("3e-2"), mpq_class(3, 100));
  EXPECT_EQ(parse_decimal("+7E1"), 70);
  for (const char* bad : {"", "-", "1.2.3", "e5", "1e", "0x10", "nan", "1 2"}) EXPECT_THROW(parse_decimal(bad), std::invalid_argument) << bad;
  EXPECT_EQ(to_decimal(mpq_class(-3, 64)), "-0.046875");
  EXPECT_EQ(to_decimal(mpq_class(6)), "6");
  EXPECT_EQ(to_decimal(mpq_class(1, 3)), "1/3");
}

}  // namespace
}  // namespace strata::golden

namespace strata::golden {
namespace {

TEST(NumberFormat, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(NumberFormat::parse("posit16_1").bits(), 16);
  EXPECT_EQ(NumberFormat::parse("posit16_1").name(), "posit16_1");
  EXPECT_EQ(NumberFormat::parse("fp4").kind(), NumberFormat::Kind::fp4);
  EXPECT_EQ(NumberFormat::parse("int8").bits(), 8);
  for (const char* bad : {"posit", "posit8", "posit8_4", "posit33_0", "posit8_0x", "posit08_0", "int5", "fp8", ""})
    EXPECT_THROW(NumberFormat::parse(bad), std::invalid_argument) << bad;
}

TEST(NumberFormat, IntegersRoundHalfEvenAndSaturate) {
  const auto f = NumberFormat::parse("int8");
  EXPECT_EQ(f.encode(mpq_class(5, 2)), 2u);
  EXPECT_EQ(f.encode(mpq_class(7, 2)), 4u);
  EXPECT_EQ(f.encode(mpq_class(-5, 2)), 0xfeu);
  EXPECT_EQ(f.encode(mpq_class(1000)), 0x7fu);
  EXPECT_EQ(f.encode(mpq_class(-1000)), 0x80u);
  EXPECT_EQ(f.mul(0x80, 0x80), 0x7fu);  // 16384 saturates
  EXPECT_EQ(f.add(0x7f, 0x01), 0x7fu);
  EXPECT_EQ(*f.decode(0xff), -1);
}

// The fused dot product rounds once: summing rounded products differs.
TEST(NumberFormat, FusedDotProductIsExactUntilTheEnd) {
  const auto p8 = NumberFormat::parse("posit8_0");
  const std::uint32_t maxpos = 0x7f, minus_maxpos = 0x81, minpos = 0x01;
  EXPECT_EQ(p8.fdp({{maxpos, maxpos}, {minus_maxpos, maxpos}, {0x40, 0x40}}), 0x40u);  // 4096 - 4096 + 1
  // 1.03125^2 - 1.0625 = 2^-10 exactly (below minpos: minpos); rounding the
  // square first (to 1.0625) loses it.
  EXPECT_EQ(p8.fdp({{0x41, 0x41}, {0xbe, 0x40}}), minpos);
  EXPECT_EQ(p8.add(p8.mul(0x41, 0x41), p8.mul(0xbe, 0x40)), 0u);
  EXPECT_EQ(p8.fdp({{minpos, minpos}}), minpos);
  EXPECT_EQ(p8.fdp({{0x80, 0x00}, {0x40, 0x40}}), 0x80u);
  EXPECT_EQ(p8.fdp({}), 0u);
  std::mt19937_64 rng(5);
  const auto p16 = NumberFormat::parse("posit16_1");
  for (int i = 0; i < 2000; ++i) {  // order does not matter
    std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
    for (int k = 0; k < 8; ++k) v.emplace_back(static_cast<std::uint32_t>(rng()) & 0x7fff, static_cast<std::uint32_t>(rng()) & 0xffff);
    const auto r = p16.fdp(v);
    std::reverse(v.begin(), v.end());
    ASSERT_EQ(p16.fdp(v), r);
  }
}

}  // namespace
}  // namespace strata::golden
