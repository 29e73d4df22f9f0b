import KilnCompiler
import KilnIR

/// The chains of nodes an xnor kernel absorbs after its root, each link found by the shared
/// matcher (``LoweringContext/fusibleFollower(of:accepts:)``).
enum FusionChain {}

extension FusionChain {
    /// The activations an int8-unit kernel absorbs into its output stage: an optional `relu` or
    /// `clip` whose input and output types are equal (a clamp on codes), then an optional `sign`
    /// (a comparison with the zero point, writing ±1).
    struct Int8Activations {
        /// The absorbed nodes, in order.
        var nodes: [Node] = []
        /// Per-channel int32 values of an absorbed `add` of a constant (folded into the bias).
        var addend: [Int32]?
        /// The clamp's code bounds, if a relu / clip is absorbed.
        var clamp: (lower: Int32, upper: Int32)?
        /// The zero point the absorbed sign compares with.
        var signZeroPoint: Int32?
        /// The kernel's final output value.
        var output: String
    }

    /// Collects the activations that follow the node at `index` (`channels` output channels on
    /// `channelAxis`): first an optional `add` of a per-channel int32 constant to the raw int32
    /// result (the threshold form `acc → add(−T) → sign`).
    static func int8Activations(after index: Int, in context: LoweringContext, channels: Int, channelAxis: Int) -> Int8Activations {
        let graph = context.graph
        let add = absorbableAdd(after: index, in: context, channels: channels, channelAxis: channelAxis)
        var result = Int8Activations(nodes: add.map { [$0.node] } ?? [], addend: add?.addend, output: add?.node.outputs[0] ?? graph.nodes[index].outputs[0])
        var current = add?.index ?? index
        if let next = context.fusibleFollower(of: current, accepts: { node in
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
        if let next = context.fusibleFollower(of: current, accepts: { node in
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
        /// The absorbed nodes, in order: an optional `add` of a constant, then an optional
        /// threshold or sign.
        var nodes: [Node] = []
        /// Per-channel int32 values of an absorbed `add` of a constant (folded into the bias, so
        /// the threshold units compare `dot ≥ −(bias + addend)`).
        var addend: [Int32]?
        /// What the threshold units do.
        var stage: BinaryOutputStage = .accumulator
        /// The kernel's final output value.
        var output: String
    }

    /// Collects the activation that follows the node at `index` (`channels` output channels on
    /// `channelAxis`): an optional `add` of a per-channel int32 constant (the quantizer's
    /// threshold form `acc → add(−T_c) → sign`), then an optional `multiThreshold` or `sign`.
    static func binaryActivation(after index: Int, in context: LoweringContext, channels: Int, channelAxis: Int) -> BinaryActivation {
        let graph = context.graph
        let add = absorbableAdd(after: index, in: context, channels: channels, channelAxis: channelAxis)
        var result = BinaryActivation(nodes: add.map { [$0.node] } ?? [], addend: add?.addend, output: add?.node.outputs[0] ?? graph.nodes[index].outputs[0])
        let current = add?.index ?? index
        guard let next = context.fusibleFollower(of: current, accepts: { node in
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
        result.nodes.append(node)
        result.output = node.outputs[0]
        if case .multiThreshold(let attributes) = node.operation, let table = graph.constants[node.inputs[1]] {
            result.stage = .threshold(.init(table: table.doubles, rows: table.shape[0], perRow: table.shape[1], offset: attributes.offset))
        } else {
            result.stage = .sign
        }
        return result
    }

    /// The `add` of a per-channel int32 constant that fuses after the node at `index`
    /// (``LoweringContext/channelAddend(of:channels:channelAxis:)``), with its index and values.
    private static func absorbableAdd(after index: Int, in context: LoweringContext, channels: Int,
                                      channelAxis: Int) -> (index: Int, node: Node, addend: [Int32])? {
        guard let next = context.fusibleFollower(of: index, accepts: {
            context.channelAddend(of: $0, channels: channels, channelAxis: channelAxis) != nil
        }) else { return nil }
        let node = context.graph.nodes[next]
        guard let addend = context.channelAddend(of: node, channels: channels, channelAxis: channelAxis) else { return nil }
        return (next, node, addend)
    }

    /// The per-channel int32 bias a kernel adds to its accumulators: the node's constant bias
    /// (input 2) plus the `addend` of an absorbed `add` (wrapping, as the IR's int32 add does), or
    /// the one that exists; nil when neither does.
    /// - Throws: ``StageError`` when the bias is not a constant of `channels` int32 codes.
    static func bias(of node: Node, in graph: Graph, channels: Int, addend: [Int32]?) throws(StageError) -> [Int32]? {
        guard let biasName = node.input(2) else { return addend }
        guard let bias = graph.constants[biasName]?.codes, bias.count == channels else {
            throw StageError("the bias must be a constant of \(channels) int32 codes")
        }
        guard let addend else { return bias }
        return zip(bias, addend).map { $0 &+ $1 }
    }
}
