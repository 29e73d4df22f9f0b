#!/usr/bin/env python3
"""The int8 lookup tables Vela 5.2 puts on the NPU for TFLite LOGISTIC and TANH.

Reads each fixture model with Vela's own reader, runs Vela's own conversion
(`tflite_graph_optimiser.convert_tanh_sigmoid_to_lut`, Python core) on its LOGISTIC / TANH
operator and writes the 256 table entries (for input codes −128…127) to
Tests/Fixtures/vela/lut/<model>.csv: one line `input_code,output_code`; and
Tests/Fixtures/vela/lut/all_int8_codes.npy, the 256 codes shaped as the models' input (4×4×4×4).

Usage: python3 tools/vela/lut_tables.py
"""
import os

import numpy as np

from ethosu.vela.model_reader import ModelReaderOptions, read_model
from ethosu.vela.operation import Op
from ethosu.vela.tflite_graph_optimiser import convert_tanh_sigmoid_to_lut

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = ["logistic", "tanh"]


def main():
    out_dir = os.path.join(REPO, "Tests/Fixtures/vela/lut")
    os.makedirs(out_dir, exist_ok=True)
    np.save(os.path.join(out_dir, "all_int8_codes.npy"), np.arange(-128, 128, dtype=np.int8).reshape(4, 4, 4, 4))
    for name in MODELS:
        nng, _ = read_model(os.path.join(REPO, f"Tests/Fixtures/tflite/ops/{name}.tflite"), ModelReaderOptions())
        ops = [op for sg in nng.subgraphs for op in sg.get_all_ops() if op.type in (Op.Sigmoid, Op.Tanh)]
        assert len(ops) == 1, f"{name}: expected one LOGISTIC/TANH, found {len(ops)}"
        op = convert_tanh_sigmoid_to_lut(ops[0], None, None)
        values = [int(v) for v in op.activation_lut.values]
        with open(os.path.join(out_dir, f"{name}.csv"), "w") as out:
            for code, value in zip(range(-128, 128), values):
                out.write(f"{code},{value}\n")


if __name__ == "__main__":
    main()
