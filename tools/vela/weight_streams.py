#!/usr/bin/env python3
"""Encodes the weights of Kiln's fixture models with Vela's own weight codec (mlw_codec).

The Ethos-U reads its weights as a compressed stream (Vela `weight_compressor.encode_weights`:
`mlw_codec.reorder_encode` reorders an OHWI weight volume into the order the MAC array consumes
it, then Golomb-Rice codes it with palettes and zero runs). For every convolution, depthwise
convolution and fully connected operator of the models, in TFLite operator order, this script
calls Vela 5.2's compiled codec with OFM block depths 16 and 32, both traversals (convolutions)
and an OFM depth slice, and writes the encoded stream's length and CRC-32 to
Tests/Fixtures/vela/weights/<model>.csv:

    operator,kind,shape,ofm_start,ofm_end,block_depth,part_kernel,bytes,crc32

`shape` is Vela's OHWI weight shape (depthwise: C×H×W×1; fully connected: O×1×1×I); `kind` is
conv, depthwise or fc. It also writes the full encoded bytes of one layer per model as hex
(<model>.first.hex: the first listed stream of at most 8 KiB) so a test can compare byte for byte.
The micro-block depths are those of every accelerator but the U55-32 (8 and 8, Vela
`ArchitectureFeatures.accelerator_configs`); dilation 1; int8 feature maps.

These are the Python core's streams; tools/vela/regor_weight_streams.py writes the default core's.

Requires `pip install ethos-u-vela==5.2.0 tensorflow-cpu`.
Usage: python3 tools/vela/weight_streams.py
"""
import os
import zlib

import numpy as np
import tensorflow as tf
from ethosu import mlw_codec

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = {
    "kws_ref_model": "Tests/Fixtures/tflite/mlperf/kws_ref_model.tflite",
    "pretrainedResnet_quant": "Tests/Fixtures/tflite/mlperf/pretrainedResnet_quant.tflite",
    "vww_96_int8": "Tests/Fixtures/tflite/mlperf/vww_96_int8.tflite",
    "ad01_int8": "Tests/Fixtures/tflite/mlperf/ad01_int8.tflite",
    "mobilenet_v2_035_96": "Tests/Fixtures/tflite/mobilenet/mobilenet_v2_035_96.tflite",
}
OUT = os.path.join(REPO, "Tests/Fixtures/vela/weights")


def layers(path):
    """(operator index, kind, OHWI int16 weights minus zero point) per weighted operator."""
    interpreter = tf.lite.Interpreter(model_path=os.path.join(REPO, path))
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    for op in interpreter._get_ops_details():
        name = op["op_name"]
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        weight = tensors[op["inputs"][1]]
        values = interpreter.get_tensor(weight["index"]).astype(np.int16)
        zero_points = weight["quantization_parameters"]["zero_points"]
        if name == "CONV_2D":  # TFLite OHWI already
            zero = zero_points.reshape(-1, 1, 1, 1) if zero_points.size > 1 else zero_points
            yield op["index"], "conv", values - zero.astype(np.int16) if zero.size else values
        elif name == "DEPTHWISE_CONV_2D":  # 1×H×W×C -> C×H×W×1 (Vela's depthwise OHWI)
            zero = zero_points.astype(np.int16) if zero_points.size else np.int16(0)
            values = values - zero
            yield op["index"], "depthwise", np.transpose(values, (3, 1, 2, 0))
        else:  # O×I -> O×1×1×I
            zero = zero_points.reshape(-1, 1).astype(np.int16) if zero_points.size > 1 else (
                zero_points.astype(np.int16) if zero_points.size else np.int16(0))
            values = values - zero
            yield op["index"], "fc", values.reshape(values.shape[0], 1, 1, values.shape[1])


def part_kernel_choices(kind, ohwi):
    """Both traversals for a convolution (Vela picks by utilisation; the codec takes either);
    depth-first only for depthwise and fully connected (Vela never uses part-kernel there)."""
    return [False, True] if kind == "conv" else [False]


def main():
    os.makedirs(OUT, exist_ok=True)
    for model, path in MODELS.items():
        rows, first = [], None
        for index, kind, ohwi in layers(path):
            depth = ohwi.shape[0]
            slices = [(0, depth)]
            if depth > 16:  # a weight-buffering slice: the first 16 channels and the rest
                slices += [(0, 16), (16, depth)]
            for start, end in slices:
                for block_depth in (16, 32):
                    for part_kernel in part_kernel_choices(kind, ohwi):
                        volume = np.ascontiguousarray(ohwi[start:end])
                        encoded, _ = mlw_codec.reorder_encode(8, 8, volume, block_depth, kind == "depthwise",
                                                             part_kernel, 8, 8, 8)
                        encoded = bytes(encoded)
                        rows.append(f"{index},{kind},{'x'.join(map(str, ohwi.shape))},{start},{end},{block_depth},"
                                    f"{int(part_kernel)},{len(encoded)},{zlib.crc32(encoded)}")
                        if first is None and len(encoded) <= 8192:
                            first = encoded
        with open(os.path.join(OUT, f"{model}.csv"), "w") as out:
            out.write("operator,kind,shape,ofm_start,ofm_end,block_depth,part_kernel,bytes,crc32\n")
            out.write("\n".join(rows) + "\n")
        with open(os.path.join(OUT, f"{model}.first.hex"), "w") as out:
            out.write(first.hex() + "\n")
        print(model, len(rows), "streams")


if __name__ == "__main__":
    main()
