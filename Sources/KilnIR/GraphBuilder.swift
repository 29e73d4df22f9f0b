import KilnDiagnostics
import KilnNumerics

/// Builds graphs in code: for tests, examples and importers.
///
/// ```swift
/// var builder = GraphBuilder(name: "tiny")
/// let x = builder.input("x", .float32([1, 4]))
/// let w = builder.constant("w", Tensor(shape: [4, 2], floats: [1, 0, 0, 1, 1, 0, 0, 1]))
/// let y = try builder.node(.dense, [x, w])
/// builder.output(y)
/// let graph = try builder.build()
/// ```
public struct GraphBuilder: Sendable {
    /// The graph built so far (not yet verified).
    public private(set) var graph: Graph
    private var counters: [OperatorKind: Int] = [:]

    /// Starts an empty graph.
    public init(name: String) {
        graph = Graph(name: name, inputs: [], outputs: [], types: [:], constants: [:], nodes: [])
    }

    /// Adds a graph input and returns its name.
    @discardableResult
    public mutating func input(_ name: String, _ type: TensorType) -> String {
        graph.inputs.append(name)
        graph.types[name] = type
        return name
    }

    /// Adds a constant and returns its name.
    @discardableResult
    public mutating func constant(_ name: String, _ tensor: Tensor) -> String {
        graph.constants[name] = tensor
        graph.types[name] = tensor.type
        return name
    }

    /// Adds a node and returns the name of its first output.
    ///
    /// - Parameters:
    ///   - operation: what the node computes.
    ///   - inputs: the names of the values it reads ("" for an absent optional input).
    ///   - name: the node's name; defaults to the op name and a counter (`conv2d_1`).
    ///   - outputs: the names of its outputs; default to the node name (with `_1`, `_2` suffixes
    ///     for further outputs).
    ///   - outputTypes: the output types; default to ``Operator/defaultOutputTypes(_:)``.
    ///     Quantized outputs (of quantize, requantize, quantized conv) must be given here.
    ///   - requantization: the rule for scaling integer results to a quantized output.
    /// - Throws: a ``DiagnosticError`` naming the node if the output shapes cannot be inferred.
    @discardableResult
    public mutating func node(_ operation: Operator, _ inputs: [String], name: String? = nil,
                              outputs: [String]? = nil, outputTypes: [TensorType]? = nil,
                              requantization: RequantizationRule = .floatScale) throws(DiagnosticError) -> String {
        let kind = operation.kind
        let nodeName = name ?? {
            counters[kind, default: 0] += 1
            return "\(kind.rawValue)_\(counters[kind]!)"
        }()
        let outputNames = outputs ?? (0..<operation.outputCount).map { $0 == 0 ? nodeName : "\(nodeName)_\($0)" }
        let types: [TensorType]
        if let outputTypes {
            types = outputTypes
        } else {
            do {
                types = try operation.defaultOutputTypes(inputs.map { $0.isEmpty ? nil : graph.types[$0] })
            } catch {
                throw DiagnosticError(.error(error.message, place: "node '\(nodeName)' (\(kind.rawValue))"))
            }
        }
        guard types.count == outputNames.count else {
            throw DiagnosticError(.error("\(types.count) output types for \(outputNames.count) outputs",
                                         place: "node '\(nodeName)' (\(kind.rawValue))"))
        }
        for (output, type) in zip(outputNames, types) { graph.types[output] = type }
        graph.nodes.append(Node(name: nodeName, operation: operation, inputs: inputs, outputs: outputNames,
                                requantization: requantization))
        return outputNames[0]
    }

    /// Marks a value as a graph output.
    public mutating func output(_ name: String) {
        graph.outputs.append(name)
    }

    /// Verifies and returns the graph.
    /// - Throws: ``DiagnosticError`` with every problem ``Graph/verify(file:)`` finds.
    public func build() throws(DiagnosticError) -> Graph {
        try graph.verify()
        return graph
    }
}
