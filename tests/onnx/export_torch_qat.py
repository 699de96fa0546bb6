#!/usr/bin/python3
"""Exports the committed PyTorch fixture tests/onnx/fixtures/torch_qat_cnn1d.onnx:
a tiny 1-D CNN trained with PyTorch's eager-mode quantization-aware training
(torch.ao.quantization fake quantization: int8 activations per tensor, int8
weights per output channel, symmetric) on synthetic pulses, exported to ONNX
opset 13 as PyTorch exports it (QuantizeLinear/DequantizeLinear pairs, float
biases, a MaxPool and a Flatten without fake quantization after them).

It needs Debian's python3-torch, which the tests do not: the exported model
and its expectation (input, ONNX reference, tolerance) are committed, and
onnx_import_test.py / test_onnx_import.cpp check them like every fixture.
Deterministic: the seed fixes the pulses, the initial weights and the
training.

  /usr/bin/python3 tests/onnx/export_torch_qat.py
"""

import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.intrinsic as nni
import torch.nn.intrinsic.qat as nniqat
import torch.nn.qat as nnqat
from torch import nn
from torch.ao import quantization as tq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_import_test import FIXTURES, onnx_reference_env, strata_input  # noqa: E402

LENGTH = 32
SEED = 7


def pulses(n, rng):
    """Double-exponential pulses with a random amplitude and a random
    sub-sample arrival time, plus noise; targets: amplitude and arrival."""
    t = np.arange(LENGTH, dtype=np.float64)
    amp = rng.uniform(0.2, 1.0, n)
    t0 = rng.uniform(4.0, 12.0, n)
    x = np.zeros((n, 1, LENGTH))
    for i in range(n):
        d = np.clip(t - t0[i], 0, None)
        x[i, 0] = amp[i] * (np.exp(-d / 6.0) - np.exp(-d / 1.5)) * (t >= t0[i]) * 2.0
    x += rng.normal(0, 0.01, x.shape)
    return torch.tensor(x, dtype=torch.float32), torch.tensor(np.stack([amp, t0 / LENGTH], 1), dtype=torch.float32)


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv1d(1, 4, 5, padding=2)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(4, 4, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.fc = nn.Linear(4 * LENGTH // 2, 2)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool(self.relu1(self.conv1(x)))
        x = self.relu2(self.conv2(x))
        x = torch.flatten(x, 1)
        return self.dequant(self.fc(x))


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = Cnn()
    model = tq.fuse_modules_qat(model.train(), [["conv1", "relu1"], ["conv2", "relu2"]])
    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
                                    qscheme=torch.per_tensor_affine)
    weight = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
                                       qscheme=torch.per_channel_symmetric, ch_axis=0)
    model.qconfig = tq.QConfig(activation=act, weight=weight)
    mapping = tq.get_default_qat_module_mappings()
    mapping.update({nn.Conv1d: nnqat.Conv1d, nni.ConvReLU1d: nniqat.ConvReLU1d})
    tq.prepare_qat(model, mapping=mapping, inplace=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = pulses(512, rng)
    for _ in range(1500):
        i = torch.from_numpy(rng.integers(0, len(x), 64))
        loss = nn.functional.mse_loss(model(x[i]), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    model.apply(tq.disable_observer)
    xt, yt = pulses(64, rng)
    with torch.no_grad():
        pred = model(xt)
        test_loss = nn.functional.mse_loss(pred, yt).item()
    print(f"trained: train loss {loss.item():.5f}, test loss {test_loss:.5f} (target variance {yt.var(0).mean().item():.5f})")

    path = os.path.join(FIXTURES, "torch_qat_cnn1d.onnx")
    torch.onnx.export(model, xt[:1], path, opset_version=13, input_names=["pulse"], output_names=["estimate"], do_constant_folding=True)
    m = onnx.load(path)
    m.graph.name = "torch_qat_cnn1d"
    onnx.save(m, path)
    print("ops:", sorted({n.op_type for n in m.graph.node}))

    # The expectation: test pulses quantized by the model's first
    # QuantizeLinear, each with the ONNX reference of the int8 output before
    # the final DequantizeLinear.
    q0 = next(n for n in m.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "pulse")
    consts = {t.name: onnx.numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = onnx.numpy_helper.to_array(n.attribute[0].t)
    s, z = float(consts[q0.input[1]]), int(consts[q0.input[2]])
    last_dq = next(n for n in m.graph.node if n.output[0] == m.graph.output[0].name)
    samples = []
    for i in range(16):
        codes = np.clip(np.rint(xt[i].numpy() / np.float32(s)) + z, -128, 127).astype(np.int64)  # [1, L]
        feed = ((codes - z).astype(np.float32) * np.float32(s))[None]
        out = np.asarray(onnx_reference_env(m, feed)[last_dq.input[0]]).astype(np.int64)[0]
        samples.append({"input": strata_input(codes), "onnx": [int(v) for v in out.reshape(-1)]})
    # "more": further test pulses, each with its ONNX reference.
    exp = {"input": samples[0]["input"], "onnx_shape": list(out.shape), "onnx": samples[0]["onnx"], "tflite": None, "tolerance": 2,
           "more": samples[1:]}
    with open(os.path.join(FIXTURES, "torch_qat_cnn1d.expect.json"), "w") as f:
        json.dump(exp, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
