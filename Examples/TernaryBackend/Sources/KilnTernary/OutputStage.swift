import KilnIR
import KilnInterpreter

/// What follows a PE's adder tree: the reference's requantization of the int32 sum per output
/// channel (``Requantizer``, the interpreter's own type), then a fused `relu` as a clamp at the
/// output zero point.
struct OutputStage: Sendable {
    let requantizer: Requantizer
    let lowerBound: Int32
    let hasRelu: Bool

    init(_ node: Node, input: TensorType, weight: TensorType, output: TensorType, channels: Int, relu: Bool) throws(PatternError) {
        do {
            requantizer = try Requantizer(rule: node.requantization, input: input, weight: weight, output: output, channels: channels)
        } catch {
            throw PatternError("cannot requantize: \(error.message)")
        }
        hasRelu = relu
        lowerBound = relu ? (output.quantization?.zeroPoint(at: 0) ?? 0) : Int32.min
    }

    @inline(__always)
    func apply(_ sum: Int32, channel: Int) -> Int32 {
        max(requantizer.apply(sum, channel: channel), lowerBound)
    }

    /// ALU operations per output (requantize, clamp).
    var operationsPerOutput: Int { hasRelu ? 2 : 1 }
}

extension OutputStage {
    /// The `relu` that a kernel rooted at `index` may absorb: the only reader of the node's output
    /// (which is not a graph output), with the same type in and out, so that it is a clamp.
    static func followingRelu(after index: Int, in graph: Graph) -> Node? {
        let output = graph.nodes[index].outputs[0]
        guard !graph.outputs.contains(output), let readers = graph.consumers()[output], readers.count == 1 else { return nil }
        let next = graph.nodes[readers[0]]
        guard next.kind == .relu, graph.types[next.outputs[0]] == graph.types[output] else { return nil }
        return next
    }
}
