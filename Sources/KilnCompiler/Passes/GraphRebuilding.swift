import KilnIR

/// The state of an adaptation pass that rebuilds a graph node by node (``graph`` starts with
/// the original's values and no nodes), with the helpers such passes share: fresh names, and
/// `requantize` nodes back to the original types for a node that keeps its old arithmetic.
public protocol GraphRebuilding {
    /// The graph before the pass.
    var original: Graph { get }
    /// The graph being built.
    var graph: Graph { get set }
    /// The compile log and the pass name its notes carry.
    var log: CompileLog { get }
    var pass: String { get }
    /// Why a node reads its inputs in their original types (ends the log note).
    var restoreReason: String { get }
}

extension GraphRebuilding {
    /// Whether a value's type differs from the one in the original graph.
    public func isRetyped(_ value: String) -> Bool { graph.types[value] != original.types[value] }

    /// `base`, or `base_2`, `base_3`…: a name no value or node of either graph has.
    public func uniqueName(_ base: String) -> String {
        var name = base, index = 1
        while graph.types[name] != nil || original.types[name] != nil || graph.nodes.contains(where: { $0.name == name })
                || original.nodes.contains(where: { $0.name == name }) {
            index += 1
            name = "\(base)_\(index)"
        }
        return name
    }

    /// Appends `node` with a `requantize` back to the original type in front of every retyped
    /// quantized input, each logged.
    public mutating func restoreOriginalTypes(_ node: Node) {
        var copy = node
        for (position, input) in node.inputs.enumerated() where !input.isEmpty && isRetyped(input) {
            guard let originalType = original.types[input], originalType.isQuantized else { continue }
            let restored = uniqueName("\(input)_as_\(originalType.elementType.name)")
            graph.types[restored] = originalType
            graph.nodes.append(Node(name: uniqueName("\(node.name)_input\(position)_requantize"), operation: .requantize,
                                    inputs: [input], outputs: [restored]))
            copy.inputs[position] = restored
            log.note("input \(position) requantized back to \(originalType) for \(node.kind.rawValue), \(restoreReason)",
                     pass: pass, node: node.name)
        }
        graph.nodes.append(copy)
    }
}
