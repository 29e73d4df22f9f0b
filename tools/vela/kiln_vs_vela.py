#!/usr/bin/env python3
"""Prints docs/cost-models/ethos-u.md's tables of Kiln against Vela 5.2: total cycles per model and
configuration (Vela's default core, and its Python core in brackets), the per-layer rank order,
and memory per area (SRAM, flash / DRAM).

Kiln's figures come from `kiln simulate MODEL --target T --format json` (the built-in targets,
and a copy of each with `"ethosU": {"velaCore": "python"}`); Vela's from the fixtures
`tools/vela/run_vela.py` wrote under Tests/Fixtures/vela (`<config>/<model>.summary.csv`,
`.layers.csv`; `<config>-legacy/` for the Python core). Needs a built `kiln` (`swift build`).

Usage: python3 tools/vela/kiln_vs_vela.py [--kiln .build/debug/kiln]
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Kiln target, Vela configuration folder, NPU clock (vela.ini core_clock), off-chip level.
CONFIGURATIONS = [
    ("ethos-u55-32-corstone300", "ethos-u55-32", 500e6, "flash"),
    ("ethos-u55-64-corstone300", "ethos-u55-64", 500e6, "flash"),
    ("ethos-u55-128-corstone300", "ethos-u55-128", 500e6, "flash"),
    ("ethos-u55-256-corstone300", "ethos-u55-256", 500e6, "flash"),
    ("ethos-u65-256", "ethos-u65-256", 1e9, "dram"),
    ("ethos-u65-512", "ethos-u65-512", 1e9, "dram"),
]
MODELS = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"]
LAYER_KINDS = {"Conv2DBias", "DepthwiseConv2DBias", "FullyConnected", "Conv2D", "DepthwiseConv2D"}


def model_path(model):
    folder = "mobilenet" if model.startswith("mobilenet") else "mlperf"
    return os.path.join(REPO, "Tests/Fixtures/tflite", folder, model + ".tflite")


def simulate(kiln, model, target):
    out = subprocess.run([kiln, "simulate", model_path(model), "--target", target, "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def summary(folder, model):
    with open(os.path.join(REPO, "Tests/Fixtures/vela", folder, model + ".summary.csv")) as f:
        return dict(line.rstrip("\n").split(",", 1) for line in f)


def layers_out_of_order(report, folder, model):
    """Pairs of layers above 1 % of Vela's total, more than 10 % apart in Vela, that Kiln orders the other way."""
    kiln = [l["computeCycles"] + l["memoryStallCycles"] + l.get("overheadCycles", 0) for l in report["layers"]
            if any(l.get("kernel", "").startswith(k) for k in ("ethos-u.conv2d", "ethos-u.dense", "ethos-u.mean"))]
    with open(os.path.join(REPO, "Tests/Fixtures/vela", folder, model + ".layers.csv")) as f:
        rows = list(csv.reader(f))
    header = rows[0]
    rows = [r for r in rows[1:] if len(r) == len(header)]
    kind, cycles = header.index("NNG Operator"), header.index("Op Cycles")
    total = sum(float(r[cycles]) for r in rows)
    vela = [float(r[cycles]) for r in rows if r[kind] in LAYER_KINDS]
    big = [i for i in range(len(vela)) if vela[i] > 0.01 * total]
    return sum(1 for i in big for j in big if vela[i] > 1.1 * vela[j] and not kiln[i] > kiln[j])


def python_core_copy(target, directory):
    with open(os.path.join(REPO, "targets", target + ".json")) as f:
        description = json.load(f)
    description["ethosU"]["velaCore"] = "python"
    description["name"] = target + "-python-core"
    path = os.path.join(directory, target + "-python.json")
    with open(path, "w") as f:
        json.dump(description, f)
    return path


def percent(kiln, vela):
    return f"{100 * (kiln / vela - 1):+.1f} %"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiln", default=os.path.join(REPO, ".build/debug/kiln"))
    args = parser.parse_args()
    cycles_rows, memory_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for target, folder, clock, off_chip in CONFIGURATIONS:
            python = python_core_copy(target, tmp)
            for model in MODELS:
                report = simulate(args.kiln, model, target)
                legacy = simulate(args.kiln, model, python)
                vela, vela_legacy = summary(folder, model), summary(folder + "-legacy", model)
                kiln_cycles = report["latencySeconds"] * clock
                kiln_legacy = legacy["latencySeconds"] * clock
                order = layers_out_of_order(report, folder, model)
                cycles_rows.append(
                    f"| {folder} | `{model}` | {kiln_cycles:,.0f} | {float(vela['cycles_total']):,.0f} | "
                    f"{percent(kiln_cycles, float(vela['cycles_total']))} | {order} | "
                    f"{percent(kiln_legacy, float(vela_legacy['cycles_total']))} |")
                levels = {l["level"]: l["peakBytes"] for l in report["memoryByLevel"]}
                sram = float(vela["sram_memory_used"]) * 1024
                flash = float(vela["off_chip_flash_memory_used" if off_chip == "flash" else "dram_memory_used"]) * 1024
                kiln_sram = levels.get('sram', 0)
                memory_rows.append(
                    f"| {folder} | `{model}` | {kiln_sram:,} | {sram:,.0f} | {kiln_sram - sram:+,.0f} | "
                    f"{100 * (kiln_sram / sram - 1):+.2f} % | "
                    f"{levels.get(off_chip, 0):,} | {flash:,.0f} | {levels.get(off_chip, 0) - flash:+,.0f} |")
    print("| configuration | model | Kiln cycles | Vela cycles | error | layer pairs out of order | Python core error |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(cycles_rows))
    print()
    print("| configuration | model | SRAM Kiln (bytes) | SRAM Vela | difference (bytes) | error | "
          "flash / DRAM Kiln (bytes) | flash / DRAM Vela | difference (bytes) |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(memory_rows))


if __name__ == "__main__":
    main()
