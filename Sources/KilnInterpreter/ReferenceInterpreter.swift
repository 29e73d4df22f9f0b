import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Executes a graph exactly as its ops are defined: the definition of "expected output" for
/// every target in Kiln.
///
/// Float ops run in float32 (transcendental functions evaluated in double and rounded once).
/// Ops on quantized values follow the integer semantics stated in `docs/numerics.md`: integer
/// accumulation with two's-complement wrap at 32 bits, then the node's requantization rule.
public struct ReferenceInterpreter: Sendable {
    /// The graph being executed (verified on creation).
    public let graph: Graph

    /// Prepares a graph for execution.
    /// - Throws: ``DiagnosticError`` if the graph does not verify.
    public init(graph: Graph) throws(DiagnosticError) {
        try graph.verify()
        self.graph = graph
    }

    /// Runs the graph once.
    /// - Parameter inputs: a tensor for every graph input, by name, of exactly the input's type
    ///   (shape and element type; quantization parameters are taken from the graph).
    /// - Returns: the graph outputs, in ``Graph/outputs`` order.
    /// - Throws: ``DiagnosticError`` naming the input or node that failed.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [Tensor] {
        let values = try evaluate(inputs, keepingIntermediates: false)
        return graph.outputs.map { values[$0]! }
    }

    /// Runs the graph and returns every value it computed (inputs, constants and node outputs),
    /// for per-layer comparisons.
    public func runKeepingIntermediates(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [String: Tensor] {
        try evaluate(inputs, keepingIntermediates: true)
    }

    /// Runs the graph on a batch whose first dimension is split into single samples, in
    /// parallel, and stacks the results.
    ///
    /// Every graph input must have a leading dimension of 1; each batch tensor has the same
    /// shape except for a leading dimension of `batchSize`.
    /// - Parameters:
    ///   - inputs: one batch tensor per graph input, by name.
    ///   - threads: how many samples run at once (default: the number of active processors).
    /// - Returns: the graph outputs stacked along a new leading batch dimension.
    public func runBatch(_ inputs: [String: Tensor], threads: Int? = nil) throws(DiagnosticError) -> [Tensor] {
        let batchSize = try batchSize(of: inputs)
        let samplesPerInput = try graph.inputs.map { name throws(DiagnosticError) -> [Tensor] in
            try Self.split(inputs[name]!, into: batchSize, as: graph.types[name]!, name: name)
        }
        let inputNames = graph.inputs
        let perSample = try ParallelSamples.map(batchSize, threads: threads) { sample throws(DiagnosticError) -> [Tensor] in
            var feed: [String: Tensor] = [:]
            for (index, name) in inputNames.enumerated() { feed[name] = samplesPerInput[index][sample] }
            return try run(feed)
        }
        return try graph.outputs.enumerated().map { output, name throws(DiagnosticError) in
            try Tensor.stacked(perSample.map { $0[output] }, place: "tensor '\(name)'")
        }
    }

    /// Executes one node on its operands with the reference semantics (for host partitions and
    /// for kernels that delegate part of their work to the definition).
    /// - Parameters:
    ///   - node: the node.
    ///   - operands: one tensor per input position (nil for an absent optional input).
    ///   - outputTypes: the types of the node's outputs.
    /// - Throws: ``DiagnosticError`` naming the node, also when the operands and output types do
    ///   not fit the node (``Graph/typeProblems(of:inputs:outputs:)``), as a plugin may pass.
    public static func execute(_ node: Node, operands: [Tensor?], outputTypes: [TensorType]) throws(DiagnosticError) -> [Tensor] {
        if outputTypes.count != node.operation.outputCount {
            throw DiagnosticError(.error("\(outputTypes.count) output types for the \(node.operation.outputCount) outputs of \(node.kind.rawValue)", place: node.place))
        }
        if let problem = Graph.typeProblems(of: node, inputs: operands.map { $0?.type }, outputs: outputTypes).first {
            throw DiagnosticError(.error(problem, place: node.place))
        }
        do {
            return try KernelDispatch.execute(node, operands, outputTypes)
        } catch {
            throw DiagnosticError(.error(error.message, place: node.place))
        }
    }

    /// The common leading dimension of the batch inputs.
    private func batchSize(of inputs: [String: Tensor]) throws(DiagnosticError) -> Int {
        var size: Int?
        for name in graph.inputs {
            guard let tensor = inputs[name], let type = graph.types[name] else {
                throw DiagnosticError(.error("no data given for graph input", place: "tensor '\(name)'"))
            }
            guard type.shape.first == 1, tensor.shape.count == type.shape.count,
                  Array(tensor.shape.dropFirst()) == Array(type.shape.dropFirst()) else {
                throw DiagnosticError(.error("expected shape [N, \(type.shape.dropFirst().map(String.init).joined(separator: ", "))] for the graph input \(type), got \(tensor.shape)",
                                             place: "tensor '\(name)'"))
            }
            if let size, size != tensor.shape[0] {
                throw DiagnosticError(.error("batch size \(tensor.shape[0]) differs from the other inputs' \(size)", place: "tensor '\(name)'"))
            }
            size = tensor.shape[0]
        }
        return size ?? 1
    }

    /// Splits a batch tensor into single samples of the graph input's type.
    static func split(_ tensor: Tensor, into count: Int, as type: TensorType, name: String) throws(DiagnosticError) -> [Tensor] {
        try tensor.samples(count, of: type.shape, place: "tensor '\(name)'").map { sample throws(DiagnosticError) in try conform(sample, to: type, name: name) }
    }

    /// Checks that a fed tensor has the graph input's shape and a compatible element type, and
    /// gives it the input's type (so quantization parameters come from the graph): integer data
    /// must lie in the input type's range, float data can only feed float inputs.
    /// - Throws: ``DiagnosticError`` naming the tensor.
    public static func conform(_ tensor: Tensor, to type: TensorType, name: String = "") throws(DiagnosticError) -> Tensor {
        guard tensor.shape == type.shape else {
            throw DiagnosticError(.error("expected shape \(type.shape), got \(tensor.shape)", place: "tensor '\(name)'"))
        }
        switch (tensor.storage, type.elementType.storage) {
        case (.float32, .float32), (.int64, .int64):
            return Tensor(type: type, storage: tensor.storage)
        case (.int32(let codes), .int32):
            if let bad = codes.first(where: { !type.elementType.contains(Int64($0)) }) {
                throw DiagnosticError(.error("value \(bad) is outside the \(type.elementType.name) range", place: "tensor '\(name)'"))
            }
            return Tensor(type: type, storage: tensor.storage)
        case (.int64(let values), .int32):
            if let bad = values.first(where: { !type.elementType.contains($0) }) {
                throw DiagnosticError(.error("value \(bad) is outside the \(type.elementType.name) range", place: "tensor '\(name)'"))
            }
            return Tensor(type: type, storage: .int32(values.map { Int32($0) }))
        default:
            throw DiagnosticError(.error("expected \(type.elementType.name) data, got \(tensor.type.elementType.name)", place: "tensor '\(name)'"))
        }
    }

    private func evaluate(_ inputs: [String: Tensor], keepingIntermediates: Bool) throws(DiagnosticError) -> [String: Tensor] {
        var values = graph.constants
        for name in graph.inputs {
            guard let tensor = inputs[name] else {
                throw DiagnosticError(.error("no data given for graph input", place: "tensor '\(name)'"))
            }
            values[name] = try Self.conform(tensor, to: graph.types[name]!, name: name)
        }
        let lastUse = keepingIntermediates ? [:] : lastUses()
        for (index, node) in graph.nodes.enumerated() {
            let operands = node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let outputTypes = node.outputs.map { graph.types[$0]! }
            let results: [Tensor]
            do {
                results = try KernelDispatch.execute(node, operands, outputTypes)
            } catch {
                throw DiagnosticError(.error(error.message, place: node.place))
            }
            for (name, tensor) in zip(node.outputs, results) { values[name] = tensor }
            if !keepingIntermediates {
                for input in node.inputs where lastUse[input] == index && graph.constants[input] == nil
                    && !graph.outputs.contains(input) {
                    values[input] = nil
                }
            }
        }
        return values
    }

    /// The index of the last node that reads each value (to free intermediates early).
    private func lastUses() -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs where !input.isEmpty { result[input] = index }
        }
        return result
    }
}

/// Why a kernel could not execute a node (the interpreter adds the node's name).
public struct KernelError: Error, Sendable {
    /// What is wrong, without the node's name.
    public var message: String
    init(_ message: String) { self.message = message }
}
