#!/usr/bin/env python3
"""Times ONNX Runtime (one thread) on int8 ResNet-18- and MobileNetV2-shaped models, for the
ratio against `kiln bench` (docs/performance.md).

The models are built here with onnx.helper in the shapes of Kiln's BenchmarkModels (torchvision's
ResNet-18 and MobileNetV2 width 1.0, 224x224 inputs), with seeded random weights, then quantized
by onnxruntime.quantization.quantize_static to QDQ (uint8 activations, int8 per-channel weights),
the format Kiln's int8 graphs have. They are written to --out (default /tmp/kiln-bench), not
committed (ResNet-18 is 11.7 MB).

Usage: python3 tools/bench/ort_bench.py [--batch 16] [--repeats 5] [--out DIR] [--json]
Prints, per model: MACs per image, seconds per image (the best of the repeats of one session.run
over the whole batch, divided by the batch size; model building and quantization excluded), the
best CPU seconds per image of the same runs, and MAC/s.
"""
import argparse, json, os, time
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import onnxruntime as ort
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.count, self.macs = [], [], 0, 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def conv(self, x, cin, cout, hw, k, stride=1, pad=0, groups=1, relu=True):
        w = self.rng.normal(0, (2.0 / (cin // groups * k * k)) ** 0.5, (cout, cin // groups, k, k)).astype(np.float32)
        b = self.rng.normal(0, 0.01, (cout,)).astype(np.float32)
        wn, bn, y = self.name("w"), self.name("b"), self.name("conv")
        self.inits += [numpy_helper.from_array(w, wn), numpy_helper.from_array(b, bn)]
        self.nodes.append(helper.make_node("Conv", [x, wn, bn], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[pad] * 4, group=groups))
        out = (hw + 2 * pad - k) // stride + 1
        self.macs += out * out * cout * (cin // groups) * k * k
        if relu:
            r = self.name("relu")
            self.nodes.append(helper.make_node("Relu", [y], [r]))
            y = r
        return y, out

    def add(self, a, b, relu=True):
        y = self.name("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y]))
        if relu:
            r = self.name("relu")
            self.nodes.append(helper.make_node("Relu", [y], [r]))
            y = r
        return y

    def classifier(self, x, features):
        g, f, y = self.name("gap"), self.name("flat"), "logits"
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [g]))
        self.nodes.append(helper.make_node("Flatten", [g], [f], axis=1))
        w = self.rng.normal(0, (1.0 / features) ** 0.5, (features, 1000)).astype(np.float32)
        wn, bn = self.name("fcw"), self.name("fcb")
        self.inits += [numpy_helper.from_array(w, wn), numpy_helper.from_array(np.zeros(1000, np.float32), bn)]
        self.nodes.append(helper.make_node("Gemm", [f, wn, bn], [y]))
        self.macs += features * 1000
        return y

    def model(self, name, batch):
        graph = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, 224, 224])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 1000])], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def resnet18(batch):
    b = Builder(52)
    x, hw = b.conv("input", 3, 64, 224, 7, 2, 3)
    p = b.name("pool")
    b.nodes.append(helper.make_node("MaxPool", [x], [p], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4))
    x, hw, cin = p, 56, 64
    for stage, width in enumerate([64, 128, 256, 512]):
        for block in range(2):
            stride = 2 if block == 0 and stage > 0 else 1
            shortcut = x if stride == 1 else b.conv(x, cin, width, hw, 1, stride, relu=False)[0]
            y, out = b.conv(x, cin, width, hw, 3, stride, 1)
            y, out = b.conv(y, width, width, out, 3, 1, 1, relu=False)
            x, hw, cin = b.add(y, shortcut), out, width
    b.classifier(x, 512)
    return b.model("resnet18", batch), b.macs


def mobilenetv2(batch):
    b = Builder(53)
    x, hw = b.conv("input", 3, 32, 224, 3, 2, 1)
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x if t == 1 else b.conv(x, cin, hidden, hw, 1)[0]
            y, out = b.conv(y, hidden, hidden, hw, 3, stride, 1, groups=hidden)
            y, out = b.conv(y, hidden, c, out, 1, relu=False)
            x = b.add(y, x, relu=False) if stride == 1 and cin == c else y
            hw, cin = out, c
    x, hw = b.conv(x, cin, 1280, hw, 1)
    b.classifier(x, 1280)
    return b.model("mobilenetv2", batch), b.macs


class Reader(CalibrationDataReader):
    def __init__(self, batch):
        rng = np.random.default_rng(0)
        self.data = iter([{"input": rng.random((batch, 3, 224, 224), dtype=np.float32)} for _ in range(2)])

    def get_next(self):
        return next(self.data, None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="/tmp/kiln-bench")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = []
    for build in (resnet18, mobilenetv2):
        model, macs = build(args.batch)
        name = model.graph.name
        float_path, int8_path = os.path.join(args.out, f"{name}.onnx"), os.path.join(args.out, f"{name}-int8.onnx")
        onnx.save(model, float_path)
        quantize_static(float_path, int8_path, Reader(args.batch), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(int8_path, options, providers=["CPUExecutionProvider"])
        feed = {"input": np.random.default_rng(1).random((args.batch, 3, 224, 224), dtype=np.float32)}
        session.run(None, feed)
        runs = [timed(session, feed) for _ in range(args.repeats)]
        best, cpu = min(wall for wall, _ in runs), min(cpu for _, cpu in runs)
        results.append({"model": name, "macsPerImage": macs, "batch": args.batch, "secondsPerImage": best / args.batch,
                        "cpuSecondsPerImage": cpu / args.batch,
                        "macsPerSecond": macs * args.batch / best, "onnxruntime": ort.__version__, "threads": 1})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{r['model']:12} {r['macsPerImage'] / 1e9:.3f} GMAC/image  {r['secondsPerImage'] * 1e3:.2f} ms/image "
              f"({r['cpuSecondsPerImage'] * 1e3:.2f} ms CPU)  "
                  f"{r['macsPerSecond'] / 1e9:.1f} GMAC/s  (ONNX Runtime {r['onnxruntime']}, 1 thread, batch {r['batch']})")


def timed(session, feed):
    """Wall and process CPU seconds of one run (CPU time does not grow when other processes load the machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    session.run(None, feed)
    return time.perf_counter() - start, time.process_time() - cpu


if __name__ == "__main__":
    main()
