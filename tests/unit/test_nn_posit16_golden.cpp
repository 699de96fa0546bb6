// The posit16 layers of the golden model (host/golden/nn.h, "AU-format
// layers"): hand-worked examples and random layers against independent
// references (NumberFormat's fused dot product for posit16 outputs, an exact
// rational floor(S * 2^16) for int8 outputs).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "golden/nn.h"
#include "golden/number_format.h"

namespace {

using namespace strata::golden;
using namespace strata::golden::nn;

const NumberFormat& p16() {
  static const NumberFormat f = NumberFormat::parse("posit16_1");
  return f;
}
Code p16_code(const mpq_class& v) { return static_cast<Code>(static_cast<std::int16_t>(static_cast<std::uint16_t>(p16().encode(v)))); }
Code p16_code(double v) { return p16_code(mpq_class(v)); }
std::uint32_t bits16(int code) { return static_cast<std::uint32_t>(code) & 0xffffu; }
mpq_class value(int code) { return *p16().decode(bits16(code)); }

Layer posit16_layer(LayerKind kind, Format out) {
  Layer l;
  l.name = "p";
  l.kind = kind;
  l.inputs = {"x"};
  l.output = "y";
  l.output_format = out;
  return l;
}

TEST(NnPosit16, ActivationRangesAndMultiplier) {
  const ActRange none = au_activation_range(Format::posit16_1, Activation::none);
  EXPECT_EQ(none.min, -32768);
  EXPECT_EQ(none.max, 32767);
  EXPECT_EQ(au_activation_range(Format::posit16_1, Activation::relu).min, 0);
  const ActRange six = au_activation_range(Format::posit16_1, Activation::relu6);
  EXPECT_EQ(six.min, 0);
  EXPECT_EQ(six.max, 0x6400);  // 0 110 0 1000000000: 4^1 * 1.5
  EXPECT_EQ(value(six.max), mpq_class(6));
  EXPECT_EQ(au_fixed_frac_bits(Format::posit16_1), 16);
  EXPECT_EQ(au_multiplier(Format::posit16_1, {1.0f / 65536.0f, 0}), quantize_multiplier(1.0));
  EXPECT_EQ(au_multiplier(Format::posit16_1, {0.5f, 0}), quantize_multiplier(std::ldexp(1.0, -15)));
  EXPECT_TRUE(is_au_format(Format::posit16_1));
  EXPECT_FALSE(is_au_format(Format::int16));
  EXPECT_THROW(au_fixed_frac_bits(Format::int8), std::invalid_argument);
}

// 16 products of 2^-14 by 1.0 sum to 2^-10, which only an exact sum keeps:
// added one by one to the bias 1.0 in posit16 (ulp 2^-12 at 1.0) each would
// round away, leaving 1.0.
TEST(NnPosit16Mac, WorkedDenseRoundsOnceLikeTheQuire) {
  Layer l = posit16_layer(LayerKind::dense, Format::posit16_1);
  l.out_channels = 1;
  const int n = 16;
  Tensor x{1, n, std::vector<Code>(n, p16_code(1.0))};
  l.weights.assign(n, p16_code(std::ldexp(1.0, -14)));
  l.bias = {p16_code(1.0)};
  const Tensor y = au_mac(x, Format::posit16_1, l);
  EXPECT_EQ(value(y.at(0, 0)), 1 + mpq_class(1, 1024));
  EXPECT_EQ(p16().add(p16().encode(1), p16().encode(mpq_class(1, 16384))), p16().encode(1));  // one step at a time rounds away
  // maxpos * maxpos saturates at maxpos; relu6 clamps the code.
  l.weights.assign(n, 0x7fff);
  x.data.assign(n, 0x7fff);
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 0x7fff);
  l.activation = Activation::relu6;
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 0x6400);
  l.weights.assign(n, static_cast<Code>(-0x7fff));  // -maxpos * maxpos: relu gives 0
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 0);
}

// The int8 path floors S * 2^16: a sum of -3 * 2^-18 (below one unit) floors
// to -1, not 0, before the int8 rescaling.
TEST(NnPosit16Mac, WorkedInt8OutputFloorsAtTwoToMinus16) {
  Layer l = posit16_layer(LayerKind::dense, Format::int8);
  l.out_channels = 1;
  l.output_quant = {1.0f / 65536.0f, 10};  // one int8 step per 2^-16: the multiplier is 1
  const Code q = p16_code(std::ldexp(1.0, -9));
  Tensor x{1, 3, {q, q, q}};
  l.weights = {static_cast<Code>(-q), static_cast<Code>(-q), static_cast<Code>(-q)};
  l.bias = {0};
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 10 - 1);
  l.weights = {q, q, q};  // +3 * 2^-18 floors to 0
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 10);
  // A sum past 2^15 saturates Q at INT32_MAX, then the clamp.
  x.data.assign(3, p16_code(4096.0));
  l.weights.assign(3, p16_code(4096.0));
  EXPECT_EQ(au_mac(x, Format::posit16_1, l).at(0, 0), 127);
}

TEST(NnPosit16MaxPool, ComparesInPositOrder) {
  Layer l = posit16_layer(LayerKind::max_pool, Format::posit16_1);
  l.kernel = 3;
  l.stride = 3;
  const Tensor x{6, 1, {p16_code(-1.0), 1, p16_code(-0.5), static_cast<Code>(-0x7fff), p16_code(-3.0), p16_code(-2.0)}};
  const Tensor y = au_max_pool(x, Format::posit16_1, l);
  EXPECT_EQ(y.at(0, 0), 1);  // minpos beats -0.5 and -1 (an unsigned comparison would pick -1)
  EXPECT_EQ(y.at(1, 0), p16_code(-2.0));
  l.activation = Activation::relu;
  EXPECT_EQ(au_max_pool(x, Format::posit16_1, l).at(1, 0), 0);
}

struct Rand {
  std::mt19937_64 rng;
  int i(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  Code code() {
    if (i(0, 9) == 0) return static_cast<Code>(i(-32767, 32767));
    return p16_code(std::uniform_real_distribution<double>(-2, 2)(rng) * std::ldexp(1.0, i(-8, 8)));
  }
};

// Random conv1d, depthwise and dense layers: each output is the fused dot
// product over (weight, input) and (bias, 1.0), rounded once; or, to int8,
// floor(S * 2^16) saturated and rescaled.
TEST(NnPosit16Mac, RandomLayersMatchTheFusedDotProductAndTheExactFloor) {
  const std::uint64_t seed = 0x5eed0016;
  SCOPED_TRACE(fmt::format("seed {:#x}", seed));
  Rand r{std::mt19937_64(seed)};
  int checked = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const auto kind = static_cast<LayerKind>(trial % 3);
    const bool int8_out = trial % 2 == 1;
    Layer l = posit16_layer(kind, int8_out ? Format::int8 : Format::posit16_1);
    const int length = r.i(1, kind == LayerKind::dense ? 5 : 16), channels = r.i(1, 4);
    Tensor x{length, channels, {}};
    for (int k = 0; k < length * channels; ++k) x.data.push_back(r.code());
    l.out_channels = kind == LayerKind::depthwise_conv1d ? channels : r.i(1, 4);
    if (kind != LayerKind::dense) {
      l.kernel = r.i(1, 4);
      l.stride = r.i(1, 3);
      l.dilation = r.i(1, 2);
      l.padding = Padding::same;
    }
    const int per_out = kind == LayerKind::dense ? length * channels : kind == LayerKind::depthwise_conv1d ? l.kernel : l.kernel * channels;
    for (int k = 0; k < l.out_channels * per_out; ++k) l.weights.push_back(r.code());
    for (int c = 0; c < l.out_channels; ++c) l.bias.push_back(r.code());
    l.activation = static_cast<Activation>(r.i(0, 2));
    l.output_quant = {std::ldexp(1.0f, r.i(-10, 4)), r.i(-50, 50)};
    const Tensor y = au_mac(x, Format::posit16_1, l);
    const Window w = kind == LayerKind::dense ? Window{1, 0} : window(length, l.kernel, l.stride, l.dilation, l.padding);
    ASSERT_EQ(y.length, w.out_length);
    for (int o = 0; o < w.out_length; ++o)
      for (int co = 0; co < l.out_channels; ++co) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs{{bits16(l.bias[static_cast<std::size_t>(co)]), p16().encode(1)}};
        if (kind == LayerKind::dense) {
          for (int f = 0; f < length * channels; ++f) pairs.emplace_back(bits16(l.weights[static_cast<std::size_t>(co * length * channels + f)]), bits16(x.data[static_cast<std::size_t>(f)]));
        } else {
          for (int k = 0; k < l.kernel; ++k) {
            const int p = o * l.stride + k * l.dilation - w.pad_left;
            if (p < 0 || p >= length) continue;
            if (kind == LayerKind::depthwise_conv1d)
              pairs.emplace_back(bits16(l.weights[static_cast<std::size_t>(co * l.kernel + k)]), bits16(x.at(p, co)));
            else
              for (int ch = 0; ch < channels; ++ch)
                pairs.emplace_back(bits16(l.weights[static_cast<std::size_t>((co * l.kernel + k) * channels + ch)]), bits16(x.at(p, ch)));
          }
        }
        int expected = 0;
        if (int8_out) {
          mpq_class s = 0;
          for (const auto& [a, b] : pairs) s += value(static_cast<int>(a)) * value(static_cast<int>(b));
          mpz_class q;
          const mpq_class scaled = s * 65536;
          mpz_fdiv_q(q.get_mpz_t(), scaled.get_num_mpz_t(), scaled.get_den_mpz_t());
          const std::int32_t q32 = q > INT32_MAX ? INT32_MAX : q < INT32_MIN ? INT32_MIN : static_cast<std::int32_t>(q.get_si());
          const QuantizedMultiplier m = quantize_multiplier(std::ldexp(1.0, -16) / static_cast<double>(l.output_quant.scale));
          const ActRange range = activation_range(l.activation, l.output_quant);
          expected = std::clamp(multiply_by_quantized_multiplier(q32, m) + l.output_quant.zero_point, range.min, range.max);
        } else {
          const int rounded = static_cast<std::int16_t>(static_cast<std::uint16_t>(p16().fdp(pairs)));
          const mpq_class v = value(rounded);
          const mpq_class a = l.activation == Activation::none ? v : v < 0 ? mpq_class(0) : l.activation == Activation::relu6 && v > 6 ? mpq_class(6) : v;
          expected = p16_code(a);
        }
        ASSERT_EQ(int{y.at(o, co)}, expected) << "trial " << trial << " o " << o << " co " << co;
        ++checked;
      }
  }
  EXPECT_GT(checked, 3000);
}

TEST(NnPosit16Errors, RejectsNaRWrongCodesAndMixedFormatsNamingTheLayer) {
  Layer l = posit16_layer(LayerKind::dense, Format::posit16_1);
  l.out_channels = 1;
  Tensor x{1, 2, {1, 2}};
  l.weights = {1, 1};
  l.bias = {0};
  EXPECT_NO_THROW(au_mac(x, Format::posit16_1, l));
  auto expect_error = [&](const Tensor& t, const Layer& bad, const std::string& what) {
    try {
      au_mac(t, Format::posit16_1, bad);
      ADD_FAILURE() << "no error for " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("layer 'p' (posit16_1 dense)"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  Tensor nar = x;
  nar.data[1] = -32768;
  expect_error(nar, l, "element (0, 1) is NaR");
  Layer w = l;
  w.weights[0] = -32768;
  expect_error(x, w, "weight 0 is NaR");
  Layer b = l;
  b.bias = {40000};
  expect_error(x, b, "is not a posit16_1 code");
  Layer s = l;
  s.weight_scales = {0.5f};
  expect_error(x, s, "weight scales");
  Layer o = l;
  o.output_format = Format::posit8_0;
  expect_error(x, o, "outputs int8 or posit16_1");

  // run: an int8 tensor cannot feed a posit16 layer; avg_pool takes int8 only.
  Model m;
  m.name = "m";
  m.input = "x";
  m.input_length = 1;
  m.input_channels = 2;
  m.input_format = Format::posit16_1;
  Layer avg = posit16_layer(LayerKind::avg_pool, Format::posit16_1);
  avg.kernel = 1;
  m.layers = {avg};
  m.outputs = {"y"};
  EXPECT_THROW(run(m, x), std::invalid_argument);
  m.layers = {l};
  EXPECT_EQ(run(m, x).at("y").at(0, 0), au_mac(x, Format::posit16_1, l).at(0, 0));
  Tensor big = x;
  big.data[0] = -32768;
  EXPECT_THROW(run(m, big), std::invalid_argument);
  m.input_format = Format::int8;
  m.input_quant = {1.0f, 0};
  Layer to16 = l;
  to16.weight_scales = {1.0f};
  m.layers = {to16};
  EXPECT_THROW(run(m, x), std::invalid_argument);  // output_format posit16_1 on an int8 input
}

}  // namespace
