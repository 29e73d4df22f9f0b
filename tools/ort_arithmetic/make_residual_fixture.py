"""A MobileNetV2-style residual network (inverted residual blocks: 1x1 expand + ReLU6, 3x3 depthwise + ReLU6,
1x1 project, residual Add) with random weights, quantized by ONNX Runtime static QDQ (per-channel int8
weights, uint8 activations), and ONNX Runtime's logits on 64 random inputs (Tests/Fixtures/ort-residual).

ORT fuses the residual adds into QLinearAdd, where its arithmetic and dequantize-add-quantize differ.

Run from the repository root:  python3 tools/ort_arithmetic/make_residual_fixture.py
Versions: numpy 2.4.6, onnx 1.23.2, onnxruntime 1.32.0.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

OUT = "Tests/Fixtures/ort-residual"
rng = np.random.default_rng(2026)
nodes, inits = [], []


def weight(name, shape, fan_in):
    inits.append(numpy_helper.from_array((rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32), name))
    return name


def conv(x, name, cin, cout, k, stride=1, group=1, relu6=True):
    w = weight(name + ".w", [cout, cin // group, k, k], cin // group * k * k)
    b = name + ".b"
    inits.append(numpy_helper.from_array((rng.standard_normal(cout) * 0.1).astype(np.float32), b))
    y = name + ".y"
    nodes.append(helper.make_node("Conv", [x, w, b], [y], pads=[k // 2] * 4, strides=[stride] * 2, group=group))
    if not relu6:
        return y
    nodes.append(helper.make_node("Clip", [y, "zero", "six"], [name + ".r"]))
    return name + ".r"


def block(x, name, channels, expand):
    hidden = channels * expand
    h = conv(x, name + ".expand", channels, hidden, 1)
    h = conv(h, name + ".dw", hidden, hidden, 3, group=hidden)
    h = conv(h, name + ".project", hidden, channels, 1, relu6=False)
    nodes.append(helper.make_node("Add", [x, h], [name + ".out"]))
    return name + ".out"


def build():
    inits.append(numpy_helper.from_array(np.array(0, np.float32), "zero"))
    inits.append(numpy_helper.from_array(np.array(6, np.float32), "six"))
    x = conv("input", "stem", 3, 16, 3, stride=2)
    for index in range(3):
        x = block(x, f"block{index}", 16, 4)
    x = conv(x, "head", 16, 64, 1)
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"]))
    w = weight("fc.w", [64, 10], 64)
    inits.append(numpy_helper.from_array((rng.standard_normal(10) * 0.1).astype(np.float32), "fc.b"))
    nodes.append(helper.make_node("Gemm", ["flat", w, "fc.b"], ["logits"]))
    graph = helper.make_graph(nodes, "mbv2_residual", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


class Reader(CalibrationDataReader):
    def __init__(self, samples):
        self.samples = iter(samples)

    def get_next(self):
        sample = next(self.samples, None)
        return None if sample is None else {"input": sample}


def main():
    os.makedirs(OUT, exist_ok=True)
    float_path = "/tmp/mbv2_residual.onnx"
    onnx.save(build(), float_path)
    calibration = [rng.uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32) for _ in range(16)]
    path = os.path.join(OUT, "mbv2_residual_qdq.onnx")
    quantize_static(float_path, path, Reader(calibration), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    x = rng.uniform(-1, 1, (64, 1, 3, 16, 16)).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    logits = np.stack([session.run(None, {"input": sample})[0] for sample in x])
    np.save(os.path.join(OUT, "x.npy"), x)
    np.save(os.path.join(OUT, "ort_logits.npy"), logits)
    options = ort.SessionOptions()
    options.optimized_model_filepath = path + ".opt"
    ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    ops = sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in onnx.load(path + ".opt").graph.node})
    os.remove(path + ".opt")
    with open(os.path.join(OUT, "summary.json"), "w") as handle:
        json.dump({"onnxruntime": ort.__version__, "samples": 64, "ort_optimized_ops": ops}, handle, indent=1)
        handle.write("\n")
    print(ops)


if __name__ == "__main__":
    main()
