// Shared by the network-engine co-simulation tests: the config of this
// build, one Verilated engine for the whole test binary, random models.
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "nn/verilator_device.h"
#include "nn_dut.h"
#include "golden/number_format.h"
#include "nn/nn_map.h"
#include "runtime/compiler.h"
#include "runtime/runner.h"

namespace strata::nn_test {


namespace gn = strata::golden::nn;
using strata::runtime::compile;
using strata::runtime::run_model;

inline std::uint64_t g_seed = 1;  // --seed=N
inline int g_layers = 240;       // --layers=N

inline const strata::SocConfig& config() {
  static const strata::SocConfig c = strata::load_config(STRATA_NN_CONFIG);
  return c;
}

inline strata::sim::VerilatorDevice<Vnn>& device() {
  // STRATA_NN_TRACE=FILE writes a waveform of the whole test run.
  static strata::sim::VerilatorDevice<Vnn> dev(std::getenv("STRATA_NN_TRACE") ? std::getenv("STRATA_NN_TRACE") : "");
  return dev;
}

struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t s) : gen(s) {}
  int in(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  float real(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(gen); }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen); }
};

inline gn::Tensor random_tensor(Rng& r, int length, int channels, int lo = -128, int hi = 127) {
  gn::Tensor t;
  t.length = length;
  t.channels = channels;
  for (int i = 0; i < length * channels; ++i) t.data.push_back(static_cast<std::int8_t>(r.in(lo, hi)));
  return t;
}

// Weights, scales and bias of a multiply-accumulate layer whose output
// spreads over the int8 range (and sometimes saturates at either end).
inline float scale_in_override = 0;  // set by fill_mac when it picks power-of-two scales

inline void fill_mac(Rng& r, gn::Layer& l, int taps_per_channel, float in_scale) {
  const int weights = l.kind == gn::LayerKind::depthwise_conv1d ? l.out_channels * l.kernel : l.out_channels * taps_per_channel;
  for (int i = 0; i < weights; ++i) l.weights.push_back(static_cast<std::int8_t>(r.in(-128, 127)));
  const int fan_in = l.kind == gn::LayerKind::depthwise_conv1d ? l.kernel : taps_per_channel;
  float w_avg = 0;
  for (int c = 0; c < l.out_channels; ++c) {
    l.weight_scales.push_back(r.real(0.002f, 0.02f));
    w_avg += l.weight_scales.back() / static_cast<float>(l.out_channels);
    l.bias.push_back(r.in(-20000, 20000));
  }
  // Typical rescale 2^-6 .. 2^-12; now and then above 1 (a left shift).
  const float spread = r.chance(0.1) ? r.real(0.05f, 0.9f) : r.real(40.0f, 400.0f);
  l.output_quant.scale = in_scale * w_avg * 128.0f * std::sqrt(static_cast<float>(fan_in)) * spread / 128.0f;
  if (r.chance(0.25)) {
    // Powers of two: the multiplier is exactly 2^30, so the rounding of
    // every tie (in SRDHM and in the final shift) is exercised.
    const int a = r.in(4, 8), b = r.in(6, 9);
    const int c = a + b - r.in(5, 12);
    for (auto& ws : l.weight_scales) ws = std::ldexp(1.0f, -b);
    l.output_quant.scale = std::ldexp(1.0f, -c) * (r.chance(0.1) ? 0.25f : 1.0f);
    (void)in_scale;
    scale_in_override = std::ldexp(1.0f, -a);
  }
  l.output_quant.zero_point = r.in(-128, 127);
  l.activation = static_cast<gn::Activation>(r.in(0, 2));
}

inline gn::Model one_layer_model(Rng& r, gn::LayerKind kind, int in_len, int in_ch, int out_ch, int kernel, int stride, int dilation, gn::Padding pad) {
  gn::Model m;
  m.name = "layer";
  m.input = "x";
  m.input_length = in_len;
  m.input_channels = in_ch;
  m.input_quant = {r.real(0.01f, 0.1f), r.in(-128, 127)};
  gn::Layer l;
  l.name = "l0";
  l.kind = kind;
  l.inputs = {"x"};
  l.output = "y";
  l.kernel = kind == gn::LayerKind::dense ? 1 : kernel;
  l.stride = kind == gn::LayerKind::dense ? 1 : stride;
  l.dilation = kind == gn::LayerKind::dense ? 1 : dilation;
  l.padding = pad;
  l.out_channels = kind == gn::LayerKind::depthwise_conv1d ? in_ch : out_ch;
  if (kind == gn::LayerKind::max_pool || kind == gn::LayerKind::avg_pool || kind == gn::LayerKind::global_avg_pool) {
    l.dilation = 1;
    l.out_channels = 0;
    l.output_quant = m.input_quant;
    l.activation = static_cast<gn::Activation>(r.in(0, 2));
    m.layers.push_back(l);
    m.outputs = {"y"};
    return m;
  }
  const int taps = kind == gn::LayerKind::dense ? in_len * in_ch : l.kernel * in_ch;
  scale_in_override = 0;
  fill_mac(r, l, taps, m.input_quant.scale);
  if (scale_in_override > 0) m.input_quant.scale = scale_in_override;
  m.layers.push_back(l);
  m.outputs = {"y"};
  return m;
}

// A residual block: x -> conv1d (same padding, as many channels) -> y, then
// z = add(x, y), each tensor with its own quantization.
inline gn::Model residual_model(Rng& r, int len, int ch, int kernel) {
  gn::Model m = one_layer_model(r, gn::LayerKind::conv1d, len, ch, ch, kernel, 1, 1, gn::Padding::same);
  m.name = "residual";
  const gn::QuantParams xq = m.input_quant, yq = m.layers[0].output_quant;
  gn::Layer a;
  a.name = "sum";
  a.kind = gn::LayerKind::add;
  a.inputs = r.chance(0.5) ? std::vector<std::string>{"x", "y"} : std::vector<std::string>{"y", "x"};
  a.output = "z";
  a.activation = static_cast<gn::Activation>(r.in(0, 2));
  a.output_quant = {std::max(xq.scale, yq.scale) * r.real(0.3f, 3.0f), r.in(-128, 127)};
  m.layers.push_back(a);
  m.outputs = {"z"};
  return m;
}

// A gelu layer on [len, ch] with its own quantization on either side and a
// random form; `before` puts a conv1d ahead of it (so the unit reads a
// tensor the engine wrote).
inline gn::Model gelu_model(Rng& r, int len, int ch, bool before) {
  gn::Model m;
  if (before) {
    m = one_layer_model(r, gn::LayerKind::conv1d, len, ch, ch, 3, 1, 1, gn::Padding::same);
    m.layers[0].output = "h";
  } else {
    m.name = "gelu";
    m.input = "x";
    m.input_length = len;
    m.input_channels = ch;
    m.input_quant = {r.real(0.005f, 0.1f), r.in(-128, 127)};
  }
  const gn::QuantParams in_q = before ? m.layers[0].output_quant : m.input_quant;
  gn::Layer g;
  g.name = "act";
  g.kind = gn::LayerKind::gelu;
  g.inputs = {before ? "h" : "x"};
  g.output = "y";
  g.gelu_form = r.chance(0.5) ? golden::gelu::Form::erf : golden::gelu::Form::tanh;
  // GELU's output lies in [-0.17, max]; the output scale spans it, or clips.
  g.output_quant = {in_q.scale * r.real(0.3f, 2.0f), r.in(-128, 40)};
  m.layers.push_back(g);
  m.outputs = {"y"};
  return m;
}

// A softmax layer over the channels of [len, ch] (ch up to the unit's
// max_length), an algorithm of the config, logits of a random spread; with
// `before`, after a conv1d.
inline gn::Model softmax_model(Rng& r, int len, int ch, bool before, golden::softmax::Algorithm alg) {
  gn::Model m;
  if (before) {
    m = one_layer_model(r, gn::LayerKind::conv1d, len, ch, ch, 3, 1, 1, gn::Padding::same);
    m.layers[0].output = "h";
  } else {
    m.name = "softmax";
    m.input = "x";
    m.input_length = len;
    m.input_channels = ch;
    // From nearly uniform (1/64 per step) to one-hot (2 per step).
    m.input_quant = {std::ldexp(1.0f, -r.in(0, 6)) * r.real(1.0f, 2.0f), r.in(-128, 127)};
  }
  gn::Layer s;
  s.name = "prob";
  s.kind = gn::LayerKind::softmax;
  s.inputs = {before ? "h" : "x"};
  s.output = "y";
  s.softmax_algorithm = alg;
  s.output_quant = gn::kSoftmaxOutputQuant;
  m.layers.push_back(s);
  m.outputs = {"y"};
  return m;
}

// An attention-style block on [len, d]: scores = x W1 (a pointwise conv1d,
// one score per key), softmax over the keys of each position, then the
// probabilities times a value matrix (a second pointwise conv1d).
inline gn::Model attention_model(Rng& r, int len, int d, int keys, golden::softmax::Algorithm alg) {
  gn::Model m = one_layer_model(r, gn::LayerKind::conv1d, len, d, keys, 1, 1, 1, gn::Padding::valid);
  m.name = "attention";
  m.layers[0].name = "scores";
  m.layers[0].output = "s";
  m.layers[0].activation = gn::Activation::none;
  gn::Layer p;
  p.name = "prob";
  p.kind = gn::LayerKind::softmax;
  p.inputs = {"s"};
  p.output = "p";
  p.softmax_algorithm = alg;
  p.output_quant = gn::kSoftmaxOutputQuant;
  m.layers.push_back(p);
  gn::Layer v;
  v.name = "values";
  v.kind = gn::LayerKind::conv1d;
  v.inputs = {"p"};
  v.output = "y";
  v.kernel = 1;
  v.out_channels = d;
  fill_mac(r, v, keys, gn::kSoftmaxOutputQuant.scale);
  m.layers.push_back(v);
  m.outputs = {"y"};
  return m;
}

// ------------------------------------------------------------ posit8 layers

inline bool has_format(strata::golden::Format f) {
  const auto lf = strata::nn::layer_formats(config());
  return std::find(lf.begin(), lf.end(), f) != lf.end();
}
inline bool has_posit8() { return has_format(strata::golden::Format::posit8_0); }

// The posit8 code nearest x (posits saturate, so never NaR).
inline std::int8_t posit8_code(double x) {
  static const auto p8 = strata::golden::NumberFormat::parse("posit8_0");
  return static_cast<std::int8_t>(static_cast<std::uint8_t>(p8.encode(mpq_class(x))));
}

// A posit8 code: mostly a real of magnitude about `a`, sometimes any code
// but NaR (minpos to maxpos, both signs).
inline std::int8_t random_posit8(Rng& r, double a) {
  if (r.chance(0.15)) return static_cast<std::int8_t>(r.in(-127, 127));
  return posit8_code(r.real(-1.0f, 1.0f) * a);
}

inline gn::Tensor random_posit8_tensor(Rng& r, int length, int channels) {
  gn::Tensor t;
  t.length = length;
  t.channels = channels;
  const double a = r.chance(0.3) ? 64.0 : 2.0;
  for (int i = 0; i < length * channels; ++i) t.data.push_back(random_posit8(r, a));
  return t;
}

// One posit8 layer on a posit8 input: conv1d, depthwise, dense to posit8 or
// (half of them) int8, or a max pool.
inline gn::Model posit8_layer_model(Rng& r, gn::LayerKind kind, int in_len, int in_ch, int out_ch, int kernel, int stride, int dilation, gn::Padding pad) {
  gn::Model m;
  m.name = "posit8_layer";
  m.input = "x";
  m.input_length = in_len;
  m.input_channels = in_ch;
  m.input_format = strata::golden::Format::posit8_0;
  gn::Layer l;
  l.name = "l0";
  l.kind = kind;
  l.inputs = {"x"};
  l.output = "y";
  l.activation = static_cast<gn::Activation>(r.in(0, 2));
  l.padding = pad;
  if (kind == gn::LayerKind::max_pool) {
    l.kernel = kernel;
    l.stride = stride;
    l.output_format = strata::golden::Format::posit8_0;
  } else {
    l.kernel = kind == gn::LayerKind::dense ? 1 : kernel;
    l.stride = kind == gn::LayerKind::dense ? 1 : stride;
    l.dilation = kind == gn::LayerKind::dense ? 1 : dilation;
    l.out_channels = kind == gn::LayerKind::depthwise_conv1d ? in_ch : out_ch;
    const int fan_in = kind == gn::LayerKind::dense ? in_len * in_ch : kind == gn::LayerKind::depthwise_conv1d ? l.kernel : l.kernel * in_ch;
    const int count = kind == gn::LayerKind::depthwise_conv1d ? in_ch * l.kernel : l.out_channels * fan_in;
    const double a = std::ldexp(1.0, r.in(-3, 2)) / std::sqrt(static_cast<double>(fan_in));
    for (int i = 0; i < count; ++i) l.weights.push_back(random_posit8(r, a));
    for (int c = 0; c < l.out_channels; ++c) l.bias.push_back(random_posit8(r, 1.0));
    if (r.chance(0.5)) {
      l.output_format = strata::golden::Format::int8;
      l.output_quant = {std::ldexp(r.real(1.0f, 2.0f), r.in(-8, 3)), r.in(-128, 127)};
    } else {
      l.output_format = strata::golden::Format::posit8_0;
    }
  }
  m.layers.push_back(l);
  m.outputs = {"y"};
  return m;
}

// ------------------------------------------------------------ posit16 layers

// The posit16 code nearest x (posits saturate, so never NaR).
inline gn::Code posit16_code(double x) {
  static const auto p16 = strata::golden::NumberFormat::parse("posit16_1");
  return static_cast<gn::Code>(static_cast<std::int16_t>(static_cast<std::uint16_t>(p16.encode(mpq_class(x)))));
}

// A posit16 code: mostly a real of magnitude about `a`, sometimes any code
// but NaR (minpos 2^-28 to maxpos 2^28, both signs).
inline gn::Code random_posit16(Rng& r, double a) {
  if (r.chance(0.1)) return static_cast<gn::Code>(r.in(-32767, 32767));
  return posit16_code(r.real(-1.0f, 1.0f) * a);
}

inline gn::Tensor random_posit16_tensor(Rng& r, int length, int channels) {
  gn::Tensor t;
  t.length = length;
  t.channels = channels;
  const double a = r.chance(0.3) ? std::ldexp(1.0, r.in(-20, 20)) : 2.0;
  for (int i = 0; i < length * channels; ++i) t.data.push_back(random_posit16(r, a));
  return t;
}

// One posit16 layer on a posit16 input: conv1d, depthwise, dense to posit16
// or (half of them) int8, or a max pool.
inline gn::Model posit16_layer_model(Rng& r, gn::LayerKind kind, int in_len, int in_ch, int out_ch, int kernel, int stride, int dilation, gn::Padding pad) {
  using strata::golden::Format;
  gn::Model m;
  m.name = "posit16_layer";
  m.input = "x";
  m.input_length = in_len;
  m.input_channels = in_ch;
  m.input_format = Format::posit16_1;
  gn::Layer l;
  l.name = "l0";
  l.kind = kind;
  l.inputs = {"x"};
  l.output = "y";
  l.activation = static_cast<gn::Activation>(r.in(0, 2));
  l.padding = pad;
  if (kind == gn::LayerKind::max_pool) {
    l.kernel = kernel;
    l.stride = stride;
    l.output_format = Format::posit16_1;
  } else {
    l.kernel = kind == gn::LayerKind::dense ? 1 : kernel;
    l.stride = kind == gn::LayerKind::dense ? 1 : stride;
    l.dilation = kind == gn::LayerKind::dense ? 1 : dilation;
    l.out_channels = kind == gn::LayerKind::depthwise_conv1d ? in_ch : out_ch;
    const int fan_in = kind == gn::LayerKind::dense ? in_len * in_ch : kind == gn::LayerKind::depthwise_conv1d ? l.kernel : l.kernel * in_ch;
    const int count = kind == gn::LayerKind::depthwise_conv1d ? in_ch * l.kernel : l.out_channels * fan_in;
    const double a = std::ldexp(1.0, r.in(-3, 2)) / std::sqrt(static_cast<double>(fan_in));
    for (int i = 0; i < count; ++i) l.weights.push_back(random_posit16(r, a));
    for (int c = 0; c < l.out_channels; ++c) l.bias.push_back(random_posit16(r, 1.0));
    if (r.chance(0.5)) {
      l.output_format = Format::int8;
      l.output_quant = {std::ldexp(r.real(1.0f, 2.0f), r.in(-12, 3)), r.in(-128, 127)};
    } else {
      l.output_format = Format::posit16_1;
    }
  }
  m.layers.push_back(l);
  m.outputs = {"y"};
  return m;
}

inline std::string describe(const gn::Model& m) {
  const auto& l = m.layers[0];
  static const char* kinds[] = {"conv1d", "depthwise_conv1d", "dense", "max_pool", "avg_pool", "global_avg_pool", "add", "gelu", "softmax"};
  return fmt::format("{} {} -> {} in [{}, {}] out_ch {} k {} s {} d {} {} in_zp {} out_zp {} act {}", kinds[static_cast<int>(l.kind)],
                     strata::golden::info(m.input_format).name, strata::golden::info(l.output_format).name, m.input_length, m.input_channels,
                     l.out_channels, l.kernel, l.stride, l.dilation, l.padding == gn::Padding::same ? "same" : "valid", m.input_quant.zero_point,
                     l.output_quant.zero_point, static_cast<int>(l.activation));
}

inline void expect_bit_exact(const gn::Model& m, const gn::Tensor& input, const std::string& what) {
  // A layer whose operation the engine lacks (nn.ops; add, gelu and softmax
  // have their own tests): the compiler refuses the model, naming the
  // operation and nn.ops.
  for (const auto& l : m.layers)
    if (l.kind != gn::LayerKind::add && l.kind != gn::LayerKind::gelu && l.kind != gn::LayerKind::softmax &&
        std::find(config().nn->ops.begin(), config().nn->ops.end(), l.kind) == config().nn->ops.end()) {
      try {
        (void)compile(config(), m);
        ADD_FAILURE() << what << ": the compiler took layer " << l.name << ", whose operation " << nn_op_name(l.kind) << " is not in nn.ops";
      } catch (const strata::runtime::CompileError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("has no " + nn_op_name(l.kind) + " layers (nn.ops: ["), std::string::npos) << what << ": " << msg;
      }
      return;
    }
  const auto prog = compile(config(), m);
  const auto rep = run_model(device(), config(), m, prog, input, 10'000'000);
  if (std::getenv("STRATA_NN_DUMP") && m.layers.size() == 1) {
    const auto dev_out = strata::runtime::read_tensor(device(), prog.tensors.at("y"));
    const auto gold = gn::run(m, input).at("y");
    fmt::print("{}", strata::runtime::to_markdown(rep, "dump"));
    for (int p = 0; p < gold.length; ++p) {
      std::string line = fmt::format("pos {:3}:", p);
      for (int c = 0; c < gold.channels; ++c) line += fmt::format(" {:4}/{:4}", dev_out.at(p, c), gold.at(p, c));
      fmt::print("{}\n", line);
    }
  }
  for (const auto& l : rep.layers)
    ASSERT_FALSE(l.mismatch) << what << ": layer " << l.name << " " << l.mismatch->tensor << "[" << l.mismatch->position << "]["
                             << l.mismatch->channel << "] device " << l.mismatch->device << " golden " << l.mismatch->golden;
  ASSERT_FALSE(rep.network_mismatch) << what << ": whole-network run differs";
}

}  // namespace strata::nn_test
