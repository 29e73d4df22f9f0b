#!/usr/bin/env python3
"""The hot loops of CMSIS-NN's Helium (MVE) s8 kernels as a compiler emits them for a Cortex-M55.

The sibling of cmsis_nn_loops.py for cores with the M-profile Vector Extension. Built for an
Armv8.1-M core with MVE, CMSIS-NN defines ARM_MATH_MVEI (Include/arm_nn_math_types.h) and its
kernels take their `#if defined(ARM_MATH_MVEI)` branches: vector loads of 16 int8 lanes, VMLADAVA
(which clang prints as its alias `vmlava`) and tail-predicated low-overhead loops (`wlstp`/`dlstp`
... `letp`), several of them written as inline assembly in arm_nnsupportfunctions.h. This script
compiles the kernels, finds in each the innermost loop that issues the most MAC lanes (or, for the
im2col copy, the loop that loads and stores vectors), and records its instructions, so Kiln's MVE
cost model (Sources/KilnBackends/DSP/Cost/S8MultiplyAccumulateKernel+MVELoops.swift) prices the
loop the core runs, not an idealised one.

Usage: python3 tools/validation/cmsis_nn_mve_loops.py CMSIS_NN_CHECKOUT [--opt Os] [--cpu cortex-m55]
  (needs clang with the ARM target; writes tools/validation/cmsis_nn_mve_loops.json and
  Sources/KilnBackends/DSP/Cost/CMSISNNCompiledMVELoops.swift)

Written for Kiln; it reads CMSIS-NN's sources as input and copies none of them.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cmsis_nn_loops import mnemonic as scalar_mnemonic  # noqa: E402

KERNELS = {
    # Kiln path: (source file, what one iteration does, weight loads per iteration, how to pick the loop)
    # arm_convolve_s8 fills four im2col columns and calls arm_nn_mat_mult_nt_t_s8 on them, the
    # kernel the 1x1 path calls on four input rows: the same loop, the weight row shared (q0).
    "convolveMVE": ("Source/NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c",
                    "16 taps of 4 im2col columns x 1 output channel", 1, "macs"),
    "convolve1x1MVE": ("Source/NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c",
                       "16 taps of 4 input rows x 1 output channel", 1, "macs"),
    "depthwiseMVE": ("Source/NNSupportFunctions/arm_nn_depthwise_conv_nt_t_s8.c",
                     "1 tap of 4 channels x 4 output positions", 1, "macs"),
    # The loop without VADDVA: TFLite's int8 weights are symmetric, rhs_offset is 0.
    "fullyConnectedMVE": ("Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s8.c",
                          "16 taps of 4 output rows (rhs_offset 0)", 4, "macs"),
    "im2colMVE": ("Source/ConvolutionFunctions/arm_convolve_s8.c",
                  "16 bytes of one window row copied into the im2col buffer", 0, "copy"),
    "elementwiseAddMVE": ("Source/BasicMathFunctions/arm_elementwise_add_s8.c",
                          "4 elements (int32 lanes): offsets, shifts, three arm_requantize_mve, clamp", 0, "vector"),
    "elementwiseMulMVE": ("Source/BasicMathFunctions/arm_elementwise_mul_s8.c",
                          "4 elements (int32 lanes): offsets, product, arm_requantize_mve, clamp", 0, "vector"),
}
# Taps (input elements per output) one iteration of each loop accumulates, from the iterations
# above: its MAC lanes over the outputs it feeds; 0 for the copy and elementwise loops.
TAPS = {"convolveMVE": 16, "convolve1x1MVE": 16, "depthwiseMVE": 1, "fullyConnectedMVE": 16,
        "im2colMVE": 0, "elementwiseAddMVE": 0, "elementwiseMulMVE": 0}
# Loops that are not a MAC kernel path: generated as named constants.
NAMED = {"im2colMVE": "im2col", "elementwiseAddMVE": "elementwiseAdd", "elementwiseMulMVE": "elementwiseMul"}

# MAC lanes per instruction: a 128-bit VMLADAVA on int8 multiplies 16 lane pairs; a VMUL.I32 4.
MAC_LANES = {"vmlava.s8": 16, "vmladava.s8": 16, "vmul.i32": 4, "vmla.i32": 4}
LOOP_END = re.compile(r"^(le|letp)$")


def mnemonic(instruction):
    """Vector mnemonics keep their element suffix (`vldrb.u8`); scalar ones drop `.w`/`.n`."""
    name = instruction.split()[0].lower()
    return name if name.startswith("v") else scalar_mnemonic(instruction)


def loops(assembly):
    """Every innermost loop: a label and the instructions up to the last branch back to it
    (`b<cond>`, or the low-overhead loop ends `le`/`letp`)."""
    lines = []
    for raw in assembly.splitlines():
        text = raw.split("@")[0].strip()
        if not text or (text.startswith(".") and not text.endswith(":")):
            continue
        lines.append(text)
    found = []
    for start, text in enumerate(lines):
        match = re.match(r"^(\.L(?:BB\d+_\d+|tmp\d+)):$", text)
        if not match:
            continue
        label = match.group(1)
        end = None
        for index in range(start + 1, len(lines)):
            parts = lines[index].replace(",", " ").split()
            if parts and parts[-1] == label and (LOOP_END.match(parts[0].lower()) or
                                                 (len(parts) == 2 and parts[0].lower().startswith("b"))):
                end = index
        if end is not None:
            found.append((label, start, end))
    innermost = [(label, start, end) for label, start, end in found
                 if not any(start < other_start and other_end <= end for _, other_start, other_end in found)]
    return [(label, [l for l in lines[start + 1:end + 1] if not l.endswith(":")]) for label, start, end in innermost]


def lanes(body):
    return sum(MAC_LANES.get(mnemonic(instruction), 0) for instruction in body)


def write_swift(document, path):
    lines = ["// Generated by tools/validation/cmsis_nn_mve_loops.py from tools/validation/cmsis_nn_mve_loops.json; do not edit.",
             "",
             "/// The innermost loops of CMSIS-NN's Helium (MVE) s8 kernels as compiled for a Cortex-M55: per",
             "/// kernel path, the mnemonics of one iteration in program order (vector mnemonics with their",
             "/// element suffix; `[sp]`: a stack access), the loop's own `le`/`letp` included.",
             "///",
             f"/// {document['cmsisNN']}; {document['clang'].split(' (')[0]} {document['flags']}.",
             "enum CMSISNNCompiledMVELoops {",
             "    /// The MAC loops by kernel path.",
             "    static let loops: [S8KernelPath: CMSISNNCompiledLoops.Loop] = ["]
    for name, loop in document["loops"].items():
        if name in NAMED:
            continue
        lines += entry(f"        .{name}: ", loop, TAPS[name]) + ["        ),"]
    lines += ["    ]"]
    for name, constant in NAMED.items():
        loop = document["loops"][name]
        lines += ["", f"    /// `{os.path.basename(loop['source'])}`'s loop: {loop['iteration']}.", f"    static let {constant} = "]
        lines[-1] += entry("", loop, TAPS[name])[0].strip()
        lines += entry("", loop, TAPS[name])[1:] + ["    )"]
    lines += ["}", ""]
    with open(path, "w") as handle:
        handle.write("\n".join(lines))


def entry(prefix, loop, taps):
    out = [f'{prefix}CMSISNNCompiledLoops.Loop(iteration: "{loop["iteration"]}", taps: {taps}, weightLoads: {loop["weightLoads"]}, mnemonics: [']
    row = "           "
    for word in loop["mnemonics"]:
        item = f' "{word}",'
        if len(row) + len(item) > 120:
            out.append(row)
            row = "           "
        row += item
    out.append(row)
    out.append("        ]")
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    checkout = sys.argv[1]
    opt = sys.argv[sys.argv.index("--opt") + 1] if "--opt" in sys.argv else "Os"
    cpu = sys.argv[sys.argv.index("--cpu") + 1] if "--cpu" in sys.argv else "cortex-m55"
    commit = subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    clang = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    flags = ["--target=thumbv8.1m.main-none-eabi", f"-mcpu={cpu}", "-mfloat-abi=hard"]
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        with open(os.path.join(scratch, "string.h"), "w") as header:
            header.write("#include <stddef.h>\nvoid *memset(void *, int, size_t);\nvoid *memcpy(void *, const void *, size_t);\n"
                         "void *memmove(void *, const void *, size_t);\n")
        for path, (source, unit, weight_loads, pick) in KERNELS.items():
            output = os.path.join(scratch, path + ".s")
            subprocess.run(["clang", f"-{opt}", *flags, "-I", scratch, "-I", os.path.join(checkout, "Include"), "-S",
                            os.path.join(checkout, source), "-o", output], check=True)
            with open(output) as handle:
                candidates = loops(handle.read())
            if pick == "macs":
                label, body = max(candidates, key=lambda item: (lanes(item[1]), -len(item[1])))
            elif pick == "copy":
                copies = [c for c in candidates if {mnemonic(i) for i in c[1]} >= {"vldrb.u8", "vstrb.8"}]
                label, body = min(copies, key=lambda item: len(item[1]))
            else:  # the loop with the most vector instructions
                label, body = max(candidates, key=lambda item: sum(mnemonic(i).startswith("v") for i in item[1]))
            results[path] = {"source": source, "iteration": unit, "loop": label, "weightLoads": weight_loads,
                             "instructions": len(body), "macLanes": lanes(body),
                             "mnemonics": [mnemonic(i) + ("[sp]" if "[sp" in i else "") for i in body]}
    document = {"tool": "tools/validation/cmsis_nn_mve_loops.py", "cmsisNN": f"ARM-software/CMSIS-NN {commit}",
                "clang": clang, "flags": f"-{opt} " + " ".join(flags), "loops": results}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "cmsis_nn_mve_loops.json"), "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    write_swift(document, os.path.join(here, "..", "..", "Sources", "KilnBackends", "DSP", "Cost", "CMSISNNCompiledMVELoops.swift"))
    for path, loop in results.items():
        print(f"{path:20s} {loop['instructions']:3d} instructions, {loop['macLanes']:3d} MAC lanes: {' '.join(loop['mnemonics'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
