// The importer's graph walk: values and attributes, the supported-operator
// check, the graph input and outputs, QuantizeLinear and DequantizeLinear
// (importer.h says what the values are).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "onnx/importer.h"

namespace strata::onnx_import::detail {

namespace {

const std::set<std::string> kSupportedOps = {
    "QuantizeLinear", "DequantizeLinear", "Conv",    "QLinearConv", "Gemm",    "MatMul",  "QLinearMatMul", "MaxPool",
    "AveragePool",    "GlobalAveragePool", "Relu",   "Clip",        "Add",     "Flatten", "Reshape",       "Softmax",
    "Gelu",           "Erf",               "Div",    "Mul",         "Constant", "Identity"};

}  // namespace

// ---------------------------------------------------------------------------
// Values and attributes.

const Value& Importer::value(const Node& n, std::size_t i) const {
  if (!has_input(n, i)) fail(n, fmt::format("input {} is missing", i), "the inputs the operator requires");
  const auto it = values_.find(n.inputs[i]);
  if (it == values_.end())
    fail(n, fmt::format("input {} '{}' is neither an initializer, a graph input nor the output of an earlier node", i, n.inputs[i]),
         "a graph whose nodes are in topological order and whose every value is defined");
  return it->second;
}

void Importer::set(const Node& n, Value v, std::size_t out) {
  if (out >= n.outputs.size() || n.outputs[out].empty()) fail(n, "has no output", "a node with an output");
  if (values_.contains(n.outputs[out])) fail(n, fmt::format("output '{}' is defined twice", n.outputs[out]), "each value defined once (SSA)");
  values_[n.outputs[out]] = std::move(v);
}

const Constant& Importer::constant(const Node& n, std::size_t i, const std::string& what) const {
  const Value& v = value(n, i);
  if (v.kind != Value::Kind::constant)
    fail(n, fmt::format("{} '{}' is {}", what, n.inputs[i], kind_text(v)), fmt::format("{}: an initializer or a Constant", what));
  return v.c;
}

double Importer::scalar(const Node& n, std::size_t i, const std::string& what) const {
  const Constant& c = constant(n, i, what);
  if (c.size() != 1)
    fail(n, fmt::format("{} '{}' holds {} values", what, n.inputs[i], c.size()), fmt::format("{}: one value (per-tensor)", what));
  return c.values[0];
}

std::int64_t Importer::int_attr(const Node& n, const std::string& name, std::int64_t def) const {
  const auto it = n.attributes.find(name);
  if (it == n.attributes.end()) return def;
  if (it->second.type != Attribute::Type::integer) fail(n, fmt::format("attribute '{}' is not an integer", name), "an integer");
  return it->second.i;
}

double Importer::float_attr(const Node& n, const std::string& name, double def) const {
  const auto it = n.attributes.find(name);
  if (it == n.attributes.end()) return def;
  if (it->second.type != Attribute::Type::floating) fail(n, fmt::format("attribute '{}' is not a float", name), "a float");
  return it->second.f;
}

std::string Importer::string_attr(const Node& n, const std::string& name, const std::string& def) const {
  const auto it = n.attributes.find(name);
  if (it == n.attributes.end()) return def;
  if (it->second.type != Attribute::Type::string) fail(n, fmt::format("attribute '{}' is not a string", name), "a string");
  return it->second.s;
}

std::vector<std::int64_t> Importer::ints_attr(const Node& n, const std::string& name, std::vector<std::int64_t> def) const {
  const auto it = n.attributes.find(name);
  if (it == n.attributes.end()) return def;
  if (it->second.type != Attribute::Type::integers) fail(n, fmt::format("attribute '{}' is not a list of integers", name), "integers");
  return it->second.ints;
}

void Importer::only_attrs(const Node& n, const std::vector<std::string>& allowed) const {
  for (const auto& [name, a] : n.attributes)
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      fail(n, fmt::format("has attribute '{}', which the importer does not take", name),
           allowed.empty() ? std::string("no attributes") : fmt::format("{}", fmt::join(allowed, ", ")));
}

nn::QuantParams Importer::activation_quant(const Node& n, std::size_t i, const std::string& what) const {
  const double scale = scalar(n, i, what + " scale");
  if (!(scale > 0) || !std::isfinite(scale) || static_cast<float>(scale) <= 0.0f || !std::isfinite(static_cast<float>(scale)))
    fail(n, fmt::format("{} scale is {}", what, scale), "a finite float32 scale greater than 0");
  if (!has_input(n, i + 1))
    fail(n, fmt::format("{} has no zero point, which ONNX defines as uint8 0", what), "an int8 zero point (Strata's tensors are int8)");
  const Constant& zp = constant(n, i + 1, what + " zero point");
  if (zp.dtype != DType::int8)
    fail(n, fmt::format("{} zero point '{}' is {}", what, n.inputs[i + 1], dtype_name(zp.dtype)), "an int8 zero point (Strata's tensors are int8)");
  if (zp.size() != 1) fail(n, fmt::format("{} zero point holds {} values", what, zp.size()), "one zero point (per-tensor)");
  return {static_cast<float>(scale), static_cast<int>(zp.values[0])};
}

const Value& Importer::activation(const Node& n, std::size_t i, bool want_float) const {
  const Value& v = value(n, i);
  const Value::Kind k = want_float ? Value::Kind::dq : Value::Kind::tensor;
  if (v.kind != k) {
    std::string allowed = want_float ? "a dequantized int8 activation (DequantizeLinear of a QuantizeLinear output)"
                                     : "an int8 activation (a QuantizeLinear or QLinear output)";
    if (want_float && (v.kind == Value::Kind::pending || v.kind == Value::Kind::float_input))
      allowed += "; a float result needs QuantizeLinear and DequantizeLinear before it is used";
    if (want_float && v.kind == Value::Kind::constant && is_float(v.c.dtype))
      fail(n, fmt::format("input {} '{}' is a float constant: float weights without QuantizeLinear/DequantizeLinear", i, n.inputs[i]),
           "int8 weights through DequantizeLinear (QDQ), or QLinearConv/QLinearMatMul");
    fail(n, fmt::format("input {} '{}' is {}", i, n.inputs[i], kind_text(v)), allowed);
  }
  return v;
}

// ---------------------------------------------------------------------------
// The walk.

void Importer::check_supported() const {
  std::map<std::string, std::vector<std::string>> bad;  // op -> nodes
  for (const Node& n : g_.nodes) {
    const bool domain_ok = n.domain.empty() || n.domain == "ai.onnx" || (n.domain == "com.microsoft" && n.op_type == "Gelu");
    if (!domain_ok || !kSupportedOps.contains(n.op_type) || (n.op_type == "Gelu" && n.domain.empty() && g_.opset < 20))
      bad[n.domain.empty() ? n.op_type : n.domain + "." + n.op_type].push_back(n.name.empty() ? "(unnamed)" : "'" + n.name + "'");
  }
  if (bad.empty()) return;
  std::vector<std::string> parts;
  for (const auto& [op, nodes] : bad) parts.push_back(fmt::format("{} (node{} {})", op, nodes.size() > 1 ? "s" : "", fmt::join(nodes, ", ")));
  fail("the graph", fmt::format("has operators the importer does not support: {}", fmt::join(parts, "; ")),
       fmt::format("{} (Gelu from opset 20), each in the patterns of docs/onnx-import.md", fmt::join(kSupportedOps, ", ")));
}

void Importer::define_inputs() {
  for (const auto& [name, c] : g_.initializers) {
    Value v;
    v.c = c;
    values_[name] = std::move(v);
  }
  if (g_.inputs.size() != 1)
    fail("the graph", fmt::format("has {} inputs (besides initializers)", g_.inputs.size()), "exactly one graph input");
  const ValueInfo& in = g_.inputs[0];
  const std::string where = fmt::format("graph input '{}'", in.name);
  if (!in.has_shape) fail(where, "has no shape", "a shape [N, C, L] or [N, K] with N 1 or symbolic");
  Shape s;
  const auto dim = [&](std::size_t i) {
    const std::int64_t d = in.dims[i];
    if (d < 1 || d > 65535) fail(where, fmt::format("has dimension {} of {}", i, d < 0 ? std::string("unknown") : std::to_string(d)), "1 .. 65535");
    return static_cast<int>(d);
  };
  if (in.dims.size() == 3) {
    s = {3, dim(2), dim(1)};
  } else if (in.dims.size() == 2) {
    s = {2, 1, dim(1)};
  } else {
    fail(where, fmt::format("has rank {}", in.dims.size()), "[N, C, L] (1-D feature maps) or [N, K]");
  }
  if (in.dims[0] != 1 && in.dims[0] != -1) fail(where, fmt::format("has batch size {}", in.dims[0]), "batch 1 (or a symbolic batch, taken as 1)");
  model_.input_length = s.length;
  model_.input_channels = s.channels;
  model_.input = strata_name(in.name, "input", tensor_names_);
  Value v;
  v.shape = s;
  if (is_float(in.dtype)) {
    v.kind = Value::Kind::float_input;
    float_input_ = in.name;
  } else if (in.dtype == DType::int8) {
    // Its quantization is the one its first consumer states.
    v.kind = Value::Kind::tensor;
    v.tensor = model_.input;
    bool found = false;
    for (const Node& n : g_.nodes) {
      if (n.inputs.empty() || n.inputs[0] != in.name) continue;
      if (n.op_type == "DequantizeLinear" || n.op_type == "QLinearConv" || n.op_type == "QLinearMatMul") {
        // Scale and zero point are initializers or Constants defined before
        // the node; initializers are enough here.
        const std::size_t si = 1;
        if (n.inputs.size() > si + 1 && g_.initializers.contains(n.inputs[si]) && g_.initializers.contains(n.inputs[si + 1])) {
          const Constant& sc = g_.initializers.at(n.inputs[si]);
          const Constant& zp = g_.initializers.at(n.inputs[si + 1]);
          if (sc.size() == 1 && zp.size() == 1 && zp.dtype == DType::int8) {
            v.quant = {static_cast<float>(sc.values[0]), static_cast<int>(zp.values[0])};
            found = true;
          }
        }
      }
      break;
    }
    if (!found)
      fail(where, "is int8 but its first consumer states no per-tensor scale and int8 zero point in initializers",
           "an int8 input read first by DequantizeLinear, QLinearConv or QLinearMatMul with initializer scale and zero point");
    model_.input_quant = v.quant;
    have_input_ = true;
    tensor_value_[model_.input] = in.name;
  } else {
    fail(where, fmt::format("is {}", dtype_name(in.dtype)), "a float input (quantized by QuantizeLinear) or an int8 input");
  }
  values_[in.name] = v;
}

ImportResult Importer::run() {
  check_supported();
  define_inputs();
  for (const Node& n : g_.nodes)
    for (const std::string& i : n.inputs)
      if (!i.empty()) ++uses_[i];
  for (const ValueInfo& o : g_.outputs) ++uses_[o.name];
  for (const Node& n : g_.nodes) lower(n);
  finish_outputs();
  ImportResult r;
  r.model = std::move(model_);
  r.notes = std::move(notes_);
  return r;
}

void Importer::lower(const Node& n) {
  const std::string& op = n.op_type;
  if (n.outputs.empty() || n.outputs[0].empty()) fail(n, "has no output", "a node with an output");
  if (op == "Constant") {
    only_attrs(n, {"value", "value_float", "value_floats", "value_int", "value_ints"});
    if (n.attributes.size() != 1) fail(n, "does not have exactly one value attribute", "value, value_float(s) or value_int(s)");
    const auto& [name, a] = *n.attributes.begin();
    Value v;
    if (a.type == Attribute::Type::tensor && a.t) {
      v.c = *a.t;
    } else if (a.type == Attribute::Type::floating) {
      v.c = {n.outputs[0], DType::float32, {}, {a.f}};
    } else if (a.type == Attribute::Type::floats) {
      v.c = {n.outputs[0], DType::float32, {static_cast<std::int64_t>(a.floats.size())}, a.floats};
    } else if (a.type == Attribute::Type::integer) {
      v.c = {n.outputs[0], DType::int64, {}, {static_cast<double>(a.i)}};
    } else if (a.type == Attribute::Type::integers) {
      std::vector<double> d(a.ints.begin(), a.ints.end());
      v.c = {n.outputs[0], DType::int64, {static_cast<std::int64_t>(a.ints.size())}, d};
    } else {
      fail(n, fmt::format("attribute '{}' has the wrong type", name), "value (a tensor), value_float(s) or value_int(s)");
    }
    set(n, std::move(v));
  } else if (op == "Identity") {
    only_attrs(n, {});
    set(n, value(n, 0));
  } else if (op == "QuantizeLinear") {
    quantize(n);
  } else if (op == "DequantizeLinear") {
    dequantize(n);
  } else if (op == "Conv") {
    conv(n, false);
  } else if (op == "QLinearConv") {
    conv(n, true);
  } else if (op == "Gemm" || op == "MatMul" || op == "QLinearMatMul") {
    dense(n, op);
  } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
    pool(n);
  } else if (op == "Relu" || op == "Clip") {
    clamp(n);
  } else if (op == "Flatten" || op == "Reshape") {
    reshape(n);
  } else if (op == "Softmax") {
    softmax(n);
  } else if (op == "Gelu") {
    gelu_node(n);
  } else if (op == "Add") {
    if (!gelu_step(n)) add(n);
  } else if (op == "Div" || op == "Mul" || op == "Erf") {
    if (!gelu_step(n))
      fail(n, "is not part of the GELU pattern x * 0.5 * (1 + erf(x / sqrt(2)))",
           "Div, Mul and Erf only in the GELU pattern on a dequantized int8 tensor");
  } else {
    fail(n, "is not supported", fmt::format("{}", fmt::join(kSupportedOps, ", ")));  // check_supported caught it already
  }
}

void Importer::finish_outputs() {
  if (!have_input_) fail("the graph", "never quantizes its input", "a float input read by QuantizeLinear, or an int8 input");
  if (g_.outputs.empty()) fail("the graph", "has no outputs", "at least one graph output");
  for (const ValueInfo& o : g_.outputs) {
    const std::string where = fmt::format("graph output '{}'", o.name);
    const auto it = values_.find(o.name);
    if (it == values_.end()) fail(where, "is not produced by any node", "an output of a node or the input");
    const Value& v = it->second;
    if (v.kind != Value::Kind::tensor && v.kind != Value::Kind::dq)
      fail(where, fmt::format("is {}", kind_text(v)),
           "an int8 tensor, or its DequantizeLinear: every float result must be quantized (QuantizeLinear) before it leaves the graph");
    if (std::find(model_.outputs.begin(), model_.outputs.end(), v.tensor) == model_.outputs.end()) model_.outputs.push_back(v.tensor);
  }
}

// ---------------------------------------------------------------------------
// Quantize and dequantize.

void Importer::quantize(const Node& n) {
  only_attrs(n, {"axis"});
  const Value& x = value(n, 0);
  if (x.kind == Value::Kind::constant) {
    // A float weight or bias quantized at import: round half to even, saturate.
    if (!is_float(x.c.dtype)) fail(n, fmt::format("quantizes '{}', which is {}", n.inputs[0], dtype_name(x.c.dtype)), "a float constant");
    const Constant& sc = constant(n, 1, "scale");
    if (!has_input(n, 2)) fail(n, "has no zero point, which ONNX defines as uint8 0", "an int8 zero point");
    const Constant& zp = constant(n, 2, "zero point");
    if (zp.dtype != DType::int8) fail(n, fmt::format("zero point '{}' is {}", n.inputs[2], dtype_name(zp.dtype)), "an int8 zero point");
    auto qc = std::make_shared<QConst>();
    qc->name = n.inputs[0];
    qc->dtype = DType::int8;
    qc->dims = x.c.dims;
    const auto rank = static_cast<std::int64_t>(x.c.dims.size());
    std::int64_t axis = int_attr(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (sc.size() != 1 && (axis < 0 || axis >= rank || x.c.dims[static_cast<std::size_t>(axis)] != static_cast<std::int64_t>(sc.size())))
      fail(n, fmt::format("has {} scales for axis {} of '{}' [{}]", sc.size(), axis, n.inputs[0], fmt::join(x.c.dims, ", ")),
           "one scale, or one per element along axis");
    if (zp.size() != sc.size()) fail(n, fmt::format("{} scales but {} zero points", sc.size(), zp.size()), "as many zero points as scales");
    qc->axis = sc.size() == 1 ? 0 : static_cast<int>(axis);
    for (const double s : sc.values) {
      if (!(s > 0) || !std::isfinite(s)) fail(n, fmt::format("scale {}", s), "scales greater than 0");
      qc->scale.push_back(static_cast<float>(s));
    }
    for (const double z : zp.values) qc->zp.push_back(static_cast<std::int64_t>(z));
    std::int64_t inner = 1;
    for (std::size_t d = static_cast<std::size_t>(qc->axis) + 1; d < x.c.dims.size(); ++d) inner *= x.c.dims[d];
    for (std::size_t i = 0; i < x.c.size(); ++i) {
      const std::size_t a = sc.size() == 1 ? 0 : static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % static_cast<std::int64_t>(sc.size()));
      const double q = round_even(x.c.values[i] / static_cast<double>(qc->scale[a])) + static_cast<double>(qc->zp[a]);
      qc->q.push_back(static_cast<std::int64_t>(std::clamp(q, -128.0, 127.0)));
    }
    Value v;
    v.kind = Value::Kind::qconst;
    v.qc = qc;
    set(n, std::move(v));
    return;
  }
  const nn::QuantParams q = activation_quant(n, 1, "output");
  if (x.kind == Value::Kind::float_input) {
    if (have_input_) {
      if (!(q == model_.input_quant))
        fail(n, fmt::format("quantizes the graph input with scale {} and zero point {}, another QuantizeLinear with scale {} and zero point {}", q.scale,
                            q.zero_point, model_.input_quant.scale, model_.input_quant.zero_point),
             "one quantization of the input");
    }
    model_.input_quant = q;
    have_input_ = true;
    Value v;
    v.kind = Value::Kind::tensor;
    v.tensor = model_.input;
    v.quant = q;
    v.shape = x.shape;
    tensor_value_.try_emplace(model_.input, n.outputs[0]);
    set(n, std::move(v));
    return;
  }
  if (x.kind == Value::Kind::dq) {
    // A DequantizeLinear/QuantizeLinear pair folds when the quantization is the same.
    if (!(q == x.quant))
      fail(n, fmt::format("requantizes '{}' from scale {}, zero point {} to scale {}, zero point {}", n.inputs[0], x.quant.scale, x.quant.zero_point,
                          q.scale, q.zero_point),
           "a QuantizeLinear after DequantizeLinear with the same scale and zero point (Strata has no requantize layer)");
    Value v = x;
    v.kind = Value::Kind::tensor;
    set(n, std::move(v));
    return;
  }
  if (x.kind != Value::Kind::pending)
    fail(n, fmt::format("quantizes '{}', which is {}", n.inputs[0], kind_text(x)), "the float graph input, a float constant, or the result of a supported operator");
  set(n, emit(n, *x.pending, q, n.outputs[0]));
}

void Importer::dequantize(const Node& n) {
  only_attrs(n, {"axis"});
  const Value& x = value(n, 0);
  if (x.kind == Value::Kind::tensor) {
    const nn::QuantParams q = activation_quant(n, 1, "input");
    if (!(q == x.quant))
      fail(n, fmt::format("dequantizes '{}' with scale {}, zero point {}; it was quantized with scale {}, zero point {}", n.inputs[0], q.scale, q.zero_point,
                          x.quant.scale, x.quant.zero_point),
           "the scale and zero point of the tensor's QuantizeLinear");
    Value v = x;
    v.kind = Value::Kind::dq;
    set(n, std::move(v));
    return;
  }
  std::shared_ptr<QConst> qc;
  if (x.kind == Value::Kind::qconst) {
    qc = x.qc;
  } else if (x.kind == Value::Kind::constant) {
    if (x.c.dtype != DType::int8 && x.c.dtype != DType::int32)
      fail(n, fmt::format("dequantizes constant '{}' of type {}", n.inputs[0], dtype_name(x.c.dtype)), "int8 weights or int32 biases");
    qc = std::make_shared<QConst>();
    qc->name = n.inputs[0];
    qc->dtype = x.c.dtype;
    qc->dims = x.c.dims;
    for (const double d : x.c.values) qc->q.push_back(static_cast<std::int64_t>(d));
  } else {
    fail(n, fmt::format("dequantizes '{}', which is {}", n.inputs[0], kind_text(x)), "an int8 tensor or an int8/int32 constant");
  }
  // The dequantization of a constant: its own scales and zero points (a
  // QuantizeLinear/DequantizeLinear pair on a constant must agree).
  const Constant& sc = constant(n, 1, "scale");
  std::vector<std::int64_t> zps(sc.size(), 0);
  if (has_input(n, 2)) {
    const Constant& zp = constant(n, 2, "zero point");
    if (zp.dtype != qc->dtype)
      fail(n, fmt::format("zero point '{}' is {}, the data '{}' is {}", n.inputs[2], dtype_name(zp.dtype), n.inputs[0], dtype_name(qc->dtype)),
           "a zero point of the data's type (int8 weights, int32 biases)");
    if (zp.size() != sc.size()) fail(n, fmt::format("{} scales but {} zero points", sc.size(), zp.size()), "as many zero points as scales");
    for (std::size_t i = 0; i < zp.size(); ++i) zps[i] = static_cast<std::int64_t>(zp.values[i]);
  } else if (qc->dtype == DType::int8) {
    fail(n, "has no zero point, which ONNX defines as uint8 0", "an int8 zero point");
  }
  const auto rank = static_cast<std::int64_t>(qc->dims.size());
  std::int64_t axis = int_attr(n, "axis", 1);
  if (axis < 0) axis += rank;
  if (sc.size() != 1 && (axis < 0 || axis >= rank || qc->dims[static_cast<std::size_t>(axis)] != static_cast<std::int64_t>(sc.size())))
    fail(n, fmt::format("has {} scales for axis {} of '{}' [{}]", sc.size(), axis, n.inputs[0], fmt::join(qc->dims, ", ")),
         "one scale, or one per element along axis");
  auto out = std::make_shared<QConst>(*qc);
  out->scale.clear();
  for (const double s : sc.values) {
    if (!(s > 0) || !std::isfinite(s)) fail(n, fmt::format("scale {}", s), "scales greater than 0");
    out->scale.push_back(static_cast<float>(s));
  }
  out->zp = zps;
  out->axis = sc.size() == 1 ? 0 : static_cast<int>(axis);
  if (x.kind == Value::Kind::qconst && (qc->scale != out->scale || qc->zp != out->zp))
    fail(n, fmt::format("dequantizes '{}' with other scales or zero points than its QuantizeLinear", n.inputs[0]), "the same scales and zero points");
  Value v;
  v.kind = Value::Kind::dqconst;
  v.qc = out;
  set(n, std::move(v));
}

}  // namespace strata::onnx_import::detail
