"""DQ -> AveragePool | GlobalAveragePool -> Q models run by ONNX Runtime over every window sum
(Tests/Fixtures/ort-qlinear/pool_*).

ONNX Runtime's graph optimizer fuses each into com.microsoft QLinearAveragePool /
QLinearGlobalAveragePool (recorded in summary_pool.json). Every model's input holds, per channel,
one window of codes for each sum a window can have (the codes of window k are spread as evenly as
the sum allows), followed by seeded random windows, so the fixture covers every value of the
integer sum ORT's global kernel requantizes and a spread of float sums for the windowed kernel:

- `gap_<s8|u8>`: GlobalAveragePool over 7x7 (49 codes: every sum from 49*min to 49*max).
- `avgpool_full_<s8|u8>`: AveragePool whose 3x3 kernel covers the whole 3x3 image without
  padding (ORT runs it with the global kernel).
- `avgpool_<s8|u8>`: AveragePool 2x2, stride 2, no padding, 4 windows per 4x4 channel plane
  (every sum of four codes), ORT's float path.
- `avgpool_pad_<s8|u8>` / `avgpool_padincl_<s8|u8>`: AveragePool 3x3, stride 1, padding 1 on
  random 5x5 planes, count_include_pad 0 and 1 (border windows of 4 and 6 codes).
- `avgpool_tie_<s8|u8>`: the 2x2 model with scales and zero points found by a seeded search so
  that ORT's float path (dequantize each code in float32, sum, divide by the count, divide by the
  output scale, add the zero point, round half to even) and the integer rule
  `rint(sum(q - zX) * (sX / (sY * count))) + zY` disagree on at least one window sum.

Inputs are stored (`<name>_x.npy`) with ORT's output codes (`<name>_ort.npy`).
Run from the repository root:  python3 tools/ort_arithmetic/make_pool_fixtures.py
Versions: numpy 2.4.6, onnx 1.23.2, onnxruntime 1.32.0 (x86-64, AVX2 without VNNI).
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_qlinear_fixtures import checked, fused_ops  # noqa: E402  (the ops ORT's optimizer leaves)

OUT = "Tests/Fixtures/ort-qlinear"


def windows_with_every_sum(size, low, high):
    """One window of `size` codes for every sum from size*low to size*high."""
    rows = []
    for total in range(size * low, size * high + 1):
        base, extra = divmod(total - size * low, size)
        rows.append([low + base + (1 if i < extra else 0) for i in range(size)])
    return np.array(rows)


def float_path(windows, sx, zx, sy, zy, low, high):
    """ORT's QLinearAveragePool (qlinear_pool.cc) on windows of codes, in float32."""
    f32 = np.float32
    values = (f32(sx) * (windows - zx).astype(f32)).astype(f32)
    total = np.zeros(len(windows), dtype=f32)
    for column in range(windows.shape[1]):
        total = (total + values[:, column]).astype(f32)
    mean = (total / f32(windows.shape[1])).astype(f32)
    return np.clip(np.rint(((mean / f32(sy)).astype(f32) + f32(zy)).astype(f32)), low, high)


def integer_rule(windows, sx, zx, sy, zy, low, high):
    """The integer sum scaled by one float32 multiplier (ORT's global kernel, Kiln's rule before)."""
    f32 = np.float32
    multiplier = f32(f32(sx) / f32(f32(sy) * f32(windows.shape[1])))
    return np.clip(np.rint(((windows - zx).sum(axis=1).astype(f32) * multiplier).astype(f32)) + zy, low, high)


def tie_parameters(rng, windows, low, high):
    """Scales and zero points under which the two rules disagree on some window."""
    for _ in range(100000):
        sx, sy = float(np.float32(rng.uniform(0.005, 0.05))), float(np.float32(rng.uniform(0.005, 0.05)))
        zx, zy = int(rng.integers(low + 20, high - 20)), int(rng.integers(low + 20, high - 20))
        if (float_path(windows, sx, zx, sy, zy, low, high) != integer_rule(windows, sx, zx, sy, zy, low, high)).any():
            return [sx, sy], [zx, zy]
    raise RuntimeError("no disagreeing parameters found")


def build(name, op, signed, attributes, x_shape, y_shape, scales, zeros):
    dtype = TensorProto.INT8 if signed else TensorProto.UINT8
    inits = [helper.make_tensor("x_scale", TensorProto.FLOAT, [], [scales[0]]),
             helper.make_tensor("x_zero", dtype, [], [zeros[0]]),
             helper.make_tensor("y_scale", TensorProto.FLOAT, [], [scales[1]]),
             helper.make_tensor("y_zero", dtype, [], [zeros[1]])]
    nodes = [helper.make_node("DequantizeLinear", ["X", "x_scale", "x_zero"], ["x"]),
             helper.make_node(op, ["x"], ["y"], **attributes),
             helper.make_node("QuantizeLinear", ["y", "y_scale", "y_zero"], ["Y"])]
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("X", dtype, x_shape)],
                              [helper.make_tensor_value_info("Y", dtype, y_shape)], inits)
    return checked(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))


def main():
    rng = np.random.default_rng(20261207)
    summary = {"onnxruntime": ort.__version__, "models": {}}
    for signed in [False, True]:
        low, high = (-128, 127) if signed else (0, 255)
        np_type = np.int8 if signed else np.uint8
        suffix = "s8" if signed else "u8"
        cases = []
        # Global: 49 codes per channel.
        every = windows_with_every_sum(49, low, high)
        extra = rng.integers(low, high + 1, size=(512, 49))
        planes = np.concatenate([every, extra])
        cases.append((f"gap_{suffix}", "GlobalAveragePool", {}, planes.reshape(1, -1, 7, 7)))
        # A 3x3 kernel over a 3x3 image (ORT's global fallback).
        every = windows_with_every_sum(9, low, high)
        planes = np.concatenate([every, rng.integers(low, high + 1, size=(512, 9))])
        cases.append((f"avgpool_full_{suffix}", "AveragePool", {"kernel_shape": [3, 3]}, planes.reshape(1, -1, 3, 3)))
        # 2x2 stride 2: four windows per 4x4 plane.
        windows = np.concatenate([windows_with_every_sum(4, low, high), rng.integers(low, high + 1, size=(1024, 4))])
        windows = np.concatenate([windows, np.full(((-len(windows)) % 4, 4), low)])
        blocks = windows.reshape(-1, 2, 2, 2, 2)  # plane, window row, window col, 2, 2
        planes = blocks.transpose(0, 1, 3, 2, 4).reshape(-1, 4, 4)
        cases.append((f"avgpool_{suffix}", "AveragePool", {"kernel_shape": [2, 2], "strides": [2, 2]}, planes.reshape(1, -1, 4, 4)))
        cases.append((f"avgpool_tie_{suffix}", "AveragePool", {"kernel_shape": [2, 2], "strides": [2, 2]}, planes.reshape(1, -1, 4, 4)))
        # 3x3 stride 1 padding 1 on 5x5 planes, without and with the padding in the count.
        planes = rng.integers(low, high + 1, size=(1, 256, 5, 5))
        for include in [0, 1]:
            name = f"avgpool_{'padincl' if include else 'pad'}_{suffix}"
            cases.append((name, "AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": include}, planes))
        for name, op, attributes, x in cases:
            channels, size = x.shape[1], x.shape[2]
            out = {3: 1, 7: 1, 4: 2, 5: 5}[size]
            y_shape = [1, channels, out, out]
            x = x.astype(np_type)
            scales = [float(np.float32(rng.uniform(0.005, 0.05))), float(np.float32(rng.uniform(0.005, 0.05)))]
            zeros = [int(rng.integers(low + 20, high - 20)), int(rng.integers(low + 20, high - 20))]
            if "tie" in name:
                scales, zeros = tie_parameters(rng, windows_with_every_sum(4, low, high), low, high)
            path = os.path.join(OUT, name + ".onnx")
            onnx.save(build(name, op, signed, attributes, list(x.shape), y_shape, scales, zeros), path)
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            y = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]).run(None, {"X": x})[0]
            np.save(os.path.join(OUT, name + "_x.npy"), x)
            np.save(os.path.join(OUT, name + "_ort.npy"), y)
            summary["models"][name] = {"scales": scales, "zero_points": zeros, "input_shape": list(x.shape),
                                       "ort_optimized_ops": fused_ops(path)}
            if name.startswith("avgpool_") and "pad" not in name and "full" not in name:
                windows = x.reshape(-1, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(-1, 4).astype(np.int64)
                ort_codes = y.reshape(-1, 2, 2).reshape(-1)
                summary["models"][name]["windows_float_path_differs_from_ort"] = int((float_path(windows, *scales[:1], zeros[0], scales[1], zeros[1], low, high) != ort_codes).sum())
                summary["models"][name]["windows_integer_rule_differs_from_ort"] = int((integer_rule(windows, scales[0], zeros[0], scales[1], zeros[1], low, high) != ort_codes).sum())
    with open(os.path.join(OUT, "summary_pool.json"), "w") as handle:
        json.dump(summary, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
