#!/usr/bin/env python3
"""Single-convolution models over a range of IFM depths, and what Vela 5.2's default core charges for them.

Vela's two cores choose a convolution's kernel traversal differently when part-kernel-first and
depth-first use the MAC array equally (the default core takes part-kernel on a tie, the Python
core depth-first), which changes the cycles of 3×3 convolutions over 17 to 24 input channels by
4/3. These models put one operator on the NPU per file so that each per-layer row is one pass:

* conv3x3_c{D}:   16×16×D → 16×16×32, 3×3, stride 1, SAME, ReLU
* conv1x1_c{D}:   16×16×D → 16×16×32, 1×1, ReLU
* dwconv3x3_c{D}: 16×16×D → 16×16×D, depthwise 3×3, stride 1, SAME, ReLU

for D in 8, 16, 20, 24, 32, 40, 48 (16 and 32 are the depths where the cores agree). Weights
are seeded random (Keras' default initialisers, seed D); full-integer int8 quantization by the
TFLite converter with 16 seeded representative inputs (`convert` of
tools/validation/make_npu_bench_models.py).

Writes Tests/Fixtures/tflite/ifm-depth/<model>.tflite, compiles each with Vela's default core on
every configuration of tools/vela/run_vela.py (`vela --enable-debug-db`, which records per
operator the traversal, IFM and OFM blocks and the components of `EstimateMacOpCycles`) and
writes Tests/Fixtures/vela/regor_passes.csv: the convolution's shapes and formats, Vela's traversal,
blocks, `mac_cycles` (MAC cycles per block × blocks + one block's output stage), `ao_cycles` (output
stage cycles per block × blocks + one block's MAC cycles), `cmd_cycles` (the command issue limit
per block), `npu_cycles`, `op_cycles` and whether it buffered the weights.

Usage: python3 tools/vela/ifm_depth_passes.py
Requires tensorflow-cpu 2.21, numpy, ethos-u-vela 5.2.0.
"""
import csv
import io
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(REPO, "Tests", "Fixtures", "tflite", "ifm-depth")
OUT = os.path.join(REPO, "Tests", "Fixtures", "vela", "regor_passes.csv")
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "validation"))
from make_npu_bench_models import convert  # noqa: E402
from run_vela import CONFIGURATIONS, VELA_INI  # noqa: E402

DEPTHS = (8, 16, 20, 24, 32, 40, 48)


def model(tf, kind, depth):
    tf.keras.utils.set_random_seed(depth)
    inputs = tf.keras.Input((16, 16, depth), batch_size=1)
    if kind == "dwconv3x3":
        x = tf.keras.layers.DepthwiseConv2D(3, padding="same", activation="relu")(inputs)
    else:
        x = tf.keras.layers.Conv2D(32, 3 if kind == "conv3x3" else 1, padding="same", activation="relu")(inputs)
    return tf.keras.Model(inputs, x)


# perf_debug columns, then perf_debug_main, then perf.
DEBUG = ["ifm_shape_h", "ifm_shape_w", "ifm_shape_c", "ofm_shape_h", "ofm_shape_w", "ofm_shape_c", "kernel_size_y",
         "kernel_size_x", "kernel_stride_y", "ifm_format", "ofm_format", "weight_buffering"]
MAIN = ["traversal", "ifm_block_h", "ifm_block_w", "ifm_block_c", "ofm_block_h", "ofm_block_w", "ofm_block_c",
        "mac_cycles", "ao_cycles", "cmd_cycles"]
PERF = ["npu_cycles", "op_cycles"]
COLUMNS = DEBUG + MAIN + PERF


def table(root, name):
    text = root.find(f"table[@name='{name}']").text
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text.strip()))}


def debug_row(path, accel, system, mode):
    """The convolution's row of Vela's debug database for the model at `path` on one configuration."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["vela", path, "--accelerator-config", accel, "--config", VELA_INI, "--system-config", system,
                        "--memory-mode", mode, "--output-dir", tmp, "--enable-debug-db"], check=True, capture_output=True)
        stem = os.path.basename(path)[:-len(".tflite")]
        root = ElementTree.parse(os.path.join(tmp, f"{stem}_debug.xml")).getroot()
    main_rows = table(root, "perf_debug_main")
    debug, perf = table(root, "perf_debug"), table(root, "perf")
    (op,) = [key for key, row in perf.items() if row["operator"] in ("Conv2D", "DepthwiseConv2D")]
    return [debug[op][c] for c in DEBUG] + [main_rows[op][c] for c in MAIN] + [perf[op][c] for c in PERF]


def main():
    import tensorflow as tf

    os.makedirs(MODELS, exist_ok=True)
    paths = []
    for kind in ("conv3x3", "conv1x1", "dwconv3x3"):
        for depth in DEPTHS:
            path = os.path.join(MODELS, f"{kind}_c{depth}.tflite")
            with open(path, "wb") as out:
                out.write(convert(tf, model(tf, kind, depth), depth))
            paths.append(path)
    rows = []
    for name, (accel, system, mode) in CONFIGURATIONS.items():
        for path in paths:
            rows.append([name, os.path.basename(path)[:-len(".tflite")]] + debug_row(path, accel, system, mode))
    with open(OUT, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["accelerator", "model"] + COLUMNS)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
