// The 4-bit layers of the golden model (host/golden/nn.h, "AU-format
// layers"): fp4 (E2M1) and posit(4,1). Exhaustive where the codes allow:
// every (input, weight, bias) code triple of a one-tap layer against the AU's
// golden model (host/golden/au.h: the quire and its read-out), every pair of
// codes through the max pool against the decoded values, plus the activation
// ranges and every error.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "golden/au.h"
#include "golden/nn.h"
#include "golden/number_format.h"

namespace {

using namespace strata::golden;
using namespace strata::golden::nn;

const NumberFormat& nf(Format f) {
  static const NumberFormat fp4 = NumberFormat::parse("fp4"), p4 = NumberFormat::parse("posit4_1");
  return f == Format::fp4 ? fp4 : p4;
}
std::uint32_t bits4(int code) { return static_cast<std::uint32_t>(code) & 0xfu; }
mpq_class value(Format f, int code) { return *nf(f).decode(bits4(code)); }
int lowest(Format f) { return f == Format::fp4 ? -8 : -7; }  // posit4: -8 is NaR

Layer dense1(Format, Format out, int w, int b) {
  Layer l;
  l.name = "d";
  l.kind = LayerKind::dense;
  l.inputs = {"x"};
  l.output = "y";
  l.out_channels = 1;
  l.output_format = out;
  l.weights = {static_cast<Code>(w)};
  l.bias = {b};
  return l;
}

TEST(Nn4Bit, ActivationRangesAndFixedPoint) {
  // fp4: every code is a value (-8 is -0); relu6 is relu: 6 is maxpos (code 7).
  EXPECT_EQ(au_activation_range(Format::fp4, Activation::none).min, -8);
  EXPECT_EQ(au_activation_range(Format::fp4, Activation::none).max, 7);
  EXPECT_EQ(au_activation_range(Format::fp4, Activation::relu).min, 0);
  EXPECT_EQ(au_activation_range(Format::fp4, Activation::relu).max, 7);
  EXPECT_EQ(au_activation_range(Format::fp4, Activation::relu6).max, 7);
  EXPECT_EQ(value(Format::fp4, 7), mpq_class(6));
  // posit4_1: maxpos 16 (code 7); 6 rounds to 4 (code 6), which bounds relu6.
  EXPECT_EQ(au_activation_range(Format::posit4_1, Activation::relu6).max, 6);
  EXPECT_EQ(value(Format::posit4_1, 6), mpq_class(4));
  EXPECT_EQ(au_fixed_frac_bits(Format::fp4), 2);
  EXPECT_EQ(au_fixed_frac_bits(Format::posit4_1), 8);
  EXPECT_EQ(au_multiplier(Format::fp4, {0.25f, 0}), quantize_multiplier(1.0));
  EXPECT_TRUE(is_au_format(Format::fp4));
  EXPECT_TRUE(is_au_format(Format::posit4_1));
  EXPECT_FALSE(is_au_format(Format::int4));
  for (int c = -8; c <= 7; ++c) {
    EXPECT_EQ(fp4_code_of_key(fp4_order_key(c)), c == -8 ? 0 : c) << c;
    EXPECT_EQ(mpq_class(fp4_order_key(c)) > 0, value(Format::fp4, c) > 0) << c;
  }
}

// Every input code x, weight code w and bias code b: the one-tap dense layer
// y = x * w + b against the AU's golden model fed the same two beats (x * w,
// then 1.0 * b) with the read-out in the layer's format, and its int8 output
// against floor(S * 2^k) of the AU's exact quire, requantized.
void every_triple(Format f) {
  AuModel au({{Format::int8, f}, 16, 1});
  const unsigned code = static_cast<unsigned>(f);
  const int k = au_fixed_frac_bits(f), F = au.shape().frac_bits;
  const std::uint16_t one = static_cast<std::uint16_t>(nf(f).encode(mpq_class(1)));
  const QuantParams q{f == Format::fp4 ? 0.25f : 1.0f / 64.0f, -3};
  int checked = 0;
  for (int x = lowest(f); x <= 7; ++x)
    for (int w = lowest(f); w <= 7; ++w)
      for (int b = lowest(f); b <= 7; ++b)
        for (int act = 0; act < 3; ++act) {
          Tensor in{1, 1, {static_cast<Code>(x)}};
          (void)au.accept(static_cast<std::uint16_t>(bits4(x)), static_cast<std::uint16_t>(bits4(w)), code, false);
          const AuResult r = *au.accept(one, static_cast<std::uint16_t>(bits4(b)), code, true, code);
          ASSERT_FALSE(r.nar);
          Layer l = dense1(f, f, w, b);
          l.activation = static_cast<Activation>(act);
          const ActRange ar = au_activation_range(f, l.activation);
          const int rd = static_cast<int>(r.readout & 0xfu);
          const int want = std::clamp(rd >= 8 ? rd - 16 : rd, ar.min, ar.max);
          ASSERT_EQ(au_mac(in, f, l).data[0], want) << fmt::format("{} x {} w {} b {} act {}", info(f).name, x, w, b, act);
          Layer l8 = dense1(f, Format::int8, w, b);
          l8.activation = static_cast<Activation>(act);
          l8.output_quant = q;
          mpz_class fl;
          mpz_fdiv_q_2exp(fl.get_mpz_t(), r.acc.get_mpz_t(), static_cast<mp_bitcnt_t>(F - k));
          mpq_class floored(fl, mpz_class(1) << k);
          floored.canonicalize();
          EXPECT_EQ(floored, au.value(r));  // the floor is exact
          const ActRange r8 = activation_range(l8.activation, q);
          const std::int64_t v = multiply_by_quantized_multiplier(static_cast<std::int32_t>(fl.get_si()), au_multiplier(f, q)) + q.zero_point;
          ASSERT_EQ(au_mac(in, f, l8).data[0], std::clamp<std::int64_t>(v, r8.min, r8.max)) << fmt::format("{} x {} w {} b {} int8", info(f).name, x, w, b);
          ++checked;
        }
  EXPECT_EQ(checked, 3 * (8 - lowest(f)) * (8 - lowest(f)) * (8 - lowest(f)));
}

TEST(Nn4Bit, Fp4EveryCodeTripleMatchesTheAu) { every_triple(Format::fp4); }
TEST(Nn4Bit, Posit4EveryCodeTripleMatchesTheAu) { every_triple(Format::posit4_1); }

// fp4 keeps the sign of a negative sum that rounds to 0: 0.5 * -0.5 = -0.25
// is a tie between -0 and -0.5, which goes to the even code, -0 (1000).
TEST(Nn4Bit, Fp4NegativeTinySumReadsOutAsMinusZero) {
  Tensor in{1, 1, {1}};  // 0.5
  Layer l = dense1(Format::fp4, Format::fp4, -7, 0);  // -0.5
  EXPECT_EQ(au_mac(in, Format::fp4, l).data[0], -8);
  l.activation = Activation::relu;
  EXPECT_EQ(au_mac(in, Format::fp4, l).data[0], 0);
  // Saturation: 6 * 6 + 6 reads out as maxpos 6, -6 * 6 - 6 as -6 (code -1).
  Tensor big{1, 1, {7}};
  EXPECT_EQ(au_mac(big, Format::fp4, dense1(Format::fp4, Format::fp4, 7, 7)).data[0], 7);
  EXPECT_EQ(au_mac(big, Format::fp4, dense1(Format::fp4, Format::fp4, -1, -1)).data[0], -1);
  // posit4: 16 * 16 saturates at maxpos 16 (code 7), never NaR.
  EXPECT_EQ(au_mac(big, Format::posit4_1, dense1(Format::posit4_1, Format::posit4_1, 7, 7)).data[0], 7);
  EXPECT_EQ(au_mac(big, Format::posit4_1, dense1(Format::posit4_1, Format::posit4_1, -7, -7)).data[0], -7);
}

// Every pair of codes in a window of two, every activation: the max pool's
// code decodes to the largest value (clamped), and fp4 writes 0 as code 0.
void every_pool_pair(Format f) {
  for (int a = lowest(f); a <= 7; ++a)
    for (int b = lowest(f); b <= 7; ++b)
      for (int act = 0; act < 3; ++act) {
        Layer l = dense1(f, f, 0, 0);
        l.kind = LayerKind::max_pool;
        l.weights.clear();
        l.bias.clear();
        l.kernel = 2;
        l.stride = 2;
        l.activation = static_cast<Activation>(act);
        const Tensor in{2, 1, {static_cast<Code>(a), static_cast<Code>(b)}};
        const int y = au_max_pool(in, f, l).data[0];
        mpq_class want = std::max(value(f, a), value(f, b));
        if (act != 0 && want < 0) want = 0;
        if (act == 2 && want > value(f, au_activation_range(f, Activation::relu6).max)) want = value(f, au_activation_range(f, Activation::relu6).max);
        EXPECT_EQ(value(f, y), want) << fmt::format("{} max({}, {}) act {} = code {}", info(f).name, a, b, act, y);
        if (f == Format::fp4) {
          EXPECT_NE(y, -8) << fmt::format("max({}, {}) is written as -0", a, b);
        }
      }
}

TEST(Nn4Bit, Fp4MaxPoolEveryPairIsTheLargestValue) { every_pool_pair(Format::fp4); }
TEST(Nn4Bit, Posit4MaxPoolEveryPairIsTheLargestValue) { every_pool_pair(Format::posit4_1); }

void expect_invalid(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << " lacks " << p;
  }
}

TEST(Nn4Bit, ErrorsNameTheLayer) {
  Tensor in{2, 1, {1, -8}};
  // fp4 -8 is -0, a value; posit4 -8 is NaR.
  Layer z = dense1(Format::fp4, Format::fp4, -8, -8);
  z.weights = {-8, -8};
  EXPECT_EQ(au_mac(in, Format::fp4, z).data, (std::vector<Code>{0}));  // -0 * 0.5 + -0 * -0 + -0: an exact 0, which the quire holds as +0

  Layer l = dense1(Format::posit4_1, Format::posit4_1, 1, 0);
  l.weights = {1, 1};
  expect_invalid([&] { au_mac(in, Format::posit4_1, l); }, {"'d'", "element (1, 0) is NaR"});
  Tensor ok{2, 1, {1, 2}};
  l.weights = {1, -8};
  expect_invalid([&] { au_mac(ok, Format::posit4_1, l); }, {"'d'", "weight 1 is NaR"});
  l.weights = {1, 8};
  expect_invalid([&] { au_mac(ok, Format::posit4_1, l); }, {"'d'", "weight 1 is 8", "-7..7"});
  l.weights = {1, 1};
  l.bias = {-8};
  expect_invalid([&] { au_mac(ok, Format::posit4_1, l); }, {"'d'", "bias of output channel 0 is NaR"});
  Layer f = dense1(Format::fp4, Format::fp4, 1, 0);
  f.weights = {1, 9};
  expect_invalid([&] { au_mac(ok, Format::fp4, f); }, {"'d'", "weight 1 is 9", "-8..7"});
  f.weights = {1, 1};
  f.output_format = Format::posit4_1;
  expect_invalid([&] { au_mac(ok, Format::fp4, f); }, {"'d'", "output_format posit4_1"});
  // A model: avg_pool on fp4 is refused naming the layer; an fp4 input may hold -0.
  Model m;
  m.name = "m4";
  m.input = "x";
  m.input_length = 4;
  m.input_channels = 1;
  m.input_format = Format::fp4;
  Layer a;
  a.name = "avg";
  a.kind = LayerKind::avg_pool;
  a.inputs = {"x"};
  a.output = "y";
  a.kernel = 2;
  a.stride = 2;
  m.layers = {a};
  m.outputs = {"y"};
  expect_invalid([&] { run(m, Tensor{4, 1, {-8, 1, 2, 3}}); }, {"'avg'", "takes int8 input only", "fp4"});
  m.layers[0].kind = LayerKind::max_pool;
  m.layers[0].output_format = Format::fp4;
  EXPECT_EQ(run(m, Tensor{4, 1, {-8, 0, -8, -7}}).at("y").data, (std::vector<Code>{0, 0}));
  m.input_format = Format::posit4_1;
  m.layers[0].output_format = Format::posit4_1;
  expect_invalid([&] { run(m, Tensor{4, 1, {-8, 1, 2, 3}}); }, {"'m4'", "element (0, 0) is NaR"});
}

}  // namespace
