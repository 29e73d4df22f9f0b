#!/usr/bin/env python3
"""Builds QONNX fixtures for Kiln's QONNX importer and records the qonnx executor's outputs.

Writes Tests/Fixtures/qonnx/<case>.onnx, <case>_x.npy (random float32 inputs, with exact
rounding ties mixed in) and <case>_y.npy (qonnx.core.onnx_exec.execute_onnx's output), plus
manifest.json listing the cases. The models are hand-built with onnx.helper in the forms
Brevitas export (Quant / BipolarQuant on float initializers and on activations, BatchNormalization
between), qonnx cleanup and FINN streamlining (MultiThreshold with out_bias) produce:

* single-op cases for Quant (every rounding mode, signed / unsigned, narrow, zero points,
  per-tensor and per-channel scales, constant and runtime inputs), BipolarQuant, Trunc v2 and
  MultiThreshold (NCHW / NC layouts, out_scale and out_bias);
* TFC-W1A1 (784-64-64-64-10, the FINN paper's topology), an SFC/LFC-like W1A1 MLP with narrower
  layers, a CNV-W1A1-like and a CNV-W2A2-like network (the BNN-PYNQ CNV layer sequence with
  fewer channels, to keep fixtures small).

Run:  pip install qonnx==1.0.0 onnx numpy && python3 tools/qonnx/make_qonnx_fixtures.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "qonnx")
DOMAIN = "qonnx.custom_op.general"
rng = np.random.default_rng(14)


class Builder:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, stem):
        self.count += 1
        return f"{stem}{self.count}"

    def const(self, value, stem="c"):
        n = self.name(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), n))
        return n

    def node(self, op, inputs, domain="", **attrs):
        out = self.name(op.lower() + "_out")
        self.nodes.append(helper.make_node(op, inputs, [out], name=self.name(op), domain=domain, **attrs))
        return out

    def quant(self, x, scale, zeropt, bits, signed=1, narrow=0, rounding="ROUND"):
        return self.node("Quant", [x, self.const(scale, "scale"), self.const(zeropt, "zeropt"), self.const(bits, "bits")],
                         domain=DOMAIN, signed=signed, narrow=narrow, rounding_mode=rounding)

    def bipolar(self, x, scale=1.0):
        return self.node("BipolarQuant", [x, self.const(scale, "scale")], domain=DOMAIN)

    def batchnorm(self, x, channels, step):
        # Means at odd multiples of half the step of the integer-valued sums keep every
        # normalized value away from 0, so sign decisions do not hinge on float rounding order.
        mean = (2 * rng.integers(-4, 5, channels) + 1) * step / 2
        gamma = rng.choice([-1.0, 1.0], channels) * rng.uniform(0.5, 2.0, channels)
        return self.node("BatchNormalization", [x, self.const(gamma), self.const(np.zeros(channels)), self.const(mean),
                                                self.const(rng.uniform(0.5, 4.0, channels))], epsilon=1e-5)

    def model(self, x_shape, y, qonnx_opset=1):
        graph = helper.make_graph(self.nodes, "qonnx_fixture",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                                  [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(DOMAIN, qonnx_opset)],
                                 producer_name="kiln tools/qonnx")


def random_input(shape, scale):
    """Uniform values plus exact multiples of scale/2 (rounding ties) in a quarter of the places."""
    x = rng.uniform(-6, 6, shape).astype(np.float32) * np.float32(scale) * 2
    ties = (rng.integers(-40, 41, shape) * np.float32(scale) / np.float32(2)).astype(np.float32)
    return np.where(rng.random(shape) < 0.25, ties, x).astype(np.float32)


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def quant_case(bits, signed, narrow, rounding, zeropt, per_channel, scale=0.173):
    b = Builder()
    s = rng.uniform(0.05, 0.3, (1, 3, 1, 1)) if per_channel else scale
    y = b.quant("x", s, zeropt, bits, signed, narrow, rounding)
    return b.model([2, 3, 4, 5], y), random_input((2, 3, 4, 5), 0.173)


for mode in ["ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN"]:
    CASES[f"quant_int3_{mode.lower()}"] = (lambda m: lambda: quant_case(3, 1, 0, m, 0.0, False))(mode)
CASES["quant_int8_round"] = lambda: quant_case(8, 1, 0, "ROUND", 0.0, False, scale=0.0625)
CASES["quant_uint4_narrow_floor_per_channel"] = lambda: quant_case(4, 0, 1, "FLOOR", 0.0, True)
CASES["quant_int4_narrow_round"] = lambda: quant_case(4, 1, 1, "ROUND", 0.0, False)
CASES["quant_uint2_zero_point_round"] = lambda: quant_case(2, 0, 0, "ROUND", 1.0, False)
CASES["quant_int1_bipolar"] = lambda: quant_case(1, 1, 0, "ROUND", 0.0, False, scale=0.5)
CASES["quant_int16_round_per_channel"] = lambda: quant_case(16, 1, 0, "ROUND", 0.0, True)


@case
def quant_weights_matmul():
    # Brevitas export form: Quant on float weights (narrow signed 4-bit, per output channel) and on
    # activations. Power-of-two weight scales keep the float MatMul exact, so its summation order
    # (ORT's vs Kiln's) cannot matter.
    b = Builder()
    w = rng.normal(0, 1, (20, 8)).astype(np.float32)
    wq = b.quant(b.const(w, "w"), 2.0 ** -rng.integers(1, 4, (1, 8)), 0.0, 4, 1, 1, "ROUND")
    xq = b.quant("x", 0.125, 0.0, 8, 1, 0, "ROUND")
    y = b.node("MatMul", [xq, wq])
    return b.model([3, 20], y), random_input((3, 20), 0.125)


@case
def bipolar_quant_per_channel():
    b = Builder()
    y = b.bipolar("x", rng.uniform(0.5, 2.0, (1, 4, 1, 1)))
    x = random_input((2, 4, 3, 3), 1.0)
    x[0, 0, 0, :] = [0.0, -0.0, 1e-30]
    return b.model([2, 4, 3, 3], y), x


@case
def trunc_v2_floor():
    # After a QuantAvgPool-like sum: 8-bit integer multiples of scale truncated to 4 bits.
    b = Builder()
    y = b.node("Trunc", ["x", b.const(0.25), b.const(0.0), b.const(8.0), b.const(2.0), b.const(4.0)], domain=DOMAIN,
               rounding_mode="FLOOR", signed=1, narrow=0)
    x = (rng.integers(-128, 128, (2, 3, 4, 4)) * 0.25).astype(np.float32)
    return b.model([2, 3, 4, 4], y, qonnx_opset=2), x


@case
def trunc_v2_round_unsigned():
    b = Builder()
    y = b.node("Trunc", ["x", b.const(0.5), b.const(0.0), b.const(8.0), b.const(4.0), b.const(5.0)], domain=DOMAIN,
               rounding_mode="ROUND", signed=0, narrow=0)
    x = (rng.integers(0, 256, (2, 3, 4, 4)) * 0.5).astype(np.float32)
    return b.model([2, 3, 4, 4], y, qonnx_opset=2), x


def thresholds(rows, steps, spread=4.0):
    return np.sort(rng.uniform(-spread, spread, (rows, steps)).astype(np.float32), axis=1)


@case
def multithreshold_nchw_int2():
    b = Builder()
    y = b.node("MultiThreshold", ["x", b.const(thresholds(3, 3))], domain=DOMAIN, out_dtype="INT2", out_bias=-2.0)
    return b.model([2, 3, 4, 4], y), random_input((2, 3, 4, 4), 1.0)


@case
def multithreshold_nc_global_uint4():
    b = Builder()
    t = thresholds(1, 15)
    y = b.node("MultiThreshold", ["x", b.const(t)], domain=DOMAIN, out_dtype="UINT4")
    x = random_input((4, 10), 1.0)
    x[0, :4] = t[0, :4]  # exactly at thresholds: x ≥ t counts
    return b.model([4, 10], y), x


@case
def multithreshold_bipolar_out_scale():
    b = Builder()
    y = b.node("MultiThreshold", ["x", b.const(thresholds(5, 1))], domain=DOMAIN, out_dtype="BIPOLAR",
               out_scale=2.0, out_bias=-1.0)
    return b.model([3, 5], y), random_input((3, 5), 1.0)


@case
def multithreshold_nhwc_float_scale():
    b = Builder()
    y = b.node("MultiThreshold", ["x", b.const(thresholds(3, 7))], domain=DOMAIN, out_dtype="UINT3",
               out_scale=0.5, out_bias=0.25, data_layout="NHWC")
    return b.model([2, 4, 4, 3], y), random_input((2, 4, 4, 3), 1.0)


def binary_mlp(widths, batch=4):
    """Brevitas-export form of the FINN paper's binarized MLPs: BipolarQuant on the input, on
    every float weight matrix and after every BatchNormalization."""
    b = Builder()
    h = b.bipolar("x")
    for index, (k, n) in enumerate(zip(widths, widths[1:])):
        w = b.bipolar(b.const(rng.normal(0, 1, (k, n)), "w"))
        h = b.node("MatMul", [h, w])
        if index < len(widths) - 2:
            h = b.bipolar(b.batchnorm(h, n, 2.0))
    return b.model([batch, widths[0]], h), rng.uniform(-1, 1, (batch, widths[0])).astype(np.float32)


CASES["tfc_w1a1"] = lambda: binary_mlp([784, 64, 64, 64, 10])
CASES["sfc_lfc_like_w1a1"] = lambda: binary_mlp([784, 96, 96, 96, 10], batch=2)


def cnv(weight_bits, act_bits, channels=(16, 16, 32, 32, 64, 64), fcs=(64, 64), batch=2):
    """The BNN-PYNQ CNV layer sequence (3×3 valid convolutions, 2×2 max pools after the 2nd and
    4th, three fully connected layers), 8-bit input, with fewer channels. W1A1 uses BipolarQuant
    after BatchNormalization; W2A2 uses narrow signed 2-bit Quant weights and the streamlined
    form of 2-bit activations, a MultiThreshold with out_bias −2 (FINN's INT2)."""
    b = Builder()

    def weights(shape):
        w = b.const(rng.normal(0, 1, shape), "w")
        return b.bipolar(w) if weight_bits == 1 else b.quant(w, 0.5, 0.0, 2, 1, 1, "ROUND")

    def activation(h, n, step, spatial):
        if act_bits == 1:
            return b.bipolar(b.batchnorm(h, n, step))
        # Thresholds at odd multiples of half the step of the integer-valued sums.
        t = np.sort((2 * rng.integers(-6, 7, (n, 3)) + 1) * step / 2, axis=1)
        return b.node("MultiThreshold", [h, b.const(t)], domain=DOMAIN, out_dtype="INT2", out_bias=-2.0,
                      data_layout="NCHW" if spatial else "NC")

    # 8-bit input: Quant to int8 with scale 2^-7 (the network sees x in [-1, 1)).
    h = b.quant("x", 1 / 128, 0.0, 8, 1, 0, "ROUND")
    previous = 3
    for index, c in enumerate(channels):
        h = b.node("Conv", [h, weights((c, previous, 3, 3))], kernel_shape=[3, 3])
        step = (1 / 128 if index == 0 else 1.0) * (1 if weight_bits == 1 else 0.5)
        h = activation(h, c, step if act_bits == 1 else step, True)
        if index in (1, 3):
            h = b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        previous = c
    h = b.node("Flatten", [h], axis=1)
    for n in fcs:
        h = b.node("MatMul", [h, weights((previous, n))])
        h = activation(h, n, 1.0 if weight_bits == 1 else 0.5, False)
        previous = n
    h = b.node("MatMul", [h, weights((previous, 10))])
    return b.model([batch, 3, 32, 32], h), rng.uniform(-1, 1, (batch, 3, 32, 32)).astype(np.float32)


CASES["cnv_like_w1a1"] = lambda: cnv(1, 1)
CASES["cnv_like_w2a2"] = lambda: cnv(2, 2)


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, build in CASES.items():
        model, x = build()
        wrapper = ModelWrapper(model).transform(InferShapes())
        y = execute_onnx(wrapper, {"x": x})[model.graph.output[0].name].astype(np.float32)
        # Record the output's shape in the model, then check it.
        model.graph.output[0].CopyFrom(helper.make_tensor_value_info(model.graph.output[0].name, TensorProto.FLOAT, list(y.shape)))
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(OUT, f"{name}.onnx"))
        np.save(os.path.join(OUT, f"{name}_x.npy"), x)
        np.save(os.path.join(OUT, f"{name}_y.npy"), y)
        manifest.append({"case": name, "output": model.graph.output[0].name})
        print(f"{name}: x {x.shape} -> y {y.shape}, {len(np.unique(y))} distinct outputs")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tools/qonnx/make_qonnx_fixtures.py", "qonnx": "1.0.0", "cases": manifest}, f, indent=1)


if __name__ == "__main__":
    main()
