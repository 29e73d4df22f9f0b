#!/usr/bin/env python3
"""The hot loops of CMSIS-NN's s8 kernels as a compiler emits them for a Cortex-M core.

Kiln prices each CMSIS-NN kernel path from the instructions of its inner loop
(Sources/KilnBackends/DSP/Cost/S8MultiplyAccumulateKernel+Loops.swift). The intrinsics in the C
source give the loads, extends and MACs; the compiled loop has more: with four to eight live
accumulators and as many pointers, a Thumb-2 core runs out of registers and the compiler spills
and reloads values through the stack, and it adds address arithmetic. This script compiles the
kernels, finds each kernel's innermost loop that issues the most MAC lanes, and counts its
instructions by class, so the cost model can add what the compiler adds, per iteration.

Usage:
  python3 tools/validation/cmsis_nn_loops.py CMSIS_NN_CHECKOUT [--opt Os] [--cpu cortex-m4]
      clang, CMSIS-NN (today's kernels): writes tools/validation/cmsis_nn_loops.json
  python3 tools/validation/cmsis_nn_loops.py CMSIS_5_CHECKOUT --compiler gcc --output cmsis_nn_loops_2020_gcc.json
      arm-none-eabi-gcc with Mbed OS's GCC_ARM flags for a Cortex-M4F (the MLPerf Tiny v0.5 reference
      build), CMSIS_5's CMSIS/NN (the 2020 kernels TF 2.3.1's TFLite Micro downloaded, 1150e71e)
  Either run regenerates Sources/KilnBackends/DSP/Cost/CMSISNNCompiledLoops.swift from both JSON files.

A checkout is github.com/ARM-software/CMSIS-NN or github.com/ARM-software/CMSIS_5 (its CMSIS/NN);
its commit is recorded (`--commit HASH` names it for an exported tree, `git archive`). Besides each kernel path's hot loop, the script compiles
`arm_nn_requantize` alone and records the instructions from entry to return in layout order (the
cold INT32_MIN saturation branch placed after the return is not counted): the per-output
requantization the kernels inline; and `arm_q7_to_q15_with_offset`'s loop, the im2col fill. For the
2020 kernels it also records the im2col per kernel position (`im2colCall`: the caller's loop in
arm_convolve_s8 and arm_depthwise_conv_s8_opt, the fill's code outside its loops, its scalar tail),
and, with arm-none-eabi-as, each hot loop's and tile code's size in bytes (`loopBytes`, `tileBytes`).
Written for Kiln; it reads CMSIS-NN's sources as input and copies none of them.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

KERNELS = {
    # path name in Kiln: (source file, what one loop iteration does ({taps}: taps per iteration))
    "convolve": ("Source/ConvolutionFunctions/arm_nn_mat_mult_kernel_s8_s16.c", "{taps} taps of 2 output channels x 2 columns"),
    "convolve1x1": ("Source/NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c", "{taps} taps of 2 output channels x 2 rows"),
    "depthwise3x3": ("Source/ConvolutionFunctions/arm_depthwise_conv_3x3_s8.c", "one window row ({taps} taps) of 4 channels"),
    "depthwiseOptimized": ("Source/ConvolutionFunctions/arm_depthwise_conv_s8_opt.c", "{taps} taps of 4 channels"),
    "fullyConnected": ("Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s8.c", "{taps} taps of 2 output rows"),
}

# The 2020 kernels (CMSIS_5 1150e71e) whose im2col calls arm_q7_to_q15_with_offset once per kernel
# position (per output column, per window tap, over the input channels; memset at a padded position).
CALLERS = {
    "convolve": "Source/ConvolutionFunctions/arm_convolve_s8.c",
    "depthwiseOptimized": "Source/ConvolutionFunctions/arm_depthwise_conv_s8_opt.c",
}

# Outputs one iteration accumulates (from each kernel's source): taps = MAC lanes / outputs.
OUTPUTS = {"convolve": 4, "convolve1x1": 4, "depthwise3x3": 4, "depthwiseOptimized": 4, "fullyConnected": 2}

# Weight loads per tap of one iteration, from each kernel's source (a word of 4 weights serves 4
# taps of one channel; two channels per iteration in the GEMM kernels; the depthwise kernels read
# one word of 4 channels per tap). The rest of the non-stack loads read activations or im2col columns.
WEIGHT_LOADS_PER_TAP = {"convolve": 0.5, "convolve1x1": 0.5, "depthwise3x3": 1, "depthwiseOptimized": 1, "fullyConnected": 0.5}

# Mbed OS 6's GCC_ARM flags for a Cortex-M4F target (tools/profiles/develop.json, the profile
# `mbed compile` uses when none is named, and the core flags of tools/toolchains/gcc.py).
MBED_GCC_FLAGS = ["-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=softfp", "-std=gnu11",
                  "-fomit-frame-pointer", "-ffunction-sections", "-fdata-sections", "-funsigned-char", "-fno-exceptions"]

MACS = {"smlad": 2, "smladx": 2, "smlabb": 1, "smlatt": 1, "smlabt": 1, "smlatb": 1, "mla": 1}
SIMD = {"sxtb16", "sxtab16", "pkhbt", "pkhtb", "ssat", "usat", "qadd", "sadd16", "ssub16"}


def mnemonic(instruction):
    name = instruction.split()[0].lower()
    return name[:-2] if name.endswith(".w") or name.endswith(".n") else name


CONDITIONS = r"(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?"


def statements(assembly):
    """Labels and instructions in order (directives and comments dropped)."""
    items = []
    for raw in assembly.splitlines():
        text = raw.split("@")[0].strip()
        if not text:
            continue
        if text.endswith(":"):
            items.append(("label", text[:-1]))
        elif not text.startswith("."):
            items.append(("instruction", text))
    return items


def branch(instruction):
    """(target label, conditional) of a direct branch, or None."""
    parts = instruction.replace(",", " ").split()
    name = mnemonic(instruction)
    if re.fullmatch("b" + CONDITIONS, name) and len(parts) == 2:
        return parts[1], name not in ("b", "bal")
    if name in ("cbz", "cbnz") and len(parts) == 3:
        return parts[2], True
    return None


def returns(instruction):
    name = mnemonic(instruction)
    return (name in ("bx", "pop") and ("lr" in instruction or "pc" in instruction)) or (name.startswith("ldm") and "pc" in instruction)


def loops(assembly):
    """Every innermost natural loop: its header's label and the instructions of its blocks in layout order."""
    blocks, bodies = natural_loops(assembly)
    return [(label_of(blocks, header), [instruction for node in sorted(body) for instruction in blocks[node][1]])
            for header, body in bodies.items() if not any(other != header and other in body for other in bodies)]


def label_of(blocks, header):
    return blocks[header][0][0] if blocks[header][0] else f"block{header}"


def tile_code(assembly, label):
    """The code one iteration of the loop enclosing the innermost loop `label` runs besides its nested
    loops: for a kernel's hot loop, the per-tile code around it (bias loads, pointer set-up, the
    reloads and spills around the inner loop, the inlined output stages and stores). Every block of
    the enclosing loop outside its nested loops is counted, both arms of a branch included (an upper
    bound on one iteration's path). Empty when no loop encloses it."""
    blocks, bodies = natural_loops(assembly)
    inner = next(header for header in bodies if label_of(blocks, header) == label)
    enclosing = [header for header, body in bodies.items() if header != inner and bodies[inner] <= body]
    if not enclosing:
        return []
    outer = min(enclosing, key=lambda header: len(bodies[header]))
    nested = set().union(*[body for header, body in bodies.items() if header != outer and header in bodies[outer]])
    return [instruction for node in sorted(bodies[outer] - nested) for instruction in blocks[node][1]]


def natural_loops(assembly):
    """The basic blocks ([labels, instructions]) and the natural loops (header block -> its blocks).

    Basic blocks start at labels and after branches; an edge u -> h is a loop's back edge when h
    dominates u (so a loop rotated by the compiler, entered by a jump to its test at the bottom,
    has the test block as its header); the loop is h and every block that reaches u without
    passing h. Innermost: no other loop's header lies in it."""
    blocks = []  # [labels, instructions]
    current = None
    for kind, value in statements(assembly):
        if kind == "label":
            if current is None or current[1]:
                current = [[value], []]
                blocks.append(current)
            else:
                current[0].append(value)
            continue
        if current is None:
            current = [[], []]
            blocks.append(current)
        current[1].append(value)
        if branch(value) or returns(value) or mnemonic(value).startswith("tb"):
            current = None
    index = {label: number for number, (labels, _) in enumerate(blocks) for label in labels}
    successors = []
    for number, (_, body) in enumerate(blocks):
        last = body[-1] if body else ""
        target = branch(last) if body else None
        edges = [index[target[0]]] if target and target[0] in index else []
        if not (body and (returns(last) or (target and not target[1]))) and number + 1 < len(blocks):
            edges.append(number + 1)
        successors.append(edges)
    predecessors = [[] for _ in blocks]
    for number, edges in enumerate(successors):
        for edge in edges:
            predecessors[edge].append(number)
    entries = {0} | {number for number, (labels, _) in enumerate(blocks) if any(not label.startswith(".") for label in labels)}
    dominators = [{number} if number in entries else set(range(len(blocks))) for number in range(len(blocks))]
    changed = True
    while changed:
        changed = False
        for number in range(len(blocks)):
            if number in entries:
                continue
            incoming = [dominators[p] for p in predecessors[number]]
            update = {number} | (set.intersection(*incoming) if incoming else set())
            if update != dominators[number]:
                dominators[number], changed = update, True
    bodies = {}
    for tail, edges in enumerate(successors):
        for header in edges:
            if header in dominators[tail]:
                body, stack = {header}, [tail]
                while stack:
                    node = stack.pop()
                    if node not in body:
                        body.add(node)
                        stack.extend(predecessors[node])
                bodies.setdefault(header, set()).update(body)
    return blocks, bodies


def straight_line(assembly, function):
    """The instructions of `function` from its entry to its first return, in layout order, without
    the register saves and the return itself."""
    body, inside = [], False
    for kind, value in statements(assembly):
        if kind == "label":
            inside = inside or value == function
            continue
        if not inside:
            continue
        if returns(value):
            break
        if mnemonic(value) != "push":
            body.append(value)
    return body


def classify(body):
    counts = {"instructions": len(body), "macLanes": 0, "macInstructions": 0, "loads": 0, "stackLoads": 0,
              "stores": 0, "stackStores": 0, "simd": 0, "alu": 0, "branches": 0}
    for instruction in body:
        name = mnemonic(instruction)
        stack = "[sp" in instruction
        if name in MACS:
            counts["macLanes"] += MACS[name]
            counts["macInstructions"] += 1
        elif name.startswith("ldr"):
            counts["stackLoads" if stack else "loads"] += 2 if name == "ldrd" else 1
        elif name.startswith("str"):
            counts["stackStores" if stack else "stores"] += 2 if name == "strd" else 1
        elif name in SIMD:
            counts["simd"] += 1
        elif re.match(r"^b(ne|eq|lt|le|gt|ge|mi|pl|hi|ls|cc|cs|lo|hs)?$", name):
            counts["branches"] += 1
        else:
            counts["alu"] += 1
    return counts


def swift_strings(words, indent):
    lines, row = [], indent
    for word in words:
        item = f' "{word}",'
        if len(row) + len(item) > 120:
            lines.append(row)
            row = indent
        row += item
    return lines + [row]


def swift_table(document, name, doc):
    lines = [f"    /// {doc}", "    ///",
             f"    /// {document['cmsisNN']}; {document['compiler'].split(' (')[0]} {document['flags']}.",
             f"    static let {name}: [S8KernelPath: Loop] = ["]
    for path, loop in document["loops"].items():
        lines.append(f'        .{path}: Loop(iteration: "{loop["iteration"]}", taps: {loop["taps"]}, weightLoads: {loop["weightLoads"]}, mnemonics: [')
        lines += swift_strings(loop["mnemonics"], "           ")
        lines.append("        ]),")
    lines.append("    ]")
    return lines


def swift_list(name, doc, words):
    """A generated `[String]` constant with its doc comment."""
    return [f"    /// {line}" for line in doc] + [f"    static let {name}: [String] = ["] + swift_strings(words, "       ") + ["    ]"]


def swift_loop(name, doc, iteration, taps, words):
    """A generated `Loop` constant (no weight loads) with its doc comment."""
    return ([f"    /// {line}" for line in doc]
            + [f"    static let {name} = Loop(iteration: \"{iteration}\", taps: {taps}, weightLoads: 0, mnemonics: ["]
            + swift_strings(words, "       ") + ["    ])"])


def swift_paths(name, doc, table):
    """A generated `[S8KernelPath: [String]]` constant with its doc comment."""
    lines = [f"    /// {line}" for line in doc] + [f"    static let {name}: [S8KernelPath: [String]] = ["]
    for path, words in table.items():
        lines += [f"        .{path}: ["] + swift_strings(words, "           ") + ["        ],"]
    return lines + ["    ]"]


def write_swift(today, legacy, path):
    """The loops as Swift data for the DSP cost model (a test checks it equals the JSON files)."""
    lines = ["// Generated by tools/validation/cmsis_nn_loops.py from tools/validation/cmsis_nn_loops.json and",
             "// tools/validation/cmsis_nn_loops_2020_gcc.json; do not edit.",
             "",
             "/// The innermost loops of CMSIS-NN's s8 kernels as compiled for a Cortex-M4: per kernel path,",
             "/// the mnemonics of one iteration in program order (`[sp]`: a stack access, the compiler's",
             "/// spills and reloads), the taps it covers and the weight loads among the other loads.",
             "enum CMSISNNCompiledLoops {",
             "    /// One loop: the iteration it covers, its mnemonics and its weight loads.",
             "    struct Loop: Sendable, Hashable {",
             "        /// What one iteration does.",
             "        let iteration: String",
             "        /// The taps (input elements per output) one iteration accumulates: its MAC lanes over its outputs.",
             "        let taps: Int",
             "        /// How many of the loads that are not stack accesses read weights (from the kernel's source).",
             "        let weightLoads: Int",
             "        /// The mnemonics in program order, the loop's own compare and branch included.",
             "        let mnemonics: [String]",
             "    }",
             ""]
    lines += swift_table(today, "loops", "Today's kernels (the `tflm-cmsis-nn` and `microtvm-cmsis-nn` stacks), compiled by clang.")
    lines += [""]
    lines += swift_table(legacy, "loops2020", "The 2020 kernels TF 2.3.1's TFLite Micro downloaded with `TAGS=cmsis-nn`, compiled as "
                         "an Mbed OS `mbed compile -t GCC_ARM` build compiles them.")
    call = legacy["im2colCall"]
    lines += [""] + swift_list("requantize2020", [
        "`arm_nn_requantize` of the 2020 kernels as the same GCC build compiles it, from entry to",
        "return (the cold INT32_MIN saturation branch excluded): the per-output requantization."], legacy["requantize"])
    lines += [""] + swift_paths("tiles2020", [
        "The per-tile code of the same GCC build: what one iteration of the loop enclosing each hot",
        "loop runs besides its nested loops (the inlined output stages and stores, bias loads, pointer",
        "set-up, the reloads and spills around the inner loop), every block counted once, both arms of",
        "a branch included."], {name: loop["tile"] for name, loop in legacy["loops"].items()})
    lines += [""] + swift_loop("im2col2020", [
        "`arm_q7_to_q15_with_offset`'s loop in the same GCC build: the im2col fill of `arm_convolve_s8`",
        "and `arm_depthwise_conv_s8_opt`, 4 elements per iteration."], "4 elements", 4, legacy["im2col"])
    lines += [""] + swift_loop("im2colTail2020", [
        "The same fill's scalar loop over the channels left after its blocks of 4, one element per",
        "iteration."], "1 element", 1, call["tail"])
    lines += [""] + swift_list("im2colCall2020", [
        "What one call of the fill runs besides its loops (prologue and epilogue; `push`/`pop` of N",
        "registers as N stack stores/loads, the return as `bx`). The 2020 kernels call it once per",
        "kernel position of every im2col column, over the input channels."], call["call"])
    lines += [""] + swift_paths("im2colPositions2020", [
        "The caller's code per kernel position in the same GCC build (`arm_convolve_s8`,",
        "`arm_depthwise_conv_s8_opt`): the bounds checks, address arithmetic and `bl` of the",
        "innermost im2col loop, every block counted once except the `memset` call of a padded position."], call["positions"])
    lines += ["}", ""]
    with open(path, "w") as handle:
        handle.write("\n".join(lines))


def stack_words(instruction):
    """The issue words of one instruction: its mnemonic (`[sp]` added for a stack access); a `push`
    or `pop` of N registers as N stack stores or loads (the Cortex-M4 TRM's 1 + N cycles of
    STM/LDM), a `pop` into pc followed by the return `bx`."""
    name = mnemonic(instruction)
    if name in ("push", "pop"):
        registers = instruction[instruction.index("{") + 1:instruction.index("}")].split(",")
        count = sum(int(r.split("-")[1].strip()[1:]) - int(r.split("-")[0].strip()[1:]) + 1 if "-" in r else 1 for r in registers)
        return ["str[sp]" if name == "push" else "ldr[sp]"] * count + (["bx"] if name == "pop" and "pc" in instruction else [])
    return [name + ("[sp]" if "[sp" in instruction else "")]


def call_site(assembly, callee):
    """The per-call code of the innermost loop that calls `callee` (`bl callee`): every block of that
    loop except those that call `memset` instead (the padded kernel positions, priced as in-bounds
    ones), both arms of its bounds checks included. Empty when no loop calls `callee`."""
    blocks, bodies = natural_loops(assembly)
    calling = [header for header, body in bodies.items()
               if any(mnemonic(i) == "bl" and i.split()[-1] == callee for node in body for i in blocks[node][1])]
    if not calling:
        return []
    header = min(calling, key=lambda h: len(bodies[h]))
    nodes = [node for node in sorted(bodies[header]) if not any(mnemonic(i) == "bl" and i.split()[-1] == "memset" for i in blocks[node][1])]
    return [word for node in nodes for instruction in blocks[node][1] for word in stack_words(instruction)]


def outside_loops(assembly, function):
    """The instructions of `function` outside its loops, in layout order (its prologue and epilogue,
    push and pop expanded by ``stack_words``): what one call runs besides its loops."""
    blocks, bodies = natural_loops(assembly)
    looped = set().union(*bodies.values()) if bodies else set()
    words, inside = [], False
    labels = {label: number for number, (names, _) in enumerate(blocks) for label in names}
    start = labels.get(function)
    if start is None:
        return []
    for number in range(start, len(blocks)):
        names, instructions = blocks[number]
        if number > start and any(not name.startswith(".") for name in names):
            break
        if number not in looped:
            words += [word for instruction in instructions for word in stack_words(instruction)]
    return words


def code_bytes(instructions, scratch):
    """Bytes of `instructions` as arm-none-eabi-as encodes them for the Cortex-M4 (Thumb-2, narrow
    forms where they fit): each branch's target and each literal-pool load's label replaced by a
    nearby address, so the size is that of the compiled code. None without the assembler."""
    lines = []
    for instruction in instructions:
        text = instruction.strip()
        target = branch(text)
        name = mnemonic(text)
        if target or name == "bl":
            text = text.rsplit(None, 1)[0].rstrip(",") + (", " if name in ("cbz", "cbnz") else " ") + ".+4"
        text = re.sub(r"^(ldr[a-z.]*\s+\w+,\s*)\.L\w+$", r"\1[pc, #4]", text)
        lines.append(text)
    source, objects = os.path.join(scratch, "bytes.s"), os.path.join(scratch, "bytes.o")
    with open(source, "w") as handle:
        handle.write(".syntax unified\n.thumb\n.cpu cortex-m4\n.fpu fpv4-sp-d16\n.text\n" + "\n".join(lines) + "\n")
    try:
        subprocess.run(["arm-none-eabi-as", "-mcpu=cortex-m4", "-mthumb", source, "-o", objects], check=True, capture_output=True)
        sizes = subprocess.run(["arm-none-eabi-size", "-A", objects], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return next(int(line.split()[1]) for line in sizes.splitlines() if line.startswith(".text"))


def compile_source(compiler, opt, cpu, includes, source, output):
    if compiler == "gcc":
        command = ["arm-none-eabi-gcc", f"-{opt}"] + MBED_GCC_FLAGS
    else:
        command = ["clang", f"-{opt}", "--target=thumbv7em-none-eabi", f"-mcpu={cpu}", "-mfloat-abi=hard"]
    for include in includes:
        command += ["-I", include]
    subprocess.run(command + ["-S", source, "-o", output], check=True)
    with open(output) as handle:
        return handle.read()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    checkout = sys.argv[1]
    option = lambda name, default: sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
    opt, cpu = option("--opt", "Os"), option("--cpu", "cortex-m4")
    compiler, output_name = option("--compiler", "clang"), option("--output", "cmsis_nn_loops.json")
    commit = option("--commit", None) or subprocess.run(["git", "-C", checkout, "rev-parse", "HEAD"],
                                                         capture_output=True, text=True).stdout.strip() or "unknown"
    version = subprocess.run(["arm-none-eabi-gcc" if compiler == "gcc" else "clang", "--version"],
                             capture_output=True, text=True).stdout.splitlines()[0]
    legacy = os.path.isdir(os.path.join(checkout, "CMSIS", "NN"))  # CMSIS_5: CMSIS/NN, CMSIS/DSP, CMSIS/Core
    root = os.path.join(checkout, "CMSIS", "NN") if legacy else checkout
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        # A hosted string.h/math.h for the declarations the headers include (no C library needed).
        with open(os.path.join(scratch, "string.h"), "w") as header:
            header.write("#include <stddef.h>\nvoid *memset(void *, int, size_t);\nvoid *memcpy(void *, const void *, size_t);\n"
                         "void *memmove(void *, const void *, size_t);\n")
        with open(os.path.join(scratch, "math.h"), "w") as header:
            header.write("float sqrtf(float);\ndouble sqrt(double);\nfloat fabsf(float);\ndouble fabs(double);\n")
        includes = [scratch, os.path.join(root, "Include")]
        if legacy:
            includes += [os.path.join(checkout, "CMSIS", "DSP", "Include"), os.path.join(checkout, "CMSIS", "Core", "Include")]
        im2col_call = {}
        if legacy:
            # The 2020 kernels' im2col walks the kernel window and calls the fill once per position:
            # the caller's loop per position, for the two kernels that build an im2col buffer.
            im2col_call["positions"] = {}
            for path, source in CALLERS.items():
                assembly = compile_source(compiler, opt, cpu, includes, os.path.join(root, source), os.path.join(scratch, path + "-caller.s"))
                im2col_call["positions"][path] = call_site(assembly, "arm_q7_to_q15_with_offset")
        for path, (source, unit) in KERNELS.items():
            assembly = compile_source(compiler, opt, cpu, includes, os.path.join(root, source), os.path.join(scratch, path + ".s"))
            candidates = [(label, classify(body), body) for label, body in loops(assembly)]
            label, counts, body = max(candidates, key=lambda item: (item[1]["macLanes"], -item[1]["instructions"]))
            taps = counts["macLanes"] // OUTPUTS[path]
            words = lambda code: [mnemonic(instruction) + ("[sp]" if "[sp" in instruction else "") for instruction in code]
            results[path] = {"source": source, "iteration": unit.format(taps=taps), "taps": taps,
                             "weightLoads": int(taps * WEIGHT_LOADS_PER_TAP[path]), "loop": label, **counts,
                             "mnemonics": words(body), "tile": words(tile_code(assembly, label)),
                             # Code size of the loop and of its tile code (both arms of each branch): the
                             # instruction-cache footprint of the loop nest (docs/cost-models/dsp.md).
                             "loopBytes": code_bytes(body, scratch), "tileBytes": code_bytes(tile_code(assembly, label), scratch)}
        # The im2col fill of arm_convolve_s8 and arm_depthwise_conv_s8_opt: arm_q7_to_q15_with_offset's
        # loop of 4 elements (the loop with the most stores).
        fill = "Source/NNSupportFunctions/arm_q7_to_q15_with_offset.c"
        im2col = []
        if os.path.exists(os.path.join(root, fill)):
            assembly = compile_source(compiler, opt, cpu, includes, os.path.join(root, fill), os.path.join(scratch, "im2col.s"))
            fills = sorted(loops(assembly), key=lambda item: classify(item[1])["stores"])
            _, body = fills[-1]
            im2col = [mnemonic(instruction) + ("[sp]" if "[sp" in instruction else "") for instruction in body]
            if legacy:
                # Per call of the fill (the 2020 kernels call it once per kernel position over the input
                # channels): its code outside its loops, and its scalar loop over the channels left
                # after the blocks of 4 (the loop with the fewest stores).
                im2col_call["call"] = outside_loops(assembly, "arm_q7_to_q15_with_offset")
                im2col_call["tail"] = [mnemonic(instruction) + ("[sp]" if "[sp" in instruction else "") for instruction in fills[0][1]]
        wrapper = os.path.join(scratch, "requantize.c")
        with open(wrapper, "w") as handle:
            handle.write('#include "arm_nnsupportfunctions.h"\n'
                         "int32_t kiln_requantize(int32_t v, int32_t m, int32_t s) { return arm_nn_requantize(v, m, s); }\n")
        assembly = compile_source(compiler, opt, cpu, includes, wrapper, os.path.join(scratch, "requantize.s"))
        requantize = [mnemonic(instruction) for instruction in straight_line(assembly, "kiln_requantize")]
    flags = " ".join([f"-{opt}"] + (MBED_GCC_FLAGS if compiler == "gcc" else ["--target=thumbv7em-none-eabi", f"-mcpu={cpu}", "-mfloat-abi=hard"]))
    document = {"tool": "tools/validation/cmsis_nn_loops.py", "cmsisNN": f"ARM-software/{'CMSIS_5' if legacy else 'CMSIS-NN'} {commit}",
                "compiler": version, "flags": flags, "loops": results, "requantize": requantize, "im2col": im2col}
    if im2col_call:
        document["im2colCall"] = im2col_call
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, output_name), "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    tables = {}
    for name in ("cmsis_nn_loops.json", "cmsis_nn_loops_2020_gcc.json"):
        with open(os.path.join(here, name)) as handle:
            tables[name] = json.load(handle)
    write_swift(tables["cmsis_nn_loops.json"], tables["cmsis_nn_loops_2020_gcc.json"],
                os.path.join(here, "..", "..", "Sources", "KilnBackends", "DSP", "Cost", "CMSISNNCompiledLoops.swift"))
    for path, loop in results.items():
        print(f"{path:20s} {loop['instructions']:4d} instructions, {loop['macLanes']:3d} MAC lanes ({loop['taps']} taps), "
              f"stack {loop['stackLoads']} loads / {loop['stackStores']} stores, {loop['loads']} loads, {loop['simd']} simd, {loop['alu']} alu")
    print(f"arm_nn_requantize     {len(requantize)} instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
