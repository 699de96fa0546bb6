// The importer's internals (onnx_import.cpp, importer.cpp, importer_layers.cpp):
// the values the graph walk gives every ONNX value, and the Importer that
// lowers the nodes. Not an API: onnx_import.h is.
//
// The graph is walked once, in its (topological) node order. Every ONNX value
// becomes a Value:
//   - a constant (initializer or Constant node), float or integer;
//   - a quantized constant: integers with their scales and zero points (the
//     input of a DequantizeLinear, or a float constant a QuantizeLinear
//     quantized at import time), and its dequantized float view;
//   - an int8 activation: a Strata tensor with its quantization and its ONNX
//     shape, or the float view of one (the output of a DequantizeLinear);
//   - a pending layer: a float computation (Conv, Gemm, MatMul, pool, Add,
//     Softmax, GELU, with the Relu/Clip clamps after it) that becomes a Strata
//     layer when a QuantizeLinear gives its output quantization;
//   - a step of the erf GELU pattern.
// Anything else is an error naming the node.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "golden/nn.h"
#include "onnx/onnx_graph.h"
#include "onnx/onnx_import.h"

namespace strata::onnx_import::detail {

namespace nn = golden::nn;

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// The ONNX shape of an activation of batch 1, and the Strata tensor behind
// it: rank 3 is [1, C, L] on a Strata [L, C]; rank 2 is [1, C * L], the
// row-major flattening of [1, C, L] (element c * L + l), on the same [L, C].
struct Shape {
  int rank = 3;
  int length = 1, channels = 1;
  bool operator==(const Shape&) const = default;
};

inline std::string shape_text(Shape s) {
  return s.rank == 3 ? fmt::format("[1, {}, {}]", s.channels, s.length) : fmt::format("[1, {}]", s.channels * s.length);
}

// A quantized constant: q (integers), dequantized as scale[a] * (q - zp[a])
// with a the index along `axis` (per-tensor: one scale and zero point).
struct QConst {
  std::string name;
  DType dtype = DType::int8;
  std::vector<std::int64_t> dims;
  std::vector<std::int64_t> q;
  std::vector<float> scale;
  std::vector<std::int64_t> zp;
  int axis = 0;
};

// The GELU pattern x/2 * (1 + erf(x / sqrt 2)), built up step by step.
enum class GeluStep { scaled, erf, one_plus_erf, half_one_plus_erf, x_one_plus_erf, half_x };

struct Pending {
  nn::Layer layer;
  Shape shape;
  double clamp_lo = -kInf, clamp_hi = kInf;  // Relu / Clip after the layer, in real values
  // A pool keeps its input's quantization; a Relu on an existing tensor
  // folds into its producing layer: both need this output quantization.
  bool fixed_quant = false;
  nn::QuantParams quant;
  int fold_into = -1;        // index of the layer whose clamp a Relu/Clip changes, or -1
  std::string fold_tensor;   // that layer's output tensor
  std::string node;          // the node that made it, for messages
  bool bias_given = false;
};

struct Value {
  enum class Kind { constant, qconst, dqconst, tensor, dq, pending, gelu, float_input } kind = Kind::constant;
  Constant c;                      // constant
  std::shared_ptr<QConst> qc;      // qconst, dqconst
  std::string tensor;              // tensor, dq, gelu (the x of the pattern)
  nn::QuantParams quant;           // tensor, dq, gelu
  Shape shape;                     // tensor, dq, pending, gelu, float_input
  std::shared_ptr<Pending> pending;
  GeluStep gelu = GeluStep::scaled;
};

inline std::string node_where(const Node& n) {
  return n.name.empty() ? fmt::format("node ({}, output '{}')", n.op_type, n.outputs.empty() ? "" : n.outputs[0])
                        : fmt::format("node '{}' ({})", n.name, n.op_type);
}

inline std::string kind_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::constant: return fmt::format("a {} constant", dtype_name(v.c.dtype));
    case Value::Kind::qconst: return "a quantized constant";
    case Value::Kind::dqconst: return "a dequantized constant";
    case Value::Kind::tensor: return "an int8 tensor";
    case Value::Kind::dq: return "a dequantized int8 tensor";
    case Value::Kind::pending: return "a float result not yet quantized";
    case Value::Kind::gelu: return "a part of the GELU pattern";
    case Value::Kind::float_input: return "the float graph input before its QuantizeLinear";
  }
  return "a value";
}

// ONNX's QuantizeLinear rounding: to nearest, ties to even.
inline double round_even(double v) { return std::nearbyint(v); }

inline bool close(double a, double b, double rel = 1e-6) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

// A valid Strata name made from an ONNX name: other characters become '_',
// at most 32 characters, unique within `used`.
inline std::string strata_name(const std::string& onnx_name, const std::string& fallback, std::set<std::string>& used) {
  std::string s;
  for (const char ch : onnx_name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    s.push_back(ok ? ch : '_');
  }
  // Leading and repeated underscores of names like "/conv1/Conv_output_0".
  std::string t;
  for (const char ch : s)
    if (!(ch == '_' && (t.empty() || t.back() == '_'))) t.push_back(ch);
  while (!t.empty() && t.back() == '_') t.pop_back();
  if (t.empty()) t = fallback;
  if (t.size() > 32) t = t.substr(t.size() - 32);
  std::string name = t;
  for (int i = 2; used.contains(name); ++i) {
    const std::string suffix = fmt::format("_{}", i);
    name = t.substr(0, std::min(t.size(), 32 - suffix.size())) + suffix;
  }
  used.insert(name);
  return name;
}

class Importer {
 public:
  Importer(const Graph& g, std::string file, const ImportOptions& o) : g_(g), file_(std::move(file)), options_(o) {}

  ImportResult run();

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& problem, const std::string& allowed) const {
    throw ImportError(file_, where, problem, allowed);
  }
  [[noreturn]] void fail(const Node& n, const std::string& problem, const std::string& allowed) const {
    fail(node_where(n), problem, allowed);
  }

  void check_supported() const;
  void define_inputs();
  void lower(const Node& n);
  void finish_outputs();

  // Values.
  const Value& value(const Node& n, std::size_t i) const;
  bool has_input(const Node& n, std::size_t i) const { return i < n.inputs.size() && !n.inputs[i].empty(); }
  void set(const Node& n, Value v, std::size_t out = 0);
  const Constant& constant(const Node& n, std::size_t i, const std::string& what) const;
  double scalar(const Node& n, std::size_t i, const std::string& what) const;
  std::int64_t int_attr(const Node& n, const std::string& name, std::int64_t def) const;
  double float_attr(const Node& n, const std::string& name, double def) const;
  std::string string_attr(const Node& n, const std::string& name, const std::string& def) const;
  std::vector<std::int64_t> ints_attr(const Node& n, const std::string& name, std::vector<std::int64_t> def) const;
  void only_attrs(const Node& n, const std::vector<std::string>& allowed) const;
  // An activation's quantization from (scale, zero point) inputs i, i + 1.
  nn::QuantParams activation_quant(const Node& n, std::size_t i, const std::string& what) const;
  const Value& activation(const Node& n, std::size_t i, bool want_float) const;

  // Node kinds.
  void quantize(const Node& n);
  void dequantize(const Node& n);
  void conv(const Node& n, bool qlinear);
  void dense(const Node& n, const std::string& kind);
  void pool(const Node& n);
  void clamp(const Node& n);
  void add(const Node& n);
  void reshape(const Node& n);
  void softmax(const Node& n);
  void gelu_node(const Node& n);
  bool gelu_step(const Node& n);

  // Layers.
  nn::Padding padding(const Node& n, int length, int kernel, int stride, int dilation, bool pool) const;
  std::vector<float> weight_scales(const Node& n, const QConst& w, int axis, int out_channels, const std::string& what) const;
  // A QLinear node's int8 weights: inputs 3, 4 and 5 (OPERAND, its scale and zero point), quantized along AXIS.
  std::shared_ptr<QConst> qlinear_weights(const Node& n, const std::string& operand, int axis) const;
  std::vector<std::int32_t> bias(const Node& n, const Value* b, nn::QuantParams in_q, const std::vector<float>& w_scales) const;
  Value pending_value(const Node& n, nn::Layer layer, Shape shape);
  Value emit(const Node& q_node, const Pending& p, nn::QuantParams out_q, const std::string& onnx_output);
  nn::Activation activation_for(const Node& q_node, const Pending& p, nn::QuantParams out_q, nn::Activation existing) const;
  std::string layer_name(const Node& n);

  const Graph& g_;
  std::string file_;
  ImportOptions options_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;              // how many node inputs and graph outputs read each value
  std::map<std::string, int> producer_;          // Strata tensor -> index of its layer in model_.layers (input: absent)
  std::map<std::string, std::string> tensor_value_;  // Strata tensor -> the ONNX value that is it
  std::set<std::string> layer_names_, tensor_names_;
  nn::Model model_;
  bool have_input_ = false;
  std::string float_input_;
  std::vector<std::string> notes_;
};

}  // namespace strata::onnx_import::detail
