#!/usr/bin/env python3
"""Compile and run tools/validation/x86_ports.c on this machine; write tools/validation/x86_ports.json.

The C program measures the core clock (a chain of dependent 1-cycle `add`s) and the latency and
throughput of vpdpbusd, vfmadd231ps and vpmaddubsw in core cycles, from the thread's CPU time,
best of many short blocks (the machine is shared). The x86 targets cite the JSON for the numbers
they take from it. Python only produces files; Kiln never runs it.

Usage (from the repository root): python3 tools/validation/x86_ports.py
"""
import json
import os
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "x86_ports.json")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "x86_ports")
        subprocess.run(["cc", "-O2", "-mavx512f", "-mavx512vnni", "-mavx2", "-o", binary, os.path.join(HERE, "x86_ports.c")], check=True)
        measured = json.loads(subprocess.run([binary], check=True, capture_output=True, text=True).stdout)
    import time_ort  # the same machine description the ONNX Runtime timings record
    document = {"tool": "tools/validation/x86_ports.py", "date": time.strftime("%Y-%m-%d", time.gmtime()),
                "machine": time_ort.machine(), "loadAverage": os.getloadavg(), "measured": measured}
    with open(RESULTS, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    print(json.dumps(measured, indent=2))


if __name__ == "__main__":
    main()
