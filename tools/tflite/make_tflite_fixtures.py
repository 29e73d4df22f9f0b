#!/usr/bin/env python3
"""Builds the TFLite fixtures of Kiln's TFLite import tests.

Every model is a small TensorFlow function converted by the TFLite converter with full-integer
quantization (int8 inputs and outputs, TFLITE_BUILTINS_INT8, a seeded representative data
set). Each model is run by the TFLite interpreter with its *reference* kernels
(OpResolverType.BUILTIN_REF) on seeded int8 inputs; the inputs and the output codes are stored
as .npy next to the .tflite, under Tests/Fixtures/tflite/ops/<name>.{tflite,input.npy,output.npy};
models Kiln refuses (operators it does not import, a dynamic-range "hybrid" conv) go to
Tests/Fixtures/tflite/unsupported/, float (unquantized) models to Tests/Fixtures/tflite/float/.

The MLPerf Tiny reference models (mlcommons/tiny, Apache-2.0) are run the same way:
  python3 tools/tflite/make_tflite_fixtures.py --mlperf DIR  (DIR holds the four .tflite files)
writes Tests/Fixtures/tflite/mlperf/<model>.{input,output}.npy for a few seeded inputs.

Requires: tensorflow-cpu (converter) and ai-edge-litert (interpreter), numpy.
"""
import argparse
import os
import sys

import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter, OpResolverType

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tflite")
SAMPLES = 4  # input samples per model (stacked on the batch axis of the .npy files)


def rng(seed):
    return np.random.default_rng(seed)


def weights(seed, shape, scale=0.5):
    return tf.constant(rng(seed).normal(0, scale, size=shape).astype(np.float32))


def convert(function, input_shape, seed, low=-3.0, high=3.0, quantization="int8"):
    """Converts with full-integer int8 quantization, dynamic-range ("hybrid") or none ("float")."""
    concrete = function.get_concrete_function(tf.TensorSpec(input_shape, tf.float32))
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], function)
    if quantization == "float":
        return converter.convert()
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantization == "hybrid":
        return converter.convert()

    def representative():
        generator = rng(seed + 1000)
        for _ in range(64):
            yield [generator.uniform(low, high, size=input_shape).astype(np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def run_reference(model_bytes, inputs):
    """Runs each sample through the reference kernels; returns the stacked output codes."""
    interpreter = Interpreter(model_content=model_bytes,
                              experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    input_detail = interpreter.get_input_details()[0]
    output_detail = interpreter.get_output_details()[0]
    outputs = []
    for sample in inputs:
        interpreter.set_tensor(input_detail["index"], sample[None].astype(input_detail["dtype"]))
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(output_detail["index"])[0].copy())
    return np.stack(outputs)


def save(directory, name, model_bytes, inputs, outputs):
    os.makedirs(directory, exist_ok=True)
    if model_bytes is not None:
        with open(os.path.join(directory, name + ".tflite"), "wb") as f:
            f.write(model_bytes)
    np.save(os.path.join(directory, name + ".input.npy"), inputs)
    np.save(os.path.join(directory, name + ".output.npy"), outputs)


def conv(x, seed, out_channels, kernel=3, stride=1, padding="SAME", dilation=1, activation=None):
    w = weights(seed, (kernel, kernel, x.shape[-1], out_channels))
    b = weights(seed + 1, (out_channels,), 0.2)
    y = tf.nn.conv2d(x, w, strides=stride, padding=padding, dilations=dilation) + b
    return activation(y) if activation else y


def op_models():
    """name → (function of a float input, input shape, input range)."""
    s = 11
    models = {}

    def model(name, shape, low=-3.0, high=3.0):
        def register(function):
            models[name] = (tf.function(function), shape, low, high)
            return function
        return register

    @model("conv2d", (1, 8, 8, 3))
    def _(x): return conv(x, s, 5)

    @model("conv2d_stride2_valid_relu", (1, 9, 9, 4))
    def _(x): return conv(x, s, 6, stride=2, padding="VALID", activation=tf.nn.relu)

    @model("conv2d_dilated_relu6", (1, 10, 10, 2))
    def _(x): return conv(x, s, 4, dilation=2, activation=tf.nn.relu6)

    @model("conv2d_relu_n1_to_1", (1, 6, 6, 3))
    def _(x): return tf.clip_by_value(conv(x, s, 4, kernel=1), -1.0, 1.0)

    @model("depthwise_conv2d", (1, 8, 8, 4))
    def _(x):
        return tf.nn.depthwise_conv2d(x, weights(s, (3, 3, 4, 1)), strides=[1, 1, 1, 1], padding="SAME") + weights(s + 1, (4,), 0.2)

    @model("depthwise_conv2d_multiplier2_stride2", (1, 9, 9, 3))
    def _(x):
        y = tf.nn.depthwise_conv2d(x, weights(s, (3, 3, 3, 2)), strides=[1, 2, 2, 1], padding="VALID") + weights(s + 1, (6,), 0.2)
        return tf.nn.relu(y)

    @model("fully_connected", (1, 16))
    def _(x): return tf.matmul(x, weights(s, (16, 10))) + weights(s + 1, (10,), 0.2)

    @model("fully_connected_keep_num_dims", (1, 3, 12))
    def _(x): return tf.nn.relu(tf.einsum("bij,jk->bik", x, weights(s, (12, 5))) + weights(s + 1, (5,), 0.2))

    @model("add", (1, 6, 6, 3))
    def _(x): return conv(x, s, 4, kernel=1) + conv(x, s + 5, 4, kernel=1)

    @model("add_broadcast_relu", (1, 6, 6, 3))
    def _(x): return tf.nn.relu(conv(x, s, 4, kernel=1) + tf.reduce_mean(conv(x, s + 5, 4, kernel=1), axis=[1, 2], keepdims=True))

    @model("sub", (1, 6, 6, 3))
    def _(x): return conv(x, s, 4, kernel=1) - conv(x, s + 5, 4, kernel=1)

    @model("mul", (1, 6, 6, 3))
    def _(x): return conv(x, s, 4, kernel=1) * conv(x, s + 5, 4, kernel=1)

    @model("average_pool2d", (1, 8, 8, 3))
    def _(x): return tf.nn.avg_pool2d(x, 3, 2, "SAME")

    @model("average_pool2d_valid", (1, 7, 7, 2))
    def _(x): return tf.nn.avg_pool2d(x, 2, 2, "VALID")

    @model("max_pool2d", (1, 8, 8, 3))
    def _(x): return tf.nn.max_pool2d(x, 3, 2, "SAME")

    @model("mean_spatial", (1, 5, 5, 6))
    def _(x): return tf.reduce_mean(x, axis=[1, 2])

    @model("mean_keepdims", (1, 4, 6, 3))
    def _(x): return tf.reduce_mean(conv(x, s, 3, kernel=1), axis=[1, 2], keepdims=True)

    @model("concatenation", (1, 4, 4, 3))
    def _(x): return tf.concat([conv(x, s, 2, kernel=1), x], axis=3)

    @model("reshape", (1, 4, 4, 3))
    def _(x): return tf.reshape(conv(x, s, 2, kernel=1), (1, 8, 4))

    @model("squeeze", (1, 1, 1, 8))
    def _(x): return tf.squeeze(x * 1.0 + 0.0, axis=[1, 2])

    @model("pad", (1, 4, 4, 2))
    def _(x): return tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]])

    @model("padv2", (1, 4, 4, 2))
    def _(x): return tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], constant_values=0.5)

    @model("softmax", (1, 10))
    def _(x): return tf.nn.softmax(x)

    @model("softmax_4d", (1, 2, 3, 7))
    def _(x): return tf.nn.softmax(x * 2.0)

    @model("logistic", (1, 4, 4, 4), -8.0, 8.0)
    def _(x): return tf.sigmoid(x)

    @model("tanh", (1, 4, 4, 4))
    def _(x): return tf.tanh(x)

    @model("relu", (1, 4, 4, 4))
    def _(x): return tf.nn.relu(x)

    @model("relu6", (1, 4, 4, 4), -3.0, 9.0)
    def _(x): return tf.nn.relu6(x)

    @model("relu_n1_to_1", (1, 4, 4, 4))
    def _(x): return tf.clip_by_value(x, -1.0, 1.0)

    @model("hard_swish", (1, 4, 4, 4), -5.0, 5.0)
    def _(x): return x * tf.nn.relu6(x + 3.0) / 6.0

    @model("leaky_relu", (1, 4, 4, 4))
    def _(x): return tf.nn.leaky_relu(x, alpha=0.2)

    @model("gelu", (1, 4, 4, 4))
    def _(x): return tf.nn.gelu(x, approximate=False)

    @model("rsqrt", (1, 4, 4, 4), 0.1, 4.0)
    def _(x): return tf.math.rsqrt(x)

    @model("squared_difference", (1, 4, 4, 3))
    def _(x): return tf.math.squared_difference(x, conv(x, s, 3, kernel=1))

    @model("neg", (1, 4, 4, 4))
    def _(x): return -x

    @model("quantize_requantize", (1, 4, 4, 4))
    def _(x): return tf.concat([x, x * 3.0], axis=3)

    @model("strided_slice", (1, 6, 6, 4))
    def _(x): return x[:, 1:5:2, ::-1, 1:3]

    @model("transpose", (1, 3, 4, 5))
    def _(x): return tf.transpose(x, [0, 2, 3, 1])

    @model("batch_matmul", (1, 3, 4, 6))
    def _(x): return tf.matmul(x, tf.transpose(x, [0, 1, 3, 2]))

    @model("gather", (1, 5, 6))
    def _(x): return tf.gather(x, [4, 0, 2, 2], axis=1)

    @model("resize_bilinear", (1, 4, 4, 3))
    def _(x): return tf.compat.v1.image.resize_bilinear(x, (7, 9), align_corners=False, half_pixel_centers=True)

    @model("resize_bilinear_align_corners", (1, 4, 4, 3))
    def _(x): return tf.compat.v1.image.resize_bilinear(x, (7, 7), align_corners=True)

    @model("resize_nearest_neighbor", (1, 3, 4, 2))
    def _(x): return tf.compat.v1.image.resize_nearest_neighbor(x, (6, 9), half_pixel_centers=True)

    return models


def unsupported_models():
    """Models Kiln refuses: operators it does not import, and a dynamic-range ("hybrid") conv."""
    return {
        "abs_cumsum": (tf.function(lambda x: tf.math.cumsum(tf.math.abs(x), axis=2)), (1, 4, 4, 4), -3.0, 3.0),
        "hybrid_conv2d": (tf.function(lambda x: conv(x, 11, 32)), (1, 6, 6, 16), -3.0, 3.0),
    }


def float_models():
    """Float models (no quantization): the float operators around int8 ones."""
    def cnn(x):
        y = tf.nn.avg_pool2d(conv(conv(x, 11, 6, activation=tf.nn.relu6), 12, 4, stride=2), 2, 2, "VALID")
        return tf.nn.softmax(tf.matmul(tf.reshape(y, (1, -1)), weights(13, (16, 5))) + weights(14, (5,), 0.2))
    def dwcnn(x):
        y = tf.nn.depthwise_conv2d(x, weights(11, (3, 3, 3, 2)), strides=[1, 1, 1, 1], padding="SAME")
        return tf.sigmoid(tf.reduce_mean(tf.nn.relu(y) + x[..., :1], axis=[1, 2]))
    return {"cnn": (tf.function(cnn), (1, 8, 8, 3), -3.0, 3.0), "depthwise_mean": (tf.function(dwcnn), (1, 6, 6, 3), -3.0, 3.0)}


def make_op_fixtures(only):
    make_fixtures(op_models(), os.path.join(OUT, "ops"), only)
    make_fixtures(unsupported_models(), os.path.join(OUT, "unsupported"), only,
                  quantization=lambda name: "hybrid" if name.startswith("hybrid") else "int8")
    make_fixtures(float_models(), os.path.join(OUT, "float"), only, quantization=lambda name: "float")


def make_fixtures(models, directory, only, quantization=lambda name: "int8"):
    for index, (name, (function, shape, low, high)) in enumerate(models.items()):
        if only and name not in only:
            continue
        try:
            model_bytes = convert(function, shape, seed=100 + index, low=low, high=high, quantization=quantization(name))
        except Exception as error:  # reported, the fixture is left out
            print(f"{name}: conversion failed: {error}", file=sys.stderr)
            continue
        interpreter = Interpreter(model_content=model_bytes)
        detail = interpreter.get_input_details()[0]
        scale, zero_point = detail["quantization"]
        generator = rng(200 + index)
        real = generator.uniform(low, high, size=(SAMPLES,) + shape[1:]).astype(np.float32)
        if detail["dtype"] == np.float32:
            inputs = real
        else:
            inputs = np.clip(np.round(real / scale) + zero_point, -128, 127).astype(np.int8)
        outputs = run_reference(model_bytes, inputs)
        save(directory, name, model_bytes, inputs, outputs)
        ops = sorted({op["op_name"] for op in interpreter._get_ops_details()})
        print(f"{name}: {len(model_bytes)} bytes, ops {ops}, output {outputs.shape} {outputs.dtype}")


def make_mlperf_fixtures(source):
    directory = os.path.join(OUT, "mlperf")
    for file in sorted(os.listdir(source)):
        if not file.endswith(".tflite"):
            continue
        name = file[:-len(".tflite")]
        with open(os.path.join(source, file), "rb") as f:
            model_bytes = f.read()
        interpreter = Interpreter(model_content=model_bytes)
        detail = interpreter.get_input_details()[0]
        dtype = detail["dtype"]
        info = np.iinfo(dtype)
        inputs = rng(sum(map(ord, name))).integers(info.min, info.max + 1, size=(3,) + tuple(detail["shape"][1:])).astype(dtype)
        outputs = run_reference(model_bytes, inputs)
        save(directory, name, None, inputs, outputs)
        print(f"{name}: input {inputs.shape} {dtype}, output {outputs.shape} {outputs.dtype}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlperf", help="directory of the MLPerf Tiny .tflite models")
    parser.add_argument("only", nargs="*", help="op fixtures to rebuild (default: all)")
    arguments = parser.parse_args()
    if arguments.mlperf:
        make_mlperf_fixtures(arguments.mlperf)
    else:
        make_op_fixtures(set(arguments.only))
