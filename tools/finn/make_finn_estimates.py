#!/usr/bin/env python3
"""Calls FINN's own estimate functions (finn-plus on PyPI) for the engines Kiln's fpga dataflow
backend models, and writes them to Tests/Fixtures/finn/estimates.json.

Kiln's Swift re-derives every number from the published formulas; the tests assert exact
equality with this file. Run (never at Kiln run time):

    python3 -m venv /tmp/finn-venv
    /tmp/finn-venv/bin/pip install finn-plus      # or --no-deps finn-plus qonnx + the imports it asks for
    /tmp/finn-venv/bin/python tools/finn/make_finn_estimates.py

Engines and attributes (FINN defaults unless listed):
* MVAU_hls: mem_mode internal_decoupled, ram_style auto, ram_style_thresholds auto,
  accDataType INT32, resType lut or dsp.
* VVAU_hls: the same memory settings.
  A subset repeats with ram_style distributed, block and ultra.
* Thresholding_hls: mem_mode internal_decoupled, ram_style distributed (FINN's default), block, ultra.
* ConvolutionInputGenerator_rtl: ram_style distributed (FINN's default), block, ultra; parallel_window 0 or 1.
* Pool_hls (MaxPool) and GlobalAccPool_hls: cycles only (FINN has no resource estimate for them).
"""
import itertools
import json
import os
import sys

from onnx import helper
from qonnx.custom_op.registry import getCustomOp

PART = "xc7z020clg400-1"  # PYNQ-Z1; the estimates used here do not depend on the part
HLS = "finn.custom_op.fpgadataflow.hls"
RTL = "finn.custom_op.fpgadataflow.rtl"


def op(op_type, domain, **attributes):
    node = helper.make_node(op_type, ["in0", "in1"], ["out0"], domain=domain, name=op_type, **attributes)
    return getCustomOp(node)


def estimates(instance, with_resources=True):
    result = {"cycles": int(instance.get_exp_cycles())}
    if with_resources:
        result.update(
            luts=int(instance.lut_estimation(PART)),
            bram18=int(instance.bram_estimation(PART)),
            uram=int(instance.uram_estimation(PART)),
            dsps=int(instance.dsp_estimation(PART)),
        )
    return result


def dtype(bits, signed):
    return ("INT" if signed else "UINT") + str(bits)


def mvau_cases():
    shapes = [  # MW, MH, vectors
        (9, 8, [1, 26, 26]),          # 3×3×1 conv, 8 channels, 26×26 outputs
        (72, 16, [1, 11, 11]),        # 3×3×8 conv
        (400, 10, [1]),               # dense
        (784, 64, [1]),               # dense
        (1152, 64, [1, 8, 8]),        # large conv: deep weight memory
        (64, 256, [1, 4]),            # wide memory (PE·SIMD·W > 36)
    ]
    cases = []
    for (mw, mh, vectors) in shapes:
        pes = sorted({1, 2, mh // 2 if mh % 2 == 0 else 1, mh})
        simds = sorted({1, 3 if mw % 3 == 0 else 1, mw // 4 if mw % 4 == 0 else 1, mw})
        for pe, simd in itertools.product(pes, simds):
            for (wbits, abits, obits) in [(4, 4, 4), (2, 2, 2), (8, 8, 8), (4, 8, 4), (1, 1, 1)]:
                for res_type in ["lut", "dsp"]:
                    for no_activation in [0, 1]:
                        if no_activation and (wbits, abits) not in [(4, 4), (8, 8)]:
                            continue
                        attributes = dict(MW=mw, MH=mh, PE=pe, SIMD=simd, resType=res_type,
                                          inputDataType=dtype(abits, False), weightDataType=dtype(wbits, wbits > 1),
                                          outputDataType=dtype(obits, False) if not no_activation else "INT32",
                                          noActivation=no_activation, numInputVectors=vectors,
                                          mem_mode="internal_decoupled", ram_style="auto",
                                          ram_style_thresholds="auto", ActVal=0)
                        if wbits == 1:
                            attributes["weightDataType"] = "BINARY"
                            attributes["inputDataType"] = "BINARY"
                        cases.append({"attributes": attributes, "finn": estimates(op("MVAU_hls", HLS, **attributes))})
                        if (wbits, abits, res_type, no_activation) == (4, 4, "lut", 0):
                            for style in ["distributed", "block", "ultra"]:
                                varied = dict(attributes, ram_style=style)
                                cases.append({"attributes": varied, "finn": estimates(op("MVAU_hls", HLS, **varied))})
    return cases


def vvau_cases():
    cases = []
    for (channels, kernel, dim) in [(8, [3, 3], [26, 26]), (32, [3, 3], [12, 12]), (64, [5, 5], [4, 4]), (96, [3, 3], [56, 56])]:
        k = kernel[0] * kernel[1]
        for pe in sorted({1, 2, channels // 2, channels}):
            for simd in sorted({1, k}):
                for (wbits, abits, obits) in [(4, 4, 4), (2, 2, 2), (8, 8, 8)]:
                    for res_type in ["lut", "dsp"]:
                        for no_activation in [0, 1]:
                            attributes = dict(Channels=channels, Kernel=kernel, Dim=dim, PE=pe, SIMD=simd, resType=res_type,
                                              inputDataType=dtype(abits, False), weightDataType=dtype(wbits, True),
                                              outputDataType=dtype(obits, False) if not no_activation else "INT32",
                                              noActivation=no_activation, mem_mode="internal_decoupled", ram_style="auto",
                                              ActVal=0)
                            cases.append({"attributes": attributes, "finn": estimates(op("VVAU_hls", HLS, **attributes))})
                            if (wbits, abits, res_type, no_activation) == (4, 4, "lut", 0):
                                for style in ["distributed", "block", "ultra"]:
                                    varied = dict(attributes, ram_style=style)
                                    cases.append({"attributes": varied, "finn": estimates(op("VVAU_hls", HLS, **varied))})
    return cases


def thresholding_cases():
    cases = []
    for (channels, vectors) in [(8, [1, 26, 26]), (64, [1]), (16, [1, 12, 12]), (10, [1])]:
        for pe in sorted({1, 2, channels}):
            for (abits, tbits, obits) in [(8, 9, 4), (16, 17, 2), (32, 32, 4), (4, 5, 1), (8, 9, 8)]:
                attributes = dict(NumChannels=channels, PE=pe, numSteps=2 ** obits - 1,
                                  inputDataType=dtype(abits, True), weightDataType=dtype(tbits, True),
                                  outputDataType=dtype(obits, False), numInputVectors=vectors,
                                  mem_mode="internal_decoupled", ram_style="distributed", ActVal=0)
                for style in ["distributed", "block", "ultra"]:
                    varied = dict(attributes, ram_style=style)
                    cases.append({"attributes": varied, "finn": estimates(op("Thresholding_hls", HLS, **varied))})
    return cases


def sliding_window_cases():
    cases = []
    geometries = [  # channels, input, output, kernel, stride
        (1, [28, 28], [26, 26], [3, 3], [1, 1]),
        (8, [13, 13], [11, 11], [3, 3], [1, 1]),
        (16, [32, 32], [16, 16], [3, 3], [2, 2]),
        (8, [26, 26], [13, 13], [2, 2], [2, 2]),
        (64, [224, 224], [222, 222], [3, 3], [1, 1]),
        (4, [1, 64], [1, 62], [1, 3], [1, 1]),        # 1D
        (4, [64, 1], [31, 1], [3, 1], [2, 1]),        # 1D, the other orientation
        (8, [200, 200], [100, 100], [2, 2], [2, 2]),
    ]
    for (channels, ifm, ofm, kernel, stride) in geometries:
        for simd in sorted({1, 2 if channels % 2 == 0 else 1, channels}):
            for bits in [1, 4, 8]:
                for depthwise in [0, 1]:
                    for parallel in [0, 1]:
                        if parallel and simd != channels:
                            continue
                        for style in ["distributed", "block", "ultra"]:
                            attributes = dict(ConvKernelDim=kernel, IFMChannels=channels, IFMDim=ifm, OFMDim=ofm, SIMD=simd,
                                              Stride=stride, Dilation=[1, 1], inputDataType=dtype(bits, False),
                                              outputDataType=dtype(bits, False), depthwise=depthwise, ram_style=style,
                                              parallel_window=parallel)
                            cases.append({"attributes": attributes,
                                          "finn": estimates(op("ConvolutionInputGenerator_rtl", RTL, **attributes))})
    return cases


def pool_cases():
    cases = []
    for (channels, kernel, out) in [(8, [2, 2], [13, 13]), (16, [3, 3], [5, 5]), (64, [2, 2], [1, 1])]:
        for pe in sorted({1, 2, channels}):
            attributes = dict(Channels=channels, PE=pe, KernelSize=kernel, Function="MaxPool", OutImgDims=out,
                              InputDataType="UINT4", OutputDataType="UINT4", BatchSize=1)
            cases.append({"attributes": attributes, "finn": estimates(op("Pool_hls", HLS, **attributes), with_resources=False)})
    return cases


def global_pool_cases():
    cases = []
    for (channels, vectors) in [(8, [1, 7, 7]), (64, [1, 4, 4])]:
        for pe in sorted({1, 2, channels}):
            attributes = dict(NumChannels=channels, PE=pe, inputDataType="UINT4", numInputVectors=vectors)
            cases.append({"attributes": attributes,
                          "finn": estimates(op("GlobalAccPool_hls", HLS, **attributes), with_resources=False)})
    return cases


def main():
    import importlib.metadata as metadata
    document = {
        "generator": "tools/finn/make_finn_estimates.py",
        "finn": "finn-plus " + metadata.version("finn-plus"),
        "part": PART,
        "mvau": mvau_cases(),
        "vvau": vvau_cases(),
        "thresholding": thresholding_cases(),
        "slidingWindow": sliding_window_cases(),
        "pool": pool_cases(),
        "globalAccumulatingPool": global_pool_cases(),
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "Tests", "Fixtures", "finn", "estimates.json")
    with open(path, "w") as file:  # one case per line keeps diffs readable
        parts = []
        for key in sorted(document):
            value = document[key]
            if isinstance(value, list):
                rows = ",\n  ".join(json.dumps(case, sort_keys=True, separators=(",", ":")) for case in value)
                parts.append(f" {json.dumps(key)}: [\n  {rows}\n ]")
            else:
                parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
        file.write("{\n" + ",\n".join(parts) + "\n}\n")
    print(path, {key: len(value) for key, value in document.items() if isinstance(value, list)}, file=sys.stderr)


if __name__ == "__main__":
    main()
