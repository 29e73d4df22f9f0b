import KilnTargets

/// The kernel a TFLite-semantics conv2d, depthwise conv2d or dense runs as under a software stack's
/// kernel library: CMSIS-NN's wrappers pick a fast path from the layer's shape, TFLite Micro's
/// reference kernels run one scalar loop for every shape.
enum S8KernelPath: String, Sendable, Hashable {
    /// `arm_convolve_1x1_s8_fast` / `arm_convolve_1x1_s8`: a 1×1 convolution without padding is
    /// a matrix product of the input rows and the weights, `arm_nn_mat_mult_nt_t_s8` (no im2col).
    case convolve1x1
    /// `arm_convolve_s8`: im2col of two output positions into q15 columns, then
    /// `arm_nn_mat_mult_kernel_s8_s16` over two output channels × two columns.
    case convolve
    /// `arm_depthwise_conv_3x3_s8`: 3×3 window, channel multiplier 1, padding ≤ 1; four channels
    /// per SMLABB/SMLATT group, no im2col.
    case depthwise3x3
    /// `arm_depthwise_conv_s8_opt`: channel multiplier 1; per output position an im2col of the
    /// window into q15, then four channels per two taps with SMLAD.
    case depthwiseOptimized
    /// `arm_depthwise_conv_s8`: any other depthwise (channel multiplier > 1): scalar per tap.
    case depthwise
    /// `arm_fully_connected_s8` (`arm_nn_vec_mat_mult_t_s8`).
    case fullyConnected
    /// `arm_convolve_s4`: i4 weights packed two per byte; the same im2col into q15 columns, then
    /// `arm_nn_mat_mult_kernel_s4_s16`, unpacking the nibbles in the inner loop.
    case convolveS4
    /// `arm_depthwise_conv_s4`: one packed weight byte serves two channels.
    case depthwiseS4
    /// `arm_fully_connected_s4` (`arm_nn_vec_mat_mult_t_s4`).
    case fullyConnectedS4
    /// The Helium (MVE) kernels of a core with `ARM_MATH_MVEI` (``heliumLoops()``): the 1×1 and
    /// im2col convolutions through `arm_nn_mat_mult_nt_t_s8`, the depthwise through
    /// `arm_nn_depthwise_conv_nt_t_s8`, the fully connected through `arm_nn_vec_mat_mult_t_s8`.
    case convolve1x1MVE, convolveMVE, depthwiseMVE, fullyConnectedMVE
    /// TFLite Micro's reference conv / depthwise / fully connected: a scalar multiply-accumulate
    /// per tap with TFLite's `Offset()` index arithmetic and bounds checks per window position.
    case reference

    /// The path `library` takes for a kernel.
    ///
    /// The 2020 kernels (``KernelLibrary/cmsisNN2020``, CMSIS_5 1150e71e) have no depthwise
    /// wrapper: TFLite Micro 2.3.1 called `arm_depthwise_conv_s8_opt` for a depth multiplier of 1
    /// (that version's `arm_depthwise_conv_3x3_s8` is reached only through the later wrapper, so it
    /// is not chosen), and that version's `arm_convolve_wrapper_s8` takes the 1×1 fast path only
    /// with stride 1 and input channels a multiple of 4 (anything else runs `arm_convolve_s8`).
    static func of(_ kernel: S8MultiplyAccumulateKernel, library: KernelLibrary) -> S8KernelPath {
        guard library == .cmsisNN || library == .cmsisNN2020 else { return .reference }
        let legacy = library == .cmsisNN2020
        if kernel.packedWeights {  // arm_convolve_wrapper_s4 has no 1x1 or 3x3 fast paths
            if case .dense = kernel.layout { return .fullyConnectedS4 }
            return kernel.isDepthwise ? .depthwiseS4 : .convolveS4
        }
        if kernel.helium { return helium(kernel) }
        switch kernel.layout {
        case .dense: return .fullyConnected
        case .convolution(let attributes, _, let kernelHeight, let kernelWidth, _):
            let unitDilation = attributes.dilations.allSatisfy { $0 == 1 }
            if kernel.isDepthwise {
                // arm_depthwise_conv_wrapper_s8: ch_mult 1 and unit dilation take the fast paths.
                guard kernel.outputsPerGroup == 1, unitDilation else { return .depthwise }
                if legacy { return .depthwiseOptimized }
                let smallPadding = attributes.pads.allSatisfy { $0 <= 1 }
                return kernelHeight == 3 && kernelWidth == 3 && smallPadding ? .depthwise3x3 : .depthwiseOptimized
            }
            // arm_convolve_wrapper_s8: arm_nn_is_convolve_1x1 (1×1 filter, no padding, unit dilation).
            if kernel.groups == 1, kernelHeight == 1, kernelWidth == 1, attributes.pads.allSatisfy({ $0 == 0 }), unitDilation,
               !legacy || (attributes.strides.allSatisfy { $0 == 1 } && kernel.depth % 4 == 0) {
                return .convolve1x1
            }
            return .convolve
        }
    }
}

extension S8MultiplyAccumulateKernel {
    /// The path this kernel takes under its stack's kernel library.
    var path: S8KernelPath { S8KernelPath.of(self, library: library) }

    /// The emitted loops of the kernel's path (``S8KernelPath``).
    ///
    /// The hot loop of each CMSIS-NN path is the loop as compiled (``CMSISNNCompiledLoops``:
    /// `ARM-software/CMSIS-NN` commit 99f736a6, the `ARM_MATH_DSP` branches, compiled at `-Os` for
    /// the Cortex-M4 by `tools/validation/cmsis_nn_loops.py`), with the compiler's stack spills and
    /// address arithmetic; the loops around it follow the kernels' sources:
    ///
    /// * `convolve1x1` (`arm_nn_mat_mult_nt_t_s8`): the compiled loop per 16 taps of 2 output
    ///   positions × 2 channels; the input offset folded once per channel pair (weight-row sums:
    ///   `ldrsb` ×2, `add` ×2 per tap); leftover taps scalar (`ldrsb` ×4, `mla` ×4);
    /// * `convolve` (`arm_convolve_s8`): per column the im2col fill `arm_q7_to_q15_with_offset`
    ///   (`ldr`, `sxtab16` ×2, `pkhbt` ×2, `str` ×2 per 4 taps); the compiled
    ///   `arm_nn_mat_mult_kernel_s8_s16` loop per 4 taps of 2 columns × 2 channels; leftover taps
    ///   `ldrsb` ×2, `ldrsh` ×2, `mla` ×4; an odd last column with the one-column loop;
    /// * `depthwise3x3`: the compiled loop per window row (3 taps) of 4 channels;
    /// * `depthwiseOptimized`: per output position the im2col fill of the window; the compiled
    ///   loop per 2 taps of 4 channels;
    /// * `depthwise` and the leftover channels of the fast depthwise paths: per tap `ldrsb` ×2,
    ///   `add` (offset), `mla`;
    /// * `fullyConnected` (`arm_nn_vec_mat_mult_t_s8`): the compiled loop per 4 taps of 2 rows;
    /// * `reference`: per output and in-bounds window position the bounds check (`cmp` ×4, `bne`)
    ///   and the input and filter `Offset()` (`mla` ×3 each); per tap `ldrsb` ×2, `add`, `mla`;
    /// * the s4 paths: see ``packedWeightLoops()``.
    ///
    /// Every output adds the bias `ldr` and the output stage (``S8OutputStage``). Every loop ends
    /// in `subs`/`bne` unless the target has zero-overhead loops.
    func loops() -> [DSPLoop] {
        switch path {
        case .convolve1x1: pointwiseLoops()
        case .convolve: convolveLoops()
        case .depthwise3x3: depthwise3x3Loops()
        case .depthwiseOptimized: depthwiseOptimizedLoops()
        case .depthwise: scalarDepthwiseLoops(channels: outputChannels)
        case .fullyConnected: fullyConnectedLoops()
        case .convolveS4, .depthwiseS4, .fullyConnectedS4: packedWeightLoops()
        case .convolve1x1MVE, .convolveMVE, .depthwiseMVE, .fullyConnectedMVE: heliumLoops()
        case .reference: referenceLoops()
        }
    }

    /// The s4 kernels' loops, from the intrinsics of CMSIS-NN's source (not compiled like the s8
    /// hot loops, so the compiler's spills are not counted): the kernels read two weights per byte
    /// and unpack them in the inner loop (`arm_nnsupportfunctions.h`; `SXTB16_RORn` by 4 is a
    /// `ror` and an `sxtb16`, since `sxtb16`'s own rotation takes only 8, 16 or 24):
    ///
    /// * `convolveS4` (the im2col of `arm_convolve_s8`, then `arm_nn_mat_mult_kernel_s4_s16`): per
    ///   4 taps the weight `ldrh` and `read_and_pad_s4_ordered` (`and` ×2 and `orr` to spread the
    ///   bytes, `sxtb16`/`ror`/`sxtb16` and `lsl`/`sxtb16`/`ror`/`sxtb16` for the two nibble lanes,
    ///   `pkhtb`/`pkhbt` to order them) before the column `ldr` ×2 and `smlad` ×2; a tail tap
    ///   `ldrsb`, `lsl`, `asr` (sign-extending the nibble), `ldrsh`, `mla`;
    /// * `depthwiseS4` (`arm_depthwise_conv_s4`): per tap and channel pair `ldrsb` x ×2, `add` ×2,
    ///   the weight `ldrsb`, `lsl` + `asr` (low nibble), `asr` (high nibble), `mla` ×2;
    /// * `fullyConnectedS4` (`arm_nn_vec_mat_mult_t_s4`): per 4 taps the weight `ldrh` and
    ///   `read_and_pad_s4`, the input `ldr` and `sxtab16` ×2, `smlad` ×2.
    ///
    /// They are counted per output: the kernels' sharing of loads between two channels of two
    /// columns is not modelled for s4.
    private func packedWeightLoops() -> [DSPLoop] {
        let outputs = positions * outputChannels, columns = positions * groups
        let quads = depth / 4, tail = depth % 4
        if isDepthwise {
            return [DSPLoop(name: "mac", body: [I("ldrsb", activations), I("add"), I("ldrsb", activations), I("add"), I("ldrsb", weights),
                                                I("lsl"), I("asr"), I("asr"), I("mla"), I("mla")],
                            iterations: depth, entries: (outputs + 1) / 2, loopControl: control),
                    DSPLoop(name: "channel", body: perOutput, iterations: outputs, entries: 1, loopControl: control)]
        }
        // read_and_pad_s4: spread two bytes into lanes, sign-extend the low and the high nibbles.
        let unpack = [I("ldrh", weights), I("and"), I("and"), I("orr"), I("lsl"), I("sxtb16"), I("ror"), I("sxtb16"),
                      I("sxtb16"), I("ror"), I("sxtb16")]
        let tailWeight = [I("ldrsb", weights), I("lsl"), I("asr")]
        var loops: [DSPLoop] = []
        let mac: [I]
        let tailTaps: [I]
        if case .dense = layout {
            mac = [I("ldr", activations), I("sxtab16"), I("sxtab16")] + unpack + [I("smlad"), I("smlad")]
            tailTaps = Array(repeating: [I("ldrsb", activations), I("add")] + tailWeight + [I("mla")], count: tail).flatMap { $0 }
        } else {
            loops.append(DSPLoop(name: "im2col", body: im2colFill, iterations: (depth + 3) / 4, entries: columns, loopControl: control))
            mac = unpack + [I("pkhtb"), I("pkhbt"), I("ldr", activations), I("ldr", activations), I("smlad"), I("smlad")]
            tailTaps = Array(repeating: tailWeight + [I("ldrsh", activations), I("mla")], count: tail).flatMap { $0 }
        }
        loops.append(DSPLoop(name: "mac", body: mac, iterations: quads, entries: outputs, loopControl: control))
        loops.append(DSPLoop(name: "channel", body: tailTaps + perOutput, iterations: outputsPerGroup, entries: columns, loopControl: control))
        loops.append(DSPLoop(name: "column", body: [], iterations: columns, entries: 1, loopControl: control))
        return loops
    }

    private typealias I = DSPInstruction
    private var control: Bool { !zeroOverheadLoops }
    private var weights: String { memory.weightLevel }
    private var activations: String { memory.activationLevel }

    /// The compiled loop of `path` (``CMSISNNCompiledLoops``) as a loop body: stack accesses
    /// (`[sp]`, the compiler's spills and reloads) in the activation level, where the stack lives;
    /// of the other loads, `weightLoads` read the weight level, spread evenly through the body (the
    /// source fixes how many, not the order the compiler chose), the rest the activation level;
    /// conditional branches inside the body are not taken in steady state (one cycle, as an ALU
    /// instruction); the closing compare and branch are left to ``DSPLoop``'s loop control.
    private func compiledBody(_ path: S8KernelPath) -> [DSPInstruction] {
        guard let loop = compiledLoop(path) else { return [] }
        return compiledBody(loop)
    }

    private func compiledBody(_ loop: CMSISNNCompiledLoops.Loop, closing: Bool = true) -> [DSPInstruction] {
        var words = loop.mnemonics
        if closing, let last = words.last, last.hasPrefix("b") { words.removeLast() }
        if closing, let close = words.lastIndex(where: { $0 == "cmp" || $0 == "subs" }) { words.remove(at: close) }
        let loads = words.filter { $0.hasPrefix("ldr") && !$0.hasSuffix("[sp]") }.count
        var body: [DSPInstruction] = []
        var loadIndex = 0
        for word in words {
            let stack = word.hasSuffix("[sp]")
            let mnemonic = Self.issueName(String(stack ? word.dropLast(4) : word[...]))
            switch mnemonic {
            case _ where stack: body.append(I(mnemonic, activations))
            case "ldr":
                let weight = loads > 0 && (loadIndex + 1) * loop.weightLoads / loads > loadIndex * loop.weightLoads / loads
                body.append(I("ldr", weight ? weights : activations))
                loadIndex += 1
            case "str": body.append(I("str", activations))
            default: body.append(I(mnemonic))
            }
        }
        return body
    }

    /// The compiled hot loop of `path` under this kernel's library (``CMSISNNCompiledLoops``).
    private func compiledLoop(_ path: S8KernelPath) -> CMSISNNCompiledLoops.Loop? {
        library == .cmsisNN2020 ? CMSISNNCompiledLoops.loops2020[path] : CMSISNNCompiledLoops.loops[path]
    }

    /// Taps per iteration of `path`'s compiled loop (`fallback` when the path has none).
    private func compiledTaps(_ path: S8KernelPath, fallback: Int) -> Int { compiledLoop(path)?.taps ?? fallback }

    /// The issue-model name of a compiled mnemonic: the name itself when ``DSPInstructionClass``
    /// lists it; otherwise, as the Cortex-M4 issues them (ARMv7-M TRM timings, LLVM's
    /// `ARMScheduleM4.td`): any load or store as `ldr`/`str`; a conditional branch inside the body
    /// as a one-cycle compare (not taken in steady state); a flag-setting or condition-suffixed
    /// ALU form (`adds`, `movne`), `it` blocks and other single-cycle data processing (`eor`,
    /// `bic`, `mvn`, `adc`, `rsb`) as an ALU `add`; sign/zero extensions and bit-field extracts
    /// (`sxtb`, `sxtab`, `uxth`, `sbfx`) as the SIMD-class `sxtb16`; a call (`bl`) and a return
    /// (`bx`), always taken, as the taken branch `bne` (TRM Table 3-1: `BL` 1 + P, `BX` 1 + P).
    static func issueName(_ mnemonic: String) -> String {
        if mnemonic == "bl" || mnemonic == "bx" { return "bne" }
        if DSPInstructionClass.of(mnemonic) != nil, !mnemonic.hasPrefix("b") { return mnemonic }
        if mnemonic.hasPrefix("ldr") { return "ldr" }
        if mnemonic.hasPrefix("str") { return "str" }
        if mnemonic.hasPrefix("b") || mnemonic.hasPrefix("cb") { return "cmp" }
        if ["sxt", "uxt", "sbf"].contains(where: mnemonic.hasPrefix) { return "sxtb16" }
        if mnemonic.count > 1, mnemonic.hasSuffix("s"), DSPInstructionClass.of(String(mnemonic.dropLast())) == .alu {
            return String(mnemonic.dropLast())
        }
        return "add"
    }

    /// The im2col fill of `arm_convolve_s8` and `arm_depthwise_conv_s8_opt`, per 4 elements
    /// (`arm_q7_to_q15_with_offset`): under the 2020 kernels the loop as GCC compiled it
    /// (``CMSISNNCompiledLoops/im2col2020``), otherwise the source's intrinsics (`ldr`,
    /// `sxtab16` ×2, `pkhbt` ×2, `str` ×2).
    private var im2colFill: [DSPInstruction] {
        if library == .cmsisNN2020 { return compiledBody(CMSISNNCompiledLoops.im2col2020) }
        return [I("ldr", activations), I("sxtab16"), I("sxtab16"), I("pkhbt"), I("pkhbt"), I("str", activations), I("str", activations)]
    }

    /// The im2col of `path` (`arm_convolve_s8`, `arm_depthwise_conv_s8_opt`): `columns` columns of
    /// `window` kernel positions of `channels` input channels each. The 2020 kernels call the fill once per kernel
    /// position (CMSIS_5 1150e71e: `arm_q7_to_q15_with_offset` per window tap of every column,
    /// `memset` at a padded one, priced as an in-bounds one): per position the caller's compiled
    /// code and the fill's prologue and epilogue (``CMSISNNCompiledLoops/im2colPositions2020``,
    /// ``CMSISNNCompiledLoops/im2colCall2020``), its loop per 4 channels and its scalar loop over
    /// the channels left. Today's kernels: one fill per column over all its taps.
    private func im2colLoops(_ path: S8KernelPath, channels: Int, window: Int, columns: Int) -> [DSPLoop] {
        guard library == .cmsisNN2020, let position = CMSISNNCompiledLoops.im2colPositions2020[path] else {
            return [DSPLoop(name: "im2col", body: im2colFill, iterations: (window * channels + 3) / 4, entries: columns, loopControl: control)]
        }
        let calls = columns * window
        let call = CMSISNNCompiledLoops.Loop(iteration: "call", taps: 0, weightLoads: 0,
                                             mnemonics: position + CMSISNNCompiledLoops.im2colCall2020)
        return [DSPLoop(name: "im2col-call", body: compiledBody(call, closing: false), iterations: calls, entries: 1, loopControl: false),
                DSPLoop(name: "im2col", body: im2colFill, iterations: channels / 4, entries: calls, loopControl: control),
                DSPLoop(name: "im2col-tail", body: compiledBody(CMSISNNCompiledLoops.im2colTail2020), iterations: channels % 4,
                        entries: calls, loopControl: control)]
    }

    /// The per-output code of `outputs` outputs around `path`'s hot loop: under the 2020 kernels
    /// the compiled tile code (``CMSISNNCompiledLoops/tiles2020``: the inlined output stages,
    /// bias loads, pointer set-up and spills, its branches issued as one-cycle compares, its own
    /// loop branch included), once per tile, with the bias words among its loads read from the
    /// weight level; otherwise the bias load and output stage per output.
    private func perTileLoop(_ path: S8KernelPath, tiles: Int, outputsPerTile: Int) -> DSPLoop {
        if library == .cmsisNN2020, let words = CMSISNNCompiledLoops.tiles2020[path], !words.isEmpty {
            let loads = words.filter { $0.hasPrefix("ldr") && !$0.hasSuffix("[sp]") }.count
            let tile = CMSISNNCompiledLoops.Loop(iteration: "tile", taps: 0, weightLoads: hasBias ? min(outputsPerTile, loads) : 0, mnemonics: words)
            return DSPLoop(name: "tile", body: compiledBody(tile, closing: false), iterations: tiles, entries: 1, loopControl: false)
        }
        return DSPLoop(name: "channel", body: perOutput, iterations: outputsPerTile * tiles, entries: 1, loopControl: control)
    }

    /// The bias load and output stage of one output.
    private var perOutput: [DSPInstruction] { (hasBias ? [I("ldr", weights)] : []) + outputStageInstructions }

    /// The one-output loop (the leftover column of `arm_convolve_s8`, and the fully connected
    /// kernel): per 4 taps one weight word and two q15 column words (or one s8 input word).
    private func singleOutputLoops(outputs: Int, im2col: Bool) -> [DSPLoop] {
        guard outputs > 0 else { return [] }
        let quads = depth / 4, tail = depth % 4
        let mac: [I] = im2col
            ? [I("ldr", weights), I("sxtb16"), I("sxtb16"), I("ldr", activations), I("ldr", activations), I("smlad"), I("smlad")]
            : [I("ldr", activations), I("sxtab16"), I("sxtab16"), I("ldr", weights), I("sxtb16"), I("sxtb16"), I("smlad"), I("smlad")]
        let tailBody: [I] = im2col ? [I("ldrsb", weights), I("ldrsh", activations), I("mla")]
                                   : [I("ldrsb", activations), I("add"), I("ldrsb", weights), I("mla")]
        return [DSPLoop(name: "mac", body: mac, iterations: quads, entries: outputs, loopControl: control),
                DSPLoop(name: "channel", body: Array(repeating: tailBody, count: tail).flatMap { $0 } + perOutput,
                        iterations: outputs, entries: 1, loopControl: control)]
    }

    private func pointwiseLoops() -> [DSPLoop] {
        let pairs = positions / 2, channelPairs = outputChannels / 2
        let tiles = pairs * channelPairs
        let taps = compiledTaps(.convolve1x1, fallback: 16)
        let sixteen = depth / taps, leftover = depth % taps
        let rowSums = DSPLoop(name: "row-sums", body: [I("ldrsb", weights), I("ldrsb", weights), I("add"), I("add")],
                              iterations: depth, entries: channelPairs, loopControl: control)
        return [rowSums] + tiledLoops(.convolve1x1, iterations: sixteen, tiles: tiles, outputsPerTile: 4,
                                      tail: [I("ldrsb", weights), I("ldrsb", weights), I("ldrsb", activations), I("ldrsb", activations),
                                             I("mla"), I("mla"), I("mla"), I("mla")],
                                      tailIterations: leftover, im2col: false)
    }

    private func convolveLoops() -> [DSPLoop] {
        let columns = positions * groups
        let channelPairs = outputsPerGroup / 2
        let columnPairs = positions / 2
        let tiles = columnPairs * channelPairs * groups
        var window = 1
        if case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout { window = max(1, kernelHeight * kernelWidth) }
        let fill = im2colLoops(.convolve, channels: depth / window, window: window, columns: columns)
        let column = DSPLoop(name: "column", body: [], iterations: columns, entries: 1, loopControl: control)
        let taps = compiledTaps(.convolve, fallback: 4)
        return fill + [column] + tiledLoops(.convolve, iterations: depth / taps, tiles: tiles, outputsPerTile: 4,
                                           tail: [I("ldrsb", weights), I("ldrsh", activations), I("ldrsb", weights), I("ldrsh", activations),
                                                  I("mla"), I("mla"), I("mla"), I("mla")],
                                           tailIterations: depth % taps, im2col: true)
    }

    /// Window positions inside the input, summed over output positions (one output channel).
    private var windowPositions: Int {
        guard case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout else { return positions }
        let channelsPerGroup = max(1, depth / max(1, kernelHeight * kernelWidth))
        return layout.inBoundsTapCount(depth: depth, groups: groups) / (channelsPerGroup * max(1, groups))
    }

    private func depthwise3x3Loops() -> [DSPLoop] {
        let quads = outputChannels / 4
        // One iteration is a window row of three taps; rows cut by the input's edge are counted by
        // their taps (in-bounds taps / 3).
        var loops = [
            DSPLoop(name: "mac", body: compiledBody(.depthwise3x3), iterations: (windowPositions + 2) / 3, entries: quads, loopControl: control),
            DSPLoop(name: "channel", body: perOutput, iterations: 4 * quads * positions, entries: 1, loopControl: control),
        ]
        loops += scalarDepthwiseLoops(channels: outputChannels % 4)
        return loops
    }

    private func depthwiseOptimizedLoops() -> [DSPLoop] {
        let quads = outputChannels / 4
        guard case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout else { return [] }
        let window = kernelHeight * kernelWidth
        var loops = im2colLoops(.depthwiseOptimized, channels: outputChannels, window: window, columns: positions) + [
            DSPLoop(name: "mac", body: compiledBody(.depthwiseOptimized), iterations: window / 2, entries: positions * quads, loopControl: control),
            DSPLoop(name: "mac-tail", body: Array(repeating: [I("ldrsb", weights), I("ldrsh", activations), I("mla")], count: 4).flatMap { $0 },
                    iterations: window % 2, entries: positions * quads, loopControl: control),
            perTileLoop(.depthwiseOptimized, tiles: quads * positions, outputsPerTile: 4),
        ]
        let leftover = outputChannels % 4
        if leftover > 0 {
            loops.append(DSPLoop(name: "mac-leftover", body: [I("ldrsb", weights), I("ldrsh", activations), I("mla")],
                                 iterations: window, entries: positions * leftover, loopControl: control))
            loops.append(DSPLoop(name: "channel-leftover", body: perOutput, iterations: positions * leftover, entries: 1, loopControl: control))
        }
        return loops
    }

    /// `arm_depthwise_conv_s8` for `channels` of the output channels: per output and in-bounds tap.
    private func scalarDepthwiseLoops(channels: Int) -> [DSPLoop] {
        guard channels > 0 else { return [] }
        let taps = windowPositions * channels
        return [DSPLoop(name: "mac", body: [I("ldrsb", activations), I("add"), I("ldrsb", weights), I("mla")],
                        iterations: taps, entries: 1, loopControl: control),
                DSPLoop(name: "channel", body: perOutput, iterations: positions * channels, entries: 1, loopControl: control)]
    }

    /// `arm_nn_vec_mat_mult_t_s8`: two weight rows per pass over the input, the odd last row alone.
    private func fullyConnectedLoops() -> [DSPLoop] {
        let taps = compiledTaps(.fullyConnected, fallback: 4)
        return tiledLoops(.fullyConnected, iterations: depth / taps, tiles: positions * (outputChannels / 2), outputsPerTile: 2,
                          tail: [I("ldrsb", activations), I("add"), I("ldrsb", weights), I("ldrsb", weights), I("mla"), I("mla")],
                          tailIterations: depth % taps, im2col: false)
    }

    /// The compiled hot loop of `path` over `tiles` tiles of `outputsPerTile` outputs, the tile's
    /// scalar leftover taps (`tail`, `tailIterations` per tile), the output stage per output, and
    /// the outputs no full tile covers with the one-output loop.
    private func tiledLoops(_ path: S8KernelPath, iterations: Int, tiles: Int, outputsPerTile: Int,
                            tail: [DSPInstruction], tailIterations: Int, im2col: Bool) -> [DSPLoop] {
        [DSPLoop(name: "mac", body: compiledBody(path), iterations: iterations, entries: tiles, loopControl: control),
         DSPLoop(name: "mac-tail", body: tail, iterations: tailIterations, entries: tiles, loopControl: control),
         perTileLoop(path, tiles: tiles, outputsPerTile: outputsPerTile)]
            + singleOutputLoops(outputs: positions * outputChannels - outputsPerTile * tiles, im2col: im2col)
    }

    private func referenceLoops() -> [DSPLoop] {
        let outputs = positions * outputChannels
        let tap = [I("ldrsb", activations), I("ldrsb", weights), I("add"), I("mla")]
        switch layout {
        case .dense:
            return [DSPLoop(name: "mac", body: tap, iterations: depth, entries: outputs, loopControl: control),
                    DSPLoop(name: "channel", body: perOutput, iterations: outputs, entries: 1, loopControl: control)]
        case .convolution(_, _, let kernelHeight, let kernelWidth, _):
            let channelsPerGroup = depth / max(1, kernelHeight * kernelWidth)
            let visits = windowPositions * outputChannels  // each output channel walks its window
            let check = [I("cmp"), I("cmp"), I("cmp"), I("cmp"), I("bne"), I("mla"), I("mla"), I("mla"), I("mla"), I("mla"), I("mla")]
            return [DSPLoop(name: "window", body: check, iterations: visits, entries: 1, loopControl: control),
                    DSPLoop(name: "mac", body: tap, iterations: channelsPerGroup, entries: visits, loopControl: control),
                    DSPLoop(name: "channel", body: perOutput, iterations: outputs, entries: 1, loopControl: control)]
        }
    }
}
