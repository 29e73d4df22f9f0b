#!/usr/bin/env python3
"""Writes targets/ethos-u*.json: Kiln's Ethos-U targets with the numbers Vela 5.2 uses.

Every number is copied from a named place: Vela's `architecture_features.py` (the
ArchitectureConfig table, output-performance tables, AXI port widths) and `vela.ini` (system
configurations and memory modes), both in the ethos-u-vela 5.2.0 package (Apache-2.0). The
script only lays them out as Kiln target files; run it after changing a value here.

Usage: python3 tools/vela/make_targets.py
"""
import json
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AF = "ethos-u-vela 5.2.0 ethosu/vela/architecture_features.py"
INI = "ethos-u-vela 5.2.0 config_files/Arm/vela.ini"
HORO = ("derived: Horowitz, 'Computing's energy problem', ISSCC 2014, 45 nm table (second-hand: re-quoted "
        "consistently, primary slides not reached; not scaled to this part's process)")

# accelerator -> (macs per core, cores, ofm_ublock HWC, ifm_ublock HWC, shram banks, granules, output cycles,
#                 activation cycles, AXI bytes)
ACCELERATORS = {
    "ethos-u55-32": (32, 1, [1, 1, 4], [1, 1, 8], 16, [2, 2, 2, 2, 4, 4, 4, 4],
                     [2.0, 3.0, 3.0, 3.0, 4.0, 6.0, 1.0, 2.0], [1.0, 1.0, 0.0], 8),
    "ethos-u55-64": (64, 1, [1, 1, 8], [1, 1, 8], 16, [2, 2, 2, 2, 4, 4, 4, 8],
                     [1.0, 1.5, 1.5, 1.5, 2.0, 3.0, 0.5, 1.0], [1.0, 1.0, 0.0], 8),
    "ethos-u55-128": (128, 1, [1, 2, 8], [1, 2, 8], 24, [4, 4, 4, 4, 8, 4, 8, 12],
                      [0.75, 1.25, 0.75, 0.75, 1.0, 1.5, 0.25, 0.5], [1.0, 0.5, 0.0], 8),
    "ethos-u55-256": (256, 1, [2, 2, 8], [2, 2, 8], 48, [8, 8, 8, 8, 16, 8, 16, 20],
                      [0.625, 1.125, 0.5, 0.375, 0.5, 0.75, 0.125, 0.25], [1.0, 0.25, 0.0], 8),
    "ethos-u65-256": (256, 1, [2, 2, 8], [2, 2, 8], 48, [8, 8, 8, 8, 16, 8, 16, 20],
                      [0.625, 1.125, 0.5, 0.375, 0.5, 0.75, 0.125, 0.25], [1.0, 0.25, 0.0], 16),
    "ethos-u65-512": (256, 2, [2, 2, 8], [2, 2, 8], 48, [8, 8, 8, 8, 16, 8, 16, 20],
                      [0.3125, 0.5625, 0.25, 0.1875, 0.25, 0.375, 0.0625, 0.125], [0.5, 0.125, 0.0], 16),
}

# system config -> clock, SRAM (clock scale, burst, read lat, write lat), constants memory (name, scale, burst, rl, wl),
# where the numbers are written, and the capacities and energy of the two memories with their sources.
SEEED = ("Seeed Studio's Vela configuration for the Grove Vision AI Module V2 (Himax WiseEye2) as Seeed's SSCMA "
         "deployment guides print it: vela_config.ini")
UNPU = "j0shmillar/uNPU-Bench (Millar et al., arXiv 2503.22567)"
PLACEHOLDER_SIZE = "assumed: capacity not given by Vela or vela.ini; 16 MiB flash / 1 GiB DRAM placeholders (no cost depends on it)"
OFF_CHIP_ENERGY = (162.5, f"{HORO}: 64-bit DRAM access 1.3-2.6 nJ; lower end 1.3 nJ / 8 bytes (used for off-chip flash too: no flash row)")
SYSTEMS = {
    "Ethos_U55_High_End_Embedded": {
        "clock": 500e6, "sram": (1.0, 32, 32, 32), "constants": ("flash", "OffChipFlash", 0.125, 128, 64, 0), "ini": INI,
        "sram_size": (4194304, f"{AF}: default arena cache size 4 MiB for Shared_Sram (Vela's summary reports arena_cache_size 4194304)"),
        "constants_on_chip": False, "constants_size": (16777216, PLACEHOLDER_SIZE), "constants_energy": OFF_CHIP_ENERGY,
        "compiled": "--system-config Ethos_U55_High_End_Embedded --memory-mode Shared_Sram"},
    "Ethos_U65_High_End": {
        "clock": 1e9, "sram": (1.0, 32, 32, 32), "constants": ("dram", "Dram", 0.234375, 128, 500, 250), "ini": INI,
        "sram_size": (4194304, f"{AF}: default arena cache size 4 MiB for Shared_Sram (Vela's summary reports arena_cache_size 4194304)"),
        "constants_on_chip": False, "constants_size": (1073741824, PLACEHOLDER_SIZE), "constants_energy": OFF_CHIP_ENERGY,
        "compiled": "--system-config Ethos_U65_High_End --memory-mode Shared_Sram"},
    # The WiseEye2 with the model linked into its system SRAM, as the uNPU-Bench apps build it (their
    # allon_sensor_tflm.ld puts model_data.o in CM55M_S_SRAM): the NPU reads the weights over its
    # constants port from the same SRAM, at the SRAM's speed (Seeed's file gives OffChipFlash at
    # clock scale 0.015625 for models kept in flash; not this placement).
    "My_Sys_Cfg (model in SRAM)": {
        "clock": 400e6, "sram": (1.0, 32, 16, 16), "constants": ("model-sram", "Sram", 1.0, 32, 16, 16), "ini": SEEED, "section": "My_Sys_Cfg",
        "sram_size": (2097152, f"{UNPU} EPII_CM55M_APP_S/app/scenario_app/*/allon_sensor_tflm.ld: CM55M_S_SRAM, 2 MiB from "
                               "BASE_ADDR_SRAM0_ALIAS less the second-stage boot loader; Himax (kris-himax) in "
                               "HimaxWiseEyePlus/Seeed_Grove_Vision_AI_Module_V2 issue #50: about 2 MB internal SRAM"),
        "constants_on_chip": True,
        "constants_size": (2097152, "derived: the same 2 MiB system SRAM as the arena (the model's .model section is linked into "
                                    "CM55M_S_SRAM); Kiln lists it as a second level so the constants port keeps its own traffic"),
        "constants_energy": (12.5, f"{HORO}: 64-bit read from 1 MB SRAM 100 pJ / 8 bytes"),
        "compiled": "Seeed's --system-config My_Sys_Cfg and --memory-mode My_Mem_Mode_Parent (Shared_Sram: const Axi1, arena Axi0) "
                    "with the constants port at the SRAM's speed, since the model is linked into SRAM"},
}

TARGETS = [
    ("ethos-u55-32-corstone300", "ethos-u55-32", "Ethos_U55_High_End_Embedded",
     "Arm Ethos-U55 with 32 MACs/cycle in a Corstone-300-class system (Cortex-M55 host)"),
    ("ethos-u55-64-corstone300", "ethos-u55-64", "Ethos_U55_High_End_Embedded",
     "Arm Ethos-U55 with 64 MACs/cycle in a Corstone-300-class system (Cortex-M55 host)"),
    ("ethos-u55-128-corstone300", "ethos-u55-128", "Ethos_U55_High_End_Embedded",
     "Arm Ethos-U55 with 128 MACs/cycle in a Corstone-300-class system (Cortex-M55 host)"),
    ("ethos-u55-256-corstone300", "ethos-u55-256", "Ethos_U55_High_End_Embedded",
     "Arm Ethos-U55 with 256 MACs/cycle in a Corstone-300-class system (Cortex-M55 host)"),
    ("ethos-u65-256", "ethos-u65-256", "Ethos_U65_High_End",
     "Arm Ethos-U65 with 256 MACs/cycle, SRAM and DRAM on two 128-bit AXI ports (Vela's U65 high-end system)"),
    ("ethos-u65-512", "ethos-u65-512", "Ethos_U65_High_End",
     "Arm Ethos-U65 with 512 MACs/cycle (two cores of 256), SRAM and DRAM on two 128-bit AXI ports (Vela's U65 high-end system)"),
    ("himax-we2-ethos-u55-64", "ethos-u55-64", "My_Sys_Cfg (model in SRAM)",
     "Himax WiseEye2 HX6538 (Seeed Grove Vision AI Module V2): Arm Ethos-U55 with 64 MACs/cycle beside a Cortex-M55, "
     "the model linked into the 2 MiB system SRAM"),
]


def sourced(value, source):
    return {"value": value, "source": source}


def target(name, accel, system, description):
    macs, cores, ofm, ifm, banks, granules, output, activation, axi = ACCELERATORS[accel]
    spec = SYSTEMS[system]
    ini = f"{spec['ini']} [System_Config.{spec.get('section', system)}]"
    clock, (sram_scale, sram_burst, sram_rl, sram_wl), (cname, cini, cscale, cburst, crl, cwl) = spec["clock"], spec["sram"], spec["constants"]
    acc_src = f"{AF}: ArchitectureConfig for {accel}"
    axi_src = f"{AF}: {axi}-byte AXI ports on {'Ethos-U55' if axi == 8 else 'Ethos-U65'}"
    sram = {
        "name": "sram", "onChip": True,
        "sizeBytes": sourced(*spec["sram_size"]),
        "readBytesPerCycle": sourced(axi * sram_scale, f"derived: {axi_src} × Sram_clock_scale {sram_scale} ({ini})"),
        "writeBytesPerCycle": sourced(axi * sram_scale, "derived: as read"),
        "latencyCycles": sourced(sram_rl, f"{ini}: Sram_read_latency"),
        "energyPicojoulesPerByte": sourced(12.5, f"{HORO}: 64-bit read from 1 MB SRAM 100 pJ / 8 bytes"),
        "holdsWeights": False, "holdsActivations": True, "dmaOverlapsCompute": True,
    }
    const = {
        "name": cname, "onChip": spec["constants_on_chip"],
        "sizeBytes": sourced(*spec["constants_size"]),
        "readBytesPerCycle": sourced(axi * cscale, f"derived: {axi_src} × {cini}_clock_scale {cscale} ({ini})"),
        "writeBytesPerCycle": sourced(axi * cscale, "derived: as read (the constants memory is only read by the NPU)"),
        "latencyCycles": sourced(crl, f"{ini}: {cini}_read_latency"),
        "energyPicojoulesPerByte": sourced(*spec["constants_energy"]),
        "holdsWeights": True, "holdsActivations": False, "dmaOverlapsCompute": True,
    }
    # bin: ±1 activations held as int8 codes (EthosUBinaryLayerPass), on the ops a binarized layer uses.
    binary_ops = {"conv2d", "dense", "maxPool", "reshape", "flatten"}
    ops = [{"op": op, "formats": ["i8", "bin"] if op in binary_ops else ["i8"]} for op in (
        "conv2d", "dense", "maxPool", "averagePool", "globalAveragePool", "add", "sub", "mul", "relu", "clip",
        "sigmoid", "tanh", "leakyRelu", "hardSwish", "softmax", "mean", "concat", "slice", "pad", "transpose", "reshape", "flatten", "squeeze", "unsqueeze")]
    return {
        "schemaVersion": 2,
        "name": name,
        "family": "ethosU",
        "description": description + f"; compiled as Vela 5.2 compiles with --accelerator-config {accel} {spec['compiled']}.",
        "clockMegahertz": sourced(clock / 1e6, f"{ini}: core_clock={clock:g}"),
        "cores": sourced(cores, f"{acc_src}: cores {cores}"),
        "numerics": {"storageFormats": ["i8", "bin"],
                     "formatsSource": "Vela 5.2 (ethos-u-vela, tflite_supported_operators.py): int8 feature maps and weights; bin: ±1 activations held as int8 codes −1/+1 (a binarized layer runs as an int8 CONV_2D / FULLY_CONNECTED with doubled weights and an odd bias, Kiln's EthosUBinaryLayerPass)",
                     "accumulatorBits": 32, "requantization": ["fixedPointMultiplier"]},
        "memory": [sram, const],
        "ops": ops,
        "energy": {
            "multiplyAccumulate": [{"format": "i8", "picojoules": sourced(0.23, f"{HORO}: 8-bit int mult 0.2 pJ + 8-bit add 0.03 pJ")}],
            "aluOperationPicojoules": sourced(0.1, f"{HORO}: 32-bit int add 0.1 pJ"),
            "registerAccessPicojoules": sourced(10, f"upper bound, {HORO}: 64-bit read from an 8 KB SRAM 10 pJ (the table has no register-file row)"),
            "staticPowerMilliwatts": sourced(0, "assumed: no Ethos-U static power is published where looked (Arm's U55/U65 launch "
                                                "material as WikiChip and eeNews report it: MAC counts and relative efficiency only; "
                                                "Alif's ML evaluation kit benchmark guide: whole-board JouleScope power; Seeed's Grove "
                                                "Vision AI V2 wiki and Himax's WE2 repositories: none); not modelled"),
        },
        "host": {
            "target": "corstone300-cortex-m55",
            "bandwidthMegabytesPerSecond": sourced(axi * sram_scale * clock / 1e6,
                                                   f"derived: the host and the NPU share the SRAM (vela.ini [Memory_Mode.Shared_Sram]); its bandwidth {axi * sram_scale} B/cycle × {clock / 1e6:g} MHz"),
            "latencyMicroseconds": sourced(0, "assumed: no copy between NPU and host, the arena is shared (vela.ini [Memory_Mode.Shared_Sram])"),
            "energyPicojoulesPerByte": sourced(0, "assumed: no copy, the arena is shared"),
        },
        "ethosU": {
            "accelerator": accel,
            "velaCore": "regor",
            "macsPerCycle": sourced(macs, f"{acc_src}: macs {macs} per core"),
            "cores": sourced(cores, f"{acc_src}: cores {cores}"),
            "ofmMicroBlock": sourced(ofm, f"{acc_src}: ofm_ublock (H×W×C)"),
            "ifmMicroBlock": sourced(ifm, f"{acc_src}: ifm_ublock (H×W×C)"),
            "shramBanks": sourced(banks, f"{acc_src}: shram_banks {banks}"),
            "shramGranules": sourced(granules, f"{acc_src}: shram_granules"),
            "outputCyclesPerElement": sourced(output, f"{AF}: _generate_output_perf_tables, output_cycles_per_elem for {accel}"),
            "activationCyclesPerElement": sourced(activation, f"{AF}: _generate_output_perf_tables, activation_cycles_per_elem for {accel}"),
            "arena": {"memory": "sram",
                      "burstLengthBytes": sourced(sram_burst, f"{ini}: Sram_burst_length"),
                      "readLatencyCycles": sourced(sram_rl, f"{ini}: Sram_read_latency"),
                      "writeLatencyCycles": sourced(sram_wl, f"{ini}: Sram_write_latency")},
            "constants": {"memory": cname,
                          "burstLengthBytes": sourced(cburst, f"{ini}: {cini}_burst_length"),
                          "readLatencyCycles": sourced(crl, f"{ini}: {cini}_read_latency"),
                          "writeLatencyCycles": sourced(cwl, f"{ini}: {cini}_write_latency")},
        },
    }


def main():
    for name, accel, system, description in TARGETS:
        with open(os.path.join(REPO, "targets", f"{name}.json"), "w") as out:
            json.dump(target(name, accel, system, description), out, indent=2, ensure_ascii=False)
            out.write("\n")


if __name__ == "__main__":
    main()
