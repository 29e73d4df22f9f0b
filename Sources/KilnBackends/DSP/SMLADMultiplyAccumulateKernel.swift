import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// conv2d (any groups, incl. depthwise) and dense on a Cortex-M DSP extension, as CMSIS-NN's q7
/// kernels run them: each output position's receptive field is gathered into a q15 column
/// (im2col; q7 codes sign-extended with `SXTB16`, padding written as 0), and each output channel
/// is a dot product of that column with the channel's weight row, two 16×16 products per `SMLAD`
/// into a 32-bit accumulator that starts at the bias. The result is shifted right with rounding
/// (the round constant `2^(s−1)` folded into the accumulator's start, as CMSIS-NN's `NN_ROUND`),
/// saturated with `SSAT` (or clamped at 0 with `USAT` for a fused relu) and stored.
///
/// The accumulator wraps like `SMLAD` (it sets the Q flag and keeps the low 32 bits); the
/// adaptation pass and the lowering pattern guarantee that no sum can leave the 32-bit range, so
/// wrap and saturation give the same result.
struct SMLADMultiplyAccumulateKernel: TargetKernel {
    /// How output positions gather their column.
    enum Layout: Sendable, Hashable {
        /// NCHW convolution with OIHW weights.
        case convolution(Convolution, input: [Int], kernelHeight: Int, kernelWidth: Int, output: [Int])
        /// `x[rows, K] · w[K, N]`.
        case dense(rows: Int)
    }

    let name: String
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    let layout: Layout
    /// Output channels (O or N), groups, output channels per group, and the dot-product depth.
    let outputChannels: Int, groups: Int, depth: Int
    /// The output type (after a fused clamp, the same parameters).
    let outputType: TensorType
    /// Per-channel shift requantizers (round half up, saturate to the output type).
    let requantizers: [PowerOfTwoShiftRequantizer]
    /// The fused clamp's code bounds (the output type's range when nothing is fused), and whether it is a relu.
    let lowerBound: Int32, upperBound: Int32, fusedRelu: Bool
    /// Element types of the operands (for the MAC key and byte counts).
    let inputElement: ElementType, weightElement: ElementType
    let hasBias: Bool
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool
    /// The worst-case accumulator magnitude (for the listing).
    let accumulatorBound: Int64

    var outputsPerGroup: Int { outputChannels / groups }

    /// Output positions per group (per batch element folded in).
    var positions: Int { layout.positions }

    // MARK: execution

    /// True: `execute` tallies the trip counts of the loops it runs.
    var countsWhileExecuting: Bool { true }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == inputs.count, let x = operands[0].codes, let w = operands[1].codes,
              w.count == outputChannels * depth else {
            throw DiagnosticError(.error("\(name): expected \(inputs.count) integer operands with \(outputChannels * depth) weights", place: nodes.first?.place))
        }
        let bias = hasBias ? operands[2].codes : nil
        if hasBias && bias?.count != outputChannels {
            throw DiagnosticError(.error("\(name): expected \(outputChannels) bias values", place: nodes.first?.place))
        }
        // Weight rows in q15 (SXTB16 of the reordered q7 rows; the dense [K, N] matrix is read by column).
        var rows = [Int16](repeating: 0, count: outputChannels * depth)
        switch layout {
        case .convolution:
            for index in rows.indices { rows[index] = Int16(truncatingIfNeeded: w[index]) }
        case .dense:
            for k in 0..<depth { for n in 0..<outputChannels { rows[n * depth + k] = Int16(truncatingIfNeeded: w[k * outputChannels + n]) } }
        }
        let expectedInput = layout.inputCount(depth: depth)
        guard x.count == expectedInput else {
            throw DiagnosticError(.error("\(name): expected \(expectedInput) input elements, got \(x.count)", place: nodes.first?.place))
        }

        let outputCount = positions * outputChannels
        var output = [Int32](repeating: 0, count: outputCount)
        var column = [Int16](repeating: 0, count: depth)
        var inBoundsTaps = 0
        var pairInstructions = 0, singleInstructions = 0
        x.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rows in
                column.withUnsafeMutableBufferPointer { column in
                    output.withUnsafeMutableBufferPointer { output in
                        for position in 0..<positions {
                            for group in 0..<groups {
                                inBoundsTaps += layout.gather(position: position, group: group, depth: depth, offset: 0, from: x, into: column)
                                for local in 0..<outputsPerGroup {
                                    let channel = group * outputsPerGroup + local
                                    let row = rows.baseAddress! + channel * depth
                                    // SMLAD: acc += lo·lo + hi·hi, 32-bit wrap (Q flag on overflow).
                                    var accumulator: Int32 = bias?[channel] ?? 0
                                    var k = 0
                                    while k + 1 < depth {
                                        let pair = Int32(column[k]) &* Int32(row[k]) &+ Int32(column[k + 1]) &* Int32(row[k + 1])
                                        accumulator = accumulator &+ pair
                                        k += 2
                                    }
                                    if k < depth {  // SMLABB for an odd tail
                                        accumulator = accumulator &+ Int32(column[k]) &* Int32(row[k])
                                    }
                                    pairInstructions += depth / 2
                                    singleInstructions += depth % 2
                                    let code = requantizers[requantizers.count == 1 ? 0 : channel].apply(Int64(accumulator))
                                    output[layout.outputIndex(position: position, channel: channel, outputChannels: outputChannels)] = min(max(code, lowerBound), upperBound)
                                }
                            }
                        }
                    }
                }
            }
        }
        counts.add(actionCounts(inBoundsTaps: inBoundsTaps, dualMACs: pairInstructions, singleMACs: singleInstructions))
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    // MARK: counting

    /// The taps of every column that lie inside the input (padding taps are written, not read).
    var inBoundsTapCount: Int { layout.inBoundsTapCount(depth: depth, groups: groups) }

    func countActions() -> ActionCounts {
        let outputs = positions * outputChannels
        return actionCounts(inBoundsTaps: inBoundsTapCount, dualMACs: outputs * (depth / 2), singleMACs: outputs * (depth % 2))
    }

    /// The counts of one run, from the data-dependent parts ``execute(_:counts:)`` tallies.
    ///
    /// Instructions are those of the emitted loops (``loops()``): the im2col fill, the SMLAD inner
    /// loop, the per-channel prologue/tail/output stage and the loop over columns, each with
    /// `subs`/`bne` unless loops are free.
    func actionCounts(inBoundsTaps: Int, dualMACs: Int, singleMACs: Int) -> ActionCounts {
        var counts = ActionCounts()
        let outputs = positions * outputChannels
        let columns = positions * groups
        let inputBytes = (inputElement.bitWidth + 7) / 8, weightBytes = (weightElement.bitWidth + 7) / 8
        let outputBytes = (outputType.elementType.bitWidth + 7) / 8
        // The instructions of the emitted loops (see ``loops()``); their smlad and smlabb counts are
        // the dualMACs = outputs · ⌊depth/2⌋ and singleMACs = outputs · (depth mod 2) a run tallies.
        let instructions = DSPLoop.instructionCounts(loops())
        counts.instructions = instructions

        counts.multiplyAccumulates[MultiplyAccumulateKind(inputElement, weightElement)] = outputs * depth
        let aluNames: Set<String> = ["sxtb16", "pkhbt", "add", "asr", "ssat", "usat", "cmp", "mov"]
        counts.aluOperations = instructions.filter { aluNames.contains($0.key.name) }.values.reduce(0, +)
        counts.bytesRead[memory.weightLevel, default: 0] += outputs * depth * weightBytes + (hasBias ? outputs * 4 : 0)
        counts.bytesRead[memory.activationLevel, default: 0] += inBoundsTaps * inputBytes + outputs * depth * 2
        counts.bytesWritten[memory.activationLevel, default: 0] += columns * depth * 2 + outputs * outputBytes
        return counts
    }

    // MARK: listing

    func listing() -> [String] {
        let shifts = requantizers.map(\.shift)
        let shiftText = (shifts.min() ?? 0) == (shifts.max() ?? 0) ? "\(shifts.first ?? 0)" : "\(shifts.min()!)…\(shifts.max()!) per channel"
        let saturate = fusedRelu ? "usat #\(outputType.elementType.bitWidth - 1) (fused relu)" : "ssat #\(outputType.elementType.bitWidth)"
        let loop = zeroOverheadLoops ? "zero-overhead loop" : "subs/bne"
        var lines: [String] = []
        let quads = depth / 4, tail = depth % 4
        let weightLoad = weightElement.bitWidth <= 8 ? "ldr w (4×q7); sxtb16 ×2" : "ldr w ×2 (4×q15)"
        switch layout {
        case .convolution(let attributes, let input, let kernelHeight, let kernelWidth, let output):
            lines.append("\(inputElement.name)×\(weightElement.name) → \(outputType.elementType.name): \(kernelHeight)×\(kernelWidth) stride \(attributes.strides.map(String.init).joined(separator: "×")) pads [\(attributes.pads.map(String.init).joined(separator: ","))] groups \(groups); i32 accumulator, |acc| ≤ \(accumulatorBound); shift \(shiftText), round half up; \(saturate)")
            lines.append("layout: x NCHW \(inputElement.name) [\(input.map(String.init).joined(separator: ","))] in \(memory.activationLevel); w \(weightElement.name) [\(outputChannels)][\(depth)] (reordered for sxtb16) in \(memory.weightLevel); im2col column q15[\(depth)]")
            lines.append("for n, oy, ox in \(input[0])×\(output[2])×\(output[3]):  ; \(positions) positions")
            lines.append("  for g in 0..<\(groups):")
            lines.append("    im2col: \(channelsText) \(kernelHeight)×\(kernelWidth) taps → q15 (ldr, sxtb16 ×2, pkhbt ×2, str ×2 per 4; padding → 0)")
        case .dense(let rows):
            lines.append("\(inputElement.name)×\(weightElement.name) → \(outputType.elementType.name): [\(rows)×\(depth)]·[\(depth)×\(outputChannels)]; i32 accumulator, |acc| ≤ \(accumulatorBound); shift \(shiftText), round half up; \(saturate)")
            lines.append("layout: x \(inputElement.name) [\(rows)][\(depth)] in \(memory.activationLevel); w \(weightElement.name) [\(outputChannels)][\(depth)] (transposed, reordered for sxtb16) in \(memory.weightLevel); row q15[\(depth)]")
            lines.append("for r in 0..<\(rows):")
            lines.append("  for g in 0..<1:")
            lines.append("    expand row: \(depth) × \(inputElement.name) → q15 (ldr, sxtb16 ×2, str ×2 per 4)")
        }
        lines.append("    for o in 0..<\(outputsPerGroup):")
        lines.append("      acc = \(hasBias ? "bias[o]" : "0") + 2^(s-1)   ; \(hasBias ? "ldr, " : "")add (round half up)")
        if quads > 0 {
            lines.append("      for k in 0..<\(quads):   ; 4 MACs per iteration, \(loop)")
            lines.append("        \(weightLoad); ldr x ×2 (2×q15 each); smlad ×2")
        }
        if tail > 0 {
            lines.append("      tail \(tail): \(tail / 2 > 0 ? "ldr w, ldr x, smlad; " : "")\(tail % 2 > 0 ? "ldrsb w, ldrsh x, smlabb" : "")")
        }
        lines.append("      y = \(saturate.split(separator: " ").prefix(2).joined(separator: " "))(acc >> s)\(lowerBoundText); \(outputType.elementType.bitWidth <= 8 ? "strb" : "strh")")
        return lines
    }

    private var channelsText: String {
        switch layout {
        case .convolution(_, _, let kh, let kw, _): "\(depth / (kh * kw)) channel\(depth / (kh * kw) == 1 ? "" : "s") ×"
        case .dense: ""
        }
    }

    private var lowerBoundText: String {
        let clamps = !fusedRelu && (Int64(lowerBound) > outputType.elementType.minimumCode || Int64(upperBound) < outputType.elementType.maximumCode)
        return clamps ? ", clamp [\(lowerBound), \(upperBound)] (cmp/mov ×2)" : ""
    }
}
