import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// A standalone `sign` on the threshold units: `code ≥ zeroPoint → +1`, else −1, written
/// bit-packed (the binarization that feeds an XNOR layer when it cannot be fused upstream).
struct SignKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    private let facts: XNORTargetFacts

    var name: String { "threshold-units.sign" }

    init(node: Node, in graph: Graph, facts: XNORTargetFacts) {
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
        inputType = graph.types[node.inputs[0]]!
        outputType = graph.types[node.outputs[0]]!
        self.facts = facts
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape], kernel: name, node: nodes[0])
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        let output = operands[0].codes!.map { $0 >= zero ? Int32(1) : -1 }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let elements = inputType.elementCount ?? 0
        counts.aluOperations = elements
        counts.instructions[.thresholdCompare] = elements
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        ["for each of \(inputType.elementCount ?? 0) elements: code ≥ \(inputType.quantization?.zeroPoint(at: 0) ?? 0) → bit 1 (+1) else bit 0 (−1); \(inputType) → \(outputType)"]
    }
}

/// Lowers `sign` on integer codes to the threshold units.
struct SignPattern: LoweringPattern {
    var name: String { "threshold-sign" }
    var root: OperatorKind { .sign }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        guard let facts = XNORTargetFacts(target) else { return .rejected("the target has no xnor section") }
        let node = graph.nodes[index]
        guard let type = graph.types[node.inputs[0]], type.elementType.isInteger else {
            return .rejected("the threshold units compare integer codes")
        }
        return .lowered(SignKernel(node: node, in: graph, facts: facts))
    }
}

extension SignKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        XNORWorkload(work: .comparisons(inputType.elementCount ?? 0), weightBytes: 0,
                     inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
