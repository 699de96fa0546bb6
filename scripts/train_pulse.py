#!/usr/bin/python3
"""Trains the PulseDL-style network that `strata pulse` evaluates, and writes
it as the committed model files (docs/train.md):

  models/pulse_cnn_trained.onnx        PyTorch's QDQ export (opset 13)
  models/pulse_cnn_trained.json        the Strata model (`strata import` of the .onnx)
  models/pulse_cnn_trained.pulse.json  how ADC codes become the network's input and
                                       its int8 outputs become a time (ns) and an energy

The pulses come from `strata pulses` (the simulator of docs/pulse.md, its
defaults: CR-RC^4, tau 10 ns, 12-bit ADC at 125 MSPS, 32 samples), at
PulseDL-II's 47.4 dB and over 30 .. 60 dB for robustness, from fixed seeds
(1001 and up for training, 2001 and up for validation; `strata pulse` tests on
seed 2 and tunes its baselines on seed 1, as scripts/bench_pulse.sh does).

The network (--widths, --hidden): conv1d(1 -> 16, k 5) + ReLU, max pool 2,
conv1d(16 -> 16, k 3) + ReLU, max pool 2, conv1d(16 -> 32, k 3) + ReLU,
flatten, dense 256 -> 64 + ReLU, dense 64 -> 2 x COPIES (time, energy): the
layers gen/configs/nn_pulse.yaml's engine has (conv1d, dense, max_pool),
'same' padding as TFLite pads it.
Training: float first, then quantization-aware training with PyTorch's eager
fake quantization in the engine's scheme (int8 activations per tensor, int8
symmetric weights per output channel, quant_min -128, int32 biases), as
tests/onnx/export_torch_qat.py does. The last layer's int8 output is the
precision trap of the bench (one step of the energy output is 0.4% of full
scale): each output is computed COPIES times with biases offset by 1/COPIES of
an output step (a subtractive dither), and the host averages the copies, which
gives the int8 output log2(COPIES) more bits at the cost of a few MACs
(--copies, default 8).

Needs Debian's python3-torch (only this script: the trained model is committed).
Deterministic with --seed (one thread; the same bytes for the same seed on this
machine's PyTorch build).

  /usr/bin/python3 scripts/train_pulse.py [--strata build/bin/strata] [--seed 1] [--out models/pulse_cnn_trained]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.intrinsic as nni
import torch.nn.intrinsic.qat as nniqat
import torch.nn.qat as nnqat
from torch import nn
from torch.ao import quantization as tq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SAMPLES = 32
OFFSET = 400.0        # network input = (ADC code - OFFSET) / DIVISOR: the nominal
DIVISOR = 3000.0      # baseline and the largest amplitude, so pulses span 0 .. 1
T_OFFSET_NS = 32.0    # time output 0 .. 1 spans the arrival range [32, 40) ns
T_SCALE_NS = 8.0
E_SCALE = 3000.0      # energy output = amplitude / E_SCALE (amplitude.max)
# Training sets: (SNR dB, pulses); validation at 47.4 dB.
TRAIN_SETS = [(47.4, 24000), (30, 4000), (35, 4000), (40, 4000), (45, 4000), (50, 4000), (55, 4000), (60, 4000)]
VALID = (47.4, 4000)


def read_dataset(path):
    head = np.fromfile(path, dtype="<u4", count=8)
    n = int(head[6])
    rec = np.dtype([("x", "<i2", (n,)), ("t0_ns", "<f8"), ("amplitude", "<f8")])
    return np.fromfile(path, dtype=rec, offset=128)


def simulate(strata, work, snr, count, seed):
    path = os.path.join(work, f"pulses_{snr}_{seed}.bin")
    subprocess.run([strata, "pulses", "--snr-db", str(snr), "--count", str(count), "--seed", str(seed), "-o", path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return read_dataset(path)


SPLIT_BITS = 4        # --split-input: channel 0 = code >> 4, channel 1 = code & 15
SPLIT_SCALE = 1.0 / 256


def tensors(d, snr, split):
    if split:
        codes = d["x"].astype(np.int64)
        x = torch.tensor(np.stack([codes >> SPLIT_BITS, codes & ((1 << SPLIT_BITS) - 1)], 1).astype(np.float32) * np.float32(SPLIT_SCALE))
    else:
        x = torch.tensor((d["x"].astype(np.float32) - np.float32(OFFSET)) / np.float32(DIVISOR))[:, None, :]
    t = (d["t0_ns"] - T_OFFSET_NS) / T_SCALE_NS
    e = d["amplitude"] / E_SCALE
    # Each pulse's errors are weighed against its SNR's noise: the Cramer-Rao
    # bound scales as 10^(-SNR/20), so every SNR counts alike.
    f = np.full(len(d), 10 ** ((47.4 - snr) / 20))
    return x, torch.tensor(np.stack([t, e, f], 1), dtype=torch.float32)


class PulseCnn(nn.Module):
    def __init__(self, channels, widths, hidden):
        super().__init__()
        c1, c2, c3 = widths
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv1d(channels, c1, 5, padding=2)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool1d(2)
        self.conv2 = nn.Conv1d(c1, c2, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool1d(2)
        self.conv3 = nn.Conv1d(c2, c3, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.fc1 = nn.Linear(c3 * SAMPLES // 4, hidden)
        self.relu4 = nn.ReLU()
        self.fc2 = nn.Linear(hidden, 2)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.conv3(x))
        x = torch.flatten(x, 1)
        x = self.relu4(self.fc1(x))
        return self.dequant(self.fc2(x))


# The loss weights each output by the resolution it should reach: time in
# units of 60 ps, energy relative to the true energy in units of 0.4%.
T_UNIT = 0.060 / T_SCALE_NS
E_UNIT = 0.004


def loss_fn(pred, y):
    dt = (pred[:, 0] - y[:, 0]) / (T_UNIT * y[:, 2])
    de = (pred[:, 1] - y[:, 1]) / (y[:, 1] * E_UNIT * y[:, 2])
    return (dt * dt).mean() + (de * de).mean()


def resolutions(pred, y):
    """(time sigma in ps, energy sigma in %) of predictions against targets."""
    dt = (pred[:, 0] - y[:, 0]).numpy() * T_SCALE_NS * 1000
    de = (pred[:, 1] / y[:, 1] - 1).numpy() * 100
    return float(np.std(dt, ddof=1)), float(np.std(de, ddof=1))


def train(model, x, y, xv, yv, epochs, lr, rng, label, log, freeze=None):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    batch = 256
    for ep in range(epochs):
        model.train()
        if freeze is not None and ep == freeze:
            # The quantization ranges stop moving: the rest of QAT trains
            # the weights for fixed scales.
            model.apply(tq.disable_observer)
            log(f"{label}: quantization ranges frozen after {ep} epochs")
        perm = torch.from_numpy(rng.permutation(len(x)))
        for i in range(0, len(x) - batch + 1, batch):
            idx = perm[i:i + batch]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if ep % 5 == 4 or ep == epochs - 1:
            model.eval()
            with torch.no_grad():
                st, se = resolutions(model(xv), yv)
            log(f"{label} epoch {ep + 1}/{epochs}: loss {loss.item():.3f}, validation {st:.1f} ps, {se:.3f}%")


def add_copies(model, copies):
    """The last layer computes every output `copies` times, the k-th with its
    bias offset by (k - (copies - 1) / 2) / copies output steps; the mean of
    the copies is the output on a grid `copies` times finer."""
    fc = model.fc2
    scale = float(fc.activation_post_process.scale)
    offs = (torch.arange(copies, dtype=torch.float32) - (copies - 1) / 2) / copies * scale
    with torch.no_grad():
        w = fc.weight.repeat_interleave(copies, 0)
        b = fc.bias.repeat_interleave(copies, 0) + offs.repeat(fc.out_features)
    fc.weight = nn.Parameter(w)
    fc.bias = nn.Parameter(b)
    fc.out_features *= copies
    wfq = fc.weight_fake_quant
    wfq.scale = wfq.scale.repeat_interleave(copies, 0)
    wfq.zero_point = wfq.zero_point.repeat_interleave(copies, 0)
    obs = wfq.activation_post_process
    obs.min_val = obs.min_val.repeat_interleave(copies, 0)
    obs.max_val = obs.max_val.repeat_interleave(copies, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--strata", default=os.path.join(ROOT, "build", "bin", "strata"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "pulse_cnn_trained"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "train_pulse"))
    ap.add_argument("--float-epochs", type=int, default=60)
    ap.add_argument("--qat-epochs", type=int, default=25)
    ap.add_argument("--qat-lr", type=float, default=1e-3)
    ap.add_argument("--freeze", type=int, default=4, help="QAT epochs before the quantization ranges are frozen")
    ap.add_argument("--copies", type=int, default=8, help="copies of each output, averaged by the host (1: none)")
    ap.add_argument("--widths", default="16,16,32", help="output channels of conv1, conv2, conv3")
    ap.add_argument("--hidden", type=int, default=64, help="units of the hidden dense layer")
    ap.add_argument("--split-input", action="store_true", help="two input channels: the ADC code's high 8 and low 4 bits")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the training set to use (quick trials)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.work, exist_ok=True)
    start = time.time()

    def log(msg):
        print(f"[{time.time() - start:6.1f} s] {msg}", flush=True)

    parts = [tensors(simulate(a.strata, a.work, snr, max(1, int(n * a.scale)), 1000 * a.seed + 1 + i), snr, a.split_input)
             for i, (snr, n) in enumerate(TRAIN_SETS)]
    x = torch.cat([p[0] for p in parts])
    y = torch.cat([p[1] for p in parts])
    xv, yv = tensors(simulate(a.strata, a.work, VALID[0], VALID[1], 1000 * a.seed + 1001), VALID[0], a.split_input)
    log(f"data: {len(x)} training pulses ({', '.join(f'{n} at {s} dB' for s, n in TRAIN_SETS)}; seeds {1000 * a.seed + 1}..), "
        f"{len(xv)} validation pulses at {VALID[0]} dB")

    model = PulseCnn(2 if a.split_input else 1, [int(v) for v in a.widths.split(",")], a.hidden)
    train(model, x, y, xv, yv, a.float_epochs, 3e-3, rng, "float", log)

    model = tq.fuse_modules_qat(model.train(), [["conv1", "relu1"], ["conv2", "relu2"], ["conv3", "relu3"], ["fc1", "relu4"]])
    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
                                    qscheme=torch.per_tensor_affine)
    weight = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127, dtype=torch.qint8,
                                       qscheme=torch.per_channel_symmetric, ch_axis=0)
    model.qconfig = tq.QConfig(activation=act, weight=weight)
    mapping = tq.get_default_qat_module_mappings()
    mapping.update({nn.Conv1d: nnqat.Conv1d, nni.ConvReLU1d: nniqat.ConvReLU1d})
    if a.split_input:
        # The split input is exact on the grid of scale 1/256, zero point -128.
        fixed = tq.FixedQParamsFakeQuantize.with_args(observer=tq.FixedQParamsObserver.with_args(
            scale=SPLIT_SCALE, zero_point=-128, dtype=torch.qint8, quant_min=-128, quant_max=127))
        model.quant.qconfig = tq.QConfig(activation=fixed, weight=weight)
    tq.prepare_qat(model, mapping=mapping, inplace=True)
    train(model, x, y, xv, yv, a.qat_epochs, a.qat_lr, rng, "QAT", log, freeze=a.freeze)
    model.eval()
    model.apply(tq.disable_observer)
    with torch.no_grad():
        st, se = resolutions(model(xv), yv)
    log(f"int8 (fake quantization): validation {st:.1f} ps, {se:.3f}%")
    if a.copies > 1:
        add_copies(model, a.copies)
        with torch.no_grad():
            p = model(xv).reshape(len(xv), 2, a.copies).mean(2)
            st, se = resolutions(p, yv)
        log(f"int8 with {a.copies} copies of each output: validation {st:.1f} ps, {se:.3f}%")

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    onnx_path = a.out + ".onnx"
    torch.onnx.export(model, xv[:1], onnx_path, opset_version=13, input_names=["pulse"], output_names=["estimate"], do_constant_folding=True)
    m = onnx.load(onnx_path)
    m.graph.name = "pulse_cnn_trained"
    m.producer_name = "strata scripts/train_pulse.py"
    onnx.save(m, onnx_path)
    subprocess.run([a.strata, "import", onnx_path, "-o", a.out + ".json", "--name", "pulse_cnn_trained"], check=True)
    elapsed = time.time() - start
    pulse = {
        "format": "strata-pulse-model",
        "version": 1,
        "model": os.path.basename(a.out) + ".json",
        "input": ({"split_bits": SPLIT_BITS, "rule": "q[0] = (code >> split_bits) + input_zero_point, q[1] = (code & (2^split_bits - 1)) + input_zero_point"}
                  if a.split_input else
                  {"offset": OFFSET, "divisor": DIVISOR,
                   "rule": "q = clamp(round_half_even((float32(code) - offset) / divisor / input_scale) + input_zero_point, -128, 127), float32 arithmetic"}),
        "outputs": {
            "copies": a.copies,
            "time": {"channels": list(range(0, a.copies)), "offset_ns": T_OFFSET_NS, "scale_ns": T_SCALE_NS},
            "energy": {"channels": list(range(a.copies, 2 * a.copies)), "offset": 0.0, "scale": E_SCALE},
            "rule": "v = mean over the channels of output_scale * (q - output_zero_point); time_ns = offset_ns + scale_ns * v; energy = offset + scale * v",
        },
        "training": {
            "command": f"/usr/bin/python3 scripts/train_pulse.py --seed {a.seed}" + ("" if a.copies == 8 else f" --copies {a.copies}"),
            "seed": a.seed,
            "pulses": {"train": [{"snr_db": s, "count": max(1, int(n * a.scale)), "seed": 1000 * a.seed + 1 + i} for i, (s, n) in enumerate(TRAIN_SETS)],
                       "validation": {"snr_db": VALID[0], "count": VALID[1], "seed": 1000 * a.seed + 1001}},
            "network": {"widths": a.widths, "hidden": a.hidden, "split_input": a.split_input},
            "epochs": {"float": a.float_epochs, "qat": a.qat_epochs, "qat_ranges_frozen_after": a.freeze},
            "validation_fake_quant": {"time_ps": round(st, 2), "energy_percent": round(se, 4)},
            "seconds": round(elapsed, 1),
            "torch": torch.__version__,
        },
    }
    with open(a.out + ".pulse.json", "w") as f:
        json.dump(pulse, f, indent=2)
        f.write("\n")
    log(f"wrote {onnx_path}, {a.out}.json and {a.out}.pulse.json ({elapsed:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
