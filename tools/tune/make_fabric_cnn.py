"""Writes a small float CNN whose dataflow-FPGA latency is dominated by the fabric (not the host
link), for `kiln tune` tests: Tests/Fixtures/tune/fabric_cnn.onnx and its calibration images.

The weights are random (He-normal, seed 0): the test measures cost and the tuner's search, not a
trained accuracy. Run: python3 tools/tune/make_fabric_cnn.py OUTDIR [SIZE C1 C2 C3]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(size, channels):
    rng = np.random.default_rng(0)
    inits, nodes = [], []

    def conv(name, x, cin, cout):
        w = (rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2 / (cin * 9))).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.05).astype(np.float32)
        inits.extend([numpy_helper.from_array(w, name + "_w"), numpy_helper.from_array(b, name + "_b")])
        nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [name], name=name, kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        nodes.append(helper.make_node("Relu", [name], [name + "_relu"], name=name + "_relu"))
        nodes.append(helper.make_node("MaxPool", [name + "_relu"], [name + "_pool"], name=name + "_pool", kernel_shape=[2, 2], strides=[2, 2]))
        return name + "_pool"

    x, cin = "input", 3
    for index, cout in enumerate(channels):
        x, cin = conv(f"conv{index + 1}", x, cin, cout), cout
    side = size >> len(channels)
    nodes.append(helper.make_node("Flatten", [x], ["flat"], name="flatten"))
    w = (rng.standard_normal((10, cin * side * side)) * np.sqrt(1 / (cin * side * side))).astype(np.float32)
    inits.extend([numpy_helper.from_array(w, "logits_w"), numpy_helper.from_array(np.zeros(10, np.float32), "logits_b")])
    nodes.append(helper.make_node("Gemm", ["flat", "logits_w", "logits_b"], ["logits"], name="logits", transB=1))
    graph = helper.make_graph(nodes, "fabric_cnn", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, rng.random((2, 3, size, size)).astype(np.float32)


if __name__ == "__main__":
    out = sys.argv[1]
    size, *channels = [int(a) for a in sys.argv[2:]] or [16, 16, 32, 32]
    model, calibration = build(size, channels)
    onnx.save(model, f"{out}/fabric_cnn.onnx")
    np.save(f"{out}/fabric_cnn_calibration.npy", calibration)
