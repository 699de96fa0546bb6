#!/usr/bin/python3
"""Tests of `strata import` on ONNX models built here with onnx.helper.

For every case: build the model, import it with `strata import`, run the
Strata model on the golden model (onnx_golden_run), and compare its int8
output with
  - the TFLite reference (onnx_models.Builder): bit for bit;
  - the ONNX semantics (onnx_models.onnx_reference): within the case's
    tolerance (1 LSB where ONNX's float rescaling rounds differently).
Every malformed model must be refused with exit code 2 and its message.
It also checks that the committed fixtures (tests/onnx/fixtures, bad/) are
what this script generates, so the C++ test (test_onnx_import.cpp) runs on
current models.

  onnx_import_test.py --strata BIN --runner BIN --work DIR   run the tests
  onnx_import_test.py --write-fixtures                        regenerate the fixtures
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_models import F32, I8, I32, Builder, onnx_reference  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
BAD = os.path.join(HERE, "bad")


# ---------------------------------------------------------------------------
# The supported patterns: name -> (builder, ONNX tolerance in LSB).

def cases():
    c = {}

    def add(name, tol, b):
        c[name] = (b, tol)

    add("qdq_conv_same", 1, Builder("qdq_conv_same", [3, 16], (0.05, -3), seed=1).conv(4, 3, (0.09, 5), pads=(1, 1)))
    add("qdq_conv_per_channel_relu", 1,
        Builder("qdq_conv_per_channel_relu", [2, 20], (0.04, 10), seed=2).conv(5, 3, (0.05, -128), stride=2, dilation=2, per_channel=True, act="relu"))
    add("qdq_conv_relu6_float_bias", 1,
        Builder("qdq_conv_relu6_float_bias", [3, 12], (0.05, 0), seed=3).conv(4, 5, (0.03, -100), auto_pad="SAME_UPPER", per_channel=True, act="relu6",
                                                                               bias_style="float", weight_style="fake_quant"))
    add("qdq_conv_stride2_pads_0_1", 1,
        Builder("qdq_conv_stride2_pads_0_1", [2, 8], (0.05, 3), seed=23).conv(3, 3, (0.06, -2), stride=2, pads=(0, 1), per_channel=True))
    add("qdq_maxpool_pads_0_1", 0, Builder("qdq_maxpool_pads_0_1", [2, 8], (0.05, -9), seed=24).pool("MaxPool", 3, 2, pads=(0, 1)))
    add("qdq_depthwise", 1, Builder("qdq_depthwise", [4, 10], (0.05, 2), seed=4).conv(4, 3, (0.04, -7), group=4, per_channel=True, pads=(1, 1)))
    add("qdq_conv_no_bias_clip_relu", 1,
        Builder("qdq_conv_no_bias_clip_relu", [2, 9], (0.05, 1), seed=5).conv(3, 2, (0.02, -20), bias_style="none", act="clip", clip=(0.0, None)))
    add("qlinear_conv", 1,
        Builder("qlinear_conv", [3, 14], (0.05, -4), seed=6, int8_input=True).conv(4, 3, (0.1, 3), qlinear=True, per_channel=True, pads=(1, 1)))
    add("qdq_gemm", 1, Builder("qdq_gemm", [16], (0.05, 3), seed=7).dense(6, (0.2, -2)))
    add("qdq_gemm_per_tensor_no_trans", 1, Builder("qdq_gemm_per_tensor_no_trans", [12], (0.05, 0), seed=8).dense(5, (0.15, 1), trans_b=False, per_channel=False))
    add("qdq_matmul_add_bias_relu", 1, Builder("qdq_matmul_add_bias_relu", [10], (0.05, -1), seed=9).dense(4, (0.1, -128), op="MatMul", act="relu"))
    add("qlinear_matmul", 1, Builder("qlinear_matmul", [12], (0.05, 2), seed=10, int8_input=True).dense(5, (0.2, 0), op="QLinearMatMul"))
    add("qdq_maxpool_same", 0, Builder("qdq_maxpool_same", [3, 9], (0.05, 0), seed=11).pool("MaxPool", 2, 2, auto_pad="SAME_UPPER"))
    add("int8_maxpool", 0, Builder("int8_maxpool", [2, 10], (0.05, 0), seed=12).pool("MaxPool", 3, 1, pads=(1, 1), direct=True))
    add("qdq_avgpool", 1, Builder("qdq_avgpool", [3, 11], (0.05, 0), seed=13).pool("AveragePool", 3, 2, pads=(1, 1)))
    add("qdq_global_avgpool", 1, Builder("qdq_global_avgpool", [4, 7], (0.05, 0), seed=14).pool("GlobalAveragePool"))
    add("qdq_flatten_gemm", 1, Builder("qdq_flatten_gemm", [3, 8], (0.05, 0), seed=15).conv(4, 3, (0.1, 0), pads=(1, 1)).reshape("Flatten").dense(3, (0.3, 0)))
    add("qdq_reshape_gemm", 1,
        Builder("qdq_reshape_gemm", [2, 6], (0.05, 0), seed=16).conv(3, 3, (0.1, 0)).reshape("Reshape", (1, -1)).dense(2, (0.3, 0), op="MatMul"))
    add("qdq_softmax", 1, Builder("qdq_softmax", [8], (0.05, 0), seed=17).dense(6, (0.08, 0)).softmax())
    add("qdq_conv_softmax_channels", 1, Builder("qdq_conv_softmax_channels", [3, 6], (0.05, 0), seed=32).conv(5, 3, (0.06, 0), pads=(1, 1)).softmax())
    add("qdq_gelu_erf_pattern", 1, Builder("qdq_gelu_erf_pattern", [2, 8], (0.03, -5), seed=18).gelu((0.02, -40)))
    add("qdq_gelu_op20", 1, Builder("qdq_gelu_op20", [2, 8], (0.03, 5), seed=19, opset=20).gelu((0.025, -30), style="op"))
    add("qdq_gelu_op20_tanh", 1, Builder("qdq_gelu_op20_tanh", [2, 8], (0.03, 0), seed=20, opset=20).gelu((0.025, -30), style="op", approximate="tanh"))

    # Larger sweeps of the roundings where TFLite and ONNX may differ by 1 LSB.
    add("sweep_conv", 1, Builder("sweep_conv", [8, 64], (0.03, -7), seed=25).conv(16, 5, (0.02, 3), pads=(2, 2), per_channel=True))
    add("sweep_avgpool", 1, Builder("sweep_avgpool", [8, 64], (0.05, 0), seed=26).pool("AveragePool", 2, 1))
    add("sweep_softmax", 1, Builder("sweep_softmax", [16], (0.05, 0), seed=27).dense(32, (0.06, 0)).softmax())
    add("sweep_gelu", 1, Builder("sweep_gelu", [4, 64], (0.04, 0), seed=28).gelu((0.02, -50)))

    # Add: a residual connection, conv(x) + x, with a Relu folded into the add.
    b = Builder("qdq_residual_add_relu", [3, 10], (0.05, 4), seed=21)
    x_name, x_q, x_codes = b.q_name, b.q, b.codes.copy()
    b.conv(3, 3, (0.07, -6), pads=(1, 1)).residual_add(x_name, x_q, x_codes, (0.08, -128), act="relu")
    add("qdq_residual_add_relu", 1, b)
    b = Builder("sweep_add", [8, 64], (0.05, 4), seed=29)
    x_name, x_q, x_codes = b.q_name, b.q, b.codes.copy()
    b.conv(8, 3, (0.07, -6), pads=(1, 1), per_channel=True).residual_add(x_name, x_q, x_codes, (0.09, 2))
    add("sweep_add", 1, b)

    # Constant nodes instead of initializers: the Reshape's shape, a QuantizeLinear's scale and zero point.
    b = Builder("qdq_constant_nodes", [2, 6], (0.05, 0), seed=31).conv(3, 3, (0.1, 0))
    b.nodes += [helper.make_node("Constant", [], ["shape_c"], name="shape_c", value=numpy_helper.from_array(np.array([0, -1], dtype=np.int64))),
                helper.make_node("Reshape", [b.q_name, "shape_c"], ["flat"], name="reshape")]
    b.q_name, b.codes, b.shape = "flat", b.codes.reshape(-1), [int(b.codes.size)]
    b.dense(2, (0.3, 0))
    q_last = next(n for n in b.nodes if n.op_type == "QuantizeLinear" and n.output[0] == b.q_name)
    b.nodes.insert(b.nodes.index(q_last), helper.make_node("Constant", [], ["s_c"], name="s_c", value_float=0.3))
    b.nodes.insert(b.nodes.index(q_last), helper.make_node("Constant", [], ["z_c"], name="z_c",
                                                           value=numpy_helper.from_array(np.array(0, dtype=np.int8))))
    q_last.input[1], q_last.input[2] = "s_c", "z_c"
    add("qdq_constant_nodes", 1, b)

    # PyTorch's unfused export: Conv -> QuantizeLinear -> DequantizeLinear -> Relu -> MaxPool
    # (no QuantizeLinear between them: both results lie on the input's grid).
    b = Builder("qdq_unfused_relu_maxpool", [2, 12], (0.05, 0), seed=30).conv(3, 3, (0.04, -20), pads=(1, 1))
    x = b.dequantize(b.q_name, b.q)
    b.nodes += [helper.make_node("Relu", [x], ["r"], name="relu"), helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2], strides=[2])]
    b.q_name = b.quantize("p", b.q)
    r = np.maximum(b.codes, b.q[1])
    b.codes = r.reshape(r.shape[0], -1, 2).max(axis=2)
    b.shape = list(b.codes.shape)
    add("qdq_unfused_relu_maxpool", 0, b)

    # A pulse-processing chain: conv+relu, maxpool, conv+relu, global pool, dense.
    b = Builder("pulse_chain", [1, 32], (0.02, -100), seed=22)
    b.conv(4, 5, (0.05, -128), pads=(2, 2), act="relu", per_channel=True).pool("MaxPool", 2, 2)
    b.conv(6, 3, (0.06, -128), pads=(1, 1), act="relu", per_channel=True).pool("GlobalAveragePool").reshape("Flatten").dense(8, (0.1, 0))
    add("pulse_chain", None, b)
    return c


def strata_output_to_onnx(data, shape, onnx_shape):
    """A Strata [L, C] tensor in ONNX's layout (batch dropped): [C, L] or flat."""
    a = np.asarray(data, dtype=np.int64).reshape(shape)  # [L, C]
    if len(onnx_shape) == 2:
        return a.T.reshape(-1) if shape[0] > 1 else a.reshape(-1)
    return a.T


def strata_input(codes):
    """ONNX-layout input codes ([C, L] or [K]) as a Strata tensor file."""
    a = np.asarray(codes)
    arr = a.T if a.ndim == 2 else a.reshape(1, -1)
    return {"format": "strata-tensor", "version": 1, "shape": list(arr.shape), "data": [int(v) for v in arr.reshape(-1)]}


def expectation(b, tol):
    model = b.model()
    x = b.input_codes
    q = b.q
    if b.graph_input.type.tensor_type.elem_type == TensorProto.INT8:
        feed = x.astype(np.int8)[None]
    else:
        feed = ((x - b.input_q()[1]).astype(np.float32) * np.float32(b.input_q()[0]))[None]
    env = onnx_reference_env(model, feed)
    onnx_out = np.asarray(env[b.q_name]).astype(np.int64)[0]
    exp = {"input": strata_input(x), "onnx_shape": list(onnx_out.shape), "onnx": [int(v) for v in onnx_out.reshape(-1)],
           "tflite": None if b.codes is None else [int(v) for v in np.asarray(b.codes).reshape(-1)], "tolerance": tol}
    del q
    return model, exp


def onnx_reference_env(model, feed):
    m = onnx.ModelProto()
    m.CopyFrom(model)
    # evaluate every value: list them all as outputs of the copy
    names = [o for n in m.graph.node for o in n.output]
    del m.graph.output[:]
    for nm in names:
        m.graph.output.append(helper.make_tensor_value_info(nm, TensorProto.UNDEFINED, None))
    return onnx_reference(m, feed)


# ---------------------------------------------------------------------------
# Malformed and unsupported models: name -> (bytes, expected message part).

def bad_models():
    bad = {}
    good = cases()["qdq_conv_same"][0].model().SerializeToString()
    bad["not_protobuf"] = (b"this is a text file, not an ONNX model\n" * 3, "is not a valid ONNX protobuf")
    bad["truncated"] = (good[: len(good) * 2 // 3], "is not a valid ONNX protobuf")
    bad["empty"] = (b"", "the file: is empty")
    bad["no_graph"] = (onnx.ModelProto(ir_version=8).SerializeToString(), "parses as protobuf but is no ONNX model")

    def build(name, edit, opset=13):
        b = Builder(name, [3, 16], (0.05, -3), seed=1, opset=opset)
        edit(b)
        return b

    def conv_model(**kw):
        return Builder("m", [3, 16], (0.05, -3), seed=1).conv(4, 3, (0.09, 5), pads=(1, 1), **kw).model()

    m = conv_model()
    w_dq = next(n for n in m.graph.node if n.op_type == "DequantizeLinear" and n.input[0].startswith("w_"))
    w_init = w_dq.input[0]
    m.graph.initializer.remove(next(t for t in m.graph.initializer if t.name == w_init))
    bad["missing_initializer"] = (m.SerializeToString(), f"'{w_init}' is neither an initializer")

    m = conv_model()
    t = next(t for t in m.graph.initializer if t.name == w_init)
    t.CopyFrom(numpy_helper.from_array(np.ones((4, 5, 3), dtype=np.int8), w_init))
    bad["wrong_weight_shape"] = (m.SerializeToString(), "on an input of 3 channels")

    m = conv_model()
    t = next(t for t in m.graph.initializer if t.name == w_init)
    t.raw_data = t.raw_data[:-5]
    bad["short_raw_data"] = (m.SerializeToString(), "bytes of raw data")

    m = conv_model()
    t = next(t for t in m.graph.initializer if t.name == w_init)
    t.CopyFrom(numpy_helper.from_array(np.ones((4, 3, 3, 3), dtype=np.int8), w_init))
    bad["conv2d"] = (m.SerializeToString(), "Strata runs 1-D convolutions only")

    m = conv_model()
    q0 = next(n for n in m.graph.node if n.op_type == "QuantizeLinear")
    zp = next(t for t in m.graph.initializer if t.name == q0.input[2])
    zp.CopyFrom(numpy_helper.from_array(np.array(128, dtype=np.uint8), q0.input[2]))
    bad["uint8_zero_point"] = (m.SerializeToString(), "is uint8; allowed: an int8 zero point")

    m = conv_model()
    q0 = next(n for n in m.graph.node if n.op_type == "QuantizeLinear")
    del q0.input[2]
    bad["missing_zero_point"] = (m.SerializeToString(), "no zero point, which ONNX defines as uint8 0")

    m = conv_model()
    conv = next(n for n in m.graph.node if n.op_type == "Conv")
    m.graph.initializer.append(numpy_helper.from_array(np.ones((4, 3, 3), dtype=np.float32), "w_float"))
    conv.input[1] = "w_float"
    bad["float_weights"] = (m.SerializeToString(), "float constant without QuantizeLinear/DequantizeLinear")

    m = conv_model()
    wz = next(t for t in m.graph.initializer if t.name == w_dq.input[2])
    wz.CopyFrom(numpy_helper.from_array(np.array(3, dtype=np.int8), w_dq.input[2]))
    bad["weight_zero_point"] = (m.SerializeToString(), "have zero point 3; allowed: symmetric int8 weights")

    m = conv_model()
    conv = next(n for n in m.graph.node if n.op_type == "Conv")
    for a in conv.attribute:
        if a.name == "pads":
            a.ints[:] = [2, 0]
    bad["pads"] = (m.SerializeToString(), "allowed: [0, 0] (valid) or [1, 1] (TFLite's SAME")

    m = conv_model()
    b_dq = next(n for n in m.graph.node if n.op_type == "DequantizeLinear" and n.input[0].startswith("b_"))
    bs = next(t for t in m.graph.initializer if t.name == b_dq.input[1])
    bs.CopyFrom(numpy_helper.from_array(np.array(0.001, dtype=np.float32), b_dq.input[1]))
    bad["bias_scale"] = (m.SerializeToString(), "not input scale")

    m = conv_model()
    t = next(t for t in m.graph.initializer if t.name == w_init)
    t.data_location = TensorProto.EXTERNAL
    t.ClearField("raw_data")
    t.external_data.add(key="location", value="weights.bin")
    bad["external_data"] = (m.SerializeToString(), "keeps its data in an external file")

    # Unsupported operators: all of them are listed with their nodes.
    m = conv_model()
    last = m.graph.output[0].name
    m.graph.node.extend([helper.make_node("Sigmoid", [last], ["s1"], name="sig1"), helper.make_node("Tanh", ["s1"], ["t1"], name="tanh1"),
                         helper.make_node("Sigmoid", ["t1"], ["s2"], name="sig2")])
    m.graph.output[0].name = "s2"
    bad["unsupported_ops"] = (m.SerializeToString(), "Sigmoid (nodes 'sig1', 'sig2'); Tanh (node 'tanh1')")

    m = conv_model()
    m.graph.node.append(helper.make_node("LSTM", ["y"], ["h"], name="lstm", domain="com.example"))
    bad["unsupported_domain"] = (m.SerializeToString(), "com.example.LSTM (node 'lstm')")

    m = conv_model()
    conv = next(n for n in m.graph.node if n.op_type == "Conv")
    qout = next(n for n in m.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == conv.output[0])
    m.graph.node.remove(qout)
    m.graph.node.remove(next(n for n in m.graph.node if n.output[0] == "y"))
    m.graph.output[0].name = conv.output[0]
    bad["float_output"] = (m.SerializeToString(), "every float result must be quantized")

    b = Builder("m", [3, 16], (0.05, -3), seed=1)
    x = b.dequantize(b.q_name, b.q)
    b.q_name = b.quantize(x, (0.07, 0))
    b.q = (0.07, 0)
    bad["requantize"] = (b.model().SerializeToString(), "Strata has no requantize layer")

    b = Builder("m", [3, 16], (0.05, -3), seed=1)
    x = b.dequantize(b.q_name, b.q)
    b.nodes.append(helper.make_node("AveragePool", [x], ["p"], name="pool", kernel_shape=[2], strides=[2]))
    b.q_name, b.q = b.quantize("p", (0.1, 0)), (0.1, 0)
    bad["pool_requantize"] = (b.model().SerializeToString(), "Strata's pools keep their input's")

    b = Builder("m", [3, 16], (0.05, -3), seed=1).conv(4, 3, (0.09, 5), pads=(1, 1), act="clip", clip=(-1.0, 1.0))
    bad["clip_range"] = (b.model().SerializeToString(), "allowed: a clamp Strata's activations give")

    b = Builder("m", [8], (0.05, 0), seed=1).dense(6, (0.08, 0))
    x = b.dequantize(b.q_name, b.q)
    b.nodes.append(helper.make_node("Softmax", [x], ["sm"], name="sm", axis=-1))
    b.q_name, b.q = b.quantize("sm", (1.0 / 255.0, -128)), (1.0 / 255.0, -128)
    bad["softmax_quant"] = (b.model().SerializeToString(), "TFLite's int8 softmax output")

    b = Builder("m", [2, 8], (0.05, 0), seed=1)
    x = b.dequantize(b.q_name, b.q)
    b.nodes.append(helper.make_node("Mul", [x, b.const("three", np.float32(3.0), F32)], ["m3"], name="mul3"))
    b.q_name = b.quantize("m3", (0.1, 0))
    bad["stray_mul"] = (b.model().SerializeToString(), "is not part of the GELU pattern")

    b = Builder("m", [3, 16], (0.05, -3), seed=1)
    m = b.model()
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 4
    bad["batch"] = (m.SerializeToString(), "has batch size 4")

    b = Builder("m", [3, 11], (0.05, 0), seed=1).pool("AveragePool", 3, 2, pads=(1, 1))
    m = b.model()
    next(n for n in m.graph.node if n.op_type == "AveragePool").attribute.append(helper.make_attribute("count_include_pad", 1))
    bad["avgpool_count_include_pad"] = (m.SerializeToString(), "has count_include_pad 1 with padding")

    m = Builder("m", [12], (0.05, 0), seed=1).dense(4, (0.1, 0)).model()
    next(a for a in next(n for n in m.graph.node if n.op_type == "Gemm").attribute if a.name == "transB").i = 1
    gemm = next(n for n in m.graph.node if n.op_type == "Gemm")
    gemm.attribute.append(helper.make_attribute("alpha", 2.0))
    bad["gemm_alpha"] = (m.SerializeToString(), "has alpha 2, beta 1; allowed: alpha 1 and beta 1")

    m = Builder("m", [4, 10], (0.05, 0), seed=1).conv(4, 3, (0.04, 0), group=2, pads=(1, 1)).model()
    bad["grouped_conv"] = (m.SerializeToString(), "allowed: group 1 (conv1d) or group = C")

    b = Builder("m", [3, 16], (0.05, -3), seed=1, opset=17)
    b.gelu((0.02, 0), style="op")
    bad["gelu_before_opset20"] = (b.model().SerializeToString(), "Gelu (node")
    del build
    return bad


# ---------------------------------------------------------------------------

def write_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    os.makedirs(BAD, exist_ok=True)
    for name, (b, tol) in cases().items():
        model, exp = expectation(b, tol)
        with open(os.path.join(FIXTURES, name + ".onnx"), "wb") as f:
            f.write(model.SerializeToString())
        with open(os.path.join(FIXTURES, name + ".expect.json"), "w") as f:
            json.dump(exp, f, separators=(",", ":"))
            f.write("\n")
    expect = {}
    for name, (data, msg) in bad_models().items():
        with open(os.path.join(BAD, name + ".onnx"), "wb") as f:
            f.write(data)
        expect[name + ".onnx"] = msg
    with open(os.path.join(BAD, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(cases())} fixtures to {FIXTURES} and {len(expect)} bad models to {BAD}")


def run_tests(strata, runner, work, fuzz_seed):
    os.makedirs(work, exist_ok=True)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print(("PASS " if ok else "FAIL ") + what)

    for name, (b, tol) in cases().items():
        model, exp = expectation(b, tol)
        onnx_path = os.path.join(work, name + ".onnx")
        with open(onnx_path, "wb") as f:
            f.write(model.SerializeToString())
        # the committed fixture must be this very model
        fixture = os.path.join(FIXTURES, name + ".onnx")
        same = os.path.exists(fixture) and open(fixture, "rb").read() == model.SerializeToString()
        same = same and json.load(open(os.path.join(FIXTURES, name + ".expect.json"))) == json.loads(json.dumps(exp))
        check(same, f"{name}: committed fixture is current (else run {sys.argv[0]} --write-fixtures)")
        json_path = os.path.join(work, name + ".json")
        r = subprocess.run([strata, "import", onnx_path, "-o", json_path], capture_output=True, text=True)
        if r.returncode != 0:
            check(False, f"{name}: strata import failed: {r.stderr.strip()}")
            continue
        in_path, out_path = os.path.join(work, name + ".in.json"), os.path.join(work, name + ".out.json")
        with open(in_path, "w") as f:
            json.dump(exp["input"], f)
        r = subprocess.run([runner, json_path, in_path, out_path], capture_output=True, text=True)
        if r.returncode != 0:
            check(False, f"{name}: golden run failed: {r.stderr.strip()}")
            continue
        outs = json.load(open(out_path))["outputs"]
        (t,) = outs.values()
        got = strata_output_to_onnx(t["data"], t["shape"], [1] + exp["onnx_shape"]).reshape(-1)
        onnx_ref = np.asarray(exp["onnx"])
        if exp["tflite"] is not None:
            tfl = np.asarray(exp["tflite"]).reshape(-1)
            check(np.array_equal(got, tfl), f"{name}: golden output equals the TFLite reference bit for bit ({got.size} values)")
        diff = np.abs(got - onnx_ref)
        if exp["tolerance"] is None:
            print(f"info {name}: against ONNX's float semantics end to end: max |diff| {int(diff.max())} LSB, {int(np.sum(diff == 0))}/{diff.size} equal")
        else:
            check(int(diff.max()) <= exp["tolerance"],
                  f"{name}: within {exp['tolerance']} LSB of ONNX's semantics (max {int(diff.max())}, {int(np.sum(diff == 0))}/{diff.size} equal)")

    # Committed fixtures made elsewhere (the PyTorch export of
    # export_torch_qat.py): import, run every input, compare with ONNX.
    made_here = set(cases())
    for f in sorted(os.listdir(FIXTURES)):
        name = f[:-len(".onnx")]
        if not f.endswith(".onnx") or name in made_here:
            continue
        exp = json.load(open(os.path.join(FIXTURES, name + ".expect.json")))
        json_path = os.path.join(work, name + ".json")
        r = subprocess.run([strata, "import", os.path.join(FIXTURES, f), "-o", json_path], capture_output=True, text=True)
        if r.returncode != 0:
            check(False, f"{name}: strata import failed: {r.stderr.strip()}")
            continue
        worst, equal, total = 0, 0, 0
        for k, sample in enumerate([exp] + exp.get("more", [])):
            in_path, out_path = os.path.join(work, f"{name}.{k}.in.json"), os.path.join(work, f"{name}.{k}.out.json")
            with open(in_path, "w") as fh:
                json.dump(sample["input"], fh)
            r = subprocess.run([runner, json_path, in_path, out_path], capture_output=True, text=True)
            if r.returncode != 0:
                check(False, f"{name}: golden run failed: {r.stderr.strip()}")
                break
            (t,) = json.load(open(out_path))["outputs"].values()
            got = strata_output_to_onnx(t["data"], t["shape"], [1] + exp["onnx_shape"]).reshape(-1)
            diff = np.abs(got - np.asarray(sample["onnx"]))
            worst, equal, total = max(worst, int(diff.max())), equal + int(np.sum(diff == 0)), total + diff.size
        check(worst <= exp["tolerance"], f"{name}: {len(exp.get('more', [])) + 1} inputs within {exp['tolerance']} LSB of ONNX's semantics "
                                         f"(max {worst}, {equal}/{total} equal)")

    expect = json.load(open(os.path.join(BAD, "expect.json")))
    for name, (data, msg) in bad_models().items():
        fixture = os.path.join(BAD, name + ".onnx")
        check(os.path.exists(fixture) and open(fixture, "rb").read() == data and expect.get(name + ".onnx") == msg,
              f"bad/{name}: committed fixture is current")
        path = os.path.join(work, "bad_" + name + ".onnx")
        with open(path, "wb") as f:
            f.write(data)
        r = subprocess.run([strata, "import", path, "-o", os.path.join(work, "bad_" + name + ".json")], capture_output=True, text=True)
        ok = r.returncode == 2 and msg in r.stderr and os.path.basename(path) in r.stderr
        check(ok, f"bad/{name}: refused with exit 2 and '{msg}'" + ("" if ok else f" (exit {r.returncode}: {r.stderr.strip()})"))
    crashes = fuzz(strata, work, fuzz_seed, 200)
    check(not crashes, f"fuzz (--fuzz-seed {fuzz_seed}): 200 corrupted fixtures each imported or refused with exit 2" +
          ("" if not crashes else f"; not so: {crashes}"))
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def fuzz(strata, work, seed, count):
    """Corrupts committed fixtures (bytes, attributes, inputs, dims, types,
    node order, input shape) and imports each: every one must import (exit
    0) or be refused with a message (exit 2), never crash or fail otherwise."""
    rng = np.random.default_rng(seed)
    files = sorted(os.path.join(FIXTURES, f) for f in os.listdir(FIXTURES) if f.endswith(".onnx"))
    vals = [-(2 ** 40), -5, -1, 0, 1, 2, 3, 7, 65536, 2 ** 31, 2 ** 40]
    bad = []
    for i in range(count):
        path = files[rng.integers(len(files))]
        if i % 2 == 0:
            data = bytearray(open(path, "rb").read())
            for _ in range(int(rng.integers(1, 5))):
                data[int(rng.integers(len(data)))] = int(rng.integers(256))
            data = bytes(data)
        else:
            m = onnx.load(path)
            nodes, inits = m.graph.node, m.graph.initializer
            for _ in range(int(rng.integers(1, 4))):
                kind = int(rng.integers(6))
                nd = nodes[int(rng.integers(len(nodes)))]
                t = inits[int(rng.integers(len(inits)))]
                if kind == 0:
                    for a in nd.attribute:
                        if a.ints:
                            a.ints[int(rng.integers(len(a.ints)))] = int(rng.choice(vals))
                        elif a.type == onnx.AttributeProto.INT:
                            a.i = int(rng.choice(vals))
                elif kind == 1 and nd.input:
                    del nd.input[int(rng.integers(len(nd.input)))]
                elif kind == 2 and t.dims:
                    t.dims[int(rng.integers(len(t.dims)))] = int(rng.choice([0, 1, 2, 3, 5]))
                elif kind == 3:
                    t.data_type = int(rng.choice([1, 2, 3, 5, 6, 7, 8, 9, 10, 11]))
                elif kind == 4:
                    a, b = int(rng.integers(len(nodes))), int(rng.integers(len(nodes)))
                    na, nb = onnx.NodeProto(), onnx.NodeProto()
                    na.CopyFrom(nodes[a])
                    nb.CopyFrom(nodes[b])
                    nodes[a].CopyFrom(nb)
                    nodes[b].CopyFrom(na)
                else:
                    d = m.graph.input[0].type.tensor_type.shape.dim
                    d[int(rng.integers(len(d)))].dim_value = int(rng.choice([0, 1, 2, 3, 100000]))
            data = m.SerializeToString()
        p = os.path.join(work, "fuzz.onnx")
        with open(p, "wb") as f:
            f.write(data)
        r = subprocess.run([strata, "import", p, "-o", os.path.join(work, "fuzz.json"), "-q"], capture_output=True, text=True, errors="replace",
                           timeout=120)
        if r.returncode not in (0, 2):
            keep = os.path.join(work, f"fuzz_{i}.onnx")
            with open(keep, "wb") as f:
                f.write(data)
            bad.append(f"{keep}: exit {r.returncode}: {r.stderr.strip()[:200]}")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata")
    ap.add_argument("--runner")
    ap.add_argument("--work")
    ap.add_argument("--write-fixtures", action="store_true")
    ap.add_argument("--fuzz-seed", type=int, default=1, help="seed of the corrupted models (printed; replays a run)")
    a = ap.parse_args()
    if a.write_fixtures:
        write_fixtures()
        return 0
    if not (a.strata and a.runner and a.work):
        ap.error("--strata, --runner and --work are required to run the tests")
    return run_tests(a.strata, a.runner, a.work, a.fuzz_seed)


if __name__ == "__main__":
    sys.exit(main())
