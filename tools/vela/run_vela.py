#!/usr/bin/env python3
"""Runs Arm's Vela compiler on Kiln's int8 .tflite fixtures and keeps what it reports.

For every (model, configuration) pair it runs

    vela MODEL --accelerator-config ACCEL --config <vela's own vela.ini>
         --system-config SYSTEM --memory-mode MODE --verbose-performance

and writes, under the output folder (default Tests/Fixtures/vela):

  <config>/<model>.layers.csv   Vela's per-layer CSV (op, cycles, NPU cycles, access cycles per
                                memory area, MACs), the operator-name column cut to the last name
  <config>/<model>.summary.csv  Vela's network summary (total cycles, bytes per memory area,
                                SRAM and flash used, ...), one key,value per line
  <config>/<model>.cpu.txt      the operators Vela places on the CPU, one per line:
                                "<TFLite op>: <Vela's reason>" (empty file: none)

The configurations are Vela's shipped system configurations and memory modes (vela.ini in the
ethos-u-vela package). Each runs twice: with Vela 5.2's default compiler core (the C++ "regor"
core, folder <config>) and with its Python core (`--debug-force-legacy-core`, folder
<config>-legacy), whose performance model (ethosu/vela/npu_performance.py) is the one Kiln
re-derives. Requires `pip install ethos-u-vela==5.2.0`.

Usage: python3 tools/vela/run_vela.py [--out DIR] [--configurations NAME,...] [MODEL.tflite ...]
"""
import argparse
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import ethosu.vela

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VELA_INI = os.path.join(os.path.dirname(ethosu.vela.__file__), "..", "config_files", "Arm", "vela.ini")

# name -> (accelerator, Vela system configuration, Vela memory mode); one per Kiln target file.
CONFIGURATIONS = {
    "ethos-u55-32": ("ethos-u55-32", "Ethos_U55_High_End_Embedded", "Shared_Sram"),
    "ethos-u55-64": ("ethos-u55-64", "Ethos_U55_High_End_Embedded", "Shared_Sram"),
    "ethos-u55-128": ("ethos-u55-128", "Ethos_U55_High_End_Embedded", "Shared_Sram"),
    "ethos-u55-256": ("ethos-u55-256", "Ethos_U55_High_End_Embedded", "Shared_Sram"),
    "ethos-u65-256": ("ethos-u65-256", "Ethos_U65_High_End", "Shared_Sram"),
    "ethos-u65-512": ("ethos-u65-512", "Ethos_U65_High_End", "Shared_Sram"),
}

DEFAULT_MODELS = (
    [os.path.join(REPO, "Tests/Fixtures/tflite/mlperf", m) for m in (
        "ad01_int8.tflite", "kws_ref_model.tflite", "pretrainedResnet_quant.tflite", "vww_96_int8.tflite")]
    + sorted(glob.glob(os.path.join(REPO, "Tests/Fixtures/tflite/ops", "*.tflite")))
)

CPU_LINE = re.compile(r"^Warning \(supported operators\) operator: (\S+), ofm: '(.*)'$")
# The Python core: "Info: OP 'tensor' is a CPU only op", or "Warning: OP 'tensor' is not supported
# on the NPU. Placing on CPU instead" (or "Warning: Unsupported TensorFlow Lite semantics for OP
# 'tensor'. Placing on CPU instead") followed by " - constraint" lines.
LEGACY_CPU_ONLY = re.compile(r"^Info: (\S+) '(.*)' is a CPU only op$")
LEGACY_CPU_LINE = re.compile(
    r"^Warning: (?:Unsupported TensorFlow Lite semantics for )?(\S+) '(.*)'(?: is not supported on the NPU)?\. Placing on CPU instead$")


def cpu_operators(stdout):
    """The CPU placements Vela prints: "<op>: <reason> | <reason>" per placed operator."""
    lines = stdout.splitlines()
    out = []
    for i, line in enumerate(lines):
        match = LEGACY_CPU_ONLY.match(line)
        if match:
            out.append(f"{match.group(1)}: CPU only op")
            continue
        match = CPU_LINE.match(line) or LEGACY_CPU_LINE.match(line)
        if not match:
            continue
        reasons = []
        for follow in lines[i + 1:]:
            if not follow.startswith(("Reason: ", "   ", " - ")):
                break
            reasons.append(follow.replace("Reason: ", "").strip().lstrip("- ").strip())
        out.append(f"{match.group(1)}: {' | '.join(reasons)}")
    return out


def run(model, name, accel, system, mode, out_dir, legacy):
    stem = os.path.splitext(os.path.basename(model))[0]
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["vela", model, "--accelerator-config", accel, "--config", VELA_INI, "--system-config", system,
             "--memory-mode", mode, "--output-dir", tmp, "--verbose-performance"]
            + (["--debug-force-legacy-core"] if legacy else []),
            capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"vela failed on {model} ({name}):\n{result.stdout}\n{result.stderr}")
        target = os.path.join(out_dir, name + ("-legacy" if legacy else ""))
        os.makedirs(target, exist_ok=True)
        layers = os.path.join(tmp, f"{stem}_per-layer.csv")
        with open(layers) as src, open(os.path.join(target, f"{stem}.layers.csv"), "w", newline="") as dst:
            writer = csv.writer(dst, lineterminator="\n")
            for row in csv.reader(src):
                if row and row[-1] != "Name":
                    row[-1] = row[-1].split(";")[-1]
                writer.writerow(row)
        summary = os.path.join(tmp, f"{stem}_summary_{system}.csv")
        with open(summary) as src, open(os.path.join(target, f"{stem}.summary.csv"), "w", newline="") as dst:
            rows = list(csv.reader(src))
            writer = csv.writer(dst, lineterminator="\n")
            for key, value in zip(rows[0], rows[1]):
                writer.writerow([key, value])
        with open(os.path.join(target, f"{stem}.cpu.txt"), "w") as dst:
            for line in cpu_operators(result.stdout):
                dst.write(line + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "Tests/Fixtures/vela"))
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS),
                        help="comma-separated configuration names (default: all)")
    parser.add_argument("models", nargs="*", default=DEFAULT_MODELS)
    args = parser.parse_args()
    if shutil.which("vela") is None:
        sys.exit("vela not found: pip install ethos-u-vela==5.2.0")
    version = subprocess.run(["vela", "--version"], capture_output=True, text=True).stdout.strip()
    for model in args.models:
        for name in args.configurations.split(","):
            accel, system, mode = CONFIGURATIONS[name]
            for legacy in (False, True):
                run(model, name, accel, system, mode, args.out, legacy)
    with open(os.path.join(args.out, "VERSION"), "w") as dst:
        dst.write(f"ethos-u-vela {version}\n")


if __name__ == "__main__":
    main()
