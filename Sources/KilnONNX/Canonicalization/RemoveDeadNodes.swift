import KilnDiagnostics
import KilnIR

/// Removes nodes whose outputs nobody reads (and that write no graph output), then the
/// constants and types only they used.
public struct RemoveDeadNodes: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `remove-dead-nodes`.
    public var name: String { "remove-dead-nodes" }
    /// One line saying what the pass does.
    public var summary: String { "remove nodes whose results are never read" }

    /// Returns the graph without dead nodes.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var live = Set(result.outputs)
        var keep = [Bool](repeating: false, count: result.nodes.count)
        for index in result.nodes.indices.reversed() {
            let node = result.nodes[index]
            if node.outputs.contains(where: { live.contains($0) }) {
                keep[index] = true
                live.formUnion(node.inputs.filter { !$0.isEmpty })
            }
        }
        result.nodes = result.nodes.indices.filter { keep[$0] }.map { result.nodes[$0] }
        result.removeUnusedValues()
        return result
    }
}
