import KilnIR

/// Who writes and who reads every value of a graph, computed once per legalization and handed
/// to every lowering pattern (patterns that look for a node's readers no longer rescan the graph).
///
/// - Complexity: O(nodes + edges) to build; lookups are O(1).
public struct UseDefAnalysis: Sendable {
    /// For every value a node reads, the indices of its readers in node order.
    public let readers: [String: [Int]]
    /// For every node output, the index of the node that writes it.
    public let writers: [String: Int]
    /// The graph outputs (a graph output has a reader outside the graph).
    public let graphOutputs: Set<String>

    /// Analyses a graph.
    public init(_ graph: Graph) {
        readers = graph.consumers()
        var writers: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { writers[output] = index }
        }
        self.writers = writers
        graphOutputs = Set(graph.outputs)
    }

    /// The index of the only node that reads `value`, or nil when there are none or several or
    /// when `value` is also a graph output (fusing its reader would hide it).
    public func soleReader(of value: String) -> Int? {
        guard !graphOutputs.contains(value), let users = readers[value], users.count == 1 else { return nil }
        return users[0]
    }
}
