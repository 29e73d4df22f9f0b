#!/usr/bin/env python3
"""Regenerate Kiln's SCALE-Sim fixtures (Tests/Fixtures/scalesim/).

Runs SCALE-Sim v3 (pip package `scalesim`) on every topology in
Tests/Fixtures/scalesim/topologies/ for each dataflow (os, ws, is), two array sizes
(8x8, 32x32) and three interface-bandwidth settings (CALC, USER 10, USER 2), and copies
COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into
Tests/Fixtures/scalesim/reports/<run>/. The generated .cfg files are kept in
Tests/Fixtures/scalesim/configs/.

Usage (SCALE-Sim pins numpy<2.3, so use a venv):
    python3 -m venv /tmp/scalesim-venv
    /tmp/scalesim-venv/bin/pip install scalesim 'numpy<2.3'
    /tmp/scalesim-venv/bin/python tools/scalesim/generate_fixtures.py
"""
import contextlib
import io
import os
import shutil
import sys
import tempfile

from scalesim.scale_sim import scalesim

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "scalesim")
TOPOLOGIES = os.path.join(FIXTURES, "topologies")
CONFIGS = os.path.join(FIXTURES, "configs")
REPORTS = os.path.join(FIXTURES, "reports")

ARRAYS = [(8, 8, 16), (32, 32, 64), (8, 8, 1)]  # rows, columns, SRAM KiB per buffer (1 KiB: stalls)
DATAFLOWS = ["os", "ws", "is"]
BANDWIDTHS = [("calc", None), ("user10", 10), ("user2", 2)]

CFG_TEMPLATE = """[general]
run_name = {run_name}

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {sram}
FilterSramSzkB:   {sram}
OfmapSramSzkB:    {sram}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : {dataflow}
Bandwidth : {bandwidth}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {bandwidth}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {bandwidth}
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: {mode}
UseRamulatorTrace: False
"""


def main():
    os.makedirs(CONFIGS, exist_ok=True)
    os.makedirs(REPORTS, exist_ok=True)
    topologies = sorted(f for f in os.listdir(TOPOLOGIES) if f.endswith(".csv"))
    for rows, cols, sram in ARRAYS:
        for dataflow in DATAFLOWS:
            for bw_name, bandwidth in BANDWIDTHS:
                cfg_name = f"a{rows}x{cols}s{sram}_{dataflow}_{bw_name}"
                cfg_path = os.path.join(CONFIGS, cfg_name + ".cfg")
                with open(cfg_path, "w") as f:
                    f.write(CFG_TEMPLATE.format(
                        run_name=cfg_name, rows=rows, cols=cols, sram=sram, dataflow=dataflow,
                        bandwidth=bandwidth if bandwidth else 10,
                        mode="CALC" if bandwidth is None else "USER"))
                for topo in topologies:
                    run = f"{os.path.splitext(topo)[0]}__{cfg_name}"
                    gemm = topo.startswith("gemm")
                    with tempfile.TemporaryDirectory() as tmp:
                        # SCALE-Sim opens a layout file even when no custom layout is used.
                        layout = os.path.join(tmp, "layout.csv")
                        with open(layout, "w") as f:
                            f.write("Layer name,\n")
                        with contextlib.redirect_stdout(io.StringIO()):
                            sim = scalesim(save_disk_space=True, verbose=False, config=cfg_path,
                                           topology=os.path.join(TOPOLOGIES, topo),
                                           layout=layout, input_type_gemm=gemm)
                            sim.run_scale(top_path=tmp)
                        out = os.path.join(REPORTS, run)
                        os.makedirs(out, exist_ok=True)
                        for report in ["COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                       "DETAILED_ACCESS_REPORT.csv"]:
                            shutil.copy(os.path.join(tmp, cfg_name, report), os.path.join(out, report))
                    print("done", run, file=sys.stderr)


if __name__ == "__main__":
    main()
