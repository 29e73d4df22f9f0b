import KilnDiagnostics

/// A graph of named, typed values: the quantized graph IR every stage of Kiln reads.
///
/// Values are named (like ONNX): graph inputs, constants and node outputs share one namespace
/// and every value's type is in ``types``. Nodes are in a topological order.
public struct Graph: Sendable, Hashable {
    /// The graph's name (the model's name in reports).
    public var name: String
    /// Names of the values fed by the caller, in order.
    public var inputs: [String]
    /// Names of the values returned, in order.
    public var outputs: [String]
    /// The type of every value: inputs, constants and node outputs.
    public var types: [String: TensorType]
    /// Constant values (weights, biases, thresholds, quantization tables).
    public var constants: [String: Tensor]
    /// The nodes, each after the producers of its inputs.
    public var nodes: [Node]

    /// Creates a graph. Call ``verify()`` to check it.
    public init(name: String, inputs: [String], outputs: [String], types: [String: TensorType],
                constants: [String: Tensor], nodes: [Node]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.types = types
        self.constants = constants
        self.nodes = nodes
    }

    /// The type of a value, or nil if the graph has no value of that name.
    public func type(of value: String) -> TensorType? { types[value] }

    /// The index of the node that writes `value`, or nil for inputs, constants and unknown names.
    public func producerIndex(of value: String) -> Int? {
        nodes.firstIndex { $0.outputs.contains(value) }
    }

    /// For every value, the indices of the nodes that read it.
    public func consumers() -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for input in node.inputs where !input.isEmpty {
                result[input, default: []].append(index)
            }
        }
        return result
    }

    /// Removes constants and types that no node and no graph output refers to.
    public mutating func removeUnusedValues() {
        var used = Set(inputs).union(outputs)
        for node in nodes {
            used.formUnion(node.inputs.filter { !$0.isEmpty })
            used.formUnion(node.outputs)
        }
        constants = constants.filter { used.contains($0.key) }
        types = types.filter { used.contains($0.key) }
    }
}
