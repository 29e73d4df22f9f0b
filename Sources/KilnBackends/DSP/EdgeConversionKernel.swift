import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The graph edges on the Cortex-M core's FPU: `quantize` (float32 → Q7/Q15 at `2^−n`: `vldr`,
/// `vmul.f32` by `2^n`, `vcvtr.s32.f32` rounding to nearest-even, `vmov`, `ssat`, store) and
/// `dequantize` (code → float32: load, `vmov`, `vcvt.f32.s32`, `vmul.f32` by `2^−n`, `vstr`).
///
/// Both equal the reference exactly: dividing by a power-of-two scale is the same float32 value
/// as multiplying by its inverse, `vcvtr` rounds ties to even (NaN → 0), and `Float(code) · 2^−n`
/// is exact.
struct EdgeConversionKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    /// The quantized side's type and its fraction bits.
    let codeType: TensorType
    let fractionBits: Int
    let memory: DSPMemoryMap
    /// Whether the target's loops cost no `subs`/`bne`.
    let zeroOverheadLoops: Bool

    var isQuantize: Bool { node.kind == .quantize }
    var name: String { isQuantize ? "fpu-quantize" : "fpu-dequantize" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    var elementCount: Int { codeType.elementCount ?? 0 }
    var codeBytes: Int { (codeType.elementType.bitWidth + 7) / 8 }

    /// True: `execute` tallies the trip counts of the loops it runs.
    var countsWhileExecuting: Bool { true }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].count == elementCount else {
            throw DiagnosticError(.error("\(name): expected \(elementCount) elements", place: node.place))
        }
        let factor = Float(sign: .plus, exponent: fractionBits, significand: 1)
        let inverse = Float(sign: .plus, exponent: -fractionBits, significand: 1)
        let lowest = Float(codeType.elementType.minimumCode), highest = Float(codeType.elementType.maximumCode)
        if isQuantize {
            guard let values = operands[0].floats else { throw DiagnosticError(.error("\(name): expected float32 input", place: node.place)) }
            var codes = [Int32](repeating: 0, count: values.count)
            for index in values.indices {
                let scaled = (values[index] * factor).rounded(.toNearestOrEven)  // vmul.f32; vcvtr.s32.f32
                codes[index] = scaled.isNaN ? 0 : Int32(Swift.min(Swift.max(scaled, lowest), highest))  // ssat
            }
            counts.add(actionCounts(elements: codes.count))
            return [Tensor(type: codeType, storage: .int32(codes))]
        }
        guard let codes = operands[0].codes else { throw DiagnosticError(.error("\(name): expected integer codes", place: node.place)) }
        var values = [Float](repeating: 0, count: codes.count)
        for index in codes.indices { values[index] = Float(codes[index]) * inverse }  // vcvt.f32.s32; vmul.f32
        counts.add(actionCounts(elements: values.count))
        return [Tensor(type: .float32(codeType.shape), storage: .float32(values))]
    }

    func countActions() -> ActionCounts { actionCounts(elements: elementCount) }

    /// The instructions of ``loops(elements:)``.
    func actionCounts(elements: Int) -> ActionCounts {
        var counts = ActionCounts()
        counts.instructions = DSPLoop.instructionCounts(loops(elements: elements))
        if isQuantize {
            counts.aluOperations = elements * 3
            counts.bytesRead[memory.activationLevel] = elements * 4
            counts.bytesWritten[memory.activationLevel] = elements * codeBytes
        } else {
            counts.aluOperations = elements * 2
            counts.bytesRead[memory.activationLevel] = elements * codeBytes
            counts.bytesWritten[memory.activationLevel] = elements * 4
        }
        return counts
    }

    /// The loops of one run over every element.
    func loops() -> [DSPLoop] { loops(elements: elementCount) }

    /// Per element, quantize: `vldr`, `vmul.f32`, `vcvtr.s32.f32`, `vmov`, `ssat`, store;
    /// dequantize: load, `vmov`, `vcvt.f32.s32`, `vmul.f32`, `vstr`; `subs`/`bne`.
    func loops(elements: Int) -> [DSPLoop] {
        let level = memory.activationLevel
        let body: [DSPInstruction]
        if isQuantize {
            body = [DSPInstruction("vldr", level)] + ["vmul.f32", "vcvtr.s32.f32", "vmov", "ssat"].map { DSPInstruction($0) }
                + [DSPInstruction(codeBytes == 1 ? "strb" : "strh", level)]
        } else {
            body = [DSPInstruction(codeBytes == 1 ? "ldrsb" : "ldrsh", level)] + ["vmov", "vcvt.f32.s32", "vmul.f32"].map { DSPInstruction($0) }
                + [DSPInstruction("vstr", level)]
        }
        return [DSPLoop(name: "element", body: body, iterations: elements, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        if isQuantize {
            return ["for i in 0..<\(elementCount):  vldr; vmul.f32 ×\(PowerOfTwoFormat.scaleText(-fractionBits)); vcvtr.s32.f32 (nearest-even); vmov; ssat #\(codeType.elementType.bitWidth); \(codeBytes == 1 ? "strb" : "strh")   ; f32 → \(codeType.elementType.name) at \(PowerOfTwoFormat.scaleText(fractionBits))"]
        }
        return ["for i in 0..<\(elementCount):  \(codeBytes == 1 ? "ldrsb" : "ldrsh"); vmov; vcvt.f32.s32; vmul.f32 ×\(PowerOfTwoFormat.scaleText(fractionBits)); vstr   ; \(codeType.elementType.name) at \(PowerOfTwoFormat.scaleText(fractionBits)) → f32"]
    }
}

/// Lowers quantize (f32 → Q7/Q15) and dequantize (Q7/Q15 → f32) with power-of-two scales.
struct EdgeConversionPattern: LoweringPattern {
    /// quantize or dequantize.
    let root: OperatorKind
    /// `fpu-<op>`.
    var name: String { "fpu-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let input = node.input(0), let output = node.outputs.first, let inputType = graph.types[input],
              let outputType = graph.types[output] else { return .rejected("missing operands") }
        let codeType = root == .quantize ? outputType : inputType
        let floatType = root == .quantize ? inputType : outputType
        guard floatType.elementType == .float32, PowerOfTwoFormat.isPowerOfTwoActivation(codeType),
              let bits = PowerOfTwoFormat.fractionBits(ofScale: codeType.quantization!.scales[0]), abs(bits) < 100 else {
            return .rejected("needs f32 ↔ q7/q15 with a power-of-two scale and zero point 0")
        }
        return .lowered(EdgeConversionKernel(node: node, codeType: codeType, fractionBits: bits,
                                             memory: DSPMemoryMap(target: target, graph: graph),
                                             zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
