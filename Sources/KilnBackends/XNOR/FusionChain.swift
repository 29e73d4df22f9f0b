import KilnIR

/// Finds the nodes a kernel may absorb after its root: each must be the only reader of the
/// previous node's single output, and that output must not be a graph output (a fused
/// intermediate value never exists in memory).
enum FusionChain {
    /// The index of the node that alone reads the output of the node at `index`, if it may be
    /// fused and `accepts` it.
    static func follower(of index: Int, in graph: Graph, consumers: [String: [Int]], accepts: (Node) -> Bool) -> Int? {
        let node = graph.nodes[index]
        guard node.outputs.count == 1, let output = node.outputs.first, !graph.outputs.contains(output),
              let readers = consumers[output], readers.count == 1 else { return nil }
        let next = readers[0]
        let candidate = graph.nodes[next]
        guard candidate.input(0) == output, candidate.inputs.filter({ $0 == output }).count == 1, accepts(candidate) else { return nil }
        return next
    }
}

extension FusionChain {
    /// The activations an int8-unit kernel absorbs into its output stage: an optional `relu` or
    /// `clip` whose input and output types are equal (a clamp on codes), then an optional `sign`
    /// (a comparison with the zero point, writing ±1).
    struct Int8Activations {
        /// The absorbed nodes, in order.
        var nodes: [Node] = []
        /// The clamp's code bounds, if a relu / clip is absorbed.
        var clamp: (lower: Int32, upper: Int32)?
        /// The zero point the absorbed sign compares with.
        var signZeroPoint: Int32?
        /// The kernel's final output value.
        var output: String
    }

    /// Collects the activations that follow the node at `index`.
    static func int8Activations(after index: Int, in graph: Graph) -> Int8Activations {
        let consumers = graph.consumers()
        var result = Int8Activations(output: graph.nodes[index].outputs[0])
        var current = index
        if let next = follower(of: current, in: graph, consumers: consumers, accepts: { node in
            guard node.kind == .relu || node.kind == .clip, let input = graph.types[node.inputs[0]],
                  let output = graph.types[node.outputs[0]] else { return false }
            return input == output && input.elementType.isInteger
        }) {
            let node = graph.nodes[next]
            result.clamp = XNORKernelSupport.clampBounds(of: node, type: graph.types[node.outputs[0]]!)
            result.nodes.append(node)
            result.output = node.outputs[0]
            current = next
        }
        if let next = follower(of: current, in: graph, consumers: consumers, accepts: { node in
            node.kind == .sign && (graph.types[node.inputs[0]]?.elementType.isInteger ?? false)
        }) {
            let node = graph.nodes[next]
            result.signZeroPoint = graph.types[node.inputs[0]]!.quantization?.zeroPoint(at: 0) ?? 0
            result.nodes.append(node)
            result.output = node.outputs[0]
        }
        return result
    }
}

extension FusionChain {
    /// The output stage a binary kernel absorbs: a following `multiThreshold` (constant
    /// thresholds, one row or one per output channel on `channelAxis`, every count fitting the
    /// output type) or a following `sign`.
    struct BinaryActivation {
        /// The absorbed node, if any.
        var node: Node?
        /// What the threshold units do.
        var stage: BinaryOutputStage = .accumulator
        /// The kernel's final output value.
        var output: String
    }

    /// Collects the activation that follows the node at `index` (`channels` output channels on `channelAxis`).
    static func binaryActivation(after index: Int, in graph: Graph, channels: Int, channelAxis: Int) -> BinaryActivation {
        var result = BinaryActivation(output: graph.nodes[index].outputs[0])
        guard let next = follower(of: index, in: graph, consumers: graph.consumers(), accepts: { node in
            switch node.operation {
            case .sign: return true
            case .multiThreshold(let attributes):
                guard attributes.channelAxis == channelAxis, let name = node.input(1), let table = graph.constants[name],
                      table.shape.count == 2, table.shape[0] == 1 || table.shape[0] == channels,
                      let output = graph.types[node.outputs[0]] else { return false }
                let lowest = Int64(attributes.offset), highest = Int64(attributes.offset) + Int64(table.shape[1])
                return output.elementType == .binary || (output.elementType.contains(lowest) && output.elementType.contains(highest))
            default: return false
            }
        }) else { return result }
        let node = graph.nodes[next]
        result.node = node
        result.output = node.outputs[0]
        if case .multiThreshold(let attributes) = node.operation, let table = graph.constants[node.inputs[1]] {
            result.stage = .threshold(.init(table: table.doubles, rows: table.shape[0], perRow: table.shape[1], offset: attributes.offset))
        } else {
            result.stage = .sign
        }
        return result
    }
}
