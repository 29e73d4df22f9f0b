import KilnCompiler
import KilnIR
import KilnInterpreter

/// What follows a PE's adder tree: the reference's requantization of the int32 sum per output
/// channel (``Requantizer``, the interpreter's own type), then a fused `relu` as a clamp at the
/// output zero point.
struct OutputStage: Sendable {
    let requantizer: Requantizer
    let lowerBound: Int32
    let hasRelu: Bool

    init(_ node: Node, input: TensorType, weight: TensorType, output: TensorType, channels: Int, relu: Bool) throws(LoweringRejection) {
        do {
            requantizer = try Requantizer(rule: node.requantization, input: input, weight: weight, output: output, channels: channels)
        } catch {
            throw LoweringRejection("cannot requantize: \(error.message)")
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
    /// The `relu` that a kernel rooted at `index` may absorb (Kiln's fusion matcher finds it),
    /// with the same type in and out, so that it is a clamp.
    static func followingRelu(after index: Int, in context: LoweringContext) -> Node? {
        let graph = context.graph
        return context.fusibleFollower(of: index) { $0.kind == .relu && graph.types[$0.outputs[0]] == graph.types[$0.inputs[0]] }
            .map { graph.nodes[$0] }
    }
}
