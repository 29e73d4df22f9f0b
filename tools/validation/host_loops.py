#!/usr/bin/env python3
"""Derive a microcontroller's hostCompute rates from its scheduling model.

Compiles host_loops.c (the innermost loops of generic reference kernels) with clang -O2 for each
core, takes each function's innermost loop (the block a backward conditional branch closes), and
runs llvm-mca on it with the core's LLVM scheduling model: MACs (or elements) per iteration over
llvm-mca's cycles per iteration is the rate. `it` instructions are left out (llvm-mca's Cortex-M7
model rejects them; LLVM's Cortex-M4 model notes that only IT dual-issues). The results are
committed as host_loops.json; the hostCompute sources of the Cortex-M targets quote them.

Usage: python3 tools/validation/host_loops.py        (needs clang with the ARM target and llvm-mca)
"""
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# The Cortex-M33 is not listed: LLVM schedules it with CortexM4Model (ARM.td), which rejects the
# Armv8-M FP instructions (vsel) clang emits for it; its rates are the Cortex-M4's.
CORES = {"cortex-m4": "thumbv7em-none-eabihf", "cortex-m7": "thumbv7em-none-eabihf"}
FUNCTIONS = ["float_mac", "float_max", "int8_mac", "int8_max"]


def innermost_loop(assembly, function):
    """The instructions of the function's last loop: from a label to the branch back to it."""
    lines = assembly.split(f"{function}:", 1)[1].split(".Lfunc_end", 1)[0].splitlines()
    loops = []
    for index, line in enumerate(lines):
        match = re.match(r"\s*b(?:ne|eq|lt|gt|le|ge|hi|lo|hs|ls|mi|pl)(?:\.w)?\s+(\.LBB\S+)", line)
        if match:
            label = match.group(1)
            for start in range(index, -1, -1):
                if lines[start].startswith(label + ":"):
                    # `it` is dropped: llvm-mca's M7 model rejects it, and the M4 model says it dual-issues (free).
                    body = [l for l in lines[start + 1:index + 1]
                            if l.strip() and not l.strip().startswith(("@", ".")) and not re.match(r"\s*it[et]*\s", l)]
                    loops.append(body)
                    break
    return max(loops, key=len) if loops else []


def elements_per_iteration(body, function):
    """Loads of x per iteration (each loop element reads one x): the unroll factor."""
    pattern = r"\s*(vldr|ldrsb|ldrb|ldr)(\.w)?\s"
    loads = sum(1 for line in body if re.match(pattern, line))
    return loads // 2 if function.endswith("_mac") else loads


def main():
    results = {}
    versions = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    mca_version = [l for l in subprocess.run(["llvm-mca", "--version"], capture_output=True, text=True).stdout.splitlines() if "version" in l][0].strip()
    with tempfile.TemporaryDirectory() as tmp:
        for cpu, triple in CORES.items():
            assembly_path = os.path.join(tmp, f"{cpu}.s")
            subprocess.run(["clang", "-O2", f"--target={triple}", f"-mcpu={cpu}", "-mfloat-abi=hard", "-S",
                            os.path.join(HERE, "host_loops.c"), "-o", assembly_path], check=True)
            assembly = open(assembly_path).read()
            results[cpu] = {}
            for function in FUNCTIONS:
                body = innermost_loop(assembly, function)
                loop_path = os.path.join(tmp, f"{cpu}-{function}.s")
                with open(loop_path, "w") as f:
                    f.write("\n".join(body) + "\n")
                mca = subprocess.run(["llvm-mca", f"-mtriple={triple}", f"-mcpu={cpu}", "-iterations=1000", loop_path],
                                     capture_output=True, text=True, check=True).stdout
                cycles = int(re.search(r"Total Cycles:\s+(\d+)", mca).group(1)) / 1000
                elements = elements_per_iteration(body, function)
                results[cpu][function] = {"instructions": len(body), "elementsPerIteration": elements,
                                          "cyclesPerIteration": cycles, "perCycle": round(elements / cycles, 4)}
    print(json.dumps({"tool": "tools/validation/host_loops.py", "clang": versions, "llvm-mca": mca_version, "results": results}, indent=2))


if __name__ == "__main__":
    main()
