import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// `reshape` / `flatten` on the accelerator: a new shape over the same row-major buffer, no
/// data moved and no actions counted.
struct ViewKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType

    var name: String { "view.\(nodes[0].kind.rawValue)" }

    init(node: Node, in graph: Graph) {
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
        inputType = graph.types[node.inputs[0]]!
        outputType = graph.types[node.outputs[0]]!
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputType.shape], kernel: name, node: nodes[0])
        return [Tensor(type: outputType, storage: operands[0].storage)]
    }

    func countActions() -> ActionCounts { ActionCounts() }

    func listing() -> [String] {
        ["view \(inputType.shape) as \(outputType.shape): same buffer, row-major order kept, nothing moved"]
    }
}

/// Lowers `reshape` or `flatten` to a view.
struct ViewPattern: LoweringPattern {
    /// The operator this row of the table handles (`reshape` or `flatten`).
    let root: OperatorKind
    var name: String { "view-\(root.rawValue)" }

    func match(nodeAt index: Int, in graph: Graph, target: TargetDescription) -> LoweringMatch {
        let node = graph.nodes[index]
        guard node.inputs.count == 1, graph.types[node.inputs[0]]?.elementType.isInteger ?? false else {
            return .rejected("a view needs one integer input")
        }
        return .lowered(ViewKernel(node: node, in: graph))
    }
}

extension ViewKernel: XNORCostedKernel {
    var workload: XNORWorkload { XNORWorkload(work: .none, weightBytes: 0, inputBytes: 0, outputBytes: 0) }
}
