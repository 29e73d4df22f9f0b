import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// reshape / flatten of a row-major buffer: the same bytes under a new shape, so no instruction
/// is issued (the next kernel reads the buffer with the new indexing).
struct ReinterpretShapeKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let outputType: TensorType

    var name: String { "view-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].count == outputType.elementCount,
              operands[0].type.elementType == outputType.elementType else {
            throw DiagnosticError(.error("\(name): expected \(outputType.elementCount ?? 0) \(outputType.elementType.name) elements", place: node.place))
        }
        counts.add(countActions())
        return [Tensor(type: outputType, storage: operands[0].storage)]
    }

    /// Nothing: the buffer is reinterpreted in place.
    func countActions() -> ActionCounts { ActionCounts() }

    /// No loops.
    func loops() -> [DSPLoop] { [] }

    func listing() -> [String] {
        ["reinterpret the buffer as [\(outputType.shape.map(String.init).joined(separator: ","))] (no instructions)"]
    }
}

/// Lowers reshape / flatten whose input and output share element type and parameters.
struct ReinterpretShapePattern: LoweringPattern {
    /// reshape or flatten.
    let root: OperatorKind
    /// `view-<op>`.
    var name: String { "view-\(root.rawValue)" }

    func match(nodeAt index: Int, in graph: Graph, target: TargetDescription) -> LoweringMatch {
        let node = graph.nodes[index]
        guard let input = node.input(0), let inputType = graph.types[input], let output = node.outputs.first,
              let outputType = graph.types[output], inputType.withShape(outputType.shape) == outputType else {
            return .rejected("input and output types differ beyond the shape")
        }
        return .lowered(ReinterpretShapeKernel(node: node, outputType: outputType))
    }
}
