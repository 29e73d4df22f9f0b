import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// add, sub and mul on int8 codes with TFLite's arithmetic (``TFLiteElementwiseArithmetic``):
/// CMSIS-NN's `arm_elementwise_add_s8` / `arm_elementwise_mul_s8` (TFLM's reference kernel for
/// sub), with NumPy broadcasting read as TFLM's broadcasting path reads it.
///
/// add / sub per element: two `ldrsb`, the input offsets (`add` ×2), the left shift by 20 (`lsl`
/// ×2), a double-rounding requantization per input, the sum, the output requantization, the
/// output offset, the activation clamp and `strb`. mul: the offsets, the product (`mla`), the
/// output requantization, offset, clamp, `strb`.
struct S8ElementwiseKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let arithmetic: TFLiteElementwiseArithmetic
    let first: BroadcastIndex, second: BroadcastIndex
    let outputType: TensorType
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool
    /// Whether the core has MVE: CMSIS-NN's add and mul then run their `ARM_MATH_MVEI` loops
    /// (``CMSISNNCompiledMVELoops``), four int32 lanes per iteration, when no input broadcasts.
    let helium: Bool

    var name: String {
        switch node.kind {
        case .add: "arm_elementwise_add_s8"
        case .mul: "arm_elementwise_mul_s8"
        default: "tflm_reference_sub_s8"
        }
    }
    var nodes: [Node] { [node] }
    var inputs: [String] { Array(node.inputs.prefix(2)) }
    var outputs: [String] { node.outputs }
    var elementCount: Int { outputType.elementCount ?? 0 }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 2, let a = operands[0].codes, let b = operands[1].codes else {
            throw DiagnosticError(.error("\(name): expected two integer operands", place: node.place))
        }
        var output = [Int32](repeating: 0, count: elementCount)
        for index in 0..<elementCount {
            let i = first.sourceOffset(index), j = second.sourceOffset(index)
            guard i < a.count, j < b.count else {
                throw DiagnosticError(.error("\(name): operand shorter than its shape", place: node.place))
            }
            output[index] = arithmetic.apply(a[i], b[j])
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        S8OutputStage.counts(of: loops(), bytesRead: elementCount * 2, bytesWritten: elementCount, level: memory.activationLevel)
    }

    func loops() -> [DSPLoop] {
        let level = memory.activationLevel
        if helium, node.kind != .sub, first.isIdentity, second.isIdentity {
            let loop = node.kind == .mul ? CMSISNNCompiledMVELoops.elementwiseMul : CMSISNNCompiledMVELoops.elementwiseAdd
            return [DSPLoop(name: "element", body: loop.vectorBody(weights: level, activations: level),
                            iterations: (elementCount + 3) / 4, entries: 1, loopControl: false)]
        }
        var body = [DSPInstruction("ldrsb", level), DSPInstruction("ldrsb", level), DSPInstruction("add"), DSPInstruction("add")]
        if node.kind == .mul {
            body.append(DSPInstruction("mla"))
        } else {
            body += [DSPInstruction("lsl"), DSPInstruction("lsl")] + S8OutputStage.doubleRounding + S8OutputStage.doubleRounding + [DSPInstruction("add")]
        }
        body += S8OutputStage.doubleRounding + S8OutputStage.offsetAndClamp + [DSPInstruction("strb", level)]
        return [DSPLoop(name: "element", body: body, iterations: elementCount, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        let scaling = node.kind == .mul
            ? "(a + offset_a)·(b + offset_b) · m_out (arm_nn_requantize)"
            : "requantize((a + offset_a) << 20, m_a) \(node.kind == .sub ? "−" : "+") requantize((b + offset_b) << 20, m_b), then · m_out (arm_nn_requantize ×3)"
        return ["for i in 0..<\(elementCount):  ; s8 codes in \(memory.activationLevel)\(first.isIdentity && second.isIdentity ? "" : ", broadcast")",
                "  y = clamp(\(scaling) + \(arithmetic.outputZeroPoint), [\(arithmetic.bounds.lowerBound), \(arithmetic.bounds.upperBound)]); strb"]
    }
}

/// Lowers an int8 add, sub or mul with TensorFlow Lite semantics to ``S8ElementwiseKernel``.
struct S8ElementwisePattern: LoweringPattern {
    let root: OperatorKind
    var name: String { "s8-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.semantics == .tensorFlowLite else {
            return .rejected("CMSIS-NN's s8 \(root.rawValue) computes TFLite's arithmetic; the node has \(node.semantics.rawValue) semantics")
        }
        guard node.inputs.count == 2, let a = graph.types[node.inputs[0]], let b = graph.types[node.inputs[1]],
              let output = node.outputs.first, let outputType = graph.types[output],
              [a, b, outputType].allSatisfy({ $0.elementType == .int8 }) else {
            return .rejected("needs i8 operands and output")
        }
        let arithmetic: TFLiteElementwiseArithmetic
        do { arithmetic = try TFLiteElementwiseArithmetic(root, first: a, second: b, output: outputType) } catch {
            return .rejected(error.message)
        }
        return .lowered(S8ElementwiseKernel(node: node, arithmetic: arithmetic,
                                            first: BroadcastIndex(from: a.shape, to: outputType.shape),
                                            second: BroadcastIndex(from: b.shape, to: outputType.shape), outputType: outputType,
                                            memory: DSPMemoryMap(target: target, graph: graph),
                                            zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false,
                                            helium: target.section(DSPSection.self)?.vectorExtension != nil))
    }
}
