import KilnIR

/// What a lenient import (`kiln inspect --allow-unsupported`) found: the part of the model
/// Kiln could import, and every node it could not.
public struct ONNXInspection: Sendable {
    /// The imported part. Outputs of unsupported nodes whose type ONNX `value_info` gives
    /// become graph inputs; nodes that depend on other unsupported nodes are left out.
    public var graph: Graph
    /// The nodes that were not imported, in file order.
    public var unsupported: [UnsupportedONNXNode]
}

/// A node a lenient import left out, and why.
public struct UnsupportedONNXNode: Sendable, Hashable {
    /// The node's name (or `OpType_index` when it has none).
    public var name: String
    /// The op type, such as `ReduceMin`.
    public var opType: String
    /// The op's domain ("" for the default ONNX domain).
    public var domain: String
    /// Why it was not imported.
    public var reason: String
    /// The node's inputs with their shapes where known (nil: unknown).
    public var inputs: [ValueShape]
    /// The node's outputs with their shapes where ONNX `value_info` gives them.
    public var outputs: [ValueShape]

    /// A value name with its shape, if known.
    public struct ValueShape: Sendable, Hashable {
        /// The ONNX value name.
        public var name: String
        /// The shape (symbolic dimensions as nil entries are not kept: nil means unknown).
        public var shape: [Int]?
    }
}
