#!/usr/bin/env python3
"""Vela's estimates beside the Himax WE2 board rows of examples/validation/measurements.json.

For each model rebuilt by make_npu_bench_models.py (Tests/Fixtures/tflite/unpu-bench/) this runs
Vela 5.2 for the Ethos-U55-64 with both of its compiler cores (the default "regor" core and
--debug-force-legacy-core) in three system configurations:

  authors       Arm's vela.ini Ethos_U55_High_End_Embedded (500 MHz, weights in off-chip flash at
                clock scale 0.125), Shared_Sram: how the uNPU-Bench authors compiled the models they
                ran (their cmd_s.md and summary CSV names);
  seeed-flash   Seeed's configuration for the Grove Vision AI V2 as it ships (My_Sys_Cfg: 400 MHz,
                SRAM burst 32 latency 16, off-chip flash clock scale 1/64 burst 32 latency 64),
                Shared_Sram: a model kept in flash;
  we2-sram      the same with the constants port at the SRAM's figures: the placement of the
                measured apps, whose linker script puts the model in the 2 MiB system SRAM (Kiln's
                himax-we2-ethos-u55-64 target).

It also records the authors' own Vela 4.1.0 summaries of their trained models (the
*_summary_Ethos_U55_High_End_Embedded.csv files of j0shmillar/uNPU-Bench, commit bf22c50) and,
with --vela41 PYTHONPATH (a directory where `pip install --target DIR ethos-u-vela==4.1.0 lxml`
put Vela 4.1.0), Vela 4.1.0 on the rebuilt models in the authors' configuration: the same
compiler on seeded-random and on trained weights, which shows what the weights change.

Writes tools/validation/we2_vela_estimates.json (cycles; seconds are cycles / core clock).
Usage: python3 tools/validation/we2_vela_estimates.py [--vela41 DIR]
Requires ethos-u-vela 5.2.0.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import ethosu.vela

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(ROOT, "Tests", "Fixtures", "tflite", "unpu-bench")
ARM_INI = os.path.join(os.path.dirname(ethosu.vela.__file__), "..", "config_files", "Arm", "vela.ini")

WE2_INI = """
[System_Config.Seeed_My_Sys_Cfg]
core_clock=400e6
axi0_port=Sram
axi1_port=OffChipFlash
Sram_clock_scale=1.0
Sram_burst_length=32
Sram_read_latency=16
Sram_write_latency=16
OffChipFlash_clock_scale=0.015625
OffChipFlash_burst_length=32
OffChipFlash_read_latency=64
OffChipFlash_write_latency=64

; The measured placement: the constants port reaches the system SRAM (Vela needs a second memory
; type for a separate constants area; it gets the SRAM's figures).
[System_Config.WE2_Model_In_Sram]
core_clock=400e6
axi0_port=Sram
axi1_port=OnChipFlash
Sram_clock_scale=1.0
Sram_burst_length=32
Sram_read_latency=16
Sram_write_latency=16
OnChipFlash_clock_scale=1.0
OnChipFlash_burst_length=32
OnChipFlash_read_latency=16
OnChipFlash_write_latency=16

[Memory_Mode.Shared_Sram]
const_mem_area=Axi1
arena_mem_area=Axi0
cache_mem_area=Axi0
"""

CONFIGURATIONS = {"authors": (None, "Ethos_U55_High_End_Embedded"),
                  "seeed-flash": ("we2", "Seeed_My_Sys_Cfg"),
                  "we2-sram": ("we2", "WE2_Model_In_Sram")}

# The authors' Vela 4.1.0 summaries of their trained models (uNPU-Bench, commit bf22c50,
# src/model/<model>/vela_perf/<model>_full_integer_quant_summary_Ethos_U55_High_End_Embedded.csv).
AUTHORS_VELA_41 = {
    "yolov1_96": {"file": "src/model/yolo/vela_perf/yolov1_full_integer_quant_summary_Ethos_U55_High_End_Embedded.csv",
                  "total_npu_encoded_weights": 46800, "cycles_npu": 672712, "cycles_off_chip_flash_access": 0,
                  "cycles_total": 678416},
    "resnet": {"file": "src/model/resnet/vela_perf/resnet_full_integer_quant_summary_Ethos_U55_High_End_Embedded.csv",
               "total_npu_encoded_weights": 404176, "cycles_npu": 1143269, "cycles_off_chip_flash_access": 15424,
               "cycles_total": 1157223},
    "autoenc": {"file": "src/model/autoenc/vela_perf/autoenc_full_integer_quant_summary_Ethos_U55_High_End_Embedded.csv",
                "total_npu_encoded_weights": 127744, "cycles_npu": 73278, "cycles_off_chip_flash_access": 79808,
                "cycles_total": 142125},
}
KEYS = ["total_npu_encoded_weights", "cycles_npu", "cycles_off_chip_flash_access", "cycles_on_chip_flash_access", "cycles_total"]


def summary(command, model, system, env=None):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(command + ["--output-dir", out], check=True, capture_output=True, env=env)
        with open(os.path.join(out, f"{model}_summary_{system}.csv")) as file:
            row = next(csv.DictReader(file))
    return {key: int(float(row[key])) for key in KEYS if key in row}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vela41", help="PYTHONPATH holding Vela 4.1.0 (pip install --target DIR ethos-u-vela==4.1.0 lxml)")
    arguments = parser.parse_args()
    result = {"vela": ethosu.vela.__version__ if hasattr(ethosu.vela, "__version__") else "5.2.0", "models": {}}
    with tempfile.TemporaryDirectory() as folder:
        we2_ini = os.path.join(folder, "we2.ini")
        with open(we2_ini, "w") as file:
            file.write(WE2_INI)
        for model in ["yolov1_96", "resnet", "autoenc"]:
            path = os.path.join(MODELS, model + ".tflite")
            entry = {"authorsVela41TrainedWeights": AUTHORS_VELA_41[model]}
            for name, (ini, system) in CONFIGURATIONS.items():
                command = ["vela", path, "--accelerator-config", "ethos-u55-64", "--config", we2_ini if ini else ARM_INI,
                           "--system-config", system, "--memory-mode", "Shared_Sram"]
                entry[name] = {"regor": summary(command, model, system),
                               "legacy": summary(command + ["--debug-force-legacy-core"], model, system)}
            if arguments.vela41:
                environment = dict(os.environ, PYTHONPATH=arguments.vela41)
                command = [sys.executable, "-c", "import sys; from ethosu.vela import vela; sys.argv[0] = 'vela'; sys.exit(vela.main())",
                           path, "--accelerator-config", "ethos-u55-64"]
                entry["vela41RebuiltWeights"] = summary(command, model, "Ethos_U55_High_End_Embedded", env=environment)
            result["models"][model] = entry
    with open(os.path.join(ROOT, "tools", "validation", "we2_vela_estimates.json"), "w") as out:
        json.dump(result, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
