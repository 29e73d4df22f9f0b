#!/usr/bin/env python3
"""Rebuilds three models of uNPU-Bench (Millar et al., "Benchmarking Ultra-Low-Power µNPUs",
arXiv 2503.22567; repository j0shmillar/uNPU-Bench) as int8 .tflite files for Kiln's Himax WE2
validation rows.

The layer lists follow the authors' PyTorch definitions (src/model/yolo/yolov1_96.py,
src/model/autoenc/autoenc.py, src/model/resnet/resnet.py, all ai8x modules) and the graph their pipeline exported
(model/yolo/yolov1_tensor_info.txt lists every tensor of the YOLO graph). The rebuild is checked
against the authors' own Vela summaries (model/*/vela_perf/*_summary_Ethos_U55_High_End_Embedded.csv):
the same MAC count (nn_macs) and the same int8 weight bytes (total_original_weights), which
main() asserts through Vela below. The trained weights are not used: the weights here are seeded
random (Keras' default initialisers), so only what Vela's weight compression does with them can
differ (docs/cost-models/ethos-u.md, "Board measurements", gives by how much).

* yolov1_96: 96×96×3 input; twenty convolutions (the first three without bias, ReLU after all
  but the last), a 2×2 max pool before the second, third and ninth; the last 1×1 convolution's
  12 channels are the third output, split into channels 0–9 and 10–11 (the first two outputs).
* autoenc: the ai8x anomaly-detection autoencoder with 256 channels and 3 axes (input 3×256 as
  the NWC layout of the model's [1, 256, 3]): a 1×1 and a width-3 valid 1-D convolution (ReLU),
  then fully connected 64→32 (ReLU), 32→4 (no bias), 4→32 (ReLU), 32→96 (ReLU), 96→768 (no
  bias), reshaped to [1, 256, 3].
* resnet: the ai8x "SimpleNet with residual layers" for 32×32×3 input and 100 classes
  (src/model/resnet/resnet.py): fourteen convolutions with bias and ReLU (none after the last),
  2×2 max pools before conv5, conv8, conv10, conv11 and conv13, three residual adds, the 1×1×100
  output flattened.

Converted by the TFLite converter with full-integer int8 quantization (int8 input and output, 16
seeded representative inputs), as tools/vela/make_mobilenet_v2.py does. Writes
Tests/Fixtures/tflite/unpu-bench/{yolov1_96,autoenc,resnet}.tflite and, with --check, runs Vela 5.2
(ethos-u55-64, Ethos_U55_High_End_Embedded, Shared_Sram, the authors' configuration) and prints
its nn_macs and total_original_weights beside the authors' figures.

Usage: python3 tools/validation/make_npu_bench_models.py [--check]
Requires tensorflow-cpu 2.21, numpy, and for --check ethos-u-vela 5.2.0.
"""
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tflite", "unpu-bench")

# The authors' Vela summaries (uNPU-Bench src/model/<model>/vela_perf/*_summary_*.csv): MACs and int8 weight bytes.
AUTHORS = {"yolov1_96": (21428928, 40304), "autoenc": (201984, 136448), "resnet": (18498048, 381792)}


def yolov1_96(tf):
    layers = tf.keras.layers
    x = inputs = tf.keras.Input((96, 96, 3), batch_size=1)

    def conv(x, channels, kernel, relu=True, bias=True):
        return layers.Conv2D(channels, kernel, padding="same", use_bias=bias, activation="relu" if relu else None)(x)

    x = conv(x, 16, 3, bias=False)                    # Conv_96
    x = conv(layers.MaxPool2D(2)(x), 16, 3, bias=False)  # Conv_48
    x = conv(layers.MaxPool2D(2)(x), 16, 1, bias=False)  # Conv_24_1
    for channels, kernel in [(32, 3), (16, 1), (32, 3), (16, 1), (32, 3)]:  # Conv_24_2 … Conv_24_6
        x = conv(x, channels, kernel)
    x = conv(layers.MaxPool2D(2)(x), 16, 1)           # Conv_12_1
    for channels, kernel in [(32, 3), (16, 1), (32, 3), (16, 1), (32, 3),  # Conv_12_2 … Conv_12_6
                             (16, 1), (32, 3),                           # Conv_7_1, Conv_7_2
                             (32, 1), (16, 1), (16, 1)]:                 # Conv_Res_1 … Conv_Res_3
        x = conv(x, channels, kernel)
    x = conv(x, 12, 1, relu=False)                    # Conv_Res_4
    boxes = layers.Lambda(lambda t: t[..., :10])(x)
    classes = layers.Lambda(lambda t: t[..., 10:])(x)
    return tf.keras.Model(inputs, [boxes, classes, x])


def autoenc(tf):
    layers = tf.keras.layers
    x = inputs = tf.keras.Input((3, 256), batch_size=1)
    x = layers.Conv1D(128, 1, activation="relu")(x)
    x = layers.Conv1D(64, 3, activation="relu")(x)
    x = layers.Reshape((64,))(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dense(4, use_bias=False)(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dense(96, activation="relu")(x)
    x = layers.Dense(768, use_bias=False)(x)
    x = layers.Reshape((256, 3))(x)
    return tf.keras.Model(inputs, x)


def resnet(tf):
    layers = tf.keras.layers
    x = inputs = tf.keras.Input((32, 32, 3), batch_size=1)

    def conv(x, channels, kernel, pool=False, relu=True):
        if pool:
            x = layers.MaxPool2D(2)(x)
        return layers.Conv2D(channels, kernel, padding="same", activation="relu" if relu else None)(x)

    x = conv(x, 16, 3)                    # conv1, 32×32
    residual = conv(x, 20, 3)             # conv2
    x = layers.Add()([conv(residual, 20, 3), residual])  # conv3 + resid1
    x = conv(x, 20, 3)                    # conv4
    residual = conv(x, 20, 3, pool=True)  # conv5, 16×16
    x = layers.Add()([conv(residual, 20, 3), residual])  # conv6 + resid2
    x = conv(x, 44, 3)                    # conv7
    residual = conv(x, 48, 3, pool=True)  # conv8, 8×8
    x = layers.Add()([conv(residual, 48, 3), residual])  # conv9 + resid3
    x = conv(x, 96, 3, pool=True)         # conv10, 4×4
    x = conv(x, 512, 1, pool=True)        # conv11, 2×2
    x = conv(x, 128, 1)                   # conv12
    x = conv(x, 128, 3, pool=True)        # conv13, 1×1
    x = conv(x, 100, 1, relu=False)       # conv14
    return tf.keras.Model(inputs, layers.Reshape((100,))(x))


def convert(tf, model, seed):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    shape = (1,) + tuple(model.input_shape[1:])

    def representative():
        generator = np.random.default_rng(seed)
        for _ in range(16):
            yield [generator.uniform(-1, 1, size=shape).astype(np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def vela_summary(path):
    """Vela 5.2's summary of `path` compiled as the authors compiled theirs (their cmd_s.md and CSV names)."""
    import ethosu.vela
    ini = os.path.join(os.path.dirname(ethosu.vela.__file__), "..", "config_files", "Arm", "vela.ini")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["vela", path, "--accelerator-config", "ethos-u55-64", "--config", ini,
                        "--system-config", "Ethos_U55_High_End_Embedded", "--memory-mode", "Shared_Sram",
                        "--output-dir", out], check=True, capture_output=True)
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(out, f"{name}_summary_Ethos_U55_High_End_Embedded.csv")) as file:
            return next(csv.DictReader(file))


def main():
    import tensorflow as tf
    os.makedirs(OUT, exist_ok=True)
    for index, (name, build) in enumerate([("yolov1_96", yolov1_96), ("autoenc", autoenc), ("resnet", resnet)]):
        tf.keras.utils.set_random_seed(40 + index)
        path = os.path.join(OUT, name + ".tflite")
        with open(path, "wb") as out:
            out.write(convert(tf, build(tf), seed=50 + index))
        if "--check" in sys.argv[1:]:
            summary = vela_summary(path)
            macs, weights = int(float(summary["nn_macs"])), int(float(summary["total_original_weights"]))
            print(f"{name}: nn_macs {macs} (authors {AUTHORS[name][0]}), total_original_weights {weights} "
                  f"(authors {AUTHORS[name][1]}), npu-encoded weights {summary['total_npu_encoded_weights']}, "
                  f"cycles_total {summary['cycles_total']}")
            assert (macs, weights) == AUTHORS[name], name


if __name__ == "__main__":
    main()
