import KilnNumerics

/// One operation in a graph: what it computes, which named values it reads and writes.
public struct Node: Sendable, Hashable {
    /// A name unique in the graph (the ONNX node name when imported), used in every diagnostic.
    public var name: String
    /// The operation and its attributes.
    public var operation: Operator
    /// Names of the values read, in the order ``Operator`` lists them; "" for an absent optional input.
    public var inputs: [String]
    /// Names of the values written.
    public var outputs: [String]
    /// The arithmetic used when an integer result is scaled to a quantized output.
    public var requantization: RequantizationRule
    /// How an integer conv2d / dense / matmul sums its products (``Accumulation``); other
    /// operators ignore it.
    public var accumulation: Accumulation
    /// Whose kernels define the node's arithmetic on quantized values (``IntegerSemantics``):
    /// ONNX Runtime's unless the model came from TensorFlow Lite. Float nodes ignore it.
    public var semantics: IntegerSemantics

    /// Creates a node.
    public init(name: String, operation: Operator, inputs: [String], outputs: [String],
                requantization: RequantizationRule = .floatScale, accumulation: Accumulation = .wrappingInt32,
                semantics: IntegerSemantics = .onnxRuntime) {
        self.name = name
        self.operation = operation
        self.inputs = inputs
        self.outputs = outputs
        self.requantization = requantization
        self.accumulation = accumulation
        self.semantics = semantics
    }

    /// The operation's kind.
    public var kind: OperatorKind { operation.kind }

    /// `node 'conv1' (conv2d)`: how diagnostics name the node.
    public var place: String { "node '\(name)' (\(kind.rawValue))" }

    /// The input at `index` if present (not absent and not past the end).
    public func input(_ index: Int) -> String? {
        index < inputs.count && !inputs[index].isEmpty ? inputs[index] : nil
    }
}
