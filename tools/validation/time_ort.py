#!/usr/bin/env python3
"""Build the validation models and time ONNX Runtime on them, on one thread of this machine.

Python only produces files; Kiln never runs it.

Writes
  examples/validation/<name>.onnx      float models with MLPerf Tiny layer shapes (seeded random
                                       weights: latency does not depend on weight values), built
                                       with onnx.helper, and their ORT static QDQ int8 versions
                                       (<name>_qdq.onnx: u8 activations, per-channel i8 weights,
                                       as examples/digits/*_qdq.onnx)
  examples/validation/large/           ResNet-18 and MobileNetV2 (224x224, float and QDQ int8) the
                                       same way; too large to commit (47 MB float ResNet-18), so
                                       this directory is git-ignored and rebuilt here
  tools/validation/ort_measurements[_<target>].json
                                       the machine (lscpu), the ONNX Runtime version, the
                                       per-operator dispatch time, each operator's fixed cost per
                                       node, and per model the wall-clock and thread-CPU-time
                                       median and minimum of the timed runs (the Zen 3 machine's
                                       file kept its original name)
  examples/validation/measurements.json
                                       this machine's target's ONNX Runtime rows replaced by the
                                       minimum CPU times; other targets' and published rows kept
  tools/validation/large_measurements.json
                                       the same rows for the large models (`kiln validate` reads it
                                       once examples/validation/large/ is built)

The target is chosen by the machine's CPU family and model (TARGETS): family 25 model 1 is the
Zen 3 guest (x86-avx2-zen3-epyc-kvm), family 25 model 17 the Zen 4 one (x86-avx512-zen4-epyc-kvm).

Timing: one InferenceSession per model with intra_op_num_threads=1, inter_op_num_threads=1,
ORT_SEQUENTIAL, ORT_ENABLE_ALL; `warmup` runs, then up to `repeats` runs (at most `budget`
CPU-seconds, at least 20) timed one by one, with time.perf_counter_ns (wall) and
time.thread_time_ns (CPU time of the calling thread, in which ONNX Runtime computes with one
intra-op thread). The machine is shared with other jobs (load average 13-22 on 2 vCPUs when the
Zen 4 figures were taken): a run of more than a few milliseconds is nearly always preempted, so
its wall time counts other jobs' time slices; the minimum thread CPU time is the measurement (it
still includes cache refills after a preemption, so it errs slow). The Zen 3 rows were taken as
wall-clock minima. The dispatch time is the minimum CPU time of a chain of 256 Add nodes on a
1-element float tensor (graph optimization off, so nothing fuses), minus a 1-node run's, divided by
255; an operator's fixed cost per node is the same difference over chains of 129 and 1 one-channel
1x1 Conv or Gemm nodes on a 1x1 tensor, float and quantized (QDQ, which ONNX Runtime fuses into
QLinearConv and QGemm), and over chains of the other operators the validation models contain (Add,
Relu, Clip, MaxPool, GlobalAveragePool, Flatten, float and quantized, on a 1-element tensor; the
operators ONNX Runtime executed are recorded). The run call (what one `session.run` from Python
costs outside its operators) is the 1-node Add chain's time less one dispatch. The per-output-channel
cost of QGemm at M = 1 and of QLinearConv on a 1x1 image is the difference of chains of 16 pairs of
16 -> 256 -> 16 and 16 -> 16 -> 16 channel nodes, over 16 x 240 channels. The symmetric
QLinearConv path's cost per output pixel and kernel tap is a 4-to-16-channel QDQ Conv on 32x32 with
a 7x3 kernel minus the same with a 3x3 one, over 1024 pixels x 12 taps (indirectionTapSeconds).
tools/validation/write_ort_stack.py turns these figures into the target's stack.
`--fixed-costs-only` measures only these fixed costs and merges them into the existing measurement
file (the model timings are kept).

Usage (from the repository root):
  python3 tools/validation/time_ort.py              # build models (if absent) and time them
  python3 tools/validation/time_ort.py --rebuild    # rebuild the models first
  python3 tools/validation/time_ort.py --skip-large # MLPerf Tiny-sized models only
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "examples", "validation")
RESULTS = os.path.join(ROOT, "tools", "validation", "ort_measurements.json")
TABLE = os.path.join(MODELS, "measurements.json")
LARGE = os.path.join(MODELS, "large")
LARGE_TABLE = os.path.join(ROOT, "tools", "validation", "large_measurements.json")
DIGITS = os.path.join(ROOT, "examples", "digits")
SEED = 1300


class Builder:
    """A float NCHW graph with seeded He-initialized weights."""

    def __init__(self, name, shape, seed):
        self.name = name
        self.nodes, self.inits = [], []
        self.rng = np.random.RandomState(seed)
        self.count = 0
        self.input = helper.make_tensor_value_info("input", TensorProto.FLOAT, shape)
        self.shape = list(shape)

    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def weight(self, name, shape, fan_in):
        w = (self.rng.randn(*shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        self.inits.append(numpy_helper.from_array(w, name))
        return name

    def conv(self, x, channels_in, channels_out, kernel, stride=1, groups=1, relu=True):
        """A Conv node with bias; `relu` is True (Relu), "relu6" (Clip to [0, 6]) or False."""
        name = self.fresh("conv")
        w = self.weight(name + "_w", [channels_out, channels_in // groups, kernel[0], kernel[1]], channels_in // groups * kernel[0] * kernel[1])
        b = self.weight(name + "_b", [channels_out], 100.0)
        pads = [kernel[0] // 2, kernel[1] // 2, (kernel[0] - 1) // 2, (kernel[1] - 1) // 2]
        y = name + "_y"
        self.nodes.append(helper.make_node("Conv", [x, w, b], [y], name=name, kernel_shape=list(kernel), strides=[stride, stride],
                                           pads=pads, group=groups))
        if relu == "relu6":
            return self.relu6(y)
        return self.relu(y) if relu else y

    def relu6(self, x):
        y = self.fresh("clip")
        if "relu6_min" not in {i.name for i in self.inits}:
            self.inits.append(numpy_helper.from_array(np.array(0, np.float32), "relu6_min"))
            self.inits.append(numpy_helper.from_array(np.array(6, np.float32), "relu6_max"))
        self.nodes.append(helper.make_node("Clip", [x, "relu6_min", "relu6_max"], [y], name=y))
        return y

    def max_pool(self, x, kernel, stride):
        y = self.fresh("maxpool")
        self.nodes.append(helper.make_node("MaxPool", [x], [y], name=y, kernel_shape=[kernel, kernel], strides=[stride, stride],
                                           pads=[kernel // 2] * 4))
        return y

    def add_linear(self, a, b):
        """An Add without a following activation (MobileNetV2's residual)."""
        y = self.fresh("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y], name=y))
        return y

    def relu(self, x):
        y = self.fresh("relu")
        self.nodes.append(helper.make_node("Relu", [x], [y], name=y))
        return y

    def add(self, a, b):
        y = self.fresh("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y], name=y))
        return self.relu(y)

    def dense(self, x, inputs, outputs, relu=True):
        name = self.fresh("gemm")
        w = self.weight(name + "_w", [outputs, inputs], inputs)
        b = self.weight(name + "_b", [outputs], 100.0)
        y = name + "_y"
        self.nodes.append(helper.make_node("Gemm", [x, w, b], [y], name=name, transB=1))
        return self.relu(y) if relu else y

    def pool_flatten(self, x):
        p, f = self.fresh("gap"), self.fresh("flatten")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [p], name=p))
        self.nodes.append(helper.make_node("Flatten", [p], [f], name=f, axis=1))
        return f

    def finish(self, y, outputs):
        self.nodes.append(helper.make_node("Identity", [y], ["logits"], name="logits"))
        out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, outputs])
        graph = helper.make_graph(self.nodes, self.name, [self.input], [out], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def basic_blocks(b, x, channels, blocks):
    """ResNet basic blocks (two 3x3 convs and a shortcut, a 1x1 conv where the shape changes), one
    per (width, stride)."""
    for width, stride in blocks:
        y = b.conv(x, channels, width, (3, 3), stride)
        y = b.conv(y, width, width, (3, 3), relu=False)
        shortcut = x if stride == 1 and channels == width else b.conv(x, channels, width, (1, 1), stride, relu=False)
        x, channels = b.add(y, shortcut), width
    return x


def resnet8():
    """MLPerf Tiny image classification (ResNet-8 on 32x32x3, mlcommons/tiny benchmark/training/image_classification)."""
    b = Builder("resnet8", [1, 3, 32, 32], SEED + 1)
    x = b.conv("input", 3, 16, (3, 3))
    channels = 16
    x = b.pool_flatten(basic_blocks(b, x, channels, [(16, 1), (32, 2), (64, 2)]))
    return b.finish(b.dense(x, 64, 10, relu=False), 10)


def dscnn():
    """MLPerf Tiny keyword spotting (DS-CNN on 49x10 MFCC, 64 channels, four depthwise-separable blocks)."""
    b = Builder("dscnn", [1, 1, 49, 10], SEED + 2)
    x = b.conv("input", 1, 64, (10, 4), 2)
    for _ in range(4):
        x = b.conv(x, 64, 64, (3, 3), groups=64)
        x = b.conv(x, 64, 64, (1, 1))
    x = b.pool_flatten(x)
    return b.finish(b.dense(x, 64, 12, relu=False), 12)


def mobilenet_vww():
    """MLPerf Tiny visual wake words (MobileNetV1 alpha 0.25 on 96x96x3)."""
    b = Builder("mobilenet_vww", [1, 3, 96, 96], SEED + 3)
    x = b.conv("input", 3, 8, (3, 3), 2)
    channels = 8
    for width, stride in [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (128, 1),
                          (128, 1), (256, 2), (256, 1)]:
        x = b.conv(x, channels, channels, (3, 3), stride, groups=channels)
        x = b.conv(x, channels, width, (1, 1))
        channels = width
    x = b.pool_flatten(x)
    return b.finish(b.dense(x, 256, 2, relu=False), 2)


def autoencoder():
    """MLPerf Tiny anomaly detection (FC autoencoder 640-128x4-8-128x4-640)."""
    b = Builder("autoencoder", [1, 640], SEED + 4)
    sizes = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128]
    x = "input"
    for a, c in zip(sizes, sizes[1:]):
        x = b.dense(x, a, c)
    b.input = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 640])
    model = b.finish(b.dense(x, 128, 640, relu=False), 640)
    return model


def resnet18():
    """ResNet-18 (He et al. 2016, torchvision's resnet18 layers) on 224x224x3, 1000 classes."""
    b = Builder("resnet18", [1, 3, 224, 224], SEED + 5)
    x = b.max_pool(b.conv("input", 3, 64, (7, 7), 2), 3, 2)
    channels = 64
    x = b.pool_flatten(basic_blocks(b, x, channels, [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]))
    return b.finish(b.dense(x, 512, 1000, relu=False), 1000)


def mobilenetv2():
    """MobileNetV2 width 1.0 (Sandler et al. 2018, table 2; torchvision's mobilenet_v2 layers) on 224x224x3."""
    b = Builder("mobilenetv2", [1, 3, 224, 224], SEED + 6)
    x = b.conv("input", 3, 32, (3, 3), 2, relu="relu6")
    channels = 32
    for expansion, width, repeats, first_stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                                                    (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(repeats):
            stride = first_stride if i == 0 else 1
            hidden = channels * expansion
            y = x if expansion == 1 else b.conv(x, channels, hidden, (1, 1), relu="relu6")
            y = b.conv(y, hidden, hidden, (3, 3), stride, groups=hidden, relu="relu6")
            y = b.conv(y, hidden, width, (1, 1), relu=False)
            x = b.add_linear(x, y) if stride == 1 and channels == width else y
            channels = width
    x = b.conv(x, channels, 1280, (1, 1), relu="relu6")
    x = b.pool_flatten(x)
    return b.finish(b.dense(x, 1280, 1000, relu=False), 1000)


BUILDERS = {"resnet8": resnet8, "dscnn": dscnn, "mobilenet_vww": mobilenet_vww, "autoencoder": autoencoder}
# Too large to commit (ResNet-18: 47 MB float, 12 MB int8): built into LARGE (not committed),
# timed, and their rows kept in LARGE_TABLE, which `kiln validate` reads once the models exist.
LARGE_BUILDERS = {"resnet18": resnet18, "mobilenetv2": mobilenetv2}


class Reader(CalibrationDataReader):
    def __init__(self, shape, seed, samples=16, name="input"):
        rng = np.random.RandomState(seed)
        self.data = iter([{name: rng.rand(*shape).astype(np.float32)} for _ in range(samples)])

    def get_next(self):
        return next(self.data, None)


def build(name, builder, directory, samples=16):
    model = builder()
    path = os.path.join(directory, f"{name}.onnx")
    onnx.save(model, path)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    quantize_static(path, os.path.join(directory, f"{name}_qdq.onnx"), Reader(shape, SEED, samples), quant_format=QuantFormat.QDQ,
                    per_channel=True, reduce_range=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)


def session(model, optimize=True):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize else ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def time_session(sess, feed, warmup, repeats, budget=None):
    """Times `repeats` runs one by one (fewer if `budget` CPU-seconds run out first, at least 20):
    wall time (perf_counter) and the calling thread's CPU time (thread_time: with one intra-op
    thread ONNX Runtime computes in the caller, and time spent waiting for a CPU on a shared
    machine is not counted)."""
    for _ in range(warmup):
        sess.run(None, feed)
    wall, cpu = [], []
    for i in range(repeats):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        sess.run(None, feed)
        cpu.append(time.thread_time_ns() - start_cpu)
        wall.append(time.perf_counter_ns() - start)
        if budget is not None and i >= 19 and sum(cpu) * 1e-9 > budget:
            break
    wall.sort()
    cpu.sort()
    return {"medianSeconds": wall[len(wall) // 2] * 1e-9, "minimumSeconds": wall[0] * 1e-9,
            "medianCpuSeconds": cpu[len(cpu) // 2] * 1e-9, "minimumCpuSeconds": cpu[0] * 1e-9, "repeats": len(wall)}


def add_chain(length):
    nodes = [helper.make_node("Add", [f"v{i}", f"v{i}"], [f"v{i + 1}"], name=f"add{i}") for i in range(length)]
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("v0", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info(f"v{length}", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def dispatch_seconds(warmup, repeats):
    """(per-operator dispatch, the run call): the dispatch is (a 256-node Add chain − a 1-node
    chain) / 255; the run call is the 1-node chain less one dispatch — what one `session.run`
    from Python costs outside its operators (binding the feed and fetches, preparing the executor)."""
    feed = {"v0": np.ones([1], np.float32)}
    long = time_session(session(add_chain(256), optimize=False), feed, warmup, repeats)["minimumCpuSeconds"]
    short = time_session(session(add_chain(1), optimize=False), feed, warmup, repeats)["minimumCpuSeconds"]
    dispatch = (long - short) / 255
    return dispatch, short - dispatch


def node_chain(op, length, quantized):
    """`length` one-channel 1x1 Conv (or 1x1 Gemm) nodes in a chain on a 1x1x1x1 (1x1) tensor: the
    node's fixed cost with no arithmetic; `quantized` runs it through ORT's static QDQ quantizer,
    so ONNX Runtime fuses each node into QLinearConv (QGemm)."""
    shape = [1, 1, 1, 1] if op == "Conv" else [1, 1]
    nodes, inits = [], []
    for i in range(length):
        inits.append(numpy_helper.from_array(np.full([1, 1, 1, 1] if op == "Conv" else [1, 1], 0.5, np.float32), f"w{i}"))
        inits.append(numpy_helper.from_array(np.full([1], 0.25, np.float32), f"b{i}"))
        nodes.append(helper.make_node(op, [f"v{i}", f"w{i}", f"b{i}"], [f"v{i + 1}"], name=f"n{i}",
                                      **({"kernel_shape": [1, 1]} if op == "Conv" else {"transB": 1})))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("v0", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info(f"v{length}", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    if not quantized:
        return model.SerializeToString(), shape
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "f.onnx"), os.path.join(tmp, "q.onnx")
        onnx.save(model, source)
        quantize_static(source, target, Reader(shape, SEED, 4, "v0"), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
        return onnx.load(target).SerializeToString(), shape


def quantized(model, shape, name="v0"):
    """`model` run through ORT's static QDQ quantizer (u8 activations, per-channel i8 weights), as
    the validation models are; ONNX Runtime fuses or drops the QDQ pairs when it loads it."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "f.onnx"), os.path.join(tmp, "q.onnx")
        onnx.save(model, source)
        quantize_static(source, target, Reader(shape, SEED, 4, name), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
        return onnx.load(target)


def elementwise_chain(op, length, attributes=None, constant=None):
    """`length` nodes of `op` in a chain on a 1x1x1x1 tensor (Add takes a constant second input,
    Clip its 0 and 6 bounds)."""
    shape = [1, 1, 1, 1]
    nodes, inits = [], []
    for i in range(length):
        inputs = [f"v{i}"]
        if op == "Add":
            inits.append(numpy_helper.from_array(np.full(shape, 0.25 + 0.01 * i, np.float32), f"c{i}"))
            inputs.append(f"c{i}")
        if op == "Clip":
            if i == 0:
                inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"), numpy_helper.from_array(np.array(6, np.float32), "hi")]
            inputs += ["lo", "hi"]
        nodes.append(helper.make_node(op, inputs, [f"v{i + 1}"], name=f"n{i}", **(attributes or {})))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("v0", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info(f"v{length}", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def quantize_pair_chain(length):
    """`length` QuantizeLinear → DequantizeLinear pairs in a chain on a 1-element tensor, scales
    alternating so that no pass could fold a pair (run with graph optimization off)."""
    nodes, inits = [], []
    for i in range(length):
        inits += [numpy_helper.from_array(np.array(0.02 + 0.001 * (i % 2), np.float32), f"s{i}"),
                  numpy_helper.from_array(np.array(128, np.uint8), f"z{i}")]
        nodes += [helper.make_node("QuantizeLinear", [f"v{i}", f"s{i}", f"z{i}"], [f"q{i}"], name=f"q{i}"),
                  helper.make_node("DequantizeLinear", [f"q{i}", f"s{i}", f"z{i}"], [f"v{i + 1}"], name=f"d{i}")]
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("v0", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info(f"v{length}", TensorProto.FLOAT, [1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def executed_operators(model_bytes):
    """The operator types ONNX Runtime runs for a model after its graph rewrites (all levels on)."""
    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.optimized_model_filepath = os.path.join(tmp, "optimized.onnx")
        ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        return sorted({node.op_type for node in onnx.load(options.optimized_model_filepath).graph.node})


# The operators the validation models contain besides Conv and Gemm, each as a one-node chain:
# (label, operator, attributes, quantized). A quantized chain goes through ORT's QDQ quantizer
# (QLinearAdd, QLinearGlobalAveragePool; MaxPool and Flatten run on the u8 tensor directly).
ELEMENTWISE_CHAINS = [
    ("Add", "Add", None, False), ("Relu", "Relu", None, False), ("Clip", "Clip", None, False),
    ("MaxPool", "MaxPool", {"kernel_shape": [1, 1]}, False), ("GlobalAveragePool", "GlobalAveragePool", None, False),
    ("Flatten", "Flatten", {"axis": 1}, False),
    ("QLinearAdd", "Add", None, True), ("MaxPool u8", "MaxPool", {"kernel_shape": [1, 1]}, True),
    ("QLinearGlobalAveragePool", "GlobalAveragePool", None, True), ("Flatten u8", "Flatten", {"axis": 1}, True),
]


def elementwise_node_seconds(warmup, repeats):
    """Fixed CPU time per node of the other operators of the validation models, as ONNX Runtime
    runs them (graph optimization on): (a 129-node chain − a 1-node chain) / 128 on a 1-element
    tensor, minimum CPU time of `repeats` runs, with the operators ONNX Runtime executed; and the
    QuantizeLinear → DequantizeLinear pair the same way with graph optimization off."""
    result, executed = {}, {}
    feed = {"v0": np.full([1, 1, 1, 1], 0.5, np.float32)}
    for label, op, attributes, quantize in ELEMENTWISE_CHAINS:
        times = []
        for length in (129, 1):
            model = elementwise_chain(op, length, attributes)
            model = (quantized(model, [1, 1, 1, 1]) if quantize else model).SerializeToString()
            if length == 129:
                executed[label] = executed_operators(model)
            times.append(time_session(session(model), feed, warmup, repeats)["minimumCpuSeconds"])
        result[label] = (times[0] - times[1]) / 128
    pair_feed = {"v0": np.full([1], 0.5, np.float32)}
    times = [time_session(session(quantize_pair_chain(length).SerializeToString(), optimize=False), pair_feed, warmup, repeats)["minimumCpuSeconds"]
             for length in (129, 1)]
    result["QuantizeLinear+DequantizeLinear"] = (times[0] - times[1]) / 128
    executed["QuantizeLinear+DequantizeLinear"] = ["DequantizeLinear", "QuantizeLinear"]
    return result, executed


def pair_chain(op, width, pairs):
    """`pairs` pairs of 16 → `width` → 16 channel Gemm (or 1x1 Conv on a 1x1 image) nodes in a chain."""
    rng = np.random.RandomState(SEED)
    shape = [1, 16, 1, 1] if op == "Conv" else [1, 16]
    nodes, inits = [], []
    for i in range(2 * pairs):
        inputs, outputs = (16, width) if i % 2 == 0 else (width, 16)
        weight_shape = [outputs, inputs, 1, 1] if op == "Conv" else [outputs, inputs]
        inits += [numpy_helper.from_array((rng.randn(*weight_shape) * np.sqrt(2.0 / inputs)).astype(np.float32), f"w{i}"),
                  numpy_helper.from_array((rng.randn(outputs) * 0.1).astype(np.float32), f"b{i}")]
        nodes.append(helper.make_node(op, [f"v{i}", f"w{i}", f"b{i}"], [f"v{i + 1}"], name=f"n{i}",
                                      **({"kernel_shape": [1, 1]} if op == "Conv" else {"transB": 1})))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("v0", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info(f"v{2 * pairs}", TensorProto.FLOAT, shape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model, shape


def output_channel_seconds(warmup, repeats, width=256):
    """CPU time per output channel of a quantized node at one output pixel (QGemm with M = 1,
    QLinearConv on a 1x1 image): chains of 16 pairs of 16 → `width` → 16 channel nodes minus the
    same with `width` = 16, over 16 pairs × (`width` − 16) channels. The difference also holds the
    extra multiply-accumulates (2 × 16 × 240 per pair, ~1 % of it at Kiln's M = 1 kernel rate)."""
    result = {}
    for op, label in (("Gemm", "QGemm"), ("Conv", "QLinearConv")):
        times = []
        for channels in (width, 16):
            model, shape = pair_chain(op, channels, 16)
            feed = {"v0": np.random.RandomState(SEED).rand(*shape).astype(np.float32)}
            times.append(time_session(session(quantized(model, shape).SerializeToString()), feed, warmup, repeats)["minimumCpuSeconds"])
        result[label] = (times[0] - times[1]) / (16 * (width - 16))
    return result


def node_seconds(warmup, repeats):
    """Fixed CPU time per node by operator as ONNX Runtime runs it (graph optimization on, as for
    the models): (a 129-node chain − a 1-node chain) / 128, minimum CPU time of `repeats` runs."""
    result = {}
    for op, quantized, label in [("Conv", False, "Conv"), ("Conv", True, "QLinearConv"), ("Gemm", False, "Gemm"), ("Gemm", True, "QGemm")]:
        times = []
        for length in (129, 1):
            model, shape = node_chain(op, length, quantized)
            feed = {"v0": np.full(shape, 0.5, np.float32)}
            times.append(time_session(session(model), feed, warmup, repeats)["minimumCpuSeconds"])
        result[label] = (times[0] - times[1]) / 128
    return result


def machine():
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    fields = {}
    for line in lscpu.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("Model name", "CPU family", "Model", "Vendor ID", "CPU(s)", "Hypervisor vendor", "L1d cache", "L2 cache", "L3 cache", "Flags"):
            fields[key.strip()] = value.strip()
    fields["avx512"] = "avx512f" in fields.get("Flags", "")
    fields.pop("Flags", None)
    with open("/proc/cpuinfo") as f:
        mhz = [line.split(":")[1].strip() for line in f if line.startswith("cpu MHz")]
    fields["cpu MHz"] = mhz[0] if mhz else ""
    return fields


def generic_conv(kernel_height, size, channels=3):
    """One QDQ-quantized Conv of `channels` to 16 channels with a kernel_height×3 kernel on a
    size×size input, padded to keep the size. 3 input channels fail the channel alignment of MLAS's
    symmetric indirect convolution (MlasConvSymPackWSize, core/mlas/lib/convsym.cpp: a multiple of
    4), so QLinearConv runs its generic path (qlinearconv.cc: NHWC im2col, MlasGemm, a separate
    requantization pass); 4 take the symmetric path."""
    rng = np.random.RandomState(SEED)
    weight = numpy_helper.from_array((rng.randn(16, channels, kernel_height, 3) * 0.2).astype(np.float32), "w")
    bias = numpy_helper.from_array(np.zeros([16], np.float32), "b")
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", kernel_shape=[kernel_height, 3],
                            pads=[kernel_height // 2, 1, kernel_height // 2, 1])
    graph = helper.make_graph([node], "generic_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, size, size])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, size, size])], [weight, bias])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "f.onnx"), os.path.join(tmp, "q.onnx")
        onnx.save(model, source)
        quantize_static(source, target, Reader([1, channels, size, size], SEED, 4, "x"), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
        return onnx.load(target).SerializeToString()


def im2col_row_seconds(warmup, repeats):
    """CPU time QLinearConv's generic path spends per output pixel and kernel row: a 7×3 kernel
    minus a 3×3 one on the same 32×32 layer (same transposes, requantization and pixel count),
    over 1024 pixels × 4 rows. Includes the 4 rows' share of the GEMM (144 MACs per pixel-row)."""
    feed = {"x": np.random.RandomState(SEED).rand(1, 3, 32, 32).astype(np.float32)}
    times = [time_session(session(generic_conv(height, 32)), feed, warmup, repeats)["minimumCpuSeconds"] for height in (7, 3)]
    return (times[0] - times[1]) / (1024 * 4)


def generic_pixel_seconds(row_seconds, warmup, repeats):
    """CPU time QLinearConv's generic path spends per output pixel beyond its kernel rows (the
    GEMM's A packing and row sums, the separate requantization pass): a 3-channel 3×3 layer
    (generic path) minus a 4-channel one (symmetric path, fused requantization) on the same 32×32
    output, over 1024 pixels, less 3 kernel rows at `row_seconds`."""
    times = []
    for channels in (3, 4):
        feed = {"x": np.random.RandomState(SEED).rand(1, channels, 32, 32).astype(np.float32)}
        times.append(time_session(session(generic_conv(3, 32, channels)), feed, warmup, repeats)["minimumCpuSeconds"])
    return (times[0] - times[1]) / 1024 - 3 * row_seconds


def indirection_tap_seconds(warmup, repeats):
    """CPU time MLAS's symmetric indirect convolution spends per output pixel and kernel tap beyond
    its multiply-accumulates: a 4-to-16-channel QDQ Conv on 32×32 (4 input channels pass the
    ConvSym alignment) with a 7×3 kernel minus the same with a 3×3 kernel, over 1024 pixels × 12
    taps. QLinearConv writes one indirection pointer per output pixel and tap, and
    MlasConvSymKernelAvx512Vnni (core/mlas/lib/x86_64/ConvSymKernelAvx512Core.S) loads six of them
    per tap and block of six pixels before its 4-deep steps. Returns the whole difference per
    pixel and tap; the taps' multiply-accumulates (one 4-deep step of one vpdpbusd per pixel, for
    16 output channels and 4 input channels) are in it."""
    feed = {"x": np.random.RandomState(SEED).rand(1, 4, 32, 32).astype(np.float32)}
    times = [time_session(session(generic_conv(height, 32, 4)), feed, warmup, repeats)["minimumCpuSeconds"] for height in (7, 3)]
    return (times[0] - times[1]) / (1024 * 12)


# The built-in target describing the machine each (CPU family, model) names, under KVM with 2 vCPUs.
TARGETS = {("25", "1"): "x86-avx2-zen3-epyc-kvm", ("25", "17"): "x86-avx512-zen4-epyc-kvm"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument("--budget", type=float, default=10, help="CPU-seconds of timed runs per model at most (at least 20 runs)")
    parser.add_argument("--skip-large", action="store_true", help="do not build or time ResNet-18 and MobileNetV2")
    parser.add_argument("--fixed-costs-only", action="store_true",
                        help="measure only the run call, dispatch and per-node figures and merge them into the existing "
                             "measurement file, keeping its model timings")
    args = parser.parse_args()
    description = machine()
    target = TARGETS.get((description.get("CPU family"), description.get("Model")))
    if target is None:
        sys.exit(f"time_ort.py: no built-in target describes CPU family {description.get('CPU family')} model {description.get('Model')}")
    if args.fixed_costs_only:
        with open(results_path(target)) as f:
            document = json.load(f)
        document.update(fixed_costs(args.warmup, args.repeats))
        document["fixedCostsDate"] = time.strftime("%Y-%m-%d", time.gmtime())
        document["fixedCostsLoadAverage"] = os.getloadavg()
        document["fixedCostsRepeats"] = args.repeats
        with open(results_path(target), "w") as f:
            json.dump(document, f, indent=2)
            f.write("\n")
        return
    os.makedirs(MODELS, exist_ok=True)
    os.makedirs(LARGE, exist_ok=True)
    for name, builder in BUILDERS.items():
        if args.rebuild or not os.path.exists(os.path.join(MODELS, f"{name}_qdq.onnx")):
            build(name, builder, MODELS)
    models = {f"examples/validation/{name}{suffix}.onnx": os.path.join(MODELS, f"{name}{suffix}.onnx")
              for name in BUILDERS for suffix in ("", "_qdq")}
    models["examples/digits/dscnn_residual.onnx"] = os.path.join(DIGITS, "dscnn_residual.onnx")
    models["examples/digits/dscnn_residual_qdq.onnx"] = os.path.join(DIGITS, "dscnn_residual_qdq.onnx")
    if not args.skip_large:
        for name, builder in LARGE_BUILDERS.items():
            if args.rebuild or not os.path.exists(os.path.join(LARGE, f"{name}_qdq.onnx")):
                build(name, builder, LARGE, samples=4)
            for suffix in ("", "_qdq"):
                models[f"examples/validation/large/{name}{suffix}.onnx"] = os.path.join(LARGE, f"{name}{suffix}.onnx")
    results = []
    for label, path in models.items():
        sess = session(path)
        shape = [d.dim_value if d.dim_value > 0 else 1 for d in onnx.load(path).graph.input[0].type.tensor_type.shape.dim]
        feed = {sess.get_inputs()[0].name: np.random.RandomState(SEED).rand(*shape).astype(np.float32)}
        timing = time_session(sess, feed, args.warmup, args.repeats, args.budget)
        results.append({"model": label, **timing})
        print(f"{label}: wall median {timing['medianSeconds'] * 1e6:.1f} µs, min {timing['minimumSeconds'] * 1e6:.1f} µs; "
              f"CPU min {timing['minimumCpuSeconds'] * 1e6:.1f} µs ({timing['repeats']} runs)", file=sys.stderr)
    document = {
        "tool": "tools/validation/time_ort.py",
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "onnxruntime": ort.__version__,
        "onnx": onnx.__version__,
        "python": platform.python_version(),
        "machine": description,
        "target": target,
        "threads": 1,
        "loadAverage": os.getloadavg(),
        **fixed_costs(args.warmup, args.repeats),
        "measurements": results,
    }
    path = results_path(target)
    with open(path, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    update_table(document, TABLE, lambda row: not row["model"].startswith("large/"))
    update_table(document, LARGE_TABLE, lambda row: row["model"].startswith("large/"))


def fixed_costs(warmup, repeats):
    """The fixed costs the target's stack takes from this machine (see the module docstring)."""
    dispatch, run = dispatch_seconds(warmup, repeats)
    print(f"dispatch per operator: {dispatch * 1e9:.0f} ns; run call: {run * 1e9:.0f} ns", file=sys.stderr)
    nodes = node_seconds(warmup, repeats)
    others, executed = elementwise_node_seconds(warmup, repeats)
    nodes.update(others)
    print("per node: " + ", ".join(f"{k} {v * 1e9:.0f} ns" for k, v in nodes.items()), file=sys.stderr)
    channels = output_channel_seconds(warmup, repeats)
    print("per output channel: " + ", ".join(f"{k} {v * 1e9:.2f} ns" for k, v in channels.items()), file=sys.stderr)
    row = im2col_row_seconds(warmup, repeats)
    print(f"generic QLinearConv path per pixel and kernel row: {row * 1e9:.2f} ns", file=sys.stderr)
    pixel = generic_pixel_seconds(row, warmup, repeats)
    print(f"generic QLinearConv path per pixel beyond its rows: {pixel * 1e9:.2f} ns", file=sys.stderr)
    tap = indirection_tap_seconds(warmup, repeats)
    print(f"symmetric QLinearConv path per pixel and kernel tap: {tap * 1e9:.2f} ns", file=sys.stderr)
    return {"indirectionTapSeconds": tap, "operatorDispatchSeconds": dispatch, "runSeconds": run, "nodeSeconds": nodes, "executedOperators": executed,
            "outputChannelSeconds": channels, "im2colRowSeconds": row, "genericConvPixelSeconds": pixel}


def results_path(target):
    """The measurement file of a target: the Zen 3 runs kept their original name."""
    if target == "x86-avx2-zen3-epyc-kvm":
        return RESULTS
    return os.path.join(ROOT, "tools", "validation", f"ort_measurements_{target}.json")


def update_table(document, table_path, belongs):
    """Replaces this target's ONNX Runtime rows of a measurement table with this run's minimum CPU
    times (the rows `belongs` selects, model paths relative to examples/validation); rows of other
    targets and published rows are kept."""
    target = document["target"]
    table = {"schemaVersion": 1, "measurements": []}
    if os.path.exists(table_path):
        with open(table_path) as f:
            table = json.load(f)
    ours = lambda row: row["source"].startswith("tools/validation/time_ort.py") and row["target"] == target
    kept = [row for row in table["measurements"] if not ours(row)]
    # A note explains a known, unmodelled mechanism behind a row's error; it outlives a re-run.
    notes = {row["model"]: row["note"] for row in table["measurements"] if ours(row) and "note" in row}
    stack = f"ONNX Runtime {document['onnxruntime']} (CPU execution provider, MLAS), one thread"
    machine = document["machine"]
    directory = os.path.dirname(table_path)
    results = os.path.relpath(results_path(target), ROOT)
    for result in document["measurements"]:
        relative = os.path.relpath(os.path.join(ROOT, result["model"]), MODELS)
        if not belongs({"model": relative}):
            continue
        kept.append({"model": os.path.relpath(os.path.join(ROOT, result["model"]), directory), "target": target, "stack": stack,
                     "targetStack": "onnxruntime-mlas", "cores": 1, "measuredSeconds": result["minimumCpuSeconds"],
                     "source": f"tools/validation/time_ort.py on {machine.get('Model name', '?')} (family "
                               f"{machine.get('CPU family', '?')} model {machine.get('Model', '?')}, "
                               f"{machine.get('Hypervisor vendor', 'no hypervisor')}), {document['date']}: minimum thread CPU time of "
                               f"{result['repeats']} runs, load average {document['loadAverage'][0]:.1f} ({results})"})
        if kept[-1]["model"] in notes:
            kept[-1]["note"] = notes[kept[-1]["model"]]
    table["measurements"] = kept
    with open(table_path, "w") as f:
        json.dump(table, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
