#!/usr/bin/env python3
"""FINN's own estimates for the binarized BNN-PYNQ networks at their published foldings, written to
Tests/Fixtures/finn/bnn_pynq_published.json.

For LFC-W1A1 and CNV-W1A1 every matrix-vector engine (MVAU_hls, mem_mode internal_decoupled) is
instantiated with the layer's shape, data types and the published PE / SIMD / ram_style / resType,
and FINN's `get_exp_cycles`, `lut_estimation` and `bram_estimation` are recorded. FINN's dataflow
throughput is one frame per `max(get_exp_cycles)` over the engines at the fabric clock.

Foldings (copied into examples/finn/ in FINN's folding-config shape):
* CNV-W1A1: finn-examples build/bnn-pynq/folding_config/cnv-w1a1_folding_config.json (the same
  PE/SIMD as FINN's tests/end2end/test_end2end_bnn_pynq.py fold_cnv_large).
* LFC-W1A1: FINN's tests/end2end/test_end2end_bnn_pynq.py fold_lfc (BNN-PYNQ's
  bnn/src/network/lfcW1A1/hw/config.h has the same 512-cycle layers on a first layer padded to
  MW 832).

Data types as FINN's streamlined BNN-PYNQ graphs have them: binary (XNOR) layers read and write
BINARY; CNV's first layer reads the 8-bit input (INT8); the last layer writes its accumulators
(noActivation 1).

Run (never at Kiln run time), in the venv of tools/finn/make_finn_estimates.py:
    /tmp/finn-venv/bin/python tools/finn/make_bnn_pynq_estimates.py
finn-plus 1.6.1 imports torch only for its LayerNorm op; with no torch installed, an empty `torch`
package (with `torch/nn/functional.py`) on PYTHONPATH lets the estimate functions load.
"""
import json
import os

from onnx import helper
from qonnx.custom_op.registry import getCustomOp

PART = "xc7z020clg400-1"  # PYNQ-Z1
HLS = "finn.custom_op.fpgadataflow.hls"

# (name, MW, MH, output pixels, input type, output type or None for no activation, PE, SIMD, ram_style)
NETWORKS = {
    "lfc-w1a1": [
        ("MVAU_hls_0", 784, 1024, [1], "BINARY", "BINARY", 32, 49, "block"),
        ("MVAU_hls_1", 1024, 1024, [1], "BINARY", "BINARY", 64, 32, "auto"),
        ("MVAU_hls_2", 1024, 1024, [1], "BINARY", "BINARY", 32, 64, "auto"),
        ("MVAU_hls_3", 1024, 10, [1], "BINARY", None, 10, 8, "distributed"),
    ],
    "cnv-w1a1": [
        ("MVAU_hls_0", 27, 64, [1, 30, 30], "INT8", "BINARY", 16, 3, "auto"),
        ("MVAU_hls_1", 576, 64, [1, 28, 28], "BINARY", "BINARY", 32, 32, "auto"),
        ("MVAU_hls_2", 576, 128, [1, 12, 12], "BINARY", "BINARY", 16, 32, "auto"),
        ("MVAU_hls_3", 1152, 128, [1, 10, 10], "BINARY", "BINARY", 16, 32, "auto"),
        ("MVAU_hls_4", 1152, 256, [1, 3, 3], "BINARY", "BINARY", 4, 32, "auto"),
        ("MVAU_hls_5", 2304, 256, [1, 1, 1], "BINARY", "BINARY", 1, 32, "auto"),
        ("MVAU_hls_6", 256, 512, [1], "BINARY", "BINARY", 1, 4, "auto"),
        ("MVAU_hls_7", 512, 512, [1], "BINARY", "BINARY", 1, 8, "auto"),
        ("MVAU_hls_8", 512, 10, [1], "BINARY", None, 5, 1, "auto"),
    ],
}


def main():
    import importlib.metadata as metadata
    document = {"generator": "tools/finn/make_bnn_pynq_estimates.py", "finn": "finn-plus " + metadata.version("finn-plus"),
                "part": PART, "networks": {}}
    for network, layers in NETWORKS.items():
        rows = []
        for (name, mw, mh, vectors, idt, odt, pe, simd, ram_style) in layers:
            attributes = dict(MW=mw, MH=mh, PE=pe, SIMD=simd, resType="lut", inputDataType=idt, weightDataType="BINARY",
                              outputDataType=odt or "INT32", noActivation=0 if odt else 1, numInputVectors=vectors,
                              mem_mode="internal_decoupled", ram_style=ram_style, ram_style_thresholds="auto", ActVal=0,
                              binaryXnorMode=1 if idt == "BINARY" else 0)
            node = helper.make_node("MVAU_hls", ["in0", "in1"], ["out0"], domain=HLS, name=name, **attributes)
            inst = getCustomOp(node)
            rows.append({"node": name, "attributes": attributes,
                         "finn": {"cycles": int(inst.get_exp_cycles()), "luts": int(inst.lut_estimation(PART)),
                                  "bram18": int(inst.bram_estimation(PART))}})
        document["networks"][network] = {
            "layers": rows,
            "intervalCycles": max(r["finn"]["cycles"] for r in rows),
            "bram18": sum(r["finn"]["bram18"] for r in rows),
        }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "Tests", "Fixtures", "finn", "bnn_pynq_published.json")
    with open(path, "w") as file:
        json.dump(document, file, indent=1, sort_keys=True)
        file.write("\n")
    for network, value in document["networks"].items():
        print(network, "interval", value["intervalCycles"], "BRAM_18K", value["bram18"],
              [(r["node"], r["finn"]) for r in value["layers"]])


if __name__ == "__main__":
    main()
