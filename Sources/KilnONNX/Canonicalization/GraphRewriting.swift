import KilnIR

/// Helpers shared by the canonicalization passes.
extension Graph {
    /// For every value, the index of the node that writes it.
    func producers() -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs { result[output] = index }
        }
        return result
    }

    /// Replaces every read of `old` (by nodes and as a graph output) with `new`.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices {
            nodes[index].inputs = nodes[index].inputs.map { $0 == old ? new : $0 }
        }
        outputs = outputs.map { $0 == old ? new : $0 }
    }

    /// A value name not yet used in the graph, derived from `base`.
    func freshName(_ base: String) -> String {
        var candidate = base
        var counter = 1
        while types[candidate] != nil {
            counter += 1
            candidate = "\(base)_\(counter)"
        }
        return candidate
    }
}
