#!/usr/bin/env python3
"""The BNN-PYNQ networks as its Ultra96 hardware computes them, in the QONNX form Brevitas exports,
written to examples/validation/bnn-pynq/ for the validation rows of examples/validation/measurements.json.

Shapes are BNN-PYNQ's (Xilinx/BNN-PYNQ bnn/src/network/<net>/hw/config.h and top.cpp), not the
paper networks' logical shapes, because the rows compare timing of that hardware:
* LFC-W1A1: 832-1024-1024-1024-64 (L0_MW 832: the 784 input bits padded to a multiple of 64;
  L3_MH 64: the 10 outputs padded), every layer thresholded to one bit (top.cpp instantiates all
  four StreamingFCLayer_Batch with Slice<ap_uint<1>> outputs);
* CNV-W1A1: 8-bit input, six 3x3 valid convolutions (64, 64, 128, 128, 256, 256), 2x2 max pools
  after the 2nd and 4th, fully connected 256-512-512-64 (L8_MH 64: the 10 classes padded). BNN-PYNQ's
  last layer streams 16-bit popcounts (PassThroughActivation); here it is thresholded to one bit so
  that Kiln keeps it on the fabric. That changes its output word width, not its word count or
  cycles (NF*SF per image), which is all the timing depends on.

Weights are +-1 in a fixed pattern (the timing does not depend on their values), stored as int8
initializers cast to float before BipolarQuant, so the files stay small. Hidden layers are
BatchNormalization + BipolarQuant (FINN's streamlining turns them into thresholds).

Run (never at Kiln run time): python3 tools/finn/make_bnn_pynq_models.py   (needs onnx, numpy, qonnx)
"""
import os

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "qonnx"))
import make_qonnx_fixtures as qonnx_fixtures  # noqa: E402  (its Builder; needs qonnx installed)

QONNX = "qonnx.custom_op.general"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "validation", "bnn-pynq")


class Builder(qonnx_fixtures.Builder):
    """tools/qonnx/make_qonnx_fixtures.py's graph builder, with int8 constants and the layers below."""

    def const(self, array):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def binary_weights(self, dims):
        i = np.arange(int(np.prod(dims)))
        codes = np.where((i * 7 + i // 3) % 2 == 0, 1, -1).astype(np.int8).reshape(dims)
        weights = self.node("Cast", [self.const(codes)], to=TensorProto.FLOAT)
        return self.node("BipolarQuant", [weights, self.const(np.array(1, np.float32))], domain=QONNX)

    def sign_after_batch_norm(self, x, channels):
        ones, zeros = np.ones(channels, np.float32), np.zeros(channels, np.float32)
        normalized = self.node("BatchNormalization", [x, self.const(ones), self.const(zeros),
                                                      self.const(np.full(channels, 0.5, np.float32)), self.const(ones)], epsilon=1e-5)
        return self.node("BipolarQuant", [normalized, self.const(np.array(1, np.float32))], domain=QONNX)

    def save(self, name, input_shape, output, output_shape):
        graph = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
                                  [helper.make_tensor_value_info(output, TensorProto.FLOAT, output_shape)], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX, 1)], ir_version=8)
        onnx.checker.check_model(model)
        path = os.path.join(OUT, name + ".onnx")
        onnx.save(model, path)
        print(path, os.path.getsize(path), "bytes")


def lfc():
    b = Builder()
    h = b.node("BipolarQuant", ["x", b.const(np.array(1, np.float32))], domain=QONNX)
    widths = [832, 1024, 1024, 1024, 64]
    for inputs, outputs in zip(widths, widths[1:]):
        h = b.node("MatMul", [h, b.binary_weights([inputs, outputs])])
        h = b.sign_after_batch_norm(h, outputs)
    b.save("lfc-w1a1-bnn-pynq", [1, 832], h, [1, 64])


def cnv():
    b = Builder()
    h = b.node("Quant", ["x", b.const(np.array(1 / 128, np.float32)), b.const(np.array(0, np.float32)), b.const(np.array(8, np.float32))],
               domain=QONNX, signed=1, narrow=0, rounding_mode="ROUND")
    previous = 3
    for index, channels in enumerate([64, 64, 128, 128, 256, 256]):
        h = b.node("Conv", [h, b.binary_weights([channels, previous, 3, 3])], kernel_shape=[3, 3])
        h = b.sign_after_batch_norm(h, channels)
        if index in (1, 3):
            h = b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        previous = channels
    h = b.node("Flatten", [h], axis=1)
    for outputs in [512, 512, 64]:
        h = b.node("MatMul", [h, b.binary_weights([previous, outputs])])
        h = b.sign_after_batch_norm(h, outputs)
        previous = outputs
    b.save("cnv-w1a1-bnn-pynq", [1, 3, 32, 32], h, [1, 64])


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    lfc()
    cnv()
