import KilnDiagnostics
import KilnInterpreter
import KilnIR

/// Evaluates one node whose inputs are all constants, with the reference interpreter, so that
/// folding gives exactly the values the node would compute at run time.
enum ConstantEvaluation {
    /// The node's outputs, computed from `constants` (every non-empty input must be there).
    /// - Parameter outputTypes: the declared type of each output.
    /// - Throws: ``DiagnosticError`` naming the node if the node does not verify or run.
    static func evaluate(_ node: Node, outputTypes: [TensorType], constants: [String: Tensor]) throws(DiagnosticError) -> [Tensor] {
        var inputs: [String: Tensor] = [:]
        var types: [String: TensorType] = [:]
        for name in node.inputs where !name.isEmpty {
            guard let tensor = constants[name] else {
                throw DiagnosticError(.error("input '\(name)' is not a constant", place: node.place))
            }
            inputs[name] = tensor
            types[name] = tensor.type
        }
        for (name, type) in zip(node.outputs, outputTypes) { types[name] = type }
        let graph = Graph(name: "fold", inputs: [], outputs: node.outputs, types: types, constants: inputs, nodes: [node])
        let interpreter = try ReferenceInterpreter(graph: graph)
        return try interpreter.run([:])
    }
}
