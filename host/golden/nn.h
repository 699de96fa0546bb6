// Golden model of the network engine's layers: TensorFlow Lite's int8
// reference arithmetic, bit for bit. This file is the specification;
// docs/blocks/layers.md explains it in prose.
//
// Tensors are 1-D feature maps in TFLite's channels-last layout: element
// (l, c) of a tensor of `length` positions and `channels` channels is
// data[l * channels + c]. A dense layer's input is the tensor flattened in
// that order.
//
// Quantization follows TFLite's int8 scheme: real = scale * (q - zero_point)
// for activations; weights are per-output-channel symmetric (zero point 0);
// biases are int32 with scale input_scale * weight_scale[c] and zero point 0.
// Real scale factors become 32-bit fixed-point multipliers exactly as TFLite's
// QuantizeMultiplier does it, and every rescaling is TFLite's
// MultiplyByQuantizedMultiplier: SaturatingRoundingDoublingHighMul, then
// RoundingDivideByPOT.
//
// Strata's one departure, where TFLite's int32 arithmetic would overflow
// (undefined behaviour in its reference code): accumulators and left shifts
// saturate to the int32 range.
//
// AU-format layers (XR-NPE's layer-adaptive precision). A tensor is int8
// (the TFLite scheme above) or holds the codes of one of the arithmetic
// unit's float formats, fp4 (E2M1), posit4_1, posit8_0 or posit16_1
// (posit.h), with no scale and no zero point. A code is the format's bit
// pattern read as a two's complement integer (fp4 and posit4_1 -8..7,
// posit8 -128..127, posit16 -32768..32767). A posit's NaR (the code 100..0:
// -8, -128, -32768) is not a value such a tensor may hold; fp4 has no NaR,
// and its code 1000 (-8) is -0, equal to 0. A conv1d, depthwise_conv1d or
// dense layer whose input has AU format F has weights in F and one bias code
// in F per output channel (none NaR; no weight scales) and computes the
// exact dot product
//   S = sum(weight * input) + bias           (padded taps read 0)
// as the AU's quire does, then writes it
//   - to an output of format F: S rounded once to F (NumberFormat::encode,
//     round to nearest even, saturating at minpos/maxpos for the posits and
//     at 6 for fp4, so never NaR; fp4 keeps the sign of a negative S that
//     rounds to zero: code 1000), clamped as a code to
//     au_activation_range(F, activation);
//   - to an int8 output (output_quant): Q = floor(S * 2^k), k =
//     au_fixed_frac_bits(F) (fp4 2, posit4_1 8, posit8 12, where the floor
//     is exact: the products are multiples of 2^-k; posit16 16), saturated
//     to int32, rescaled by au_multiplier(F, output_quant), plus the zero
//     point, clamped to activation_range: the int8 requantization with no
//     bias term.
// A max_pool on such a tensor gives format F. The posits' codes order as two's
// complement integers, so the pool takes the largest code. fp4 is
// sign-magnitude: the pool takes the largest fp4_order_key (-0 and 0 are
// both key 0), clamps it to the keys of the activation range (none: -7..7)
// and writes fp4_code_of_key of it, so a window whose largest value is 0
// writes code 0. The activation clamps of the MAC layers are on codes for
// every format: in fp4 every negative code has its sign bit set, so relu
// (codes 0..7) is the clamp of the value, and relu6 is relu (6 is fp4's
// maxpos). An int8 tensor cannot feed an AU-format layer, an AU-format
// layer outputs its input's format or int8, and avg_pool, global_avg_pool,
// add, gelu and softmax take int8 only.
// (posit8 layers came first; the posit8_* functions below are the F =
// posit8_0 cases.)
//
// GELU and softmax layers run the units' golden models (gelu.h, softmax.h):
//   - gelu: element by element, the correctly rounded int8 table of the
//     layer's form for the input's and output_quant's scales and zero points;
//   - softmax: over the channels of each position (TFLite's last axis, beta
//     1), the layer's algorithm on the input codes as they are (softmax only
//     sees their differences: the zero point cancels, exactly for three_pass
//     and online, which subtract a logit), the scale (M, s) =
//     softmax::scale_for(input scale), to int8 in TFLite's convention: the
//     output_quant is scale 1/256, zero point -128.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "golden/formats.h"
#include "golden/gelu.h"
#include "golden/softmax.h"

namespace strata::golden::nn {

// An element is a code: int8 -128..127, fp4 -8..7, posit4_1 -7..7, posit8
// -127..127, posit16 -32767..32767 (format from the model, tensor_formats).
using Code = std::int16_t;

struct Tensor {
  int length = 0;
  int channels = 0;
  std::vector<Code> data;  // [length][channels]
  Code at(int l, int c) const { return data[static_cast<std::size_t>(l * channels + c)]; }
  bool operator==(const Tensor&) const = default;
};

struct QuantParams {
  float scale = 1.0f;  // > 0
  int zero_point = 0;  // -128..127
  bool operator==(const QuantParams&) const = default;
};

// A real multiplier as TFLite holds it: real = multiplier * 2^(shift - 31),
// multiplier 0 or in [2^30, 2^31).
struct QuantizedMultiplier {
  std::int32_t multiplier = 0;
  int shift = 0;
  bool operator==(const QuantizedMultiplier&) const = default;
};

// TFLite's QuantizeMultiplier (frexp, round half away from zero, a mantissa
// that rounds up to 2^31 renormalised, shift below -31 flushes to 0).
// 0 gives {0, 0}; a negative or non-finite real throws std::invalid_argument.
QuantizedMultiplier quantize_multiplier(double real);

// TFLite's fixed-point primitives (gemmlowp semantics).
// The integer nearest to a*b / 2^31, ties towards +infinity (gemmlowp's
// nudge with truncating division: 2.5 -> 3 but -2.5 -> -2);
// INT32_MIN * INT32_MIN saturates to INT32_MAX.
std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b);
// x / 2^exponent rounded to nearest, ties away from zero; exponent 0..31
// (std::invalid_argument otherwise).
std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent);
// x * 2^max(shift,0) saturated to int32, SRDHM by multiplier, then
// RoundingDivideByPOT by max(-shift, 0). shift must be in -31..30
// (std::invalid_argument otherwise).
std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m);

enum class Activation { none, relu, relu6 };
enum class Padding { valid, same };

// TFLite's CalculateActivationRangeQuantized for int8 outputs.
struct ActRange {
  int min = -128;
  int max = 127;
};
ActRange activation_range(Activation a, QuantParams out);

// Output length and left padding of a window of `kernel` taps `dilation`
// apart moved by `stride` (TFLite's ComputePaddingHeightWidth):
//   valid: out = (length - (kernel-1)*dilation - 1) / stride + 1, pad 0
//          (0 outputs when the window is longer than the input);
//   same:  out = ceil(length / stride),
//          pad = max((out-1)*stride + (kernel-1)*dilation + 1 - length, 0) / 2.
struct Window {
  int out_length = 0;
  int pad_left = 0;
};
Window window(int length, int kernel, int stride, int dilation, Padding padding);

enum class LayerKind { conv1d, depthwise_conv1d, dense, max_pool, avg_pool, global_avg_pool, add, gelu, softmax };
// The model-file name of a layer operation: "conv1d", "depthwise_conv1d", ...
std::string_view layer_kind_name(LayerKind k);

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::conv1d;
  std::vector<std::string> inputs;  // tensor names; add has two, every other layer one
  std::string output;               // tensor name
  // conv1d, depthwise_conv1d, max_pool, avg_pool
  int kernel = 1, stride = 1, dilation = 1;
  Padding padding = Padding::valid;
  // conv1d / dense: output channels; depthwise: channel multiplier is 1, so
  // out_channels equals the input's channels
  int out_channels = 0;
  Activation activation = Activation::none;
  QuantParams output_quant;  // pools: must equal the input's; unused for an AU-format output
  // The output tensor's format: int8, or the input's AU format (an AU-format
  // output needs an input of that format; pools keep their input's format).
  Format output_format = Format::int8;
  // conv1d: [out_channels][kernel][in_channels]; depthwise: [channels][kernel];
  // dense: [out_channels][input length * input channels]
  std::vector<Code> weights;         // int8 input: int8; AU-format input: codes of that format
  std::vector<float> weight_scales;  // one per output channel, > 0; AU-format input: none
  std::vector<std::int32_t> bias;    // one per output channel; AU-format input: codes (fp4 -8..7, posit4 -7..7, posit8 -127..127, posit16 -32767..32767)
  gelu::Form gelu_form = gelu::Form::erf;                          // gelu
  softmax::Algorithm softmax_algorithm = softmax::Algorithm::two_pass;  // softmax
};

struct Model {
  std::string name;
  std::string input;  // name of the input tensor
  int input_length = 0, input_channels = 0;
  Format input_format = Format::int8;  // int8 or an AU format (au_formats())
  QuantParams input_quant;             // int8 input only
  std::vector<Layer> layers;         // in execution order
  std::vector<std::string> outputs;  // tensor names
};

// The quantization of every tensor of a model (input and layer outputs);
// a posit (AU-format) tensor's entry is meaningless.
std::map<std::string, QuantParams> tensor_quants(const Model& m);
// The format of every tensor of a model (input and layer outputs).
std::map<std::string, Format> tensor_formats(const Model& m);

// The rescaling multiplier of output channel c of a conv1d, depthwise_conv1d
// or dense layer: quantize_multiplier(in.scale * weight_scale / out.scale),
// the product and quotient taken in double from the float scales.
QuantizedMultiplier conv_multiplier(QuantParams in, float weight_scale, QuantParams out);

// The derived constants of an add layer (TFLite's PrepareGeneralSubOp for
// int8): inputs are offset by their zero points and shifted left by
// left_shift (20), each rescaled by its multiplier to the common scale
// twice_max = 2 * max(a.scale, b.scale) (float), summed, and the sum rescaled
// by `output` (twice_max / (2^20 * out.scale)).
struct AddParams {
  int left_shift = 20;
  QuantizedMultiplier input1;  // a.scale / twice_max
  QuantizedMultiplier input2;  // b.scale / twice_max
  QuantizedMultiplier output;  // twice_max / (2^left_shift * out.scale)
  bool operator==(const AddParams&) const = default;
};
AddParams add_params(QuantParams a, QuantParams b, QuantParams out);

// Layer arithmetic. `in_q` is the quantization of the layer's input(s).
Tensor conv1d(const Tensor& in, QuantParams in_q, const Layer& l);
Tensor depthwise_conv1d(const Tensor& in, QuantParams in_q, const Layer& l);
Tensor dense(const Tensor& in, QuantParams in_q, const Layer& l);
Tensor max_pool(const Tensor& in, const Layer& l);
Tensor avg_pool(const Tensor& in, const Layer& l);
Tensor global_avg_pool(const Tensor& in, const Layer& l);
Tensor add(const Tensor& a, QuantParams a_q, const Tensor& b, QuantParams b_q, const Layer& l);
Tensor gelu_layer(const Tensor& in, QuantParams in_q, const Layer& l);
Tensor softmax_layer(const Tensor& in, QuantParams in_q, const Layer& l);
// The output quantization of every softmax layer: TFLite's int8 convention.
inline constexpr QuantParams kSoftmaxOutputQuant{1.0f / 256.0f, -128};

// AU-format layers (see the top of this file).
// The formats a tensor may have besides int8: fp4, posit4_1, posit8_0, posit16_1.
const std::vector<Format>& au_formats();
bool is_au_format(Format f);
// fp4's order: the key of a code is its value's sign times its magnitude
// bits (-7..7; -0, code -8, and 0 are both 0); fp4_code_of_key is the
// inverse that writes 0 as code 0.
int fp4_order_key(int code);
int fp4_code_of_key(int key);
// k of the int8 output path: Q = floor(S * 2^k) (fp4 2, posit4_1 8, posit8 12, posit16 16).
int au_fixed_frac_bits(Format f);
// The clamp of an AU-format output, on codes: none everything (min is the
// NaR code, which no output has), relu 0..maxpos, relu6 0..code(encode(6.0)): 6 itself in fp4, posit8 and posit16, 4 in posit4_1 (rounding is monotone, so this is relu6 before the rounding).
ActRange au_activation_range(Format f, Activation a);
// quantize_multiplier(2^-k / out.scale): Q (units of 2^-k) to int8 units.
QuantizedMultiplier au_multiplier(Format f, QuantParams out);
// A conv1d, depthwise_conv1d or dense layer on an input of AU format f, to
// the layer's output_format (f or int8).
Tensor au_mac(const Tensor& in, Format f, const Layer& l);
// max_pool on an input of AU format f.
Tensor au_max_pool(const Tensor& in, Format f, const Layer& l);

// The posit8_0 cases.
inline constexpr int kPosit8ProductFracBits = 12;  // posit8 products are multiples of 2^-12
inline ActRange posit8_activation_range(Activation a) { return au_activation_range(Format::posit8_0, a); }
inline QuantizedMultiplier posit8_multiplier(QuantParams out) { return au_multiplier(Format::posit8_0, out); }
inline Tensor posit8_mac(const Tensor& in, const Layer& l) { return au_mac(in, Format::posit8_0, l); }
inline Tensor posit8_max_pool(const Tensor& in, const Layer& l) { return au_max_pool(in, Format::posit8_0, l); }

// Runs the model on one input; returns every tensor by name (the input too).
// Throws std::invalid_argument naming the layer for an unknown input tensor,
// a wrong number of inputs, a redefined output name, mismatched weight, bias
// or weight-scale counts, kernel/stride/dilation below 1 (pools: dilation
// other than 1), a window with no output, out_channels that do not fit, add
// inputs of different shapes, invalid quantization, a pool whose output_quant
// is not its input's, a format combination the rules above exclude (or a
// format other than int8, posit8_0 and posit16_1), a code outside its
// format's range or a NaR code in a posit input, weight or bias, and for an
// input or output the model does not have. Posit tensors ignore
// quantization: the quantization of every int8 tensor (an int8 model input's
// input_quant, the output_quant of a layer with an int8 output) is checked,
// a posit tensor's is not.
// The layer functions check their own arguments the same way.
std::map<std::string, Tensor> run(const Model& m, const Tensor& input);

}  // namespace strata::golden::nn
