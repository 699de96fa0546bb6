// The importer's layers: Conv, QLinearConv, Gemm, MatMul, QLinearMatMul, the
// pools, Relu and Clip, Add, Flatten and Reshape, Softmax, GELU and its erf
// pattern, and the emission of a Strata layer at a QuantizeLinear.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "onnx/importer.h"

namespace strata::onnx_import::detail {

// ---------------------------------------------------------------------------
// Layers.

std::string Importer::layer_name(const Node& n) { return strata_name(n.name.empty() ? n.op_type : n.name, "layer", layer_names_); }

Value Importer::pending_value(const Node& n, nn::Layer layer, Shape shape) {
  auto p = std::make_shared<Pending>();
  p->layer = std::move(layer);
  p->shape = shape;
  p->node = node_where(n);
  Value v;
  v.kind = Value::Kind::pending;
  v.pending = p;
  v.shape = shape;
  return v;
}

nn::Padding Importer::padding(const Node& n, int length, int kernel, int stride, int dilation, bool is_pool) const {
  const std::string auto_pad = string_attr(n, "auto_pad", "NOTSET");
  const nn::Window same = nn::window(length, kernel, stride, dilation, nn::Padding::same);
  const std::int64_t span = std::int64_t{kernel - 1} * dilation + 1;
  const std::int64_t total = std::max<std::int64_t>((std::int64_t{same.out_length} - 1) * stride + span - length, 0);
  const std::int64_t left = total / 2, right = total - left;
  if (is_pool && int_attr(n, "ceil_mode", 0) != 0) {
    // ceil_mode changes nothing when the window fits exactly.
    const std::vector<std::int64_t> pads = ints_attr(n, "pads", {0, 0});
    const std::int64_t padded = length + (pads.size() == 2 ? pads[0] + pads[1] : 0) - span;
    if (auto_pad != "NOTSET" || padded < 0 || padded % stride != 0)
      fail(n, "has ceil_mode 1 on a window that does not fit the input exactly", "ceil_mode 0");
  }
  if (auto_pad == "VALID") return nn::Padding::valid;
  if (auto_pad == "SAME_UPPER") return nn::Padding::same;
  if (auto_pad == "SAME_LOWER") {
    if (total % 2 == 0) return nn::Padding::same;
    fail(n, fmt::format("has auto_pad SAME_LOWER, which pads {} on the left and {} on the right", right, left),
         fmt::format("SAME_UPPER (TFLite's SAME pads {} left, {} right here), VALID, or explicit pads", left, right));
  }
  if (auto_pad != "NOTSET") fail(n, fmt::format("has auto_pad '{}'", auto_pad), "NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  const std::vector<std::int64_t> pads = ints_attr(n, "pads", {0, 0});
  if (pads.size() != 2) fail(n, fmt::format("has {} pads", pads.size()), "2 pads [begin, end] (1-D)");
  if (pads[0] == 0 && pads[1] == 0) return nn::Padding::valid;
  if (pads[0] == left && pads[1] == right) return nn::Padding::same;
  fail(n, fmt::format("pads [{}, {}] on an input of length {} (kernel {}, stride {}, dilation {})", pads[0], pads[1], length, kernel, stride, dilation),
       fmt::format("[0, 0] (valid) or [{}, {}] (TFLite's SAME for this input)", left, right));
}

std::vector<float> Importer::weight_scales(const Node& n, const QConst& w, int axis, int out_channels, const std::string& what) const {
  if (w.dtype != DType::int8) fail(n, fmt::format("{} '{}' are {}", what, w.name, dtype_name(w.dtype)), "int8 weights");
  for (const std::int64_t z : w.zp)
    if (z != 0)
      fail(n, fmt::format("{} '{}' have zero point {}", what, w.name, z), "symmetric int8 weights: zero point 0 (per tensor or per output channel)");
  if (w.scale.size() == 1) return std::vector<float>(static_cast<std::size_t>(out_channels), w.scale[0]);
  if (w.axis != axis || w.scale.size() != static_cast<std::size_t>(out_channels))
    fail(n, fmt::format("{} '{}' have {} scales along axis {}", what, w.name, w.scale.size(), w.axis),
         fmt::format("one scale, or one per output channel ({} along axis {})", out_channels, axis));
  return w.scale;
}

std::vector<std::int32_t> Importer::bias(const Node& n, const Value* b, nn::QuantParams in_q, const std::vector<float>& w_scales) const {
  const std::size_t oc = w_scales.size();
  std::vector<std::int32_t> out(oc, 0);
  if (!b) return out;
  const auto expect = [&](std::size_t c) { return static_cast<double>(in_q.scale) * static_cast<double>(w_scales[c]); };
  if (b->kind == Value::Kind::dqconst) {
    const QConst& q = *b->qc;
    if (q.dtype != DType::int32) fail(n, fmt::format("bias '{}' is {}", q.name, dtype_name(q.dtype)), "an int32 bias");
    if (q.q.size() != oc) fail(n, fmt::format("bias '{}' holds {} values", q.name, q.q.size()), fmt::format("one per output channel ({})", oc));
    for (std::size_t c = 0; c < oc; ++c) {
      const double s = static_cast<double>(q.scale[q.scale.size() == 1 ? 0 : c]);
      const std::int64_t z = q.zp[q.zp.size() == 1 ? 0 : c];
      if (z != 0) fail(n, fmt::format("bias '{}' has zero point {}", q.name, z), "zero point 0");
      if (!close(s, expect(c)))
        fail(n, fmt::format("bias '{}' of output channel {} has scale {}, not input scale {} x weight scale {} = {}", q.name, c, s, in_q.scale, w_scales[c],
                            expect(c)),
             "an int32 bias with scale input_scale x weight_scale");
      out[c] = static_cast<std::int32_t>(q.q[c]);
    }
    return out;
  }
  if (b->kind == Value::Kind::constant && is_float(b->c.dtype)) {
    // A float bias (PyTorch's export): quantized as TFLite's converter does,
    // to int32 with scale input_scale x weight_scale, rounding half to even.
    if (b->c.size() != oc) fail(n, fmt::format("bias '{}' holds {} values", b->c.name, b->c.size()), fmt::format("one per output channel ({})", oc));
    for (std::size_t c = 0; c < oc; ++c) {
      const double v = round_even(b->c.values[c] / expect(c));
      out[c] = static_cast<std::int32_t>(std::clamp(v, -2147483648.0, 2147483647.0));
    }
    return out;
  }
  fail(n, fmt::format("bias is {}", kind_text(*b)), "an int32 bias through DequantizeLinear, a float bias initializer, or none");
}

std::shared_ptr<QConst> Importer::qlinear_weights(const Node& n, const std::string& operand, int axis) const {
  const Constant& wc = constant(n, 3, operand);
  const Constant& ws = constant(n, 4, operand + "_scale");
  const Constant& wz = constant(n, 5, operand + "_zero_point");
  if (wc.dtype != DType::int8) fail(n, fmt::format("weights '{}' are {}", n.inputs[3], dtype_name(wc.dtype)), "int8 weights");
  if (wz.dtype != DType::int8) fail(n, fmt::format("{}_zero_point '{}' is {}", operand, n.inputs[5], dtype_name(wz.dtype)), "an int8 zero point");
  auto w = std::make_shared<QConst>();
  w->name = n.inputs[3];
  w->dims = wc.dims;
  for (const double d : wc.values) w->q.push_back(static_cast<std::int64_t>(d));
  for (const double s : ws.values) w->scale.push_back(static_cast<float>(s));
  for (const double z : wz.values) w->zp.push_back(static_cast<std::int64_t>(z));
  if (w->zp.size() != w->scale.size() && w->zp.size() != 1)
    fail(n, fmt::format("{} weight scales but {} zero points", w->scale.size(), w->zp.size()), "as many zero points as scales");
  w->axis = axis;
  return w;
}

void Importer::conv(const Node& n, bool qlinear) {
  only_attrs(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value& x = activation(n, 0, !qlinear);
  if (x.shape.rank != 3) fail(n, fmt::format("input '{}' has shape {}", n.inputs[0], shape_text(x.shape)), "a 1-D feature map [N, C, L]");
  nn::QuantParams in_q = x.quant;
  std::shared_ptr<QConst> w;
  const Value* b = nullptr;
  if (qlinear) {
    // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B
    const nn::QuantParams xq = activation_quant(n, 1, "x");
    if (!(xq == x.quant))
      fail(n, fmt::format("states x scale {}, zero point {}; '{}' has scale {}, zero point {}", xq.scale, xq.zero_point, n.inputs[0], x.quant.scale,
                          x.quant.zero_point),
           "the input's quantization");
    w = qlinear_weights(n, "w", 0);
  } else {
    const Value& wv = value(n, 1);
    if (wv.kind == Value::Kind::constant)
      fail(n, fmt::format("weights '{}' are a {} constant without QuantizeLinear/DequantizeLinear", n.inputs[1], dtype_name(wv.c.dtype)),
           "int8 weights through DequantizeLinear (QDQ), or QLinearConv");
    if (wv.kind != Value::Kind::dqconst) fail(n, fmt::format("weights '{}' are {}", n.inputs[1], kind_text(wv)), "dequantized int8 constant weights");
    w = wv.qc;
  }
  if (w->dims.size() != 3)
    fail(n, fmt::format("weights '{}' have shape [{}]", w->name, fmt::join(w->dims, ", ")), "[M, C / group, K]: Strata runs 1-D convolutions only");
  for (const std::int64_t d : w->dims)
    if (d < 1 || d > 65535) fail(n, fmt::format("weights '{}' have shape [{}]", w->name, fmt::join(w->dims, ", ")), "dimensions 1 .. 65535");
  const int m = static_cast<int>(w->dims[0]), k = static_cast<int>(w->dims[2]);
  const int c = x.shape.channels;
  const std::int64_t group = int_attr(n, "group", 1);
  const std::vector<std::int64_t> ks = ints_attr(n, "kernel_shape", {k});
  if (ks.size() != 1 || ks[0] != k) fail(n, fmt::format("kernel_shape [{}] with weights of kernel {}", fmt::join(ks, ", "), k), fmt::format("[{}]", k));
  const std::vector<std::int64_t> strides = ints_attr(n, "strides", {1}), dil = ints_attr(n, "dilations", {1});
  if (strides.size() != 1 || dil.size() != 1 || strides[0] < 1 || dil[0] < 1 || strides[0] > 65535 || dil[0] > 65535)
    fail(n, fmt::format("strides [{}], dilations [{}]", fmt::join(strides, ", "), fmt::join(dil, ", ")), "one stride and one dilation, each 1 .. 65535");
  const int stride = static_cast<int>(strides[0]), dilation = static_cast<int>(dil[0]);
  nn::Layer l;
  l.name = layer_name(n);
  l.inputs = {x.tensor};
  l.kernel = k;
  l.stride = stride;
  l.dilation = dilation;
  const bool depthwise = group != 1;
  if (depthwise) {
    if (group != c || m != c || w->dims[1] != 1)
      fail(n, fmt::format("group {} on {} input channels with weights [{}]", group, c, fmt::join(w->dims, ", ")),
           "group 1 (conv1d) or group = C with weights [C, 1, K] (depthwise, channel multiplier 1)");
    l.kind = nn::LayerKind::depthwise_conv1d;
  } else {
    if (w->dims[1] != c)
      fail(n, fmt::format("weights '{}' [{}] on an input of {} channels", w->name, fmt::join(w->dims, ", "), c), fmt::format("weights [M, {}, K]", c));
    l.kind = nn::LayerKind::conv1d;
  }
  l.out_channels = m;
  l.padding = padding(n, x.shape.length, k, stride, dilation, false);
  const nn::Window win = nn::window(x.shape.length, k, stride, dilation, l.padding);
  if (win.out_length < 1) fail(n, fmt::format("a window of span {} on an input of length {}", (k - 1) * dilation + 1, x.shape.length), "a window that fits");
  l.weight_scales = weight_scales(n, *w, 0, m, "weights");
  // ONNX [M][C][K] -> Strata conv1d [M][K][C]; depthwise [C][1][K] -> [C][K].
  const auto cin = static_cast<std::size_t>(depthwise ? 1 : c);
  l.weights.resize(static_cast<std::size_t>(m) * static_cast<std::size_t>(k) * cin);
  for (std::size_t o = 0; o < static_cast<std::size_t>(m); ++o)
    for (std::size_t ci = 0; ci < cin; ++ci)
      for (std::size_t t = 0; t < static_cast<std::size_t>(k); ++t) {
        const std::int64_t v = w->q[(o * cin + ci) * static_cast<std::size_t>(k) + t];
        l.weights[(o * static_cast<std::size_t>(k) + t) * cin + ci] = static_cast<std::int8_t>(v);
      }
  if (qlinear) {
    const nn::QuantParams yq = activation_quant(n, 6, "y");
    if (has_input(n, 8)) {
      const Constant& bc = constant(n, 8, "B");
      if (bc.dtype != DType::int32) fail(n, fmt::format("bias '{}' is {}", n.inputs[8], dtype_name(bc.dtype)), "an int32 bias");
      if (bc.size() != static_cast<std::size_t>(m)) fail(n, fmt::format("bias '{}' holds {} values", n.inputs[8], bc.size()), fmt::format("{} values", m));
      for (const double v : bc.values) l.bias.push_back(static_cast<std::int32_t>(v));
    } else {
      l.bias.assign(static_cast<std::size_t>(m), 0);
    }
    Pending p;
    p.layer = l;
    p.shape = {3, win.out_length, m};
    p.node = node_where(n);
    set(n, emit(n, p, yq, n.outputs[0]));
    return;
  }
  if (has_input(n, 2)) b = &value(n, 2);
  l.bias = bias(n, b, in_q, l.weight_scales);
  Value v = pending_value(n, std::move(l), {3, win.out_length, m});
  v.pending->bias_given = b != nullptr;
  set(n, std::move(v));
}

void Importer::dense(const Node& n, const std::string& kind) {
  const bool qlinear = kind == "QLinearMatMul";
  if (kind == "Gemm")
    only_attrs(n, {"alpha", "beta", "transA", "transB"});
  else
    only_attrs(n, {});
  const Value& x = activation(n, 0, !qlinear);
  if (x.shape.rank != 2) fail(n, fmt::format("input '{}' has shape {}", n.inputs[0], shape_text(x.shape)), "[1, K] (Flatten or Reshape a feature map first)");
  std::shared_ptr<QConst> w;
  if (qlinear) {
    // a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
    const nn::QuantParams aq = activation_quant(n, 1, "a");
    if (!(aq == x.quant))
      fail(n, fmt::format("states a scale {}, zero point {}; '{}' has scale {}, zero point {}", aq.scale, aq.zero_point, n.inputs[0], x.quant.scale,
                          x.quant.zero_point),
           "the input's quantization");
    w = qlinear_weights(n, "b", 1);
  } else {
    const Value& wv = value(n, 1);
    if (wv.kind == Value::Kind::constant)
      fail(n, fmt::format("weights '{}' are a {} constant without QuantizeLinear/DequantizeLinear", n.inputs[1], dtype_name(wv.c.dtype)),
           "int8 weights through DequantizeLinear (QDQ), or QLinearMatMul");
    if (wv.kind != Value::Kind::dqconst) fail(n, fmt::format("weights '{}' are {}", n.inputs[1], kind_text(wv)), "dequantized int8 constant weights");
    w = wv.qc;
  }
  if (w->dims.size() != 2) fail(n, fmt::format("weights '{}' have shape [{}]", w->name, fmt::join(w->dims, ", ")), "a 2-D weight matrix");
  for (const std::int64_t d : w->dims)
    if (d < 1 || d > (std::int64_t{1} << 24)) fail(n, fmt::format("weights '{}' have shape [{}]", w->name, fmt::join(w->dims, ", ")), "dimensions 1 .. 2^24");
  const bool trans_b = kind == "Gemm" && int_attr(n, "transB", 0) != 0;
  if (kind == "Gemm") {
    if (int_attr(n, "transA", 0) != 0) fail(n, "has transA 1", "transA 0");
    if (float_attr(n, "alpha", 1.0) != 1.0 || float_attr(n, "beta", 1.0) != 1.0)
      fail(n, fmt::format("has alpha {}, beta {}", float_attr(n, "alpha", 1.0), float_attr(n, "beta", 1.0)), "alpha 1 and beta 1");
  }
  const std::int64_t features = std::int64_t{x.shape.length} * x.shape.channels;
  const std::int64_t kdim = trans_b ? w->dims[1] : w->dims[0];
  const std::int64_t units = trans_b ? w->dims[0] : w->dims[1];
  if (kdim != features)
    fail(n, fmt::format("weights '{}' [{}]{} on {} input features", w->name, fmt::join(w->dims, ", "), trans_b ? " (transB)" : "", features),
         fmt::format("{} [{}, units]", trans_b ? "[units, K] with transB" : "[K, units]", features));
  if (units < 1 || units > 65535) fail(n, fmt::format("has {} output units", units), "1 .. 65535");
  nn::Layer l;
  l.name = layer_name(n);
  l.kind = nn::LayerKind::dense;
  l.inputs = {x.tensor};
  l.out_channels = static_cast<int>(units);
  l.weight_scales = weight_scales(n, *w, trans_b ? 0 : 1, l.out_channels, "weights");
  // ONNX feature k = c * L + l of the Strata [L, C] tensor; Strata's dense
  // reads feature l * C + c.
  const auto len = static_cast<std::size_t>(x.shape.length), ch = static_cast<std::size_t>(x.shape.channels);
  const auto nu = static_cast<std::size_t>(units), nf = static_cast<std::size_t>(features);
  l.weights.resize(nu * nf);
  for (std::size_t u = 0; u < nu; ++u)
    for (std::size_t p = 0; p < len; ++p)
      for (std::size_t c = 0; c < ch; ++c) {
        const std::size_t k = c * len + p;
        l.weights[u * nf + p * ch + c] = static_cast<std::int8_t>(w->q[trans_b ? u * nf + k : k * nu + u]);
      }
  const Shape shape{2, 1, l.out_channels};
  if (qlinear) {
    const nn::QuantParams yq = activation_quant(n, 6, "y");
    l.bias.assign(nu, 0);
    Pending p;
    p.layer = l;
    p.shape = shape;
    p.node = node_where(n);
    set(n, emit(n, p, yq, n.outputs[0]));
    return;
  }
  const Value* b = kind == "Gemm" && has_input(n, 2) ? &value(n, 2) : nullptr;
  if (b && b->kind == Value::Kind::dqconst && b->qc->q.size() != nu)
    fail(n, fmt::format("bias '{}' holds {} values", b->qc->name, b->qc->q.size()), fmt::format("one per unit ({}); Strata does not broadcast a bias", nu));
  l.bias = bias(n, b, x.quant, l.weight_scales);
  Value v = pending_value(n, std::move(l), shape);
  v.pending->bias_given = b != nullptr;
  set(n, std::move(v));
}

void Importer::pool(const Node& n) {
  const bool global = n.op_type == "GlobalAveragePool";
  const bool is_max = n.op_type == "MaxPool";
  if (global)
    only_attrs(n, {});
  else if (is_max)
    only_attrs(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
  else
    only_attrs(n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "has an Indices output", "MaxPool with one output");
  const Value& x = value(n, 0);
  // MaxPool also runs on int8 directly (opset 12).
  const bool on_int8 = x.kind == Value::Kind::tensor && is_max;
  if (!on_int8) (void)activation(n, 0, true);
  if (x.shape.rank != 3) fail(n, fmt::format("input '{}' has shape {}", n.inputs[0], shape_text(x.shape)), "a 1-D feature map [N, C, L]");
  nn::Layer l;
  l.name = layer_name(n);
  l.inputs = {x.tensor};
  l.output_quant = x.quant;
  Shape out = x.shape;
  if (global) {
    l.kind = nn::LayerKind::global_avg_pool;
    out.length = 1;
  } else {
    l.kind = is_max ? nn::LayerKind::max_pool : nn::LayerKind::avg_pool;
    const std::vector<std::int64_t> ks = ints_attr(n, "kernel_shape", {});
    if (ks.size() != 1 || ks[0] < 1 || ks[0] > 65535) fail(n, fmt::format("kernel_shape [{}]", fmt::join(ks, ", ")), "one kernel size 1 .. 65535 (1-D)");
    const std::vector<std::int64_t> strides = ints_attr(n, "strides", {1}), dil = ints_attr(n, "dilations", {1});
    if (strides.size() != 1 || strides[0] < 1 || strides[0] > 65535) fail(n, fmt::format("strides [{}]", fmt::join(strides, ", ")), "one stride 1 .. 65535");
    if (dil.size() != 1 || dil[0] != 1) fail(n, fmt::format("dilations [{}]", fmt::join(dil, ", ")), "dilation 1 (Strata's pools)");
    l.kernel = static_cast<int>(ks[0]);
    l.stride = static_cast<int>(strides[0]);
    l.padding = padding(n, x.shape.length, l.kernel, l.stride, 1, true);
    const nn::Window win = nn::window(x.shape.length, l.kernel, l.stride, 1, l.padding);
    const bool padded = std::int64_t{win.out_length - 1} * l.stride + l.kernel > x.shape.length;  // a window reaches past the end
    if (!is_max && int_attr(n, "count_include_pad", 0) != 0 && l.padding == nn::Padding::same && (padded || win.pad_left > 0))
      fail(n, "has count_include_pad 1 with padding", "count_include_pad 0 (TFLite averages the taps inside the input)");
    if (win.out_length < 1) fail(n, fmt::format("kernel {} on an input of length {}", l.kernel, x.shape.length), "a window that fits");
    out.length = win.out_length;
  }
  if (is_max) {
    // The maximum of dequantized values is a dequantized value: a MaxPool
    // (on int8, or on the float view with or without a QuantizeLinear after
    // it, as PyTorch exports it) is a max_pool layer at once.
    Pending p;
    p.layer = l;
    p.shape = out;
    p.node = node_where(n);
    Value v = emit(n, p, x.quant, n.outputs[0]);
    if (!on_int8) v.kind = Value::Kind::dq;
    set(n, std::move(v));
    return;
  }
  Value v = pending_value(n, std::move(l), out);
  v.pending->fixed_quant = true;
  v.pending->quant = x.quant;
  set(n, std::move(v));
}

void Importer::clamp(const Node& n) {
  double lo = 0, hi = kInf;
  if (n.op_type == "Clip") {
    if (g_.opset < 11) {
      only_attrs(n, {"min", "max"});
      lo = float_attr(n, "min", -kInf);
      hi = float_attr(n, "max", kInf);
    } else {
      only_attrs(n, {});
      lo = has_input(n, 1) ? scalar(n, 1, "min") : -kInf;
      hi = has_input(n, 2) ? scalar(n, 2, "max") : kInf;
    }
  } else {
    only_attrs(n, {});
  }
  const Value& x = value(n, 0);
  if (x.kind == Value::Kind::pending) {
    Value v = x;
    v.pending = std::make_shared<Pending>(*x.pending);
    v.pending->clamp_lo = std::max(v.pending->clamp_lo, lo);
    v.pending->clamp_hi = std::min(v.pending->clamp_hi, hi);
    set(n, std::move(v));
    return;
  }
  if (x.kind == Value::Kind::dq || (x.kind == Value::Kind::tensor && n.op_type == "Relu")) {
    // A clamp on an existing tensor folds into the layer that made it, if
    // nothing else reads that tensor.
    const auto prod = producer_.find(x.tensor);
    if (prod == producer_.end())
      fail(n, fmt::format("clamps '{}', the model input", n.inputs[0]), "a Relu or Clip after a layer (Strata folds it into the layer's clamp)");
    const nn::Layer& pl = model_.layers[static_cast<std::size_t>(prod->second)];
    if (pl.kind == nn::LayerKind::gelu || pl.kind == nn::LayerKind::softmax)
      fail(n, fmt::format("clamps the output of {} layer '{}'", pl.kind == nn::LayerKind::gelu ? "GELU" : "softmax", pl.name),
           "a Relu or Clip after Conv, Gemm, MatMul, a pool or Add");
    const std::string& onnx_t = tensor_value_.at(x.tensor);
    const bool only_reader = uses_[onnx_t] == 1 && (x.kind == Value::Kind::tensor || uses_[n.inputs[0]] == 1);
    if (!only_reader)
      fail(n, fmt::format("clamps '{}', which is also read elsewhere", n.inputs[0]), "a Relu or Clip that is the only reader of the layer's output");
    auto p = std::make_shared<Pending>();
    p->layer = pl;
    p->shape = x.shape;
    p->clamp_lo = lo;
    p->clamp_hi = hi;
    p->fixed_quant = true;
    p->quant = x.quant;
    p->fold_into = prod->second;
    p->fold_tensor = x.tensor;
    p->node = node_where(n);
    Value v;
    v.kind = Value::Kind::pending;
    v.pending = p;
    v.shape = x.shape;
    if (x.kind == Value::Kind::tensor || n.op_type == "Relu") {
      // Relu(DequantizeLinear(q)) is DequantizeLinear(max(q, zero point)):
      // it folds at once, with or without a QuantizeLinear after it.
      Value t = emit(n, *p, x.quant, n.outputs[0]);
      if (x.kind == Value::Kind::dq) t.kind = Value::Kind::dq;
      tensor_value_[t.tensor] = n.outputs[0];
      set(n, std::move(t));
      return;
    }
    set(n, std::move(v));  // a Clip's bounds need the output's QuantizeLinear
    return;
  }
  fail(n, fmt::format("clamps '{}', which is {}", n.inputs[0], kind_text(x)), "the result of Conv, Gemm, MatMul, a pool or Add");
}

void Importer::add(const Node& n) {
  only_attrs(n, {});
  const Value& a = value(n, 0);
  const Value& b = value(n, 1);
  // MatMul + Add(constant bias) folds the bias into the dense layer.
  for (int side = 0; side < 2; ++side) {
    const Value& p = side == 0 ? a : b;
    const Value& c = side == 0 ? b : a;
    if (p.kind == Value::Kind::pending && p.pending->layer.kind == nn::LayerKind::dense && !p.pending->bias_given &&
        p.pending->clamp_lo == -kInf && p.pending->clamp_hi == kInf && (c.kind == Value::Kind::dqconst || c.kind == Value::Kind::constant)) {
      Value v = p;
      v.pending = std::make_shared<Pending>(*p.pending);
      const auto in_q = tensor_value_.contains(v.pending->layer.inputs[0]) ? values_.at(tensor_value_.at(v.pending->layer.inputs[0])).quant : nn::QuantParams{};
      v.pending->layer.bias = bias(n, &c, in_q, v.pending->layer.weight_scales);
      v.pending->bias_given = true;
      notes_.push_back(fmt::format("{}: the constant is the bias of {}", node_where(n), v.pending->node));
      set(n, std::move(v));
      return;
    }
  }
  const Value& x = activation(n, 0, true);
  const Value& y = activation(n, 1, true);
  if (!(x.shape == y.shape))
    fail(n, fmt::format("adds {} and {}", shape_text(x.shape), shape_text(y.shape)), "two tensors of the same shape (Strata's add does not broadcast)");
  nn::Layer l;
  l.name = layer_name(n);
  l.kind = nn::LayerKind::add;
  l.inputs = {x.tensor, y.tensor};
  set(n, pending_value(n, std::move(l), x.shape));
}

void Importer::reshape(const Node& n) {
  const Value& x = value(n, 0);
  if (x.kind != Value::Kind::tensor && x.kind != Value::Kind::dq)
    fail(n, fmt::format("reshapes '{}', which is {}", n.inputs[0], kind_text(x)), "an int8 tensor or its DequantizeLinear");
  Shape out = x.shape;
  const std::int64_t total = std::int64_t{x.shape.length} * x.shape.channels;
  std::vector<std::int64_t> dims;
  if (n.op_type == "Flatten") {
    only_attrs(n, {"axis"});
    const std::int64_t axis = int_attr(n, "axis", 1);
    const std::int64_t rank = x.shape.rank;
    if (axis != 1 && axis != 0 && axis != 1 - rank && axis != -rank)
      fail(n, fmt::format("has axis {} on {}", axis, shape_text(x.shape)), "axis 1 (or 0: the batch is 1), giving [1, C * L]");
    dims = {1, total};
  } else {
    only_attrs(n, {"allowzero"});
    const Constant& s = constant(n, 1, "shape");
    const std::vector<std::int64_t> in_dims = x.shape.rank == 3 ? std::vector<std::int64_t>{1, x.shape.channels, x.shape.length}
                                                                : std::vector<std::int64_t>{1, total};
    std::int64_t known = 1;
    int minus = -1;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (!(std::fabs(s.values[i]) <= static_cast<double>(std::int64_t{1} << 31)))
        fail(n, fmt::format("shape entry {} is {}", i, s.values[i]), "dimensions up to 2^31");
      auto d = static_cast<std::int64_t>(s.values[i]);
      if (d == 0 && int_attr(n, "allowzero", 0) == 0) {
        if (i >= in_dims.size()) fail(n, fmt::format("shape entry {} is 0 past the input's rank", i), "0 only where the input has a dimension");
        d = in_dims[i];
      }
      if (d == -1) {
        if (minus >= 0) fail(n, "has two -1 entries in its shape", "at most one -1");
        minus = static_cast<int>(i);
      } else {
        if (d < 1) fail(n, fmt::format("shape entry {} is {}", i, d), "positive dimensions, 0 (copy) or one -1");
        known *= d;
      }
      dims.push_back(d);
    }
    if (minus >= 0) {
      if (total % known != 0) fail(n, fmt::format("cannot reshape {} elements to [{}]", total, fmt::join(dims, ", ")), "a shape with as many elements");
      dims[static_cast<std::size_t>(minus)] = total / known;
    }
  }
  std::int64_t count = 1;
  for (const auto d : dims) count *= d;
  if (count != total) fail(n, fmt::format("reshapes {} elements to [{}]", total, fmt::join(dims, ", ")), "a shape with as many elements");
  if (dims.size() == 2 && dims[0] == 1) {
    out.rank = 2;  // the row-major flattening: a view of the same Strata tensor
  } else if (x.shape.rank == 3 && dims == std::vector<std::int64_t>{1, x.shape.channels, x.shape.length}) {
    out.rank = 3;  // unchanged
  } else if (x.shape.rank == 2 && dims.size() == 3 && dims[0] == 1 && dims[1] == x.shape.channels && dims[2] == x.shape.length) {
    out.rank = 3;  // back from the flattening it came from
  } else {
    fail(n, fmt::format("reshapes {} to [{}]", shape_text(x.shape), fmt::join(dims, ", ")),
         "[1, C * L] (the flattening of [1, C, L]) or the shape the tensor has; Strata tensors are channels-last, other reshapes move data");
  }
  Value v = x;
  v.shape = out;
  set(n, std::move(v));
}

void Importer::softmax(const Node& n) {
  only_attrs(n, {"axis"});
  const Value& x = activation(n, 0, true);
  const std::int64_t rank = x.shape.rank;
  std::int64_t axis = int_attr(n, "axis", g_.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Strata's softmax runs over the channels of each position: [1, C, L] on
  // axis 1 (opset 13+), [1, K] on axis 1.
  const bool ok = rank == 2 ? axis == 1 : (axis == 1 && (g_.opset >= 13 || x.shape.length == 1));
  if (!ok)
    fail(n, fmt::format("has axis {} on {} (opset {})", int_attr(n, "axis", g_.opset < 13 ? 1 : -1), shape_text(x.shape), g_.opset),
         "softmax over the channels: axis 1 or -1 on [1, K], axis 1 on [1, C, L] (opset 13 or later)");
  if (rank == 2 && x.shape.length != 1)
    fail(n, fmt::format("runs over a flattened {} feature map", shape_text(x.shape)), "softmax over [1, K] from a dense layer, or over the channels of [1, C, L]");
  nn::Layer l;
  l.name = layer_name(n);
  l.kind = nn::LayerKind::softmax;
  l.inputs = {x.tensor};
  Value v = pending_value(n, std::move(l), x.shape);
  v.pending->fixed_quant = true;
  v.pending->quant = nn::kSoftmaxOutputQuant;
  set(n, std::move(v));
}

void Importer::gelu_node(const Node& n) {
  only_attrs(n, {"approximate"});
  const Value& x = activation(n, 0, true);
  const std::string approx = string_attr(n, "approximate", "none");
  if (approx != "none" && approx != "tanh") fail(n, fmt::format("has approximate '{}'", approx), "none (erf) or tanh");
  nn::Layer l;
  l.name = layer_name(n);
  l.kind = nn::LayerKind::gelu;
  l.inputs = {x.tensor};
  l.gelu_form = approx == "tanh" ? golden::gelu::Form::tanh : golden::gelu::Form::erf;
  set(n, pending_value(n, std::move(l), x.shape));
}

// One step of x * 0.5 * (1 + erf(x / sqrt 2)) in any of its usual orders;
// false if the node is not one.
bool Importer::gelu_step(const Node& n) {
  const auto is_const = [&](const Value& v, double c) {
    return v.kind == Value::Kind::constant && is_float(v.c.dtype) && v.c.size() == 1 && close(v.c.values[0], c, 1e-5);
  };
  const auto make = [&](const Value& x, GeluStep s) {
    Value v;
    v.kind = Value::Kind::gelu;
    v.gelu = s;
    v.tensor = x.tensor;
    v.quant = x.quant;
    v.shape = x.shape;
    return v;
  };
  const std::string& op = n.op_type;
  if (op == "Erf") {
    const Value& a = value(n, 0);
    if (a.kind != Value::Kind::gelu || a.gelu != GeluStep::scaled) return false;
    set(n, make(a, GeluStep::erf));
    return true;
  }
  if (n.inputs.size() != 2) return false;
  const Value& a = value(n, 0);
  const Value& b = value(n, 1);
  for (int side = 0; side < 2; ++side) {
    const Value& p = side == 0 ? a : b;
    const Value& q = side == 0 ? b : a;
    if (op == "Div" && side == 0 && p.kind == Value::Kind::dq && is_const(q, std::sqrt(2.0))) {
      set(n, make(p, GeluStep::scaled));
      return true;
    }
    if (op == "Mul" && p.kind == Value::Kind::dq && is_const(q, 1.0 / std::sqrt(2.0))) {
      set(n, make(p, GeluStep::scaled));
      return true;
    }
    if (op == "Add" && p.kind == Value::Kind::gelu && p.gelu == GeluStep::erf && is_const(q, 1.0)) {
      set(n, make(p, GeluStep::one_plus_erf));
      return true;
    }
    if (op != "Mul") continue;
    if (p.kind == Value::Kind::dq && is_const(q, 0.5)) {
      set(n, make(p, GeluStep::half_x));
      return true;
    }
    if (p.kind == Value::Kind::gelu && p.gelu == GeluStep::one_plus_erf && is_const(q, 0.5)) {
      set(n, make(p, GeluStep::half_one_plus_erf));
      return true;
    }
    // x * (1 + erf): needs 0.5 still.
    if (p.kind == Value::Kind::dq && q.kind == Value::Kind::gelu && q.gelu == GeluStep::one_plus_erf && q.tensor == p.tensor) {
      set(n, make(p, GeluStep::x_one_plus_erf));
      return true;
    }
    const bool complete = (p.kind == Value::Kind::gelu && p.gelu == GeluStep::x_one_plus_erf && is_const(q, 0.5)) ||
                          (p.kind == Value::Kind::dq && q.kind == Value::Kind::gelu && q.gelu == GeluStep::half_one_plus_erf && q.tensor == p.tensor) ||
                          (p.kind == Value::Kind::gelu && p.gelu == GeluStep::half_x && q.kind == Value::Kind::gelu &&
                           q.gelu == GeluStep::one_plus_erf && q.tensor == p.tensor);
    if (complete) {
      nn::Layer l;
      l.name = layer_name(n);
      l.kind = nn::LayerKind::gelu;
      l.inputs = {p.tensor};
      l.gelu_form = golden::gelu::Form::erf;
      Shape s = p.shape;
      notes_.push_back(fmt::format("{}: the Div/Erf/Add/Mul pattern is one erf GELU layer '{}'", node_where(n), l.name));
      set(n, pending_value(n, std::move(l), s));
      return true;
    }
  }
  return false;
}

nn::Activation Importer::activation_for(const Node& q_node, const Pending& p, nn::QuantParams out_q, nn::Activation existing) const {
  // The integer clamp ONNX's QuantizeLinear makes of clip(y, lo, hi), and
  // the one of each of Strata's activations, with the existing one folded in.
  const auto code = [&](double v) {
    if (v == -kInf) return -128.0;
    if (v == kInf) return 127.0;
    return std::clamp(round_even(v / static_cast<double>(out_q.scale)) + out_q.zero_point, -128.0, 127.0);
  };
  nn::ActRange want{static_cast<int>(code(p.clamp_lo)), static_cast<int>(code(p.clamp_hi))};
  const nn::ActRange have = nn::activation_range(existing, out_q);
  want.min = std::max(want.min, have.min);
  want.max = std::min(want.max, have.max);
  for (const nn::Activation a : {nn::Activation::none, nn::Activation::relu, nn::Activation::relu6}) {
    const nn::ActRange r = nn::activation_range(a, out_q);
    if (r.min == want.min && r.max == want.max) return a;
  }
  const nn::ActRange relu = nn::activation_range(nn::Activation::relu, out_q), relu6 = nn::activation_range(nn::Activation::relu6, out_q);
  fail(q_node, fmt::format("the clamp to [{}, {}] before it (from {}) gives codes {} .. {} at scale {}, zero point {}", p.clamp_lo, p.clamp_hi, p.node, want.min,
                           want.max, out_q.scale, out_q.zero_point),
       fmt::format("a clamp Strata's activations give: none -128 .. 127, relu {} .. {} (Relu, Clip(0, inf)), relu6 {} .. {} (Clip(0, 6))", relu.min, relu.max,
                   relu6.min, relu6.max));
}

Value Importer::emit(const Node& q_node, const Pending& p, nn::QuantParams out_q, const std::string& onnx_output) {
  if (p.fixed_quant && !(out_q == p.quant)) {
    std::string why;
    if (p.layer.kind == nn::LayerKind::softmax)
      why = "TFLite's int8 softmax output: scale 1/256 (0.00390625), zero point -128";
    else if (p.fold_into >= 0)
      why = "the quantization of the tensor it clamps (the clamp folds into the layer before it)";
    else
      why = "the input's quantization (Strata's pools keep their input's)";
    fail(q_node, fmt::format("quantizes the output of {} with scale {}, zero point {}", p.node, out_q.scale, out_q.zero_point),
         fmt::format("scale {}, zero point {}: {}", p.quant.scale, p.quant.zero_point, why));
  }
  const bool clamped = p.clamp_lo != -kInf || p.clamp_hi != kInf;
  if (clamped && (p.layer.kind == nn::LayerKind::gelu || p.layer.kind == nn::LayerKind::softmax))
    fail(q_node, fmt::format("the output of {} is clamped by Relu or Clip", p.node), "a Relu or Clip after Conv, Gemm, MatMul, a pool or Add");
  Value v;
  v.kind = Value::Kind::tensor;
  v.quant = out_q;
  v.shape = p.shape;
  if (p.fold_into >= 0) {
    nn::Layer& l = model_.layers[static_cast<std::size_t>(p.fold_into)];
    l.activation = activation_for(q_node, p, out_q, l.activation);
    notes_.push_back(fmt::format("{}: the clamp folds into layer '{}' (activation {})", p.node, l.name,
                                 l.activation == nn::Activation::relu ? "relu" : l.activation == nn::Activation::relu6 ? "relu6" : "none"));
    v.tensor = p.fold_tensor;
    return v;
  }
  nn::Layer l = p.layer;
  l.output_quant = out_q;
  if (clamped) {
    l.activation = activation_for(q_node, p, out_q, nn::Activation::none);
    notes_.push_back(fmt::format("the Relu/Clip after {} is the clamp of layer '{}'", p.node, l.name));
  }
  if (layer_names_.contains(l.name) && std::any_of(model_.layers.begin(), model_.layers.end(), [&](const nn::Layer& e) { return e.name == l.name; }))
    l.name = strata_name(l.name, "layer", layer_names_);  // one pending quantized twice
  l.output = strata_name(l.name, "t", tensor_names_);  // a tensor is named after its layer (docs/model-format.md allows it)
  v.tensor = l.output;
  producer_[l.output] = static_cast<int>(model_.layers.size());
  tensor_value_[l.output] = onnx_output;
  model_.layers.push_back(std::move(l));
  return v;
}

}  // namespace strata::onnx_import::detail
