"""Tool-run check of Done-when line 1 of issue 15 on the full all-MiniLM-L6-v2 (6 layers, hidden 384,
sequence length 128, batch 2): `kiln run` on the four forms against ONNX Runtime.

Too heavy for `swift test` (a 90 MB float model; about two minutes per form in a debug build), so it
runs here. First make the models:
  HF_HUB_OFFLINE=1 python3 tools/transformers/make_encoder_fixtures.py full --out /tmp/minilm
then, from the repository root:
  python3 tools/transformers/check_full_encoder.py --dir /tmp/minilm --kiln .build/release/kiln

For each form it runs Kiln's reference interpreter on the target-neutral graph and, for the three forms
with u8 x s8 products, on the graph adapted to x86-avx2-haswell-i7-4770 (ORT's saturating pair sums),
and prints the max |difference| and cosine of Kiln's embedding against ORT's
with all graph optimizations (ORT_ENABLE_ALL, what ORT users run) and with none (ORT_DISABLE_ALL),
and how far ORT's two are from each other. `--skip-run` reuses the `kiln_<form>[_avx2]/embedding.npy`
outputs already in the folder.
"""
import argparse
import os
import subprocess

import numpy as np
import onnxruntime as ort

FORMS = ["encoder", "encoder_qdq_matmul_gather", "encoder_dynamic", "encoder_qdq"]
NAMES = ["input_ids", "attention_mask", "token_type_ids"]
AVX2 = "x86-avx2-haswell-i7-4770"


def run_ort(path, inputs, level):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = level
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]).run(None, inputs)[0]


def cosine(a, b):
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default="/tmp/minilm")
    parser.add_argument("--kiln", default=".build/release/kiln")
    parser.add_argument("--skip-run", action="store_true")
    arguments = parser.parse_args()
    folder = arguments.dir
    inputs = {name: np.load(os.path.join(folder, f"{name}.npy")) for name in NAMES}
    feeds = [item for name in NAMES for item in ("--input", f"{name}={os.path.join(folder, name + '.npy')}")]
    print(f"{'form':28} {'graph':8} {'vs ORT all':>11} {'vs ORT none':>11} {'ORT all-none':>12} {'cosine':>9}")
    for form in FORMS:
        path = os.path.join(folder, form + ".onnx")
        enabled = run_ort(path, inputs, ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
        disabled = run_ort(path, inputs, ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
        for target in [None, AVX2] if form != "encoder" else [None]:
            out = os.path.join(folder, f"kiln_{form}" + ("_avx2" if target else ""))
            if not arguments.skip_run:
                command = [arguments.kiln, "run", path, *feeds, "--output-dir", out] + (["--target", target] if target else [])
                subprocess.run(command, check=True)
            kiln = np.load(os.path.join(out, "embedding.npy"))
            print(f"{form:28} {'avx2' if target else 'neutral':8} {np.abs(kiln - enabled).max():11.2e} "
                  f"{np.abs(kiln - disabled).max():11.2e} {np.abs(enabled - disabled).max():12.2e} {cosine(kiln, enabled):9.6f}")


if __name__ == "__main__":
    main()
