// Golden model of the network engine's layers (see nn.h, the specification,
// and docs/blocks/layers.md). Each function names the TFLite reference code
// it mirrors; the only departures are the int32 saturations nn.h documents.
#include "golden/nn.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace strata::golden::nn {

namespace {

constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

std::int32_t saturate_int32(std::int64_t v) { return static_cast<std::int32_t>(std::clamp(v, kInt32Min, kInt32Max)); }

std::string_view kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::conv1d: return "conv1d";
    case LayerKind::depthwise_conv1d: return "depthwise_conv1d";
    case LayerKind::dense: return "dense";
    case LayerKind::max_pool: return "max_pool";
    case LayerKind::avg_pool: return "avg_pool";
    case LayerKind::global_avg_pool: return "global_avg_pool";
    case LayerKind::add: return "add";
  }
  return "unknown";
}

// Every error of a layer names the layer, the kind of arithmetic asked for
// and what is wrong.
[[noreturn]] void fail(const Layer& l, std::string_view kind, const std::string& what) {
  throw std::invalid_argument(fmt::format("layer '{}' ({}): {}", l.name, kind, what));
}

std::string quant_problem(QuantParams q) {
  if (!std::isfinite(q.scale) || !(q.scale > 0.0f)) return fmt::format("scale {} is not a positive finite number", q.scale);
  if (q.zero_point < -128 || q.zero_point > 127) return fmt::format("zero point {} is outside -128..127", q.zero_point);
  return {};
}

void check_quant(const Layer& l, std::string_view kind, std::string_view what, QuantParams q) {
  if (const std::string p = quant_problem(q); !p.empty()) fail(l, kind, fmt::format("{}: {}", what, p));
}

void check_tensor(const Layer& l, std::string_view kind, std::string_view what, const Tensor& t) {
  if (t.length < 0 || t.channels < 1)
    fail(l, kind, fmt::format("{} has shape {}x{}; needs length >= 0 and channels >= 1", what, t.length, t.channels));
  const auto n = static_cast<std::size_t>(t.length) * static_cast<std::size_t>(t.channels);
  if (t.data.size() != n)
    fail(l, kind, fmt::format("{} holds {} values, its shape {}x{} needs {}", what, t.data.size(), t.length, t.channels, n));
}

// The window of a windowed layer; the kernel, stride and dilation must be at
// least 1 and the window must give at least one output.
Window layer_window(const Layer& l, std::string_view kind, int length, int kernel, int stride, int dilation, Padding padding) {
  if (kernel < 1 || stride < 1 || dilation < 1)
    fail(l, kind, fmt::format("kernel {}, stride {}, dilation {}: each must be at least 1", kernel, stride, dilation));
  Window w;
  try {
    w = window(length, kernel, stride, dilation, padding);
  } catch (const std::invalid_argument& e) {
    fail(l, kind, e.what());
  }
  if (w.out_length == 0)
    fail(l, kind,
         fmt::format("a window of {} taps {} apart (span {}) gives no output on an input of length {} with valid padding",
                     kernel, dilation, std::int64_t{kernel - 1} * dilation + 1, length));
  return w;
}

void check_channel_params(const Layer& l, std::string_view kind, int out_channels) {
  if (l.weight_scales.size() != static_cast<std::size_t>(out_channels))
    fail(l, kind, fmt::format("{} weight scales, expected one per output channel ({})", l.weight_scales.size(), out_channels));
  if (l.bias.size() != static_cast<std::size_t>(out_channels))
    fail(l, kind, fmt::format("{} biases, expected one per output channel ({})", l.bias.size(), out_channels));
  for (std::size_t c = 0; c < l.weight_scales.size(); ++c)
    if (!std::isfinite(l.weight_scales[c]) || !(l.weight_scales[c] > 0.0f))
      fail(l, kind, fmt::format("weight scale {} of output channel {} is not a positive finite number", l.weight_scales[c], c));
}

void check_weights(const Layer& l, std::string_view kind, std::size_t expected, std::string_view formula) {
  if (l.weights.size() != expected)
    fail(l, kind, fmt::format("{} weights, expected {} = {}", l.weights.size(), formula, expected));
}

// Per-channel rescaling multipliers, each usable by
// multiply_by_quantized_multiplier.
std::vector<QuantizedMultiplier> channel_multipliers(const Layer& l, std::string_view kind, QuantParams in_q) {
  std::vector<QuantizedMultiplier> m;
  m.reserve(l.weight_scales.size());
  for (std::size_t c = 0; c < l.weight_scales.size(); ++c) {
    const QuantizedMultiplier q = conv_multiplier(in_q, l.weight_scales[c], l.output_quant);
    if (q.shift > 30)
      fail(l, kind,
           fmt::format("output channel {}: rescale factor {} * {} / {} is 2^31 or more", c, in_q.scale, l.weight_scales[c],
                       l.output_quant.scale));
    m.push_back(q);
  }
  return m;
}

// An exact accumulator (bias included), saturated once to int32, rescaled,
// offset by the output zero point and clamped to the activation range: the
// tail of TFLite's ConvPerChannel, DepthwiseConvPerChannel and
// FullyConnectedPerChannel.
std::int8_t requantize(std::int64_t acc, QuantizedMultiplier m, int out_zp, ActRange r) {
  const std::int64_t scaled = multiply_by_quantized_multiplier(saturate_int32(acc), m);
  return static_cast<std::int8_t>(std::clamp<std::int64_t>(scaled + out_zp, r.min, r.max));
}

// TFLite's AveragePool rounding: half away from zero, by truncating division.
std::int64_t average(std::int64_t sum, std::int64_t count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

Tensor pool(const Tensor& in, const Layer& l, std::string_view kind, bool is_max, int kernel, int stride, Padding padding) {
  check_tensor(l, kind, "input", in);
  check_quant(l, kind, "output_quant", l.output_quant);
  if (l.dilation != 1 && kind != "global_avg_pool")
    fail(l, kind, fmt::format("dilation {}: pools take dilation 1", l.dilation));
  const Window w = layer_window(l, kind, in.length, kernel, stride, 1, padding);
  const ActRange r = activation_range(l.activation, l.output_quant);
  Tensor out{w.out_length, in.channels, std::vector<std::int8_t>(static_cast<std::size_t>(w.out_length) * static_cast<std::size_t>(in.channels))};
  for (int o = 0; o < w.out_length; ++o) {
    const std::int64_t start = std::int64_t{o} * stride - w.pad_left;
    const std::int64_t lo = std::max<std::int64_t>(start, 0);
    const std::int64_t hi = std::min<std::int64_t>(start + kernel, in.length);  // exclusive
    for (int c = 0; c < in.channels; ++c) {
      std::int64_t v = 0;
      if (is_max) {
        v = std::numeric_limits<std::int8_t>::min();
        for (std::int64_t p = lo; p < hi; ++p) v = std::max<std::int64_t>(v, in.at(static_cast<int>(p), c));
      } else {
        std::int64_t sum = 0;
        for (std::int64_t p = lo; p < hi; ++p) sum += in.at(static_cast<int>(p), c);
        v = average(sum, hi - lo);  // hi > lo: a window always overlaps the input
      }
      out.data[static_cast<std::size_t>(o) * static_cast<std::size_t>(in.channels) + static_cast<std::size_t>(c)] =
          static_cast<std::int8_t>(std::clamp<std::int64_t>(v, r.min, r.max));
    }
  }
  return out;
}

}  // namespace

QuantizedMultiplier quantize_multiplier(double real) {
  if (!std::isfinite(real) || real < 0.0)
    throw std::invalid_argument(fmt::format("quantize_multiplier: {} is not a non-negative finite number", real));
  if (real == 0.0) return {};
  int shift = 0;
  const double q = std::frexp(real, &shift);  // q in [0.5, 1)
  auto q_fixed = static_cast<std::int64_t>(std::round(q * static_cast<double>(std::int64_t{1} << 31)));
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  return {static_cast<std::int32_t>(q_fixed), shift};
}

std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  const bool overflow = a == b && a == std::numeric_limits<std::int32_t>::min();
  const std::int64_t ab = std::int64_t{a} * std::int64_t{b};
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  const auto high = static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
  return overflow ? std::numeric_limits<std::int32_t>::max() : high;
}

std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31)
    throw std::invalid_argument(fmt::format("rounding_divide_by_pot: exponent {} is outside 0..31", exponent));
  const auto mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m) {
  if (m.shift < -31 || m.shift > 30)
    throw std::invalid_argument(fmt::format("multiply_by_quantized_multiplier: shift {} is outside -31..30", m.shift));
  const int left = std::max(m.shift, 0);
  const int right = std::max(-m.shift, 0);
  const std::int32_t shifted = saturate_int32(std::int64_t{x} * (std::int64_t{1} << left));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier), right);
}

ActRange activation_range(Activation a, QuantParams out) {
  if (const std::string p = quant_problem(out); !p.empty()) throw std::invalid_argument("activation_range: " + p);
  // zero_point + (int32) round(f / scale), in float as TFLite does it; the
  // rounded quotient is clamped before the cast (which would be undefined
  // beyond int32), which changes nothing after the clamp to int8 below.
  const auto quantize = [out](float f) {
    const float r = std::round(f / out.scale);
    return out.zero_point + static_cast<std::int32_t>(std::clamp(r, -1.0e6f, 1.0e6f));
  };
  ActRange r;
  switch (a) {
    case Activation::none: break;
    case Activation::relu: r.min = std::max(-128, quantize(0.0f)); break;
    case Activation::relu6:
      r.min = std::max(-128, quantize(0.0f));
      r.max = std::min(127, quantize(6.0f));
      break;
  }
  return r;
}

Window window(int length, int kernel, int stride, int dilation, Padding padding) {
  if (length < 0 || kernel < 1 || stride < 1 || dilation < 1)
    throw std::invalid_argument(fmt::format("window: length {}, kernel {}, stride {}, dilation {}: need length >= 0 and the others >= 1",
                                            length, kernel, stride, dilation));
  const std::int64_t span = std::int64_t{kernel - 1} * dilation + 1;  // TFLite's effective filter size
  if (span > std::numeric_limits<int>::max())
    throw std::invalid_argument(fmt::format("window: kernel {} with dilation {} spans {} positions, more than an int holds", kernel,
                                            dilation, span));
  Window w;
  if (padding == Padding::valid) {
    w.out_length = length < span ? 0 : static_cast<int>((length - span) / stride + 1);
    return w;
  }
  w.out_length = static_cast<int>((std::int64_t{length} + stride - 1) / stride);
  const std::int64_t total = std::max<std::int64_t>((std::int64_t{w.out_length} - 1) * stride + span - length, 0);
  w.pad_left = static_cast<int>(total / 2);
  return w;
}

QuantizedMultiplier conv_multiplier(QuantParams in, float weight_scale, QuantParams out) {
  return quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(weight_scale) / static_cast<double>(out.scale));
}

AddParams add_params(QuantParams a, QuantParams b, QuantParams out) {
  for (const QuantParams q : {a, b, out})
    if (const std::string p = quant_problem(q); !p.empty()) throw std::invalid_argument("add_params: " + p);
  AddParams p;
  const double twice_max = static_cast<double>(2.0f * std::max(a.scale, b.scale));
  p.input1 = quantize_multiplier(static_cast<double>(a.scale) / twice_max);
  p.input2 = quantize_multiplier(static_cast<double>(b.scale) / twice_max);
  p.output = quantize_multiplier(twice_max / (static_cast<double>(1 << p.left_shift) * static_cast<double>(out.scale)));
  return p;
}

std::map<std::string, QuantParams> tensor_quants(const Model& m) {
  std::map<std::string, QuantParams> q{{m.input, m.input_quant}};
  for (const Layer& l : m.layers) {
    const std::string_view kind = kind_name(l.kind);
    for (const std::string& in : l.inputs)
      if (!q.contains(in)) fail(l, kind, fmt::format("input tensor '{}' is not defined by the model input or an earlier layer", in));
    if (l.inputs.empty()) fail(l, kind, "has no input tensor");
    if (q.contains(l.output)) fail(l, kind, fmt::format("output tensor '{}' is already defined", l.output));
    const bool is_pool = l.kind == LayerKind::max_pool || l.kind == LayerKind::avg_pool || l.kind == LayerKind::global_avg_pool;
    q[l.output] = is_pool ? q.at(l.inputs.front()) : l.output_quant;
  }
  return q;
}

Tensor conv1d(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "conv1d";
  check_tensor(l, kind, "input", in);
  check_quant(l, kind, "input quantization", in_q);
  check_quant(l, kind, "output_quant", l.output_quant);
  if (l.out_channels < 1) fail(l, kind, fmt::format("out_channels {} must be at least 1", l.out_channels));
  const Window w = layer_window(l, kind, in.length, l.kernel, l.stride, l.dilation, l.padding);
  const auto oc = static_cast<std::size_t>(l.out_channels), k = static_cast<std::size_t>(l.kernel),
             ic = static_cast<std::size_t>(in.channels);
  check_weights(l, kind, oc * k * ic,
                fmt::format("out_channels * kernel * in_channels = {} * {} * {}", l.out_channels, l.kernel, in.channels));
  check_channel_params(l, kind, l.out_channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{w.out_length, l.out_channels, std::vector<std::int8_t>(static_cast<std::size_t>(w.out_length) * oc)};
  for (int o = 0; o < w.out_length; ++o)
    for (std::size_t co = 0; co < oc; ++co) {
      std::int64_t acc = l.bias[co];
      for (std::size_t t = 0; t < k; ++t) {
        const std::int64_t pos = std::int64_t{o} * l.stride + static_cast<std::int64_t>(t) * l.dilation - w.pad_left;
        if (pos < 0 || pos >= in.length) continue;  // padding
        for (std::size_t ci = 0; ci < ic; ++ci)
          acc += std::int64_t{l.weights[(co * k + t) * ic + ci]} *
                 (std::int64_t{in.at(static_cast<int>(pos), static_cast<int>(ci))} - in_q.zero_point);
      }
      out.data[static_cast<std::size_t>(o) * oc + co] = requantize(acc, mult[co], l.output_quant.zero_point, r);
    }
  return out;
}

Tensor depthwise_conv1d(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "depthwise_conv1d";
  check_tensor(l, kind, "input", in);
  check_quant(l, kind, "input quantization", in_q);
  check_quant(l, kind, "output_quant", l.output_quant);
  if (l.out_channels != in.channels)
    fail(l, kind, fmt::format("out_channels {} must equal the input's {} channels (channel multiplier 1)", l.out_channels, in.channels));
  const Window w = layer_window(l, kind, in.length, l.kernel, l.stride, l.dilation, l.padding);
  const auto ch = static_cast<std::size_t>(in.channels), k = static_cast<std::size_t>(l.kernel);
  check_weights(l, kind, ch * k, fmt::format("channels * kernel = {} * {}", in.channels, l.kernel));
  check_channel_params(l, kind, in.channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{w.out_length, in.channels, std::vector<std::int8_t>(static_cast<std::size_t>(w.out_length) * ch)};
  for (int o = 0; o < w.out_length; ++o)
    for (std::size_t c = 0; c < ch; ++c) {
      std::int64_t acc = l.bias[c];
      for (std::size_t t = 0; t < k; ++t) {
        const std::int64_t pos = std::int64_t{o} * l.stride + static_cast<std::int64_t>(t) * l.dilation - w.pad_left;
        if (pos < 0 || pos >= in.length) continue;  // padding
        acc += std::int64_t{l.weights[c * k + t]} * (std::int64_t{in.at(static_cast<int>(pos), static_cast<int>(c))} - in_q.zero_point);
      }
      out.data[static_cast<std::size_t>(o) * ch + c] = requantize(acc, mult[c], l.output_quant.zero_point, r);
    }
  return out;
}

Tensor dense(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "dense";
  check_tensor(l, kind, "input", in);
  check_quant(l, kind, "input quantization", in_q);
  check_quant(l, kind, "output_quant", l.output_quant);
  if (l.out_channels < 1) fail(l, kind, fmt::format("out_channels {} must be at least 1", l.out_channels));
  const std::size_t features = in.data.size(), oc = static_cast<std::size_t>(l.out_channels);
  if (features == 0) fail(l, kind, "input has no features (length 0)");
  check_weights(l, kind, oc * features,
                fmt::format("out_channels * input length * input channels = {} * {} * {}", l.out_channels, in.length, in.channels));
  check_channel_params(l, kind, l.out_channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{1, l.out_channels, std::vector<std::int8_t>(oc)};
  for (std::size_t co = 0; co < oc; ++co) {
    std::int64_t acc = l.bias[co];
    for (std::size_t f = 0; f < features; ++f)
      acc += std::int64_t{l.weights[co * features + f]} * (std::int64_t{in.data[f]} - in_q.zero_point);
    out.data[co] = requantize(acc, mult[co], l.output_quant.zero_point, r);
  }
  return out;
}

Tensor max_pool(const Tensor& in, const Layer& l) { return pool(in, l, "max_pool", true, l.kernel, l.stride, l.padding); }

Tensor avg_pool(const Tensor& in, const Layer& l) { return pool(in, l, "avg_pool", false, l.kernel, l.stride, l.padding); }

Tensor global_avg_pool(const Tensor& in, const Layer& l) {
  constexpr std::string_view kind = "global_avg_pool";
  check_tensor(l, kind, "input", in);
  if (in.length < 1) fail(l, kind, "input has length 0: nothing to average");
  return pool(in, l, kind, false, in.length, 1, Padding::valid);
}

Tensor add(const Tensor& a, QuantParams a_q, const Tensor& b, QuantParams b_q, const Layer& l) {
  constexpr std::string_view kind = "add";
  check_tensor(l, kind, "first input", a);
  check_tensor(l, kind, "second input", b);
  if (a.length != b.length || a.channels != b.channels)
    fail(l, kind, fmt::format("input shapes {}x{} and {}x{} differ (add does not broadcast)", a.length, a.channels, b.length, b.channels));
  check_quant(l, kind, "first input quantization", a_q);
  check_quant(l, kind, "second input quantization", b_q);
  check_quant(l, kind, "output_quant", l.output_quant);
  const AddParams p = add_params(a_q, b_q, l.output_quant);
  if (p.output.shift > 30)
    fail(l, kind, fmt::format("output rescale factor 2 * max({}, {}) / (2^20 * {}) is 2^31 or more", a_q.scale, b_q.scale,
                              l.output_quant.scale));
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{a.length, a.channels, std::vector<std::int8_t>(a.data.size())};
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    const std::int32_t v1 = (std::int32_t{a.data[i]} - a_q.zero_point) * (std::int32_t{1} << p.left_shift);
    const std::int32_t v2 = (std::int32_t{b.data[i]} - b_q.zero_point) * (std::int32_t{1} << p.left_shift);
    const std::int32_t raw = multiply_by_quantized_multiplier(v1, p.input1) + multiply_by_quantized_multiplier(v2, p.input2);
    const std::int64_t o = std::int64_t{multiply_by_quantized_multiplier(raw, p.output)} + l.output_quant.zero_point;
    out.data[i] = static_cast<std::int8_t>(std::clamp<std::int64_t>(o, r.min, r.max));
  }
  return out;
}

std::map<std::string, Tensor> run(const Model& m, const Tensor& input) {
  if (const std::string p = quant_problem(m.input_quant); !p.empty())
    throw std::invalid_argument(fmt::format("model '{}': input quantization: {}", m.name, p));
  if (input.length != m.input_length || input.channels != m.input_channels ||
      input.data.size() != static_cast<std::size_t>(std::max(input.length, 0)) * static_cast<std::size_t>(std::max(input.channels, 0)))
    throw std::invalid_argument(fmt::format("model '{}': input tensor '{}' is {}x{} with {} values, the model takes {}x{}", m.name,
                                            m.input, input.length, input.channels, input.data.size(), m.input_length,
                                            m.input_channels));
  std::map<std::string, Tensor> tensors{{m.input, input}};
  std::map<std::string, QuantParams> quants{{m.input, m.input_quant}};
  for (const Layer& l : m.layers) {
    const std::string_view kind = kind_name(l.kind);
    const std::size_t arity = l.kind == LayerKind::add ? 2 : 1;
    if (l.inputs.size() != arity) fail(l, kind, fmt::format("has {} input tensors, takes {}", l.inputs.size(), arity));
    for (const std::string& in : l.inputs)
      if (!tensors.contains(in))
        fail(l, kind, fmt::format("input tensor '{}' is not defined by the model input or an earlier layer", in));
    if (l.output.empty()) fail(l, kind, "has no output tensor name");
    if (tensors.contains(l.output)) fail(l, kind, fmt::format("output tensor '{}' is already defined", l.output));
    const Tensor& x = tensors.at(l.inputs[0]);
    const QuantParams xq = quants.at(l.inputs[0]);
    const bool is_pool = l.kind == LayerKind::max_pool || l.kind == LayerKind::avg_pool || l.kind == LayerKind::global_avg_pool;
    if (is_pool && !(l.output_quant == xq))
      fail(l, kind, fmt::format("output_quant (scale {}, zero point {}) must equal the input's (scale {}, zero point {})",
                                l.output_quant.scale, l.output_quant.zero_point, xq.scale, xq.zero_point));
    Tensor y;
    switch (l.kind) {
      case LayerKind::conv1d: y = conv1d(x, xq, l); break;
      case LayerKind::depthwise_conv1d: y = depthwise_conv1d(x, xq, l); break;
      case LayerKind::dense: y = dense(x, xq, l); break;
      case LayerKind::max_pool: y = max_pool(x, l); break;
      case LayerKind::avg_pool: y = avg_pool(x, l); break;
      case LayerKind::global_avg_pool: y = global_avg_pool(x, l); break;
      case LayerKind::add: y = add(x, xq, tensors.at(l.inputs[1]), quants.at(l.inputs[1]), l); break;
    }
    quants[l.output] = is_pool ? xq : l.output_quant;
    tensors.emplace(l.output, std::move(y));
  }
  for (const std::string& o : m.outputs)
    if (!tensors.contains(o)) throw std::invalid_argument(fmt::format("model '{}': output tensor '{}' is not produced by any layer", m.name, o));
  return tensors;
}

}  // namespace strata::golden::nn
