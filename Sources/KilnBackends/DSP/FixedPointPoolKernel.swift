import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// maxPool, averagePool, globalMaxPool and globalAveragePool on Q7/Q15 codes (NCHW).
///
/// Max: a running maximum of the in-bounds taps (`ldrsb`, `cmp`, `movgt`); a window entirely in
/// the padding gives the zero point 0. Average: the taps are summed in a 32-bit register, then
/// scaled on the Cortex-M4F/M7 single-precision FPU by the constant `s_in / (s_out · count)`
/// (`vcvt.f32.s32`, `vmul.f32`, `vcvtr.s32.f32` rounding to nearest-even, `ssat`): the same
/// float32 product the reference computes, so no division is needed at run time.
struct FixedPointPoolKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let inputType: TensorType
    let outputType: TensorType
    /// The window (global pooling: the whole plane, no padding).
    let attributes: Pooling
    let memory: DSPMemoryMap
    /// Whether the target's loops cost no `subs`/`bne`.
    let zeroOverheadLoops: Bool

    var isMax: Bool { node.kind == .maxPool || node.kind == .globalMaxPool }
    var name: String { isMax ? "cmp-\(node.kind.rawValue)" : "sum-fpu-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }

    private var planes: Int { inputType.shape[0] * inputType.shape[1] }
    private var height: Int { inputType.shape[2] }
    private var width: Int { inputType.shape[3] }
    private var outputHeight: Int { outputType.shape[2] }
    private var outputWidth: Int { outputType.shape[3] }
    private var elementBytes: Int { (inputType.elementType.bitWidth + 7) / 8 }

    /// Calls `body(y, x)` for the in-bounds taps of output (oy, ox).
    @inline(__always)
    private func forEachTap(_ oy: Int, _ ox: Int, _ body: (Int, Int) -> Void) {
        for ky in 0..<attributes.kernel[0] {
            let y = oy * attributes.strides[0] - attributes.pads[0] + ky * attributes.dilations[0]
            if y < 0 || y >= height { continue }
            for kx in 0..<attributes.kernel[1] {
                let x = ox * attributes.strides[1] - attributes.pads[1] + kx * attributes.dilations[1]
                if x < 0 || x >= width { continue }
                body(y, x)
            }
        }
    }

    /// The average's divisor: the taps inside the input, or inside the padded input with `countIncludePad`.
    private func divisor(_ oy: Int, _ ox: Int) -> Int {
        let paddedHeight = height + attributes.pads[0] + attributes.pads[2], paddedWidth = width + attributes.pads[1] + attributes.pads[3]
        var count = 0
        for ky in 0..<attributes.kernel[0] {
            let y = oy * attributes.strides[0] - attributes.pads[0] + ky * attributes.dilations[0]
            let inside = attributes.countIncludePad ? (y < paddedHeight - attributes.pads[0]) : (y >= 0 && y < height)
            if !inside { continue }
            for kx in 0..<attributes.kernel[1] {
                let x = ox * attributes.strides[1] - attributes.pads[1] + kx * attributes.dilations[1]
                if attributes.countIncludePad ? (x < paddedWidth - attributes.pads[1]) : (x >= 0 && x < width) { count += 1 }
            }
        }
        return count
    }

    /// The FPU scaling of an average: the reference's float32 multiplier and rounding.
    private func average(_ sum: Int32, count: Int) -> Int32 {
        guard count > 0 else { return 0 }
        let multiplier = inputType.quantization!.scale(at: 0) / (outputType.quantization!.scale(at: 0) * Float(count))
        let scaled = (Float(sum) * multiplier).rounded(.toNearestOrEven)  // vmul.f32; vcvtr.s32.f32 (FPSCR: nearest-even)
        let bounded = Swift.min(Swift.max(scaled, -4294967296.0), 4294967296.0)
        return Int32(outputType.elementType.saturate(Int64(bounded)))  // ssat
    }

    /// True: `execute` tallies the trip counts of the loops it runs.
    var countsWhileExecuting: Bool { true }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, let codes = operands[0].codes, codes.count == inputType.elementCount else {
            throw DiagnosticError(.error("\(name): expected \(inputType.elementCount ?? 0) integer codes", place: node.place))
        }
        let plane = height * width, outputPlane = outputHeight * outputWidth
        var output = [Int32](repeating: 0, count: planes * outputPlane)
        var taps = 0
        codes.withUnsafeBufferPointer { codes in
            for p in 0..<planes {
                for oy in 0..<outputHeight {
                    for ox in 0..<outputWidth {
                        var accumulator: Int32 = isMax ? Int32.min : 0
                        var seen = 0
                        forEachTap(oy, ox) { y, x in
                            let value = codes[p * plane + y * width + x]
                            accumulator = isMax ? max(accumulator, value) : accumulator &+ value
                            seen += 1
                        }
                        taps += seen
                        let index = p * outputPlane + oy * outputWidth + ox
                        if isMax {
                            output[index] = seen == 0 ? 0 : accumulator
                        } else {
                            output[index] = average(accumulator, count: divisor(oy, ox))
                        }
                    }
                }
            }
        }
        counts.add(actionCounts(taps: taps))
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts { actionCounts(taps: tapCount) }

    /// The in-bounds taps of every window of every plane.
    var tapCount: Int {
        var taps = 0
        for oy in 0..<outputHeight { for ox in 0..<outputWidth { forEachTap(oy, ox) { _, _ in taps += 1 } } }
        return taps * planes
    }

    /// The loops of one run (see ``loops(taps:)``).
    func loops() -> [DSPLoop] { loops(taps: tapCount) }

    /// The instructions of ``loops(taps:)``.
    func actionCounts(taps: Int) -> ActionCounts {
        var counts = ActionCounts()
        let outputsCount = planes * outputHeight * outputWidth
        counts.instructions = DSPLoop.instructionCounts(loops(taps: taps))
        counts.aluOperations = isMax ? taps * 2 : taps + outputsCount * 4
        counts.bytesRead[memory.activationLevel] = taps * elementBytes
        counts.bytesWritten[memory.activationLevel] = outputsCount * elementBytes
        return counts
    }

    /// The emitted loops: the window's taps unrolled (max: `ldrsb`, `cmp`, `movgt`; average:
    /// `ldrsb`, `add`), and per output (max: the store; average: `vmov`, `vcvt.f32.s32`,
    /// `vmul.f32`, `vcvtr.s32.f32`, `vmov`, `ssat`, the store) with `subs`/`bne`.
    func loops(taps: Int) -> [DSPLoop] {
        let level = memory.activationLevel
        let load = DSPInstruction(elementBytes == 1 ? "ldrsb" : "ldrsh", level), store = DSPInstruction(elementBytes == 1 ? "strb" : "strh", level)
        let tap = isMax ? [load, DSPInstruction("cmp"), DSPInstruction("movgt")] : [load, DSPInstruction("add")]
        let output = isMax ? [store]
            : ["vmov", "vcvt.f32.s32", "vmul.f32", "vcvtr.s32.f32", "vmov", "ssat"].map { DSPInstruction($0) } + [store]
        return [DSPLoop(name: "taps", body: tap, iterations: taps, entries: 1, loopControl: false),
                DSPLoop(name: "output", body: output, iterations: planes * outputHeight * outputWidth, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        let window = "\(attributes.kernel[0])×\(attributes.kernel[1]) stride \(attributes.strides[0])×\(attributes.strides[1]) pads [\(attributes.pads.map(String.init).joined(separator: ","))]"
        var lines = ["\(inputType.elementType.name) NCHW [\(inputType.shape.map(String.init).joined(separator: ","))] in \(memory.activationLevel), window \(window)",
                     "for p, oy, ox in \(planes)×\(outputHeight)×\(outputWidth):"]
        if isMax {
            lines.append("  m = -inf; for each in-bounds tap: ldrsb; cmp; movgt   ; empty window → 0")
            lines.append("  \(elementBytes == 1 ? "strb" : "strh") m")
        } else {
            lines.append("  s = 0; for each in-bounds tap: ldrsb; add")
            lines.append("  vcvt.f32.s32; vmul.f32 by s_in/(s_out·count) (constant per count); vcvtr.s32.f32 (nearest-even); ssat #\(outputType.elementType.bitWidth); \(elementBytes == 1 ? "strb" : "strh")")
        }
        return lines
    }
}

/// Lowers pooling on Q7/Q15 codes with zero point 0 to ``FixedPointPoolKernel``.
struct FixedPointPoolPattern: LoweringPattern {
    /// One of the pooling kinds.
    let root: OperatorKind
    /// `dsp-<op>`.
    var name: String { "dsp-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let input = node.input(0), let inputType = graph.types[input], let output = node.outputs.first,
              let outputType = graph.types[output], inputType.shape.count == 4, outputType.shape.count == 4,
              PowerOfTwoFormat.isPowerOfTwoActivation(inputType), PowerOfTwoFormat.isPowerOfTwoActivation(outputType),
              inputType.elementType == outputType.elementType else {
            return .rejected("needs NCHW q7/q15 codes with power-of-two scales and zero point 0")
        }
        let attributes: Pooling
        switch node.operation {
        case .maxPool(let window), .averagePool(let window):
            guard window.kernel.count == 2, window.strides.count == 2, window.pads.count == 4, window.dilations.count == 2 else {
                return .rejected("needs a 2-D window")
            }
            attributes = window
        case .globalAveragePool, .globalMaxPool:
            attributes = Pooling(kernel: [inputType.shape[2], inputType.shape[3]], strides: [1, 1])
        default:
            return .rejected("not a pooling op")
        }
        if node.kind == .maxPool || node.kind == .globalMaxPool, inputType != outputType.withShape(inputType.shape) {
            return .rejected("max pooling keeps its input's scale")
        }
        return .lowered(FixedPointPoolKernel(node: node, inputType: inputType, outputType: outputType, attributes: attributes,
                                             memory: DSPMemoryMap(target: target, graph: graph),
                                             zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
