import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// conv2d, depthwise conv2d and dense on int8 codes as TFLite Micro runs them with CMSIS-NN
/// (`arm_convolve_s8`, `arm_depthwise_conv_s8`, `arm_fully_connected_s8`), with TFLite's
/// arithmetic (`docs/numerics.md`, "CMSIS-NN s8 kernels").
///
/// Each output is `acc = bias + Σ (x + inputOffset) · w` over the receptive field in a 32-bit
/// accumulator that wraps (`inputOffset = −inputZeroPoint`; a padded tap contributes nothing, as
/// CMSIS-NN's im2col writes 0 after the offset and TFLite's reference skips the tap). The output
/// stage is the node's: conv2d and depthwise scale per channel with the double-rounding
/// `arm_nn_requantize` (TFLite's `MultiplyByQuantizedMultiplier`, KilnInterpreter's
/// ``Requantizer``); dense with the single rounding TFLite's FULLY_CONNECTED uses
/// (``TFLiteFullyConnectedOutputStage``). The output zero point is added and the sum clamped to
/// the activation range (a fused relu / clip narrows it).
///
/// With ``packedWeights`` the weights are i4, two per byte, as CMSIS-NN's s4 kernels
/// (`arm_convolve_s4`, `arm_depthwise_conv_s4`, `arm_fully_connected_s4`) read them: the same
/// sums (each nibble sign-extended to the same value an i8 code holds), half the weight bytes,
/// and the unpacking instructions in the inner loop (``loops()``).
struct S8MultiplyAccumulateKernel: TargetKernel, DSPScheduledKernel {
    /// The arithmetic of the output stage.
    enum OutputStage: Sendable {
        /// Per-channel multiplier + shift, double rounding (CONV_2D, DEPTHWISE_CONV_2D).
        case doubleRounding(Requantizer)
        /// Per-unit multiplier + shift, single rounding (FULLY_CONNECTED).
        case singleRounding(TFLiteFullyConnectedOutputStage)
        /// The sign of a binarized layer: `acc ≥ 0 ? +1 : −1` written as an s8 code, the
        /// threshold `−T_c` already in the accumulator as its bias (``S8BinaryLayerPattern``).
        case sign
    }

    let name: String
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    let layout: SMLADMultiplyAccumulateKernel.Layout
    /// Output channels (O or N), groups and the dot-product depth per output.
    let outputChannels: Int, groups: Int, depth: Int
    /// The output type (after a fused clamp, the same parameters).
    let outputType: TensorType
    /// `−inputZeroPoint`, added to every input code (CMSIS-NN's `input_offset`).
    let inputOffset: Int32
    let stage: OutputStage
    /// The activation range: the output type's, narrowed by a fused relu / clip.
    let bounds: ClosedRange<Int32>
    let hasBias: Bool
    /// Whether the weights are i4 packed two per byte (the s4 kernels) rather than i8.
    let packedWeights: Bool
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool
    /// The kernel library of the target's stack: which kernel the layer dispatches to
    /// (``S8KernelPath``), so which loops price it; the arithmetic is the same for all.
    let library: KernelLibrary
    /// Whether the core has the M-profile Vector Extension: CMSIS-NN is then built with
    /// `ARM_MATH_MVEI` and its wrappers dispatch to the Helium kernels (``S8KernelPath/helium(_:)``).
    let helium: Bool
    /// The core's L1 data cache, if the target declares one (the Helium paths read weights through it).
    let dataCache: DSPSection.DataCache?

    var outputsPerGroup: Int { outputChannels / groups }
    var positions: Int { layout.positions }
    /// Depthwise: one input channel per group (CMSIS-NN's depthwise kernel, no im2col).
    var isDepthwise: Bool {
        if case .convolution(_, _, let kernelHeight, let kernelWidth, _) = layout { return groups > 1 && depth == kernelHeight * kernelWidth }
        return false
    }

    @inline(__always)
    private func requantize(_ accumulator: Int32, channel: Int) -> Int32 {
        let code: Int32
        switch stage {
        case .doubleRounding(let requantizer): code = requantizer.apply(accumulator, channel: channel)
        case .singleRounding(let fullyConnected): code = fullyConnected.apply(accumulator, unit: channel)
        case .sign: code = accumulator >= 0 ? 1 : -1
        }
        return min(max(code, bounds.lowerBound), bounds.upperBound)
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == inputs.count, let x = operands[0].codes, let w = operands[1].codes,
              w.count == outputChannels * depth, x.count == layout.inputCount(depth: depth) else {
            throw DiagnosticError(.error("\(name): expected \(inputs.count) integer operands with \(outputChannels * depth) weights and \(layout.inputCount(depth: depth)) inputs",
                                         place: nodes.first?.place))
        }
        let bias = hasBias ? operands[2].codes : nil
        if hasBias && bias?.count != outputChannels {
            throw DiagnosticError(.error("\(name): expected \(outputChannels) bias values", place: nodes.first?.place))
        }
        // Weight rows (the dense [K, N] matrix is read by column, as arm_fully_connected_s8's [N, K]).
        var rows = [Int32](repeating: 0, count: outputChannels * depth)
        switch layout {
        case .convolution: rows = w
        case .dense: for k in 0..<depth { for n in 0..<outputChannels { rows[n * depth + k] = w[k * outputChannels + n] } }
        }
        var output = [Int32](repeating: 0, count: positions * outputChannels)
        var column = [Int16](repeating: 0, count: depth)
        let (depth, outputsPerGroup, outputChannels) = (depth, outputsPerGroup, outputChannels)
        // Pointer loops over locals: a debug build (README's first run) would otherwise pay an
        // array access with its checks per multiply-accumulate.
        x.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rows in
                column.withUnsafeMutableBufferPointer { column in
                    guard let columnBase = column.baseAddress, let rowsBase = rows.baseAddress else { return }
                    for position in 0..<positions {
                        for group in 0..<groups {
                            _ = layout.gather(position: position, group: group, depth: depth, offset: inputOffset, from: x, into: column)
                            for local in 0..<outputsPerGroup {
                                let channel = group * outputsPerGroup + local
                                var accumulator: Int32 = bias?[channel] ?? 0
                                let row = rowsBase + channel * depth
                                var k = 0
                                while k + 4 <= depth {  // SMLAD pairs / MLA: 32-bit wrap, in tap order
                                    accumulator = accumulator &+ Int32(truncatingIfNeeded: columnBase[k]) &* row[k]
                                        &+ Int32(truncatingIfNeeded: columnBase[k + 1]) &* row[k + 1]
                                    accumulator = accumulator &+ Int32(truncatingIfNeeded: columnBase[k + 2]) &* row[k + 2]
                                        &+ Int32(truncatingIfNeeded: columnBase[k + 3]) &* row[k + 3]
                                    k += 4
                                }
                                while k < depth {
                                    accumulator = accumulator &+ Int32(truncatingIfNeeded: columnBase[k]) &* row[k]
                                    k += 1
                                }
                                output[layout.outputIndex(position: position, channel: channel, outputChannels: outputChannels)] =
                                    requantize(accumulator, channel: channel)
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let outputs = positions * outputChannels
        let instructions = DSPLoop.instructionCounts(loops())
        counts.instructions = instructions
        counts.multiplyAccumulates[MultiplyAccumulateKind(.int8, packedWeights ? .int4 : .int8)] = outputs * depth
        let memoryClasses: Set<DSPInstructionClass> = [.load, .store, .branch, .multiplyAccumulate]
        counts.aluOperations = instructions.filter { !memoryClasses.contains(DSPInstructionClass.of($0.key.name) ?? .alu) }.values.reduce(0, +)
        let taps = layout.inBoundsTapCount(depth: depth, groups: groups)
        // The 2 × 2 tiles of the CMSIS-NN matrix paths read each weight word for two columns and
        // each column word for two channels; s4 weights are two per byte.
        // The Helium matrix paths load each weight vector once for four rows or columns.
        let tiled = path == .convolve || path == .convolve1x1
        let reuse = tiled ? 2 : 1
        let weightReuse = path == .convolveMVE || path == .convolve1x1MVE ? 4 : reuse
        let weightBytesPerOutput = packedWeights ? (depth + 1) / 2 : depth
        // Weights held in the data cache are read from their level once (line fills), re-read from the cache.
        let weightBytes = helium && weightsCached ? outputChannels * depth : outputs * weightBytesPerOutput / weightReuse
        counts.bytesRead[memory.weightLevel, default: 0] += weightBytes + (hasBias ? outputs * 4 : 0)
        switch path {
        case .convolveMVE, .depthwiseMVE:  // im2col of s8 taps: the taps in, s8 columns out and read back
            counts.bytesRead[memory.activationLevel, default: 0] += taps + outputs * depth
            counts.bytesWritten[memory.activationLevel, default: 0] += positions * groups * depth + outputs
        case .convolve, .depthwiseOptimized, .convolveS4:  // im2col: the taps in, q15 columns out and read back
            counts.bytesRead[memory.activationLevel, default: 0] += taps + outputs * depth * 2 / reuse
            counts.bytesWritten[memory.activationLevel, default: 0] += positions * groups * depth * 2 + outputs
        default:  // every tap (or input element) read per output
            counts.bytesRead[memory.activationLevel, default: 0] += outputs * depth / reuse
            counts.bytesWritten[memory.activationLevel, default: 0] += outputs
        }
        return counts
    }

    /// The per-output requantization (``S8OutputStage``), offset, clamp and `strb`; under the 2020
    /// kernels, their `arm_nn_requantize` as compiled (``CMSISNNCompiledLoops/requantize2020``, its
    /// literal-pool load read from flash with the code).
    var outputStageInstructions: [DSPInstruction] {
        if case .sign = stage { return S8OutputStage.sign + [DSPInstruction("strb", memory.activationLevel)] }
        if library == .cmsisNN2020 {
            return CMSISNNCompiledLoops.requantize2020.map {
                let name = Self.issueName($0)
                return name == "ldr" ? DSPInstruction(name, memory.weightLevel) : DSPInstruction(name)
            } + S8OutputStage.offsetAndClamp + [DSPInstruction("strb", memory.activationLevel)]
        }
        switch stage {
        case .doubleRounding: return S8OutputStage.doubleRounding + S8OutputStage.offsetAndClamp + [DSPInstruction("strb", memory.activationLevel)]
        case .singleRounding: return S8OutputStage.singleRounding + S8OutputStage.offsetAndClamp + [DSPInstruction("strb", memory.activationLevel)]
        case .sign: return S8OutputStage.sign + [DSPInstruction("strb", memory.activationLevel)]
        }
    }

    func listing() -> [String] {
        let rounding: String
        switch stage {
        case .doubleRounding: rounding = "arm_nn_requantize per channel (double rounding: saturating rounding doubling high multiply, rounding divide by 2^shift)"
        case .singleRounding: rounding = "single-rounding requantize per unit ((acc·m + 2^(30−shift)) >> (31−shift), TFLite's FULLY_CONNECTED)"
        case .sign: rounding = "sign (acc ≥ 0 ? +1 : −1; the threshold −T is the bias)"
        }
        var lines = ["s8×\(packedWeights ? "s4" : "s8") → s8: depth \(depth), \(outputChannels) channels, groups \(groups); input offset \(inputOffset); i32 accumulator from the bias",
                     "weights \(packedWeights ? "s4 packed two per byte, unpacked in the inner loop," : "s8") in \(memory.weightLevel); activations in \(memory.activationLevel)"]
        switch layout {
        case .convolution(let attributes, let input, let kernelHeight, let kernelWidth, let output):
            lines.append("\(kernelHeight)×\(kernelWidth) stride \(attributes.strides.map(String.init).joined(separator: "×")) pads [\(attributes.pads.map(String.init).joined(separator: ","))] x [\(input.map(String.init).joined(separator: ","))] → [\(output.map(String.init).joined(separator: ","))]")
            lines.append(isDepthwise ? "for n, oy, ox, c: for each tap: (x + offset) · w"
                                     : "for n, oy, ox: column of (x + offset), padding 0; for o: dot product with the weight row")
        case .dense(let rows):
            lines.append("for r in 0..<\(rows): for o in 0..<\(outputChannels): smlad ×2 per 4 taps (x + offset by sxtab16)")
        }
        lines.append("  cost: \(library.rawValue) kernel \(path.rawValue)")
        if case .sign = stage {
            lines.append("  y = \(rounding); strb")
        } else {
            lines.append("  y = clamp(\(rounding) + output offset, [\(bounds.lowerBound), \(bounds.upperBound)]); strb")
        }
        return lines
    }
}
