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
    /// TFLite Micro's reference conv / depthwise / fully connected: a scalar multiply-accumulate
    /// per tap with TFLite's `Offset()` index arithmetic and bounds checks per window position.
    case reference

    /// The path `library` takes for a kernel.
    static func of(_ kernel: S8MultiplyAccumulateKernel, library: KernelLibrary) -> S8KernelPath {
        guard library == .cmsisNN else { return .reference }
        switch kernel.layout {
        case .dense: return .fullyConnected
        case .convolution(let attributes, _, let kernelHeight, let kernelWidth, _):
            let unitDilation = attributes.dilations.allSatisfy { $0 == 1 }
            if kernel.isDepthwise {
                // arm_depthwise_conv_wrapper_s8: ch_mult 1 and unit dilation take the fast paths.
                guard kernel.outputsPerGroup == 1, unitDilation else { return .depthwise }
                let smallPadding = attributes.pads.allSatisfy { $0 <= 1 }
                return kernelHeight == 3 && kernelWidth == 3 && smallPadding ? .depthwise3x3 : .depthwiseOptimized
            }
            // arm_convolve_wrapper_s8: arm_nn_is_convolve_1x1 (1×1 filter, no padding, unit dilation).
            if kernel.groups == 1, kernelHeight == 1, kernelWidth == 1, attributes.pads.allSatisfy({ $0 == 0 }), unitDilation {
                return .convolve1x1
            }
            return .convolve
        }
    }
}

extension S8MultiplyAccumulateKernel {
    /// The path this kernel takes under its stack's kernel library.
    var path: S8KernelPath { S8KernelPath.of(self, library: library) }

    /// The emitted loops of the kernel's path (``S8KernelPath``), each body the instructions of
    /// the library's inner loop for the Cortex-M DSP extension, read from its source
    /// (`ARM-software/CMSIS-NN` commit 99f736a6, the `ARM_MATH_DSP` branches; TFLite Micro's
    /// `reference_integer_ops`):
    ///
    /// * `convolve1x1` (`arm_nn_mat_mult_nt_t_s8`): per 2 output positions × 2 channels and 4
    ///   taps: `ldr` ×4 (two weight rows, two input rows), `sxtb16` ×8, `smlad` ×8, unrolled to 16
    ///   taps per loop branch; the input offset folded once per channel pair (weight-row sums:
    ///   `ldrsb` ×2, `add` ×2 per tap); leftover taps scalar (`ldrsb` ×4, `mla` ×4);
    /// * `convolve` (`arm_convolve_s8`): per column the im2col fill `arm_q7_to_q15_with_offset`;
    ///   per 2 columns × 2 channels and 4 taps (`arm_nn_mat_mult_kernel_s8_s16`): the columns'
    ///   `ldr` ×4, `read_and_pad_reordered` ×2 (`ldr`, `sxtb16` ×2), `smlad` ×8; leftover taps
    ///   `ldrsb` ×2, `ldrsh` ×2, `mla` ×4; an odd last column with the one-column loop;
    /// * `depthwise3x3`: per output position, 4 channels and in-bounds tap: `ldr` ×2,
    ///   `sxtab16` ×2, `sxtb16` ×2, `smlabb` ×2, `smlatt` ×2; per window row the row loop;
    /// * `depthwiseOptimized`: per output position the im2col fill of the window; per 4 channels
    ///   and 2 taps: `ldr` ×6, `sxtb16` ×4, `pkhbt`/`pkhtb` ×8, `smlad` ×4, pointer `add` ×2;
    /// * `depthwise` and the leftover channels of the fast depthwise paths: per tap `ldrsb` ×2,
    ///   `add` (offset), `mla`;
    /// * `fullyConnected`: per output and 4 taps the input `ldr`, `sxtab16` ×2, the weight `ldr`,
    ///   `sxtb16` ×2, `smlad` ×2;
    /// * `reference`: per output and in-bounds window position the bounds check (`cmp` ×4, `bne`)
    ///   and the input and filter `Offset()` (`mla` ×3 each); per tap `ldrsb` ×2, `add`, `mla`.
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
        case .reference: referenceLoops()
        }
    }

    private typealias I = DSPInstruction
    private var control: Bool { !zeroOverheadLoops }
    private var weights: String { memory.weightLevel }
    private var activations: String { memory.activationLevel }

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
        let quad = [I("ldr", weights), I("sxtb16"), I("ldr", activations), I("sxtb16"), I("ldr", weights), I("sxtb16"), I("sxtb16"),
                    I("smlad"), I("smlad"), I("smlad"), I("smlad"), I("ldr", activations), I("sxtb16"), I("sxtb16"),
                    I("smlad"), I("smlad"), I("smlad"), I("smlad")]
        let sixteen = depth / 16, leftover = depth % 16
        var loops = [
            DSPLoop(name: "row-sums", body: [I("ldrsb", weights), I("ldrsb", weights), I("add"), I("add")],
                    iterations: depth, entries: channelPairs, loopControl: control),
            DSPLoop(name: "mac", body: Array(repeating: quad, count: 4).flatMap { $0 }, iterations: sixteen, entries: tiles, loopControl: control),
            DSPLoop(name: "mac-tail", body: [I("ldrsb", weights), I("ldrsb", weights), I("ldrsb", activations), I("ldrsb", activations),
                                             I("mla"), I("mla"), I("mla"), I("mla")],
                    iterations: leftover, entries: tiles, loopControl: control),
            DSPLoop(name: "channel", body: perOutput, iterations: 4 * tiles, entries: 1, loopControl: control),
        ]
        loops += singleOutputLoops(outputs: positions * outputChannels - 4 * tiles, im2col: false)
        return loops
    }

    private func convolveLoops() -> [DSPLoop] {
        let columns = positions * groups
        let channelPairs = outputsPerGroup / 2
        let columnPairs = positions / 2
        let tiles = columnPairs * channelPairs * groups
        let fill = DSPLoop(name: "im2col", body: [I("ldr", activations), I("sxtab16"), I("sxtab16"), I("pkhbt"), I("pkhbt"),
                                                  I("str", activations), I("str", activations)],
                           iterations: (depth + 3) / 4, entries: columns, loopControl: control)
        let quad = [I("ldr", activations), I("ldr", activations), I("ldr", weights), I("sxtb16"), I("sxtb16"), I("ldr", weights), I("sxtb16"), I("sxtb16"),
                    I("smlad"), I("smlad"), I("smlad"), I("smlad"), I("ldr", activations), I("ldr", activations),
                    I("smlad"), I("smlad"), I("smlad"), I("smlad")]
        var loops = [
            fill,
            DSPLoop(name: "mac", body: quad, iterations: depth / 4, entries: tiles, loopControl: control),
            DSPLoop(name: "mac-tail", body: [I("ldrsb", weights), I("ldrsh", activations), I("ldrsb", weights), I("ldrsh", activations),
                                             I("mla"), I("mla"), I("mla"), I("mla")],
                    iterations: depth % 4, entries: tiles, loopControl: control),
            DSPLoop(name: "channel", body: perOutput, iterations: 4 * tiles, entries: 1, loopControl: control),
            DSPLoop(name: "column", body: [], iterations: columns, entries: 1, loopControl: control),
        ]
        loops += singleOutputLoops(outputs: positions * outputChannels - 4 * tiles, im2col: true)
        return loops
    }

    /// Window positions inside the input, summed over output positions (one output channel).
    private var windowPositions: Int {
        guard case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout else { return positions }
        let channelsPerGroup = max(1, depth / max(1, kernelHeight * kernelWidth))
        return layout.inBoundsTapCount(depth: depth, groups: groups) / (channelsPerGroup * max(1, groups))
    }

    private func depthwise3x3Loops() -> [DSPLoop] {
        let quads = outputChannels / 4
        let tap = [I("ldr", activations), I("ldr", weights), I("sxtab16"), I("sxtb16"), I("smlabb"), I("sxtab16"), I("smlatt"),
                   I("sxtb16"), I("smlabb"), I("smlatt")]
        var loops = [
            DSPLoop(name: "mac", body: tap, iterations: windowPositions, entries: quads, loopControl: false),
            DSPLoop(name: "row", body: [I("add"), I("add")], iterations: 3, entries: positions * quads, loopControl: control),
            DSPLoop(name: "channel", body: perOutput, iterations: 4 * quads * positions, entries: 1, loopControl: control),
        ]
        loops += scalarDepthwiseLoops(channels: outputChannels % 4)
        return loops
    }

    private func depthwiseOptimizedLoops() -> [DSPLoop] {
        let quads = outputChannels / 4
        guard case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout else { return [] }
        let window = kernelHeight * kernelWidth
        let pair = [I("ldr", weights), I("ldr", weights), I("ldr", activations), I("ldr", activations), I("sxtb16"), I("sxtb16"),
                    I("sxtb16"), I("sxtb16"), I("pkhbt"), I("pkhtb"), I("pkhbt"), I("smlad"), I("pkhbt"), I("smlad"),
                    I("ldr", activations), I("ldr", activations), I("pkhbt"), I("pkhtb"), I("pkhtb"), I("smlad"), I("pkhtb"), I("smlad"),
                    I("add"), I("add")]
        var loops = [
            DSPLoop(name: "im2col", body: [I("ldr", activations), I("sxtab16"), I("sxtab16"), I("pkhbt"), I("pkhbt"),
                                           I("str", activations), I("str", activations)],
                    iterations: (window * outputChannels + 3) / 4, entries: positions, loopControl: control),
            DSPLoop(name: "mac", body: pair, iterations: window / 2, entries: positions * quads, loopControl: control),
            DSPLoop(name: "mac-tail", body: Array(repeating: [I("ldrsb", weights), I("ldrsh", activations), I("mla")], count: 4).flatMap { $0 },
                    iterations: window % 2, entries: positions * quads, loopControl: control),
            DSPLoop(name: "channel", body: perOutput, iterations: 4 * quads * positions, entries: 1, loopControl: control),
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

    private func fullyConnectedLoops() -> [DSPLoop] {
        singleOutputLoops(outputs: positions * outputChannels, im2col: false)
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
