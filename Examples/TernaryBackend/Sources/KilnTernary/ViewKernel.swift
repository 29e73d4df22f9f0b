import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// `flatten` / `reshape`: a new shape over the same row-major buffer; nothing moves.
struct ViewKernel: TernaryCostedKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let outputType: TensorType

    var name: String { "view.\(nodes[0].kind.rawValue)" }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        [Tensor(type: outputType, storage: operands[0].storage)]
    }

    func countActions() -> ActionCounts { ActionCounts() }
    var workload: TernaryWorkload { TernaryWorkload(work: .none, counts: ActionCounts()) }
    func listing() -> [String] { ["view as \(outputType.shape): same buffer, nothing moved"] }

    /// Lowers `flatten` or `reshape` (one integer input) to a view.
    struct Pattern: LoweringPattern {
        /// `flatten` or `reshape`.
        let root: OperatorKind
        var name: String { "view-\(root.rawValue)" }

        func match(nodeAt index: Int, in graph: Graph, target: TargetDescription) -> LoweringMatch {
            let node = graph.nodes[index]
            guard node.inputs.count == 1, graph.types[node.inputs[0]]?.elementType.isInteger ?? false else {
                return .rejected("a view needs one integer input")
            }
            return .lowered(ViewKernel(nodes: [node], inputs: node.inputs, outputs: node.outputs, outputType: graph.types[node.outputs[0]]!))
        }
    }
}
