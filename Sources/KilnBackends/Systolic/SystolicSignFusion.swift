import KilnCompiler
import KilnIR

/// The sign step of a binarized layer that a GEMM's output path takes over: the raw int32
/// accumulator of a conv2d / dense read by `add(a_c)` → `sign` (the quantizer's threshold form)
/// or by a bare `sign`. The per-channel `a_c` joins the bias the ofmap buffer starts from
/// (wrapping addition is associative modulo 2^32, so the sum equals the reference's separate
/// add) and the output path writes the sign (``OutputRequantizer/sign()``).
struct SystolicSignFusion {
    /// The add (if any) and the sign.
    let nodes: [Node]
    /// The add's constant, read by the fused kernel.
    let constants: [String]
    /// The per-channel values added to the bias (zeros without an add).
    let addend: [Int32]
    /// The sign's output and its ±1 type.
    let output: String, outputType: TensorType

    /// The sign step after the node at `index` writing `channels` channels on axis 1, or nil.
    init?(after index: Int, in context: LoweringContext, channels: Int) {
        let graph = context.graph
        var last = index
        var nodes: [Node] = [], constants: [String] = []
        var addend = [Int32](repeating: 0, count: channels)
        if let add = context.fusibleFollower(of: index, accepts: { $0.kind == .add }) {
            guard let values = context.channelAddend(of: graph.nodes[add], channels: channels, channelAxis: 1) else { return nil }
            addend = values
            nodes.append(graph.nodes[add])
            constants.append(graph.nodes[add].inputs[1])
            last = add
        }
        guard let sign = context.fusibleFollower(of: last, accepts: { $0.kind == .sign }), let output = graph.nodes[sign].outputs.first,
              let type = graph.types[output], type.elementType == .binary else { return nil }
        nodes.append(graph.nodes[sign])
        self.nodes = nodes
        self.constants = constants
        self.addend = addend
        self.output = output
        outputType = type
    }
}
