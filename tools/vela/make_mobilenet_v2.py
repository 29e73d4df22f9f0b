#!/usr/bin/env python3
"""Makes the MobileNetV2 fixture of Kiln's Ethos-U tests.

Keras' MobileNetV2 (width multiplier 0.35, 96×96×3 input, 10 classes) with seeded random
weights (no download; the performance estimate and bit-exactness do not depend on training),
converted by the TFLite converter with full-integer int8 quantization (the converter settings
of tools/tflite/make_tflite_fixtures.py, 16 seeded representative images), and run by the TFLite
interpreter on 2 seeded int8 inputs with its builtin kernels without delegates
(BUILTIN_WITHOUT_DEFAULT_DELEGATES): the reference resolver (BUILTIN_REF) of ai-edge-litert 2.3.0
aborts while preparing this model. Writes
Tests/Fixtures/tflite/mobilenet/mobilenet_v2_035_96.{tflite,input.npy,output.npy}.

Then run `python3 tools/vela/run_vela.py Tests/Fixtures/tflite/mobilenet/mobilenet_v2_035_96.tflite`
for Vela's figures. Requires tensorflow-cpu, ai-edge-litert, numpy.
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "validation"))
from make_npu_bench_models import convert  # noqa: E402

NAME = "mobilenet_v2_035_96"
SHAPE = (1, 96, 96, 3)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tflite", "mobilenet")


def reference():
    """Runs the builtin kernels without XNNPACK (in a process without TensorFlow: loading both aborts)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interpreter = Interpreter(model_path=os.path.join(OUT, NAME + ".tflite"),
                              experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    input_detail, output_detail = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    inputs = np.random.default_rng(22).integers(-128, 128, size=(2,) + SHAPE[1:], dtype=np.int8)
    outputs = []
    for sample in inputs:
        interpreter.set_tensor(input_detail["index"], sample[None])
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(output_detail["index"])[0].copy())
    np.save(os.path.join(OUT, NAME + ".input.npy"), inputs)
    np.save(os.path.join(OUT, NAME + ".output.npy"), np.stack(outputs))


def main():
    if sys.argv[1:] == ["--reference"]:
        return reference()
    import tensorflow as tf
    tf.keras.utils.set_random_seed(20)
    model = tf.keras.applications.MobileNetV2(input_shape=SHAPE[1:], alpha=0.35, weights=None, classes=10)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, NAME + ".tflite"), "wb") as out:
        out.write(convert(tf, model, seed=21))
    subprocess.run([sys.executable, __file__, "--reference"], check=True)


if __name__ == "__main__":
    main()
