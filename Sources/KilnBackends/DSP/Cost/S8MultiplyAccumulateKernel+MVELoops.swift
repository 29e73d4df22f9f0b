extension S8KernelPath {
    /// The path CMSIS-NN's wrappers take when built with `ARM_MATH_MVEI` (CMSIS-NN 99f736a6):
    ///
    /// * `arm_convolve_wrapper_s8`: a 1×1 convolution without padding and with unit dilation runs
    ///   `arm_convolve_1x1_s8(_fast)` → `arm_nn_mat_mult_nt_t_s8` on the input rows; any other
    ///   convolution `arm_convolve_s8`, which copies four output positions' windows into an s8 im2col
    ///   buffer and calls the same `arm_nn_mat_mult_nt_t_s8` on them;
    /// * `arm_depthwise_conv_wrapper_s8`: channel multiplier 1 and unit dilation run
    ///   `arm_depthwise_conv_s8_opt` (with MVE the 3×3 path is compiled out), whose MVE branch copies
    ///   four positions' windows and calls `arm_nn_depthwise_conv_nt_t_s8`; others the generic
    ///   `arm_depthwise_conv_s8` (``depthwise``, scalar);
    /// * `arm_fully_connected_s8` → `arm_nn_vec_mat_mult_t_s8`.
    static func helium(_ kernel: S8MultiplyAccumulateKernel) -> S8KernelPath {
        switch kernel.layout {
        case .dense: return .fullyConnectedMVE
        case .convolution(let attributes, _, let kernelHeight, let kernelWidth, _):
            let unitDilation = attributes.dilations.allSatisfy { $0 == 1 }
            if kernel.isDepthwise { return kernel.outputsPerGroup == 1 && unitDilation ? .depthwiseMVE : .depthwise }
            if kernel.groups == 1, kernelHeight == 1, kernelWidth == 1, attributes.pads.allSatisfy({ $0 == 0 }), unitDilation {
                return .convolve1x1MVE
            }
            return .convolveMVE
        }
    }
}

extension S8MultiplyAccumulateKernel {
    /// The loops of the Helium paths. Each hot loop is the loop as compiled
    /// (``CMSISNNCompiledMVELoops``: `tools/validation/cmsis_nn_mve_loops.py`, clang `-Os` for the
    /// Cortex-M55; most are CMSIS-NN's own inline assembly), one iteration per 16 taps (tail
    /// predicated: a last partial vector costs a whole iteration); the loops around it follow the
    /// kernels' sources:
    ///
    /// * `convolve1x1MVE`, `convolveMVE` (`arm_nn_mat_mult_nt_t_s8`): per output channel and four
    ///   input rows (or im2col columns) the compiled loop, the weight row loaded once for the four;
    ///   leftover rows one at a time (`vaddva`, the row's and the weight's `vldrb`, `vmladava`, from the
    ///   kernel's one-row assembly); `convolveMVE` first copies each window tap's input channels into
    ///   the im2col buffer with the compiled copy loop (`vldrb`/`vstrb`, 16 bytes per iteration);
    /// * `depthwiseMVE` (`arm_depthwise_conv_s8_opt` → `arm_nn_depthwise_conv_nt_t_s8`): per output
    ///   position the window copy (per tap, the channels 16 bytes at a time); per four channels of
    ///   four positions the compiled loop per tap (leftover positions padded to a block of four);
    /// * `fullyConnectedMVE` (`arm_nn_vec_mat_mult_t_s8`): per four output rows the compiled loop;
    ///   leftover rows one at a time (`vldrb` ×2, `vmladava`).
    ///
    /// Every four outputs pay the vector epilogue of `arm_nn_mat_mult_nt_t_s8`'s MVE branch
    /// (``heliumEpilogue``). The loops end in `letp`/`le`, free once the loop runs, so no loop
    /// control is added.
    ///
    /// With a data cache (`dsp.dataCache`) that holds the layer's weights, the loops read them
    /// from the cache (no wait states of the weight level), and a `weight-fill` loop charges one
    /// access of the weight level per cache line: each line is filled once, however often the
    /// kernel re-reads it (the matrix kernels read every weight row once per four positions).
    func heliumLoops() -> [DSPLoop] {
        let chunks = (depth + 15) / 16
        let outputs = positions * outputChannels
        let oneRow = [I("vaddva.s8"), I("vldrb.u8", activations), I("vmladava.s8"), I("vldrb.u8", weights)]
        var loops: [DSPLoop] = []
        if let fill = weightFill { loops.append(fill) }
        switch path {
        case .convolveMVE, .convolve1x1MVE:
            if path == .convolveMVE, case .convolution(_, let input, let kernelHeight, let kernelWidth, _) = layout {
                let channels = input.count > 1 ? input[1] : 1
                loops.append(DSPLoop(name: "im2col", body: vectorBody(CMSISNNCompiledMVELoops.im2col),
                                     iterations: (channels + 15) / 16, entries: positions * kernelHeight * kernelWidth, loopControl: false))
            }
            loops += [
                DSPLoop(name: "mac", body: vectorBody(CMSISNNCompiledMVELoops.loops[path]), iterations: chunks,
                        entries: positions / 4 * outputChannels, loopControl: false),
                DSPLoop(name: "mac-tail", body: oneRow, iterations: chunks, entries: positions % 4 * outputChannels, loopControl: false),
            ]
        case .depthwiseMVE:
            let channelBlocks = (outputChannels + 3) / 4
            loops += [
                DSPLoop(name: "im2col", body: vectorBody(CMSISNNCompiledMVELoops.im2col),
                        iterations: (outputChannels + 15) / 16, entries: positions * depth, loopControl: false),
                DSPLoop(name: "mac", body: vectorBody(CMSISNNCompiledMVELoops.loops[path]), iterations: depth,
                        entries: (positions + 3) / 4 * channelBlocks, loopControl: false),
            ]
        default:  // fullyConnectedMVE
            loops += [
                DSPLoop(name: "mac", body: vectorBody(CMSISNNCompiledMVELoops.loops[path]), iterations: chunks,
                        entries: positions * (outputChannels / 4), loopControl: false),
                DSPLoop(name: "mac-tail", body: [I("vldrb.u8", activations), I("vldrb.u8", weights), I("vmladava.s8")],
                        iterations: chunks, entries: positions * (outputChannels % 4), loopControl: false),
            ]
        }
        loops.append(DSPLoop(name: "epilogue", body: heliumEpilogue, iterations: (outputs + 3) / 4, entries: 1, loopControl: false))
        return loops
    }

    /// Four outputs' epilogue in `arm_nn_mat_mult_nt_t_s8`'s MVE branch (and its inline assembly's
    /// set-up): `wlstp`, five `mov` zeroing the sums and the first weight `vldrb` before the loop;
    /// then the four sums into a vector (`vmov` ×2), the input-offset term (`mul`) and bias (`ldr`,
    /// `add`) added (`vadd`), the multiplier and shift (`ldr` ×2), `arm_requantize_mve` (`vdup`,
    /// `vshl`, `vqrdmulh`, `vrshl`), the output offset (`vadd`), the clamp (`vmax`, `vmin`) and the
    /// scatter store (`vstrb`).
    private var heliumEpilogue: [DSPInstruction] {
        [I("wlstp"), I("mov"), I("mov"), I("mov"), I("mov"), I("mov"), I("vldrb.u8", weights),
         I("vmov.32"), I("vmov.32"), I("mul"), I("ldr", weights), I("add"), I("vadd.i32"), I("ldr", weights), I("ldr", weights),
         I("vdup.32"), I("vshl.s32"), I("vqrdmulh.s32"), I("vrshl.s32"), I("vadd.i32"), I("vmax.s32"), I("vmin.s32"),
         I("vstrb.32", activations)]
    }

    /// Whether the layer's weights fit the data cache (a Helium path on a target with `dsp.dataCache`).
    var weightsCached: Bool { dataCache.map { outputChannels * depth <= $0.sizeBytes.value } ?? false }

    /// One weight-level access per cache line of the layer's weights, when they are cached.
    private var weightFill: DSPLoop? {
        guard weightsCached, let line = dataCache?.lineBytes.value else { return nil }
        return DSPLoop(name: "weight-fill", body: [I("ldr", memory.weightLevel)], iterations: (outputChannels * depth + line - 1) / line,
                       entries: 1, loopControl: false)
    }

    private func vectorBody(_ loop: CMSISNNCompiledLoops.Loop?) -> [DSPInstruction] {
        loop?.vectorBody(weights: weights, activations: activations) ?? []
    }

    private typealias I = DSPInstruction
    /// Where the loops read weights: the cache (charged as the activation level, no wait states)
    /// when they fit it, else the weight level.
    private var weights: String { weightsCached ? memory.activationLevel : memory.weightLevel }
    private var activations: String { memory.activationLevel }
}
