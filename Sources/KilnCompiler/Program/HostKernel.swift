import KilnDiagnostics
import KilnIR
import KilnInterpreter

/// A node run on the host partition: the host executes the reference semantics (it is a CPU
/// running the same definition), and counts the node's arithmetic as ALU operations.
public struct HostKernel: TargetKernel {
    /// The node.
    public let node: Node
    /// The types of the node's outputs.
    public let outputTypes: [TensorType]
    /// The types of the node's inputs.
    public let inputTypes: [TensorType?]
    /// The node's multiply-accumulates (``Graph/macCount(of:)``).
    public let multiplyAccumulates: Int

    /// Creates a host kernel for the node at `index` of `graph`.
    public init(nodeAt index: Int, in graph: Graph) {
        node = graph.nodes[index]
        outputTypes = node.outputs.map { graph.types[$0]! }
        inputTypes = node.inputs.map { $0.isEmpty ? nil : graph.types[$0] }
        multiplyAccumulates = graph.macCount(of: node)
    }

    /// `host.<op>`.
    public var name: String { "host.\(node.kind.rawValue)" }
    /// The one node.
    public var nodes: [Node] { [node] }
    /// The node's present inputs.
    public var inputs: [String] { node.inputs.filter { !$0.isEmpty } }
    /// The node's outputs.
    public var outputs: [String] { node.outputs }

    /// Runs the reference kernel.
    public func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        var operands: [Tensor?] = []
        var next = 0
        for name in node.inputs {
            if name.isEmpty { operands.append(nil) } else { operands.append(inputs[next]); next += 1 }
        }
        return try ReferenceInterpreter.execute(node, operands: operands, outputTypes: outputTypes)
    }

    /// Whether the node computes in floating point (any operand or result is not an integer
    /// type): the host runs it with float instructions.
    public var computesInFloat: Bool {
        (inputTypes.compactMap { $0 } + outputTypes).contains { !$0.elementType.isInteger }
    }

    /// Bytes the node reads (every present input, constants included) and writes.
    public var bytesMoved: (read: Int, written: Int) {
        func bytes(_ type: TensorType) -> Int {
            let (product, overflow) = (Shape.elementCount(type.shape) ?? 0).multipliedReportingOverflow(by: max(type.elementType.bitWidth, 8) / 8)
            return overflow ? Int.max / 4 : product
        }
        return (inputTypes.compactMap { $0 }.reduce(0) { $0 &+ bytes($1) }, outputTypes.reduce(0) { $0 &+ bytes($1) })
    }

    /// The node's elementwise operations: one per window element and output for a windowed
    /// pooling, else one per element of the larger of the first input and the outputs (a
    /// comparison, addition, copy or reduction step per element).
    var elementwiseOperations: Int {
        let outputs = outputTypes.reduce(0) { $0 &+ (Shape.elementCount($1.shape) ?? 0) }
        switch node.operation {
        case .maxPool(let pooling), .averagePool(let pooling):
            return outputs &* pooling.kernel.reduce(1, &*)
        default:
            let firstInput = inputTypes.first.flatMap { $0 }.flatMap { Shape.elementCount($0.shape) } ?? 0
            return max(firstInput, outputs)
        }
    }

    /// The node's MACs (by operand types) and its elementwise operations
    /// (``elementwiseOperations``) as ALU operations.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = elementwiseOperations
        if multiplyAccumulates > 0, let a = inputTypes.first??.elementType, let b = inputTypes.dropFirst().first??.elementType {
            counts.multiplyAccumulates[MultiplyAccumulateKind(a, b)] = multiplyAccumulates
        }
        return counts
    }

    /// `host: <op> <outputs>`.
    public func listing() -> [String] {
        ["run \(node.kind.rawValue) on the host (reference semantics) → \(zip(outputs, outputTypes).map { "\($0.0): \($0.1)" }.joined(separator: ", "))"]
    }
}
