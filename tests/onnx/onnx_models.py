"""ONNX test models for `strata import`, built with onnx.helper, and two
references for each, both independent of the importer:

- onnx_reference(): the ONNX operator semantics, evaluated op by op with
  numpy in float32 as the ONNX operator spec defines them (QuantizeLinear
  rounds half to even; QLinearConv and QLinearMatMul rescale in float).
- the TFLite reference: the same layers in TFLite's int8 fixed-point
  arithmetic (QuantizeMultiplier, SaturatingRoundingDoublingHighMul,
  RoundingDivideByPOT, ADD's two rescalings, AveragePool's rounding), built
  up alongside the graph by the Builder from the same integers and scales.

Strata follows TFLite, so its output must equal the TFLite reference bit for
bit; against ONNX's float semantics it may differ by 1 LSB where the
roundings differ (see docs/onnx-import.md).

Tensors in this file are ONNX-shaped: [C, L] for a [1, C, L] feature map
(batch dropped), [K] for [1, K].
"""

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

I8 = TensorProto.INT8
I32 = TensorProto.INT32
F32 = TensorProto.FLOAT

# ---------------------------------------------------------------------------
# TFLite's integer arithmetic (mirrors tensorflow/lite/kernels/internal/common.h).

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real):
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(round_half_away(q * (1 << 31)))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def round_half_away(v):
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def srdhm(a, b):
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    # C++ division truncates towards zero
    v = ab + nudge
    q = abs(v) // (1 << 31)
    return q if v >= 0 else -q


def rdbpot(x, exponent):
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mbqm(x, m):
    mult, shift = m
    left, right = max(shift, 0), max(-shift, 0)
    x = max(INT32_MIN, min(INT32_MAX, x * (1 << left)))
    return rdbpot(srdhm(x, mult), right)


def act_range(act, q):
    scale, zp = q
    lo, hi = -128, 127
    if act in ("relu", "relu6"):
        lo = max(lo, zp + int(np.round(np.float32(0.0) / np.float32(scale))))
    if act == "relu6":
        hi = min(hi, zp + int(round_half_away(float(np.float32(6.0) / np.float32(scale)))))
    return lo, hi


def tfl_requant(acc, in_s, w_scales, out_q, act):
    """acc: int64 [M, ...] accumulators (bias included), one row per output channel."""
    lo, hi = act_range(act, out_q)
    out = np.zeros(acc.shape, dtype=np.int64)
    for m in range(acc.shape[0]):
        mult = quantize_multiplier(float(np.float32(in_s)) * float(np.float32(w_scales[m])) / float(np.float32(out_q[0])))
        for idx in np.ndindex(acc.shape[1:]):
            a = int(max(INT32_MIN, min(INT32_MAX, acc[(m,) + idx])))
            out[(m,) + idx] = min(hi, max(lo, mbqm(a, mult) + out_q[1]))
    return out


def same_pads(length, kernel, stride, dilation):
    out = (length + stride - 1) // stride
    span = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + span - length, 0)
    return [total // 2, total - total // 2]


def int_conv(x, zp, w, bias, stride, dilation, pads, group):
    """Exact integer 1-D convolution: x [C, L] codes, w [M, C/group, K]."""
    c, length = x.shape
    m, cg, k = w.shape
    xp = np.zeros((c, length + pads[0] + pads[1]), dtype=np.int64)
    xp[:, pads[0]:pads[0] + length] = x.astype(np.int64) - zp  # padding reads the zero point: 0 after the offset
    span = (k - 1) * dilation + 1
    out_len = (xp.shape[1] - span) // stride + 1
    acc = np.zeros((m, out_len), dtype=np.int64)
    per = m // group
    for o in range(m):
        g = o // per
        for p in range(out_len):
            s = int(bias[o])
            for ci in range(cg):
                for t in range(k):
                    s += int(w[o, ci, t]) * int(xp[g * cg + ci, p * stride + t * dilation])
            acc[o, p] = s
    return acc


# ---------------------------------------------------------------------------
# The builder: ONNX nodes and the TFLite reference together.


class Builder:
    def __init__(self, name, shape, in_q, seed, int8_input=False, opset=13):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.opset = opset
        self.count = 0
        self.shape = list(shape)  # [C, L] or [K]
        onnx_shape = [1] + self.shape
        lo, hi = -128, 127
        self.input_codes = self.rng.integers(lo, hi + 1, size=self.shape).astype(np.int64)
        if int8_input:
            self.graph_input = helper.make_tensor_value_info("x", I8, onnx_shape)
            self.q_name = "x"
        else:
            self.graph_input = helper.make_tensor_value_info("x", F32, onnx_shape)
            self.q_name = self.quantize("x", in_q, "x_q")
        self.q = in_q
        self.in_q = in_q
        self.codes = self.input_codes.copy()  # TFLite reference codes of the current tensor

    def input_q(self):
        return self.in_q

    def uniq(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, name, array, dtype):
        arr = np.asarray(array)
        np_type = {I8: np.int8, I32: np.int32, F32: np.float32, TensorProto.INT64: np.int64, TensorProto.UINT8: np.uint8}[dtype]
        self.inits.append(numpy_helper.from_array(arr.astype(np_type), name))
        return name

    def quantize(self, x, q, out=None, zp_dtype=I8):
        out = out or self.uniq("q")
        s = self.const(self.uniq("s"), np.float32(q[0]), F32)
        z = self.const(self.uniq("zp"), q[1], zp_dtype)
        self.nodes.append(helper.make_node("QuantizeLinear", [x, s, z], [out], name=self.uniq("Q")))
        return out

    def dequantize(self, x, q, out=None):
        out = out or self.uniq("dq")
        s = self.const(self.uniq("s"), np.float32(q[0]), F32)
        z = self.const(self.uniq("zp"), q[1], I8)
        self.nodes.append(helper.make_node("DequantizeLinear", [x, s, z], [out], name=self.uniq("DQ")))
        return out

    def dq_const(self, base, q, scales, axis, dtype):
        """DequantizeLinear of an integer initializer; per-tensor when one scale."""
        data = self.const(self.uniq(base), q, dtype)
        s = self.const(self.uniq(base + "_s"), np.asarray(scales, dtype=np.float32).reshape(-1) if len(scales) > 1 else np.float32(scales[0]), F32)
        zshape = (len(scales),) if len(scales) > 1 else ()
        z = self.const(self.uniq(base + "_zp"), np.zeros(zshape), dtype)
        out = self.uniq(base + "_dq")
        self.nodes.append(helper.make_node("DequantizeLinear", [data, s, z], [out], name=self.uniq("DQw"), axis=axis))
        return out

    def weights(self, shape, per_channel):
        w = self.rng.integers(-127, 128, size=shape).astype(np.int64)
        m = shape[0]
        scales = [float(np.float32(self.rng.uniform(0.002, 0.01))) for _ in range(m if per_channel else 1)]
        return w, scales

    # -- layers ---------------------------------------------------------------

    def conv(self, m, k, out_q, stride=1, dilation=1, pads=(0, 0), group=1, per_channel=False, act="none", clip=None,
             bias_style="int32", weight_style="int8", qlinear=False, auto_pad=None):
        c, length = self.shape
        w, scales = self.weights((m, c // group, k), per_channel)
        wsc = scales if per_channel else scales * m
        bias = self.rng.integers(-2000, 2000, size=m).astype(np.int64)
        pads = list(pads)
        attrs = dict(kernel_shape=[k], strides=[stride], dilations=[dilation], group=group)
        if auto_pad:
            attrs["auto_pad"] = auto_pad
            eff = same_pads(length, k, stride, dilation) if auto_pad.startswith("SAME") else [0, 0]
        else:
            attrs["pads"] = pads
            eff = pads
        out = self.uniq("conv")
        if qlinear:
            wn = self.const(self.uniq("w"), w, I8)
            ws = self.const(self.uniq("w_s"), np.asarray(scales, dtype=np.float32) if per_channel else np.float32(scales[0]), F32)
            wz = self.const(self.uniq("w_zp"), np.zeros(m if per_channel else ()), I8)
            xs = self.const(self.uniq("x_s"), np.float32(self.q[0]), F32)
            xz = self.const(self.uniq("x_zp"), self.q[1], I8)
            ys = self.const(self.uniq("y_s"), np.float32(out_q[0]), F32)
            yz = self.const(self.uniq("y_zp"), out_q[1], I8)
            bn = self.const(self.uniq("b"), bias, I32)
            self.nodes.append(helper.make_node("QLinearConv", [self.q_name, xs, xz, wn, ws, wz, ys, yz, bn], [out], name=self.uniq("qconv"), **attrs))
            self.advance(int_conv(self.codes, self.q[1], w, bias, stride, dilation, eff, group), wsc, out_q, act, out, quantized=True)
            return self
        x = self.dequantize(self.q_name, self.q)
        if weight_style == "int8":
            wn = self.dq_const("w", w, scales, 0, I8)
        else:  # float weights fake-quantized by QuantizeLinear/DequantizeLinear (PyTorch's QAT export)
            wf = (w * np.asarray(wsc, dtype=np.float32)[:, None, None]).astype(np.float32)
            wfn = self.const(self.uniq("wf"), wf, F32)
            s = self.const(self.uniq("w_s"), np.asarray(scales, dtype=np.float32) if per_channel else np.float32(scales[0]), F32)
            z = self.const(self.uniq("w_zp"), np.zeros(m if per_channel else ()), I8)
            wq = self.uniq("wq")
            self.nodes.append(helper.make_node("QuantizeLinear", [wfn, s, z], [wq], name=self.uniq("Qw"), axis=0))
            wn = self.uniq("wdq")
            self.nodes.append(helper.make_node("DequantizeLinear", [wq, s, z], [wn], name=self.uniq("DQw"), axis=0))
        inputs = [x, wn]
        if bias_style == "int32":
            bscales = [float(np.float32(np.float32(self.q[0]) * np.float32(s))) for s in wsc]
            inputs.append(self.dq_const("b", bias, bscales if per_channel else bscales[:1], 0, I32))
        elif bias_style == "float":
            bf = np.asarray([bias[i] * float(np.float32(self.q[0])) * wsc[i] for i in range(m)], dtype=np.float32)
            inputs.append(self.const(self.uniq("bf"), bf, F32))
            # the importer rounds the float bias back to int32 as TFLite's converter does
            bias = np.asarray([round(float(bf[i]) / (float(np.float32(self.q[0])) * float(np.float32(wsc[i])))) for i in range(m)], dtype=np.int64)
        else:
            bias = np.zeros(m, dtype=np.int64)
        self.nodes.append(helper.make_node("Conv", inputs, [out], name=self.uniq("conv"), **attrs))
        out = self.clamp(out, act, clip)
        if act == "clip":  # the clamp Strata folds it into, for the TFLite reference
            act = {(0.0, None): "relu", (0.0, 6.0): "relu6"}.get(tuple(clip), "none")
        self.advance(int_conv(self.codes, self.q[1], w, bias, stride, dilation, eff, group), wsc, out_q, act, out)
        return self

    def clamp(self, x, act, clip):
        if act == "none":
            return x
        out = self.uniq("act")
        if act == "relu" and clip is None:
            self.nodes.append(helper.make_node("Relu", [x], [out], name=self.uniq("relu")))
        else:
            lo, hi = clip if clip is not None else (0.0, 6.0)
            ins = [x, self.const(self.uniq("min"), np.float32(lo), F32)]
            if hi is not None:
                ins.append(self.const(self.uniq("max"), np.float32(hi), F32))
            self.nodes.append(helper.make_node("Clip", ins, [out], name=self.uniq("clip")))
        return out

    def advance(self, acc, wsc, out_q, act, out, quantized=False):
        self.codes = tfl_requant(acc, self.q[0], wsc, out_q, act)
        self.q_name = out if quantized else self.quantize(out, out_q)
        self.q = out_q
        self.shape = list(self.codes.shape)

    def dense(self, units, out_q, op="Gemm", trans_b=True, per_channel=True, act="none", bias=True):
        k = int(np.prod(self.shape))
        w, scales = self.weights((units, k), per_channel)
        wsc = scales if per_channel else scales * units
        b = self.rng.integers(-3000, 3000, size=units).astype(np.int64)
        if not bias or op == "QLinearMatMul":  # QLinearMatMul has no bias input
            b = np.zeros(units, dtype=np.int64)
        flat = self.codes.reshape(-1).astype(np.int64) - self.q[1]  # ONNX's row-major flattening of [C, L]
        acc = (w @ flat + b)[:, None]
        out = self.uniq(op.lower())
        if op == "QLinearMatMul":
            wn = self.const(self.uniq("w"), w.T, I8)
            ws = self.const(self.uniq("w_s"), np.asarray(scales, dtype=np.float32) if per_channel else np.float32(scales[0]), F32)
            wz = self.const(self.uniq("w_zp"), np.zeros(units if per_channel else ()), I8)
            xs = self.const(self.uniq("a_s"), np.float32(self.q[0]), F32)
            xz = self.const(self.uniq("a_zp"), self.q[1], I8)
            ys = self.const(self.uniq("y_s"), np.float32(out_q[0]), F32)
            yz = self.const(self.uniq("y_zp"), out_q[1], I8)
            self.nodes.append(helper.make_node("QLinearMatMul", [self.q_name, xs, xz, wn, ws, wz, ys, yz], [out], name=self.uniq("qmatmul")))
            self.codes = tfl_requant(acc, self.q[0], wsc, out_q, "none")[:, 0]
            self.q_name, self.q, self.shape = out, out_q, [units]
            return self
        x = self.dequantize(self.q_name, self.q)
        bscales = [float(np.float32(np.float32(self.q[0]) * np.float32(s))) for s in wsc]
        if op == "Gemm":
            wn = self.dq_const("w", w if trans_b else w.T, scales, 0 if trans_b else 1, I8)
            ins = [x, wn] + ([self.dq_const("b", b, bscales if per_channel else bscales[:1], 0, I32)] if bias else [])
            self.nodes.append(helper.make_node("Gemm", ins, [out], name=self.uniq("gemm"), transB=1 if trans_b else 0))
        else:  # MatMul, then Add of the bias
            wn = self.dq_const("w", w.T, scales, 1, I8)
            mm = self.uniq("mm") if bias else out
            self.nodes.append(helper.make_node("MatMul", [x, wn], [mm], name=self.uniq("matmul")))
            if bias:
                bn = self.dq_const("b", b, bscales if per_channel else bscales[:1], 0, I32)
                self.nodes.append(helper.make_node("Add", [mm, bn], [out], name=self.uniq("bias_add")))
        out = self.clamp(out, act, None)
        self.codes = tfl_requant(acc, self.q[0], wsc, out_q, act)[:, 0]
        self.q_name, self.q, self.shape = self.quantize(out, out_q), out_q, [units]
        return self

    def pool(self, op, kernel=2, stride=2, pads=(0, 0), direct=False, auto_pad=None, act="none"):
        c, length = self.shape
        out = self.uniq(op.lower())
        attrs = {} if op == "GlobalAveragePool" else dict(kernel_shape=[kernel], strides=[stride])
        eff = [0, 0]
        if op != "GlobalAveragePool":
            if auto_pad:
                attrs["auto_pad"] = auto_pad
                eff = same_pads(length, kernel, stride, 1) if auto_pad.startswith("SAME") else [0, 0]
            else:
                attrs["pads"] = list(pads)
                eff = list(pads)
        src = self.q_name if direct else self.dequantize(self.q_name, self.q)
        self.nodes.append(helper.make_node(op, [src], [out], name=self.uniq(op.lower()), **attrs))
        if op == "GlobalAveragePool":
            kernel, stride = length, 1
        out_len = (length + eff[0] + eff[1] - kernel) // stride + 1
        res = np.zeros((c, out_len), dtype=np.int64)
        for ch in range(c):
            for o in range(out_len):
                lo, hi = max(o * stride - eff[0], 0), min(o * stride - eff[0] + kernel, length)
                taps = [int(v) for v in self.codes[ch, lo:hi]]
                if op == "MaxPool":
                    res[ch, o] = max(taps)
                else:
                    s, n = sum(taps), len(taps)
                    res[ch, o] = (s + n // 2) // n if s > 0 else -((-s + n // 2) // n)  # TFLite: half away from zero
        if act != "none":
            out = self.clamp(out, act, None)
            lo, hi = act_range(act, self.q)
            res = np.clip(res, lo, hi)
        self.codes, self.shape = res, [c, out_len]
        self.q_name = out if direct else self.quantize(out, self.q)
        return self

    def reshape(self, op="Flatten", shape=(1, -1)):
        out = self.uniq(op.lower())
        if op == "Flatten":
            self.nodes.append(helper.make_node("Flatten", [self.q_name], [out], name=self.uniq("flatten"), axis=1))
        else:
            s = self.const(self.uniq("shape"), np.asarray(shape), TensorProto.INT64)
            self.nodes.append(helper.make_node("Reshape", [self.q_name, s], [out], name=self.uniq("reshape")))
        self.q_name = out
        self.codes = self.codes.reshape(-1)
        self.shape = [int(self.codes.size)]
        return self

    def softmax(self):
        x = self.dequantize(self.q_name, self.q)
        out = self.uniq("softmax")
        self.nodes.append(helper.make_node("Softmax", [x], [out], name=self.uniq("softmax"), axis=-1 if len(self.shape) == 1 else 1))
        self.q = (1.0 / 256.0, -128)
        self.q_name = self.quantize(out, self.q)
        self.codes = None  # no TFLite reference: the softmax unit's own arithmetic (at most 1 LSB from exact)
        return self

    def gelu(self, out_q, style="erf_pattern", approximate="none"):
        x = self.dequantize(self.q_name, self.q)
        out = self.uniq("gelu")
        if style == "op":
            self.nodes.append(helper.make_node("Gelu", [x], [out], name=self.uniq("gelu"), approximate=approximate))
        else:  # PyTorch's export of nn.GELU() before opset 20
            d, e, a, m = (self.uniq(n) for n in ("div", "erf", "add", "mul"))
            self.nodes += [
                helper.make_node("Div", [x, self.const(self.uniq("sqrt2"), np.float32(1.4142135381698608), F32)], [d], name=self.uniq("Div")),
                helper.make_node("Erf", [d], [e], name=self.uniq("Erf")),
                helper.make_node("Add", [e, self.const(self.uniq("one"), np.float32(1.0), F32)], [a], name=self.uniq("Add")),
                helper.make_node("Mul", [x, a], [m], name=self.uniq("Mul")),
                helper.make_node("Mul", [m, self.const(self.uniq("half"), np.float32(0.5), F32)], [out], name=self.uniq("Mul")),
            ]
        self.q = out_q
        self.q_name = self.quantize(out, out_q)
        self.codes = None  # reference: ONNX semantics (the table is correctly rounded in float64)
        return self

    def residual_add(self, other_q_name, other_q, other_codes, out_q, act="none"):
        a = self.dequantize(self.q_name, self.q)
        b = self.dequantize(other_q_name, other_q)
        out = self.uniq("add")
        self.nodes.append(helper.make_node("Add", [a, b], [out], name=self.uniq("add")))
        out = self.clamp(out, act, None)
        # TFLite ADD: both inputs to 2 * max(scale) with left shift 20, then to the output.
        s1, s2 = float(np.float32(self.q[0])), float(np.float32(other_q[0]))
        twice = float(np.float32(2.0) * np.float32(max(s1, s2)))
        m1, m2 = quantize_multiplier(s1 / twice), quantize_multiplier(s2 / twice)
        mo = quantize_multiplier(twice / ((1 << 20) * float(np.float32(out_q[0]))))
        lo, hi = act_range(act, out_q)
        res = np.zeros(self.codes.shape, dtype=np.int64)
        for idx in np.ndindex(self.codes.shape):
            v1 = (int(self.codes[idx]) - self.q[1]) * (1 << 20)
            v2 = (int(other_codes[idx]) - other_q[1]) * (1 << 20)
            raw = mbqm(v1, m1) + mbqm(v2, m2)
            res[idx] = min(hi, max(lo, mbqm(raw, mo) + out_q[1]))
        self.codes, self.q = res, out_q
        self.q_name = self.quantize(out, out_q)
        return self

    def model(self, dq_output=True):
        if getattr(self, "_model", None) is not None:
            return self._model
        out_name = self.q_name
        if dq_output:
            out_name = self.dequantize(self.q_name, self.q, "y")
        elem = F32 if dq_output else I8
        graph = helper.make_graph(self.nodes, self.name, [self.graph_input],
                                  [helper.make_tensor_value_info(out_name, elem, [1] + self.shape)], self.inits)
        m = helper.make_model(graph, producer_name="strata-tests", opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        self._model = m
        return m


# ---------------------------------------------------------------------------
# ONNX semantics in numpy (float32), op by op.


def _attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _axis_shape(scale, x, axis):
    s = np.asarray(scale)
    if s.size == 1:
        return s.reshape(())
    shape = [1] * x.ndim
    shape[axis] = s.size
    return s.reshape(shape)


def _conv1d(x, w, b, node):
    # x [N, C, L] float32, w [M, C/g, K]
    n, c, length = x.shape
    m, cg, k = w.shape
    group = _attr(node, "group", 1)
    stride = _attr(node, "strides", [1])[0]
    dil = _attr(node, "dilations", [1])[0]
    auto_pad = _attr(node, "auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        p = same_pads(length, k, stride, dil)
        pads = p if auto_pad == "SAME_UPPER" else p[::-1]
    elif auto_pad == "VALID":
        pads = [0, 0]
    else:
        pads = list(_attr(node, "pads", [0, 0]))
    xp = np.zeros((n, c, length + pads[0] + pads[1]), dtype=np.float64)
    xp[:, :, pads[0]:pads[0] + length] = x
    span = (k - 1) * dil + 1
    out_len = (xp.shape[2] - span) // stride + 1
    y = np.zeros((n, m, out_len), dtype=np.float64)
    per = m // group
    for o in range(m):
        g = o // per
        for p in range(out_len):
            taps = xp[:, g * cg:(g + 1) * cg, p * stride:p * stride + span:dil]
            y[:, o, p] = np.sum(taps * w[o].astype(np.float64), axis=(1, 2))
    if b is not None:
        y += np.asarray(b, dtype=np.float64)[None, :, None]
    return y, pads


def _pool(x, node, op):
    n, c, length = x.shape
    if op == "GlobalAveragePool":
        return np.mean(x, axis=2, keepdims=True)
    k = _attr(node, "kernel_shape")[0]
    stride = _attr(node, "strides", [1])[0]
    auto_pad = _attr(node, "auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    pads = same_pads(length, k, stride, 1) if auto_pad.startswith("SAME") else ([0, 0] if auto_pad == "VALID" else list(_attr(node, "pads", [0, 0])))
    out_len = (length + pads[0] + pads[1] - k) // stride + 1
    y = np.zeros((n, c, out_len), dtype=np.float64)
    for o in range(out_len):
        lo, hi = max(o * stride - pads[0], 0), min(o * stride - pads[0] + k, length)
        win = x[:, :, lo:hi]
        y[:, :, o] = np.max(win, axis=2) if op == "MaxPool" else np.mean(win, axis=2)  # count_include_pad 0
    return y


def onnx_reference(model, x):
    """Evaluates `model` on input x (numpy, ONNX shape with batch) by the ONNX spec."""
    g = model.graph
    env = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    env[g.input[0].name] = x
    f32 = np.float32

    def q(v, scale, zp, axis=1):
        s = _axis_shape(scale, v, axis).astype(f32)
        z = _axis_shape(zp, v, axis).astype(np.int64)
        r = np.rint(np.asarray(v, dtype=f32) / s).astype(np.int64) + z
        return np.clip(r, -128, 127).astype(np.int8) if np.asarray(zp).dtype == np.int8 else np.clip(r, 0, 255).astype(np.uint8)

    def dq(v, scale, zp, axis=1):
        s = _axis_shape(scale, v, axis).astype(f32)
        z = _axis_shape(zp if zp is not None else 0, v, axis).astype(np.int64)
        return ((np.asarray(v).astype(np.int64) - z).astype(f32) * s).astype(f32)

    def rescale_int(acc, mult, zp):
        r = np.rint(acc.astype(np.float64) * mult.astype(np.float64)).astype(np.int64) + zp
        return np.clip(r, -128, 127).astype(np.int8)

    for node in g.node:
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            a = node.attribute[0]
            if a.name == "value":
                out = numpy_helper.to_array(a.t)
            elif a.name == "value_float":
                out = np.float32(a.f)
            elif a.name == "value_floats":
                out = np.asarray(a.floats, dtype=f32)
            elif a.name == "value_int":
                out = np.int64(a.i)
            else:
                out = np.asarray(a.ints, dtype=np.int64)
        elif op == "Identity":
            out = ins[0]
        elif op == "QuantizeLinear":
            v = ins[0]
            axis = _attr(node, "axis", 1)
            out = q(v, ins[1], ins[2], axis if v.ndim > 1 else 0)
        elif op == "DequantizeLinear":
            v = ins[0]
            axis = _attr(node, "axis", 1)
            out = dq(v, ins[1], ins[2] if len(ins) > 2 else None, axis if v.ndim > 1 else 0)
        elif op == "Conv":
            y, _ = _conv1d(ins[0].astype(np.float64), ins[1], ins[2] if len(ins) > 2 else None, node)
            out = y.astype(f32)
        elif op == "QLinearConv":
            x_, xs, xz, w, ws, wz, ys, yz = ins[:8]
            b = ins[8] if len(ins) > 8 else None
            acc, _ = _conv1d(x_.astype(np.int64) - int(xz), w.astype(np.int64) - np.asarray(wz).reshape(-1, 1, 1).astype(np.int64), b, node)
            mult = (f32(xs) * np.asarray(ws, dtype=f32) / f32(ys)).astype(f32).reshape(1, -1, 1) if np.asarray(ws).size > 1 else f32(f32(xs) * f32(ws) / f32(ys))
            out = rescale_int(np.rint(acc).astype(np.int64), np.asarray(mult), int(yz))
        elif op == "QLinearMatMul":
            a, as_, az, b, bs, bz, ys, yz = ins
            acc = (a.astype(np.int64) - int(az)) @ (b.astype(np.int64) - np.asarray(bz).reshape(1, -1).astype(np.int64))
            mult = (f32(as_) * np.asarray(bs, dtype=f32).reshape(1, -1) / f32(ys)).astype(f32)
            out = rescale_int(acc, mult, int(yz))
        elif op == "Gemm":
            a, b = ins[0].astype(np.float64), ins[1].astype(np.float64)
            if _attr(node, "transB", 0):
                b = b.T
            out = a @ b
            if len(ins) > 2 and ins[2] is not None:
                out = out + ins[2]
            out = out.astype(f32)
        elif op == "MatMul":
            out = (ins[0].astype(np.float64) @ ins[1].astype(np.float64)).astype(f32)
        elif op in ("MaxPool", "AveragePool", "GlobalAveragePool"):
            v = ins[0]
            out = _pool(v.astype(np.float64), node, op)
            out = out.astype(v.dtype) if v.dtype == np.int8 else out.astype(f32)
        elif op == "Relu":
            out = np.maximum(ins[0], 0).astype(ins[0].dtype)
        elif op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else -np.inf
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else np.inf
            out = np.clip(ins[0], lo, hi).astype(f32)
        elif op in ("Add", "Mul", "Div"):
            a, b = ins[0].astype(f32), ins[1].astype(f32)
            out = (a + b) if op == "Add" else (a * b) if op == "Mul" else (a / b)
            out = out.astype(f32)
        elif op == "Erf":
            out = np.vectorize(math.erf)(ins[0].astype(np.float64)).astype(f32)
        elif op == "Gelu":
            v = ins[0].astype(np.float64)
            if _attr(node, "approximate", b"none") in (b"tanh", "tanh"):
                out = 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
            else:
                out = 0.5 * v * (1 + np.vectorize(math.erf)(v / math.sqrt(2)))
            out = out.astype(f32)
        elif op == "Flatten":
            v = ins[0]
            out = v.reshape(v.shape[0], -1)
        elif op == "Reshape":
            shape = [int(s) for s in ins[1]]
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            out = ins[0].reshape(shape)
        elif op == "Softmax":
            v = ins[0].astype(np.float64)
            axis = _attr(node, "axis", -1)
            e = np.exp(v - np.max(v, axis=axis, keepdims=True))
            out = (e / np.sum(e, axis=axis, keepdims=True)).astype(f32)
        else:
            raise ValueError(f"onnx_reference: no semantics for {op}")
        env[node.output[0]] = out
    return {o.name: env[o.name] for o in g.output}
