import KilnDiagnostics
import KilnIR

/// Removes data-movement nodes that change nothing: reshapes to the same shape (how ONNX
/// Identity, Dropout and same-type Cast are imported), identity transposes, and squeezes or
/// unsqueezes of no axes. Readers of the output read the input instead.
public struct RemoveIdentities: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `remove-identities`.
    public var name: String { "remove-identities" }
    /// One line saying what the pass does.
    public var summary: String { "drop Identity / Dropout and other no-op reshapes, transposes and squeezes" }

    /// Returns the graph without no-op data-movement nodes.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var index = 0
        while index < result.nodes.count {
            let node = result.nodes[index]
            guard let input = node.input(0), node.outputs.count == 1, isIdentity(node, result) else {
                index += 1
                continue
            }
            let output = node.outputs[0]
            // Keep a graph output's name when the input is itself a graph input or output.
            if result.outputs.contains(output) && (result.inputs.contains(input) || result.outputs.contains(input)) {
                index += 1
                continue
            }
            result.nodes.remove(at: index)
            result.replaceUses(of: output, with: input)
        }
        result.removeUnusedValues()
        return result
    }

    private func isIdentity(_ node: Node, _ graph: Graph) -> Bool {
        guard let input = node.input(0), let inputType = graph.types[input], let outputType = graph.types[node.outputs[0]],
              inputType == outputType else { return false }
        switch node.operation {
        case .reshape, .flatten: return true
        case .transpose(let permutation): return permutation == Array(permutation.indices)
        case .squeeze(let axes), .unsqueeze(let axes): return axes.isEmpty
        default: return false
        }
    }
}
