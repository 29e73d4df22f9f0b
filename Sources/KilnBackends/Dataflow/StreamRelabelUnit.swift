import KilnCompiler
import KilnDiagnostics
import KilnIR

/// flatten / reshape on a stream: the row-major element order does not change, so the engine
/// only relabels the shape; nothing is read, written or computed.
struct StreamRelabelUnit: TargetKernel {
    /// `stream-relabel`.
    public var name: String { "stream-relabel" }
    /// The flatten / reshape node.
    public let nodes: [Node]
    /// The input.
    public let inputs: [String]
    /// The output.
    public let outputs: [String]
    let outputType: TensorType

    init(node: Node, outputType: TensorType) {
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = [node.outputs[0]]
        self.outputType = outputType
    }

    /// The same elements under the output type.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first, input.count == Shape.elementCount(outputType.shape),
              input.storage.kind == outputType.elementType.storage else {
            throw DiagnosticError(.error("\(name) expects \(Shape.elementCount(outputType.shape) ?? 0) elements of \(outputType.elementType.name)", place: nodes[0].place))
        }
        return [Tensor(type: outputType, storage: input.storage)]
    }

    /// Nothing.
    public func countActions() -> ActionCounts { ActionCounts() }

    /// The relabel.
    public func listing() -> [String] { ["relabel the stream as \(outputType) (no data movement)"] }
}
