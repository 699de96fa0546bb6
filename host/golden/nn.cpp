// Golden model of the network engine's layers (see nn.h, the specification,
// and docs/blocks/layers.md). Each function names the TFLite reference code
// it mirrors; the only departures are the int32 saturations nn.h documents.
#include "golden/nn.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "golden/number_format.h"

namespace strata::golden::nn {

namespace {

constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

std::int32_t saturate_int32(std::int64_t v) { return static_cast<std::int32_t>(std::clamp(v, kInt32Min, kInt32Max)); }


// Every error of a layer names the layer, the kind of arithmetic asked for
// and what is wrong.
[[noreturn]] void fail(const Layer& l, std::string_view kind, const std::string& what) {
  throw std::invalid_argument(fmt::format("layer '{}' ({}): {}", l.name, kind, what));
}

std::string format_name(Format f) {
  const auto code = static_cast<unsigned>(f);
  return code < kFormats.size() ? std::string(kFormats[code].name) : fmt::format("(format code {})", code);
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
           fmt::format("output channel {}: rescale factor {} * {} / {} is 2^30 or more", c, in_q.scale, l.weight_scales[c],
                       l.output_quant.scale));
    m.push_back(q);
  }
  return m;
}

// An exact accumulator (bias included), saturated once to int32, rescaled,
// offset by the output zero point and clamped to the activation range: the
// tail of TFLite's ConvPerChannel, DepthwiseConvPerChannel and
// FullyConnectedPerChannel.
Code requantize(std::int64_t acc, QuantizedMultiplier m, int out_zp, ActRange r) {
  const std::int64_t scaled = multiply_by_quantized_multiplier(saturate_int32(acc), m);
  return static_cast<Code>(std::clamp<std::int64_t>(scaled + out_zp, r.min, r.max));
}

// TFLite's AveragePool rounding: half away from zero, by truncating division.
std::int64_t average(std::int64_t sum, std::int64_t count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

// The pools' window walk on codes: the largest code or the rounded average
// of the valid taps, clamped to `r`; `lowest` starts the max. The caller
// checks the input tensor.
Tensor pool(const Tensor& in, const Layer& l, std::string_view kind, bool is_max, int kernel, int stride, Padding padding, ActRange r, int lowest = -128) {
  if (l.dilation != 1 && kind != "global_avg_pool")
    fail(l, kind, fmt::format("dilation {}: pools take dilation 1", l.dilation));
  const Window w = layer_window(l, kind, in.length, kernel, stride, 1, padding);
  Tensor out{w.out_length, in.channels, std::vector<Code>(static_cast<std::size_t>(w.out_length) * static_cast<std::size_t>(in.channels))};
  for (int o = 0; o < w.out_length; ++o) {
    const std::int64_t start = std::int64_t{o} * stride - w.pad_left;
    const std::int64_t lo = std::max<std::int64_t>(start, 0);
    const std::int64_t hi = std::min<std::int64_t>(start + kernel, in.length);  // exclusive
    for (int c = 0; c < in.channels; ++c) {
      std::int64_t v = 0;
      if (is_max) {
        v = lowest;
        for (std::int64_t p = lo; p < hi; ++p) v = std::max<std::int64_t>(v, in.at(static_cast<int>(p), c));
      } else {
        std::int64_t sum = 0;
        for (std::int64_t p = lo; p < hi; ++p) sum += in.at(static_cast<int>(p), c);
        v = average(sum, hi - lo);  // hi > lo: a window always overlaps the input
      }
      out.data[static_cast<std::size_t>(o) * static_cast<std::size_t>(in.channels) + static_cast<std::size_t>(c)] =
          static_cast<Code>(std::clamp<std::int64_t>(v, r.min, r.max));
    }
  }
  return out;
}

// An int8 layer (int8 input) writes int8: an int8 tensor cannot feed an
// AU-format layer, and a pool keeps its input's format.
void check_int8_output(const Layer& l, std::string_view kind) {
  if (l.output_format != Format::int8)
    fail(l, kind, fmt::format("output_format {} on an int8 input: a layer on an int8 tensor outputs int8", format_name(l.output_format)));
}

void check_int8_codes(const Layer& l, std::string_view kind, const Tensor& in);

// An int8 layer of one input: its tensor, codes and both quantizations.
void check_int8_layer(const Layer& l, std::string_view kind, const Tensor& in, QuantParams in_q) {
  check_tensor(l, kind, "input", in);
  check_int8_output(l, kind);
  check_int8_codes(l, kind, in);
  check_quant(l, kind, "input quantization", in_q);
  check_quant(l, kind, "output_quant", l.output_quant);
}

// The int8 pools: checks, then the window walk clamped to the int8 range.
Tensor int8_pool(const Tensor& in, const Layer& l, std::string_view kind, bool is_max, int kernel, int stride, Padding padding) {
  check_tensor(l, kind, "input", in);
  check_int8_output(l, kind);
  check_int8_codes(l, kind, in);
  check_quant(l, kind, "output_quant", l.output_quant);
  return pool(in, l, kind, is_max, kernel, stride, padding, activation_range(l.activation, l.output_quant));
}

// ---------------------------------------------------------------------------
// AU formats (fp4, posit4_1, posit8_0, posit16_1).

std::string code_text(Format f) {
  return fmt::format("{} code ({}..{})", format_name(f), -(1 << (info(f).lane_bits - 1)) + (info(f).has_nar ? 1 : 0), (1 << (info(f).lane_bits - 1)) - 1);
}

// Everything the layers need of one AU format: its NumberFormat, its lowest
// signed code (-2^(bits-1): a posit's NaR, fp4's -0), whether that code is
// NaR, and the value of every code in units of 2^-(P/2), P the format's
// product_frac_bits (so products are in units of 2^-P).
struct AuFormat {
  Format format;
  NumberFormat nf;
  int bits, half_frac;
  int nar;       // the lowest code, -2^(bits-1)
  bool has_nar;  // the posits: that code is NaR; fp4: it is -0, a value
  std::vector<std::int64_t> units;  // indexed by code - nar
  std::int64_t value_units(int code) const { return units[static_cast<std::size_t>(code - nar)]; }
  int lowest_value_code() const { return has_nar ? nar + 1 : nar; }
  bool is_nar(int code) const { return has_nar && code == nar; }
  int code_of(std::uint32_t raw) const {  // the low `bits` bits as a signed code
    const auto m = static_cast<std::int32_t>(raw & ((1u << bits) - 1));
    return m >= (1 << (bits - 1)) ? m - (1 << bits) : m;
  }
};

const AuFormat& au_format(Format f) {
  static const std::vector<AuFormat> table = [] {
    std::vector<AuFormat> t;
    for (Format g : au_formats()) {
      AuFormat a{g, NumberFormat::parse(std::string(info(g).name)), info(g).lane_bits, info(g).product_frac_bits / 2, -(1 << (info(g).lane_bits - 1)),
                 info(g).has_nar, {}};
      for (int code = a.nar; code < -a.nar; ++code) {
        if (a.is_nar(code)) {
          a.units.push_back(0);
          continue;
        }
        const mpq_class v = *a.nf.decode(static_cast<std::uint32_t>(code)) * (mpz_class(1) << a.half_frac);
        if (v.get_den() != 1) throw std::logic_error(fmt::format("{} code {} is not a multiple of 2^-{}", info(g).name, code, a.half_frac));
        a.units.push_back(v.get_num().get_si());
      }
      t.push_back(std::move(a));
    }
    return t;
  }();
  for (const AuFormat& a : table)
    if (a.format == f) return a;
  throw std::invalid_argument(fmt::format("{} is not an AU format of the layers", format_name(f)));
}

// S (units of 2^-P) rounded once to the format and clamped as a code.
Code au_round(const AuFormat& a, const mpz_class& s, ActRange r) {
  mpq_class v(s, mpz_class(1) << (2 * a.half_frac));
  v.canonicalize();
  const int code = a.code_of(a.nf.encode(v));  // never NaR: encoding saturates
  return static_cast<Code>(std::clamp<int>(code, r.min, r.max));
}

// floor(S * 2^k) for S in units of 2^-P, saturated to int32.
std::int64_t au_fixed(const AuFormat& a, const mpz_class& s) {
  const int drop = 2 * a.half_frac - au_fixed_frac_bits(a.format);
  mpz_class q;
  mpz_fdiv_q_2exp(q.get_mpz_t(), s.get_mpz_t(), static_cast<mp_bitcnt_t>(drop));
  if (q > kInt32Max) return kInt32Max;
  if (q < kInt32Min) return kInt32Min;
  return q.get_si();
}

void check_codes(const Layer& l, std::string_view kind, const AuFormat& a, const Tensor& t) {
  for (int p = 0; p < t.length; ++p)
    for (int c = 0; c < t.channels; ++c) {
      const int v = t.at(p, c);
      if (a.is_nar(v)) fail(l, kind, fmt::format("{} input element ({}, {}) is NaR (code {})", format_name(a.format), p, c, a.nar));
      if (v < a.nar || v > -a.nar - 1) fail(l, kind, fmt::format("input element ({}, {}) is {}, not a {}", p, c, v, code_text(a.format)));
    }
}

// AU-format weights and biases: codes, none NaR, and no weight scales.
void check_au_params(const Layer& l, std::string_view kind, const AuFormat& a, int out_channels) {
  const std::string fname = format_name(a.format);
  if (!l.weight_scales.empty())
    fail(l, kind, fmt::format("{} weight scales; a layer on a {} input has none (its weights are {} values)", l.weight_scales.size(), fname, fname));
  if (l.bias.size() != static_cast<std::size_t>(out_channels))
    fail(l, kind, fmt::format("{} biases, expected one per output channel ({})", l.bias.size(), out_channels));
  for (std::size_t i = 0; i < l.weights.size(); ++i) {
    if (a.is_nar(l.weights[i])) fail(l, kind, fmt::format("weight {} is NaR ({} code {})", i, fname, a.nar));
    if (l.weights[i] < a.nar || l.weights[i] > -a.nar - 1) fail(l, kind, fmt::format("weight {} is {}, not a {}", i, l.weights[i], code_text(a.format)));
  }
  for (std::size_t c = 0; c < l.bias.size(); ++c) {
    if (a.is_nar(l.bias[c])) fail(l, kind, fmt::format("bias of output channel {} is NaR ({} code {})", c, fname, a.nar));
    if (l.bias[c] < a.nar || l.bias[c] > -a.nar - 1)
      fail(l, kind, fmt::format("bias {} of output channel {} is not a {}", l.bias[c], c, code_text(a.format)));
  }
}

// Int8 codes of an int8 layer's input and weights.
void check_int8_codes(const Layer& l, std::string_view kind, const Tensor& in) {
  for (std::size_t i = 0; i < in.data.size(); ++i)
    if (in.data[i] < -128 || in.data[i] > 127) fail(l, kind, fmt::format("int8 input value {} (element {}) is outside -128..127", in.data[i], i));
  for (std::size_t i = 0; i < l.weights.size(); ++i)
    if (l.weights[i] < -128 || l.weights[i] > 127) fail(l, kind, fmt::format("int8 weight {} is {}, outside -128..127", i, l.weights[i]));
}

}  // namespace

std::string_view layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::conv1d: return "conv1d";
    case LayerKind::depthwise_conv1d: return "depthwise_conv1d";
    case LayerKind::dense: return "dense";
    case LayerKind::max_pool: return "max_pool";
    case LayerKind::avg_pool: return "avg_pool";
    case LayerKind::global_avg_pool: return "global_avg_pool";
    case LayerKind::add: return "add";
    case LayerKind::gelu: return "gelu";
    case LayerKind::softmax: return "softmax";
  }
  return "unknown";
}

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

namespace {

// The walk of tensor_quants and tensor_formats: the model input's entry, then
// each layer's `field`, a pool's copied from its input.
template <class T>
std::map<std::string, T> per_tensor(const Model& m, T input, T Layer::*field) {
  std::map<std::string, T> t{{m.input, input}};
  for (const Layer& l : m.layers) {
    const std::string_view kind = layer_kind_name(l.kind);
    for (const std::string& in : l.inputs)
      if (!t.contains(in)) fail(l, kind, fmt::format("input tensor '{}' is not defined by the model input or an earlier layer", in));
    if (l.inputs.empty()) fail(l, kind, "has no input tensor");
    if (t.contains(l.output)) fail(l, kind, fmt::format("output tensor '{}' is already defined", l.output));
    const bool is_pool = l.kind == LayerKind::max_pool || l.kind == LayerKind::avg_pool || l.kind == LayerKind::global_avg_pool;
    t[l.output] = is_pool ? t.at(l.inputs.front()) : l.*field;
  }
  return t;
}

}  // namespace

std::map<std::string, QuantParams> tensor_quants(const Model& m) { return per_tensor(m, m.input_quant, &Layer::output_quant); }

std::map<std::string, Format> tensor_formats(const Model& m) { return per_tensor(m, m.input_format, &Layer::output_format); }

Tensor conv1d(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "conv1d";
  check_int8_layer(l, kind, in, in_q);
  if (l.out_channels < 1) fail(l, kind, fmt::format("out_channels {} must be at least 1", l.out_channels));
  const Window w = layer_window(l, kind, in.length, l.kernel, l.stride, l.dilation, l.padding);
  const auto oc = static_cast<std::size_t>(l.out_channels), k = static_cast<std::size_t>(l.kernel),
             ic = static_cast<std::size_t>(in.channels);
  check_weights(l, kind, oc * k * ic,
                fmt::format("out_channels * kernel * in_channels = {} * {} * {}", l.out_channels, l.kernel, in.channels));
  check_channel_params(l, kind, l.out_channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{w.out_length, l.out_channels, std::vector<Code>(static_cast<std::size_t>(w.out_length) * oc)};
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
  check_int8_layer(l, kind, in, in_q);
  if (l.out_channels != in.channels)
    fail(l, kind, fmt::format("out_channels {} must equal the input's {} channels (channel multiplier 1)", l.out_channels, in.channels));
  const Window w = layer_window(l, kind, in.length, l.kernel, l.stride, l.dilation, l.padding);
  const auto ch = static_cast<std::size_t>(in.channels), k = static_cast<std::size_t>(l.kernel);
  check_weights(l, kind, ch * k, fmt::format("channels * kernel = {} * {}", in.channels, l.kernel));
  check_channel_params(l, kind, in.channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{w.out_length, in.channels, std::vector<Code>(static_cast<std::size_t>(w.out_length) * ch)};
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
  check_int8_layer(l, kind, in, in_q);
  if (l.out_channels < 1) fail(l, kind, fmt::format("out_channels {} must be at least 1", l.out_channels));
  const std::size_t features = in.data.size(), oc = static_cast<std::size_t>(l.out_channels);
  if (features == 0) fail(l, kind, "input has no features (length 0)");
  check_weights(l, kind, oc * features,
                fmt::format("out_channels * input length * input channels = {} * {} * {}", l.out_channels, in.length, in.channels));
  check_channel_params(l, kind, l.out_channels);
  const std::vector<QuantizedMultiplier> mult = channel_multipliers(l, kind, in_q);
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{1, l.out_channels, std::vector<Code>(oc)};
  for (std::size_t co = 0; co < oc; ++co) {
    std::int64_t acc = l.bias[co];
    for (std::size_t f = 0; f < features; ++f)
      acc += std::int64_t{l.weights[co * features + f]} * (std::int64_t{in.data[f]} - in_q.zero_point);
    out.data[co] = requantize(acc, mult[co], l.output_quant.zero_point, r);
  }
  return out;
}

Tensor max_pool(const Tensor& in, const Layer& l) { return int8_pool(in, l, "max_pool", true, l.kernel, l.stride, l.padding); }

Tensor avg_pool(const Tensor& in, const Layer& l) { return int8_pool(in, l, "avg_pool", false, l.kernel, l.stride, l.padding); }

Tensor global_avg_pool(const Tensor& in, const Layer& l) {
  constexpr std::string_view kind = "global_avg_pool";
  check_tensor(l, kind, "input", in);
  if (in.length < 1) fail(l, kind, "input has length 0: nothing to average");
  return int8_pool(in, l, kind, false, in.length, 1, Padding::valid);
}

Tensor add(const Tensor& a, QuantParams a_q, const Tensor& b, QuantParams b_q, const Layer& l) {
  constexpr std::string_view kind = "add";
  check_tensor(l, kind, "first input", a);
  check_tensor(l, kind, "second input", b);
  check_int8_output(l, kind);
  check_int8_codes(l, kind, a);
  check_int8_codes(l, kind, b);
  if (a.length != b.length || a.channels != b.channels)
    fail(l, kind, fmt::format("input shapes {}x{} and {}x{} differ (add does not broadcast)", a.length, a.channels, b.length, b.channels));
  check_quant(l, kind, "first input quantization", a_q);
  check_quant(l, kind, "second input quantization", b_q);
  check_quant(l, kind, "output_quant", l.output_quant);
  const AddParams p = add_params(a_q, b_q, l.output_quant);
  if (p.output.shift > 30)
    fail(l, kind, fmt::format("output rescale factor 2 * max({}, {}) / (2^20 * {}) is 2^30 or more", a_q.scale, b_q.scale,
                              l.output_quant.scale));
  const ActRange r = activation_range(l.activation, l.output_quant);

  Tensor out{a.length, a.channels, std::vector<Code>(a.data.size())};
  for (std::size_t i = 0; i < a.data.size(); ++i) {
    const std::int32_t v1 = (std::int32_t{a.data[i]} - a_q.zero_point) * (std::int32_t{1} << p.left_shift);
    const std::int32_t v2 = (std::int32_t{b.data[i]} - b_q.zero_point) * (std::int32_t{1} << p.left_shift);
    const std::int32_t raw = multiply_by_quantized_multiplier(v1, p.input1) + multiply_by_quantized_multiplier(v2, p.input2);
    const std::int64_t o = std::int64_t{multiply_by_quantized_multiplier(raw, p.output)} + l.output_quant.zero_point;
    out.data[i] = static_cast<Code>(std::clamp<std::int64_t>(o, r.min, r.max));
  }
  return out;
}

// A gelu or softmax layer: one int8 input, no fused activation.
void check_unit_layer(const Layer& l, std::string_view kind, const Tensor& in, QuantParams in_q) {
  check_int8_layer(l, kind, in, in_q);
  if (l.activation != Activation::none) fail(l, kind, "has a fused activation; a gelu or softmax layer takes none");
}

Tensor gelu_layer(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "gelu";
  check_unit_layer(l, kind, in, in_q);
  const auto table = gelu::int8_table({in_q.scale, in_q.zero_point, l.output_quant.scale, l.output_quant.zero_point}, l.gelu_form);
  Tensor out = in;
  for (auto& v : out.data) v = gelu::int8_eval(table, static_cast<std::int8_t>(v));
  return out;
}

Tensor softmax_layer(const Tensor& in, QuantParams in_q, const Layer& l) {
  constexpr std::string_view kind = "softmax";
  check_unit_layer(l, kind, in, in_q);
  if (!(l.output_quant == kSoftmaxOutputQuant))
    fail(l, kind, fmt::format("output_quant (scale {}, zero point {}) must be TFLite's softmax output, scale 1/256, zero point -128", l.output_quant.scale,
                              l.output_quant.zero_point));
  softmax::Scale scale;
  try {
    scale = softmax::scale_for(in_q.scale);
  } catch (const std::invalid_argument& e) {
    fail(l, kind, fmt::format("input scale {}: {}", in_q.scale, e.what()));
  }
  Tensor out = in;
  const auto ch = static_cast<std::size_t>(in.channels);
  for (std::size_t p = 0; p < static_cast<std::size_t>(in.length); ++p) {
    const std::vector<int> logits(in.data.begin() + static_cast<std::ptrdiff_t>(p * ch), in.data.begin() + static_cast<std::ptrdiff_t>((p + 1) * ch));
    const std::vector<int> codes = softmax::run(logits, l.softmax_algorithm, softmax::InType::int8, scale, softmax::OutType::int8);
    for (std::size_t c = 0; c < ch; ++c) out.data[p * ch + c] = static_cast<Code>(codes[c]);
  }
  return out;
}

const std::vector<Format>& au_formats() {
  static const std::vector<Format> f{Format::fp4, Format::posit4_1, Format::posit8_0, Format::posit16_1};
  return f;
}

int fp4_order_key(int code) { return code >= 0 ? code : -(code + 8); }
int fp4_code_of_key(int key) { return key >= 0 ? key : -8 - key; }

bool is_au_format(Format f) { return std::find(au_formats().begin(), au_formats().end(), f) != au_formats().end(); }

int au_fixed_frac_bits(Format f) {
  switch (f) {
    case Format::fp4: return 2;       // products are multiples of 2^-2: exact
    case Format::posit4_1: return 8;  // of 2^-8: exact
    case Format::posit8_0: return kPosit8ProductFracBits;
    case Format::posit16_1: return 16;
    default: break;
  }
  throw std::invalid_argument(fmt::format("au_fixed_frac_bits: {} is not an AU format of the layers", format_name(f)));
}

ActRange au_activation_range(Format f, Activation act) {
  const AuFormat& a = au_format(f);
  ActRange r{a.nar, -a.nar - 1};  // none: every code (an output is never NaR)
  switch (act) {
    case Activation::none: break;
    // Code 0 is 0 and codes 0.. order as values; in fp4 (sign-magnitude)
    // every code below 0 as a signed code has its sign bit set (-0
    // included), so the clamp of the signed code is the clamp of the value.
    case Activation::relu: r.min = 0; break;
    case Activation::relu6:
      r.min = 0;
      r.max = a.code_of(a.nf.encode(mpq_class(6)));  // exact in posit8 and posit16 (6 = 1.5 * 2^2); fp4's maxpos; posit4_1's 4 (6 rounds to even)
      break;
  }
  return r;
}

QuantizedMultiplier au_multiplier(Format f, QuantParams out) {
  if (const std::string p = quant_problem(out); !p.empty()) throw std::invalid_argument(fmt::format("au_multiplier ({}): {}", format_name(f), p));
  return quantize_multiplier(std::ldexp(1.0, -au_fixed_frac_bits(f)) / static_cast<double>(out.scale));
}

Tensor au_mac(const Tensor& in, Format f, const Layer& l) {
  const std::string kind = fmt::format("{} {}", format_name(f), layer_kind_name(l.kind));
  if (!is_au_format(f)) fail(l, kind, fmt::format("{} is not an AU format of the layers", format_name(f)));
  const AuFormat& a = au_format(f);
  if (l.kind != LayerKind::conv1d && l.kind != LayerKind::depthwise_conv1d && l.kind != LayerKind::dense)
    fail(l, kind, "au_mac computes conv1d, depthwise_conv1d and dense layers only");
  check_tensor(l, kind, "input", in);
  check_codes(l, kind, a, in);
  const bool int8_out = l.output_format == Format::int8;
  if (!int8_out && l.output_format != f)
    fail(l, kind, fmt::format("output_format {}: a layer on a {} input outputs int8 or {}", format_name(l.output_format), format_name(f), format_name(f)));
  if (int8_out) check_quant(l, kind, "output_quant", l.output_quant);  // an AU-format output has no quantization

  // Shapes and weight layouts as the int8 layers.
  const bool dense_layer = l.kind == LayerKind::dense;
  const bool depthwise = l.kind == LayerKind::depthwise_conv1d;
  if (depthwise && l.out_channels != in.channels)
    fail(l, kind, fmt::format("out_channels {} must equal the input's {} channels (channel multiplier 1)", l.out_channels, in.channels));
  if (l.out_channels < 1) fail(l, kind, fmt::format("out_channels {} must be at least 1", l.out_channels));
  const std::size_t features = in.data.size(), oc = static_cast<std::size_t>(l.out_channels), ic = static_cast<std::size_t>(in.channels);
  Window w{1, 0};
  if (dense_layer) {
    if (features == 0) fail(l, kind, "input has no features (length 0)");
    check_weights(l, kind, oc * features,
                  fmt::format("out_channels * input length * input channels = {} * {} * {}", l.out_channels, in.length, in.channels));
  } else {
    w = layer_window(l, kind, in.length, l.kernel, l.stride, l.dilation, l.padding);
    const auto k = static_cast<std::size_t>(l.kernel);
    if (depthwise)
      check_weights(l, kind, ic * k, fmt::format("channels * kernel = {} * {}", in.channels, l.kernel));
    else
      check_weights(l, kind, oc * k * ic,
                    fmt::format("out_channels * kernel * in_channels = {} * {} * {}", l.out_channels, l.kernel, in.channels));
  }
  check_au_params(l, kind, a, l.out_channels);
  QuantizedMultiplier mult;
  if (int8_out) {
    mult = au_multiplier(f, l.output_quant);
    if (mult.shift > 30) fail(l, kind, fmt::format("rescale factor 2^-{} / {} is 2^30 or more", au_fixed_frac_bits(f), l.output_quant.scale));
  }
  const ActRange r = int8_out ? activation_range(l.activation, l.output_quant) : au_activation_range(f, l.activation);

  // The exact sum S in units of 2^-P, as the quire holds it: weight * input
  // products plus the bias times 1.0 (2^(P/2) units).
  const auto out_length = static_cast<std::size_t>(w.out_length);
  Tensor out{w.out_length, l.out_channels, std::vector<Code>(out_length * oc)};
  mpz_class s, prod;
  auto mac = [&](int wc, int xc) {
    mpz_set_si(prod.get_mpz_t(), a.value_units(wc));
    mpz_mul_si(prod.get_mpz_t(), prod.get_mpz_t(), a.value_units(xc));
    s += prod;
  };
  for (std::size_t o = 0; o < out_length; ++o)
    for (std::size_t co = 0; co < oc; ++co) {
      s = a.value_units(l.bias[co]);
      s <<= static_cast<mp_bitcnt_t>(a.half_frac);  // bias * 1.0
      if (dense_layer) {
        for (std::size_t ft = 0; ft < features; ++ft) mac(l.weights[co * features + ft], in.data[ft]);
      } else {
        const auto k = static_cast<std::size_t>(l.kernel);
        for (std::size_t t = 0; t < k; ++t) {
          const std::int64_t pos = static_cast<std::int64_t>(o) * l.stride + static_cast<std::int64_t>(t) * l.dilation - w.pad_left;
          if (pos < 0 || pos >= in.length) continue;  // padding reads 0
          if (depthwise)
            mac(l.weights[co * k + t], in.at(static_cast<int>(pos), static_cast<int>(co)));
          else
            for (std::size_t ci = 0; ci < ic; ++ci) mac(l.weights[(co * k + t) * ic + ci], in.at(static_cast<int>(pos), static_cast<int>(ci)));
        }
      }
      out.data[o * oc + co] = int8_out ? requantize(au_fixed(a, s), mult, l.output_quant.zero_point, r) : au_round(a, s, r);
    }
  return out;
}

Tensor au_max_pool(const Tensor& in, Format f, const Layer& l) {
  const std::string kind = fmt::format("{} max_pool", format_name(f));
  if (!is_au_format(f)) fail(l, kind, fmt::format("{} is not an AU format of the layers", format_name(f)));
  const AuFormat& a = au_format(f);
  check_tensor(l, kind, "input", in);
  check_codes(l, kind, a, in);
  if (l.output_format != f)
    fail(l, kind, fmt::format("output_format {} must be {}: a pool keeps its input's format", format_name(l.output_format), format_name(f)));
  // Two's complement order of non-NaR codes is posit order, so the integer
  // maximum of the codes is the code of the maximum value.
  if (f != Format::fp4) return pool(in, l, kind, true, l.kernel, l.stride, l.padding, au_activation_range(f, l.activation), a.nar);
  // fp4 is sign-magnitude: the pool takes the maximum of the order keys
  // (fp4_order_key: -0 and 0 are both 0), clamps it to the activation's key
  // range and writes the key's code, so a maximum of 0 is written as code 0
  // even where every tap is -0.
  Tensor keys = in;
  for (Code& v : keys.data) v = static_cast<Code>(fp4_order_key(v));
  const ActRange r = au_activation_range(f, l.activation);
  const ActRange kr{r.min < 0 ? -7 : fp4_order_key(r.min), fp4_order_key(r.max)};  // none: -6..6 (keys -7..7), relu and relu6: 0..6
  Tensor out = pool(keys, l, kind, true, l.kernel, l.stride, l.padding, kr, -8);
  for (Code& v : out.data) v = static_cast<Code>(fp4_code_of_key(v));
  return out;
}

std::map<std::string, Tensor> run(const Model& m, const Tensor& input) {
  const bool au_input = is_au_format(m.input_format);
  if (m.input_format != Format::int8 && !au_input)
    throw std::invalid_argument(fmt::format("model '{}': input_format {} is neither int8 nor an AU format (fp4, posit4_1, posit8_0, posit16_1)", m.name, format_name(m.input_format)));
  if (const std::string p = quant_problem(m.input_quant); !au_input && !p.empty())
    throw std::invalid_argument(fmt::format("model '{}': input quantization: {}", m.name, p));
  if (input.length != m.input_length || input.channels != m.input_channels ||
      input.data.size() != static_cast<std::size_t>(std::max(input.length, 0)) * static_cast<std::size_t>(std::max(input.channels, 0)))
    throw std::invalid_argument(fmt::format("model '{}': input tensor '{}' is {}x{} with {} values, the model takes {}x{}", m.name,
                                            m.input, input.length, input.channels, input.data.size(), m.input_length,
                                            m.input_channels));
  {
    const int lo = au_input ? au_format(m.input_format).nar : -128, hi = au_input ? -lo - 1 : 127;
    const bool nar_input = au_input && au_format(m.input_format).has_nar;
    for (int p = 0; p < input.length; ++p)
      for (int c = 0; c < input.channels; ++c) {
        const int v = input.at(p, c);
        if (nar_input && v == lo)
          throw std::invalid_argument(fmt::format("model '{}': {} input tensor '{}' element ({}, {}) is NaR (code {})", m.name,
                                                  format_name(m.input_format), m.input, p, c, lo));
        if (v < lo || v > hi)
          throw std::invalid_argument(fmt::format("model '{}': input tensor '{}' element ({}, {}) is {}, not a {} code ({}..{})", m.name, m.input, p, c,
                                                  v, format_name(m.input_format), nar_input ? lo + 1 : lo, hi));
      }
  }
  std::map<std::string, Tensor> tensors{{m.input, input}};
  std::map<std::string, QuantParams> quants{{m.input, m.input_quant}};
  std::map<std::string, Format> formats{{m.input, m.input_format}};
  for (const Layer& l : m.layers) {
    const std::string_view kind = layer_kind_name(l.kind);
    const std::size_t arity = l.kind == LayerKind::add ? 2 : 1;
    if (l.inputs.size() != arity) fail(l, kind, fmt::format("has {} input tensors, takes {}", l.inputs.size(), arity));
    for (const std::string& in : l.inputs)
      if (!tensors.contains(in))
        fail(l, kind, fmt::format("input tensor '{}' is not defined by the model input or an earlier layer", in));
    if (l.output.empty()) fail(l, kind, "has no output tensor name");
    if (tensors.contains(l.output)) fail(l, kind, fmt::format("output tensor '{}' is already defined", l.output));
    const Tensor& x = tensors.at(l.inputs[0]);
    const QuantParams xq = quants.at(l.inputs[0]);
    const Format xf = formats.at(l.inputs[0]);
    const bool is_pool = l.kind == LayerKind::max_pool || l.kind == LayerKind::avg_pool || l.kind == LayerKind::global_avg_pool;
    const bool takes_au = l.kind == LayerKind::conv1d || l.kind == LayerKind::depthwise_conv1d || l.kind == LayerKind::dense || l.kind == LayerKind::max_pool;
    for (const std::string& in : l.inputs)
      if (!takes_au && formats.at(in) != Format::int8)
        fail(l, kind, fmt::format("takes int8 input only; input tensor '{}' is {}", in, format_name(formats.at(in))));
    if (is_pool && xf == Format::int8 && !(l.output_quant == xq))  // an AU-format tensor has no quantization
      fail(l, kind, fmt::format("output_quant (scale {}, zero point {}) must equal the input's (scale {}, zero point {})",
                                l.output_quant.scale, l.output_quant.zero_point, xq.scale, xq.zero_point));
    Tensor y;
    if (is_au_format(xf)) {
      y = l.kind == LayerKind::max_pool ? au_max_pool(x, xf, l) : au_mac(x, xf, l);
    } else {
      switch (l.kind) {
        case LayerKind::conv1d: y = conv1d(x, xq, l); break;
        case LayerKind::depthwise_conv1d: y = depthwise_conv1d(x, xq, l); break;
        case LayerKind::dense: y = dense(x, xq, l); break;
        case LayerKind::max_pool: y = max_pool(x, l); break;
        case LayerKind::avg_pool: y = avg_pool(x, l); break;
        case LayerKind::global_avg_pool: y = global_avg_pool(x, l); break;
        case LayerKind::add: y = add(x, xq, tensors.at(l.inputs[1]), quants.at(l.inputs[1]), l); break;
        case LayerKind::gelu: y = gelu_layer(x, xq, l); break;
        case LayerKind::softmax: y = softmax_layer(x, xq, l); break;
      }
    }
    quants[l.output] = is_pool ? xq : l.output_quant;
    formats[l.output] = is_pool ? xf : l.output_format;
    tensors.emplace(l.output, std::move(y));
  }
  for (const std::string& o : m.outputs)
    if (!tensors.contains(o)) throw std::invalid_argument(fmt::format("model '{}': output tensor '{}' is not produced by any layer", m.name, o));
  return tensors;
}

}  // namespace strata::golden::nn
