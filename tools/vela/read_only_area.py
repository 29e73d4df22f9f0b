#!/usr/bin/env python3
"""Writes what Vela 5.2's default ("regor") core stores in the off-chip flash / DRAM area: every
constant tensor of its read-only allocation, with its size, for Kiln's flash / DRAM check.

For every (model, configuration) pair of tools/vela/run_vela.py it runs

    vela MODEL --accelerator-config ACCEL --system-config SYSTEM --memory-mode Shared_Sram
         --verbose-allocation

and keeps the table printed under "Tensor Allocation for read-only NPU tensors" (regor
`IncrementalLinearAllocator::Allocate` in compiler/tensor_allocator.cpp: the constants laid out
one after another, each size rounded up to 16 bytes, `NPUTensorAlignment`; a tensor equivalent to
one already placed takes its address) and the "Allocation Peak Tensor Size" under it, which is
the summary's "Off-chip Flash used" / "DRAM used" in bytes.

Each fixture, Tests/Fixtures/vela/read-only/<config>-<model>.txt, is
    # comment lines
    end END                      (the area's size in bytes)
    ADDRESS SIZE NAME            (one line per constant, in address order)
Names are Vela's: a layer's weights under its TFLite weight tensor's name (the encoded stream,
one per depth slice where the weights are staged), the constants Vela's lowering adds under its
own names (`exp_lut`, `right_shift12`, ..., `const_zero` for an int8 softmax; `<ofm>_weights` and
`<ofm>_scalar` for a MEAN).

Requires `pip install ethos-u-vela==5.2.0`.

Usage: python3 tools/vela/read_only_area.py [--out DIR]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from allocations import LINE, MODELS, REPO, verbose_allocation  # noqa: E402
from run_vela import CONFIGURATIONS  # noqa: E402

HEADER = "Tensor Allocation for read-only NPU tensors:"


def read_only_area(model, accel, system, mode):
    """Vela's read-only constants [(address, size, name)] in address order, and the area's end."""
    out = verbose_allocation(model, accel, system, mode)
    first = out.index(HEADER)
    constants = {}
    for line in out[first + 2:]:
        if line.startswith("Allocation Peak"):
            end = int(line.split()[4])
            return sorted((address, size, name) for address, (size, name) in constants.items()), end
        m = LINE.match(line)
        # A constant read by several operators is one tensor at one address.
        constants.setdefault(int(m[3], 16), (int(m[5]), m[8]))
    sys.exit(f"no end of Vela's read-only allocation for {model} ({accel})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO, "Tests/Fixtures/vela/read-only"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for config, (accel, system, mode) in CONFIGURATIONS.items():
        for model in MODELS:
            constants, end = read_only_area(model, accel, system, mode)
            assert end == sum(-(-size // 16) * 16 for _, size, _ in constants), f"{model} on {config}: gaps in the area"
            with open(os.path.join(args.out, f"{config}-{model}.txt"), "w") as f:
                f.write(f"# {model} on {config} ({system}, {mode}): Vela 5.2 --verbose-allocation, read-only NPU tensors "
                        "(tools/vela/read_only_area.py)\n")
                f.write(f"end {end}\n")
                for address, size, name in constants:
                    f.write(f"{address} {size} {name}\n")
            print(f"{config} {model}: {len(constants)} constants, {end} bytes")


if __name__ == "__main__":
    main()
