#!/usr/bin/env python3
"""Writes the fixtures of Kiln's copy of Vela's tensor allocator (`ArenaHillClimb`): live ranges
with the addresses Vela gives them.

Two sources, both Vela 5.2's default ("regor") core:

1. Vela itself. For every (model, configuration) pair of tools/vela/run_vela.py it runs
       vela MODEL --accelerator-config ACCEL --system-config SYSTEM --memory-mode Shared_Sram
            --verbose-allocation
   and keeps the SRAM allocation it prints (`PrintAllocation` in regor's tensor_allocator.cpp:
   start and end time, address, size of every live range; sorted by time, so the live ranges'
   creation order, which decides ties in the allocator, is rebuilt: by the operator that creates
   them, weight buffers (part 0, part 1) before feature maps; see `creation_key`).
2. Vela's allocator source, compiled. `hillclimb_allocator.cpp` / `.hpp` from the ethos-u-vela
   5.2.0 sdist are built with g++ beside small stand-ins for the headers they include (written
   here) and a driver reading "start end size" lines; it checks that the rebuilt order gives
   Vela's addresses (all 30 pairs do) and computes hand-made cases: seeded random live ranges
   chosen so that the search runs (first solution above the bound), including cases that stall
   (the wider swap after 25 iterations without improvement) and cases that never reach the bound
   (stopped after 5,000 iterations without improvement).

Each fixture, Tests/Fixtures/vela/allocations/<name>.txt, is
    # comment lines
    end END bound BOUND iterations N
    START END_TIME SIZE ADDRESS      (one line per live range, in creation order)
with END Vela's "Allocation Peak Tensor Size" and ADDRESS Vela's address (16-byte alignment).

Requires g++, `pip install ethos-u-vela==5.2.0`, and the sdist (downloaded with
`pip download --no-binary :all: --no-deps ethos-u-vela==5.2.0` unless --sdist is given).

Usage: python3 tools/vela/allocations.py [--sdist ethos_u_vela-5.2.0.tar.gz] [--out DIR]
"""
import argparse
import glob
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile

import ethosu.vela

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VELA_INI = os.path.join(os.path.dirname(ethosu.vela.__file__), "..", "config_files", "Arm", "vela.ini")
sys.path.insert(0, os.path.dirname(__file__))
from run_vela import CONFIGURATIONS  # noqa: E402

MODELS = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"]

# Stand-ins for the headers hillclimb_allocator.{hpp,cpp} include: only the names it uses.
STUBS = {
    "architecture/architecture.hpp": """#pragma once
#include <cassert>
#include <cstdint>
#include <limits>
#include <queue>
#include <unordered_set>
namespace regor { using Address = int64_t; }
""",
    "live_range.hpp": """#pragma once
#include "architecture/architecture.hpp"
#include <memory>
#include <vector>
namespace regor {
struct LiveRange { int startTime = 0; int endTime = 0; int size = 0; Address address = -1;
                   void SetAddress(Address a) { address = a; } };
class LiveRangeGraph { public: std::vector<std::unique_ptr<LiveRange>> ranges;
    const std::vector<std::unique_ptr<LiveRange>> &LiveRanges() const { return ranges; } };
}
""",
    "common/numeric_util.hpp": """#pragma once
namespace regor { inline long long RoundAway(long long value, int align) { return (value + align - 1) / align * align; } }
""",
    "driver.cpp": """#include "hillclimb_allocator.hpp"
#include <cstdio>
#include <iostream>
using namespace regor;
// Reads "start end size" lines; prints "end bound iterations", then each range's address.
int main() {
    LiveRangeGraph graph;
    int start, end, size;
    while ( std::cin >> start >> end >> size ) {
        auto range = std::make_unique<LiveRange>();
        range->startTime = start; range->endTime = end; range->size = size;
        graph.ranges.push_back(std::move(range));
    }
    HillClimbAllocator allocator;
    Address total = allocator.Allocate(graph.LiveRanges(), 16, std::numeric_limits<Address>::max());
    std::printf("%lld %lld %d\\n", (long long)total, (long long)allocator.MinimumRequiredSize(), allocator.Iterations());
    for ( auto &range : graph.ranges ) std::printf("%lld\\n", (long long)range->address);
}
""",
}

LINE = re.compile(r"^\s*(\d+) -\s+(\d+):\s+(0x[0-9a-f]+|0) -\s+(0x[0-9a-f]+):\s+(\d+):\s+(\d+): (\S+)\s+: (.*)$")
WEIGHT_BUFFER = re.compile(r"WB_(single|double2?)_\d+_op\d+")


def build_driver(sdist, work):
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if member.name.endswith(("regor/compiler/hillclimb_allocator.cpp", "regor/compiler/hillclimb_allocator.hpp")):
                member.name = os.path.basename(member.name)
                tar.extract(member, work)
    for name, text in STUBS.items():
        os.makedirs(os.path.dirname(os.path.join(work, name)), exist_ok=True)
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    driver = os.path.join(work, "driver")
    subprocess.run(["g++", "-O2", "-std=c++17", "-I", work, os.path.join(work, "driver.cpp"),
                    os.path.join(work, "hillclimb_allocator.cpp"), "-o", driver], check=True)
    return driver


def allocate(driver, ranges):
    """Vela's allocator on (start, end, size) ranges: (end, bound, iterations, addresses)."""
    text = "".join(f"{s} {e} {z}\n" for s, e, z in ranges)
    out = subprocess.run([driver], input=text, capture_output=True, text=True, check=True).stdout.split()
    end, bound, iterations = map(int, out[:3])
    return end, bound, iterations, list(map(int, out[3:]))


def verbose_allocation(model, accel, system, mode):
    """The lines `vela --verbose-allocation` prints for one model and configuration."""
    folder = "mobilenet" if model.startswith("mobilenet") else "mlperf"
    path = os.path.join(REPO, "Tests/Fixtures/tflite", folder, model + ".tflite")
    with tempfile.TemporaryDirectory() as tmp:
        return subprocess.run(["vela", path, "--accelerator-config", accel, "--config", VELA_INI, "--system-config", system,
                               "--memory-mode", mode, "--output-dir", tmp, "--verbose-allocation"],
                              capture_output=True, text=True, check=True).stdout.splitlines()


def vela_allocation(model, accel, system, mode):
    """The SRAM live ranges Vela prints (one per live range, its tensors merged) and its peak."""
    out = verbose_allocation(model, accel, system, mode)
    first = next(i for i, line in enumerate(out) if line.startswith("Allocation, memory Sram"))
    ranges, seen = [], set()
    for line in out[first + 2:]:
        if line.startswith("Allocation Peak"):
            return ranges, int(line.split()[4])
        m = LINE.match(line)
        start, end, address, size, name = int(m[1]), int(m[2]), int(m[3], 16), int(m[5]), m[8]
        key = (start, end, address, size)
        if key in seen and not WEIGHT_BUFFER.match(name):
            continue  # another tensor of the same live range
        seen.add(key)
        ranges.append(dict(start=start, end=end, address=address, size=size, name=name))
    raise SystemExit(f"no allocation peak in Vela's output for {model}")


def creation_key(r):
    """Vela creates live ranges operator by operator (operator k at time 2k): its weight buffers
    (part 0, then part 1; a prebuffered part 0 starts at 2k − 1), then its new feature maps (the
    network input before the first OFM, which lives longer)."""
    w = WEIGHT_BUFFER.match(r["name"])
    if w:
        return ((r["start"] + 1) // 2, 0, 1 if w[1] == "double2" else 0)
    return ((r["start"] + 1) // 2, 1, r["end"])


def write(path, comment, end, bound, iterations, ranges, addresses):
    with open(path, "w") as f:
        for line in comment:
            f.write(f"# {line}\n")
        f.write(f"end {end} bound {bound} iterations {iterations}\n")
        for (s, e, z), a in zip(ranges, addresses):
            f.write(f"{s} {e} {z} {a}\n")


def hand_made(driver, out):
    """Seeded random live ranges on which the search runs; keeps the first few of each kind."""
    rng = random.Random(20)
    wanted = {"improves": 2, "stalls": 2, "stops-above-bound": 1}
    while any(wanted.values()):
        count = rng.randint(6, 14)
        ranges = []
        for _ in range(count):
            start = rng.randint(0, 12)
            ranges.append((start, start + rng.randint(0, 5), rng.choice([16, 24, 48, 64, 100, 160, 256])))
        end, bound, iterations, addresses = allocate(driver, ranges)
        kind = ("stops-above-bound" if end > bound else "stalls" if iterations > 30 else "improves" if iterations > 1 else None)
        if kind is None or wanted[kind] == 0:
            continue
        wanted[kind] -= 1
        name = f"hand-made-{kind}-{wanted[kind] + 1}"
        write(os.path.join(out, name + ".txt"),
              [f"{name}: seeded random live ranges (tools/vela/allocations.py), addresses from Vela 5.2's",
               "hillclimb_allocator.cpp compiled with g++ (alignment 16, no size limit)"],
              end, bound, iterations, ranges, addresses)
        print(f"{name}: {count} ranges, end {end}, bound {bound}, {iterations} iterations")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", help="ethos_u_vela-5.2.0.tar.gz (default: pip download it)")
    parser.add_argument("--out", default=os.path.join(REPO, "Tests/Fixtures/vela/allocations"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        sdist = args.sdist
        if not sdist:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                            "ethos-u-vela==5.2.0", "-d", work], check=True)
            sdist = glob.glob(os.path.join(work, "ethos_u_vela-5.2.0.tar.gz"))[0]
        driver = build_driver(sdist, work)
        hand_made(driver, args.out)
        for config, (accel, system, mode) in CONFIGURATIONS.items():
            for model in MODELS:
                ranges, peak = vela_allocation(model, accel, system, mode)
                ranges.sort(key=creation_key)
                triples = [(r["start"], r["end"], r["size"]) for r in ranges]
                end, bound, iterations, addresses = allocate(driver, triples)
                vela_addresses = [r["address"] for r in ranges]
                if end != peak or addresses != vela_addresses:
                    raise SystemExit(f"{config} {model}: the compiled allocator gives {end}, Vela {peak}; "
                                     f"{sum(a != b for a, b in zip(addresses, vela_addresses))} addresses differ")
                write(os.path.join(args.out, f"{config}-{model}.txt"),
                      [f"{model} on {config} ({system}, {mode}): Vela 5.2 --verbose-allocation, SRAM",
                       "live ranges in creation order (tools/vela/allocations.py), Vela's addresses"],
                      peak, bound, iterations, triples, vela_addresses)
                print(f"{config} {model}: {len(ranges)} live ranges, end {peak}, bound {bound}, {iterations} iterations")


if __name__ == "__main__":
    main()
