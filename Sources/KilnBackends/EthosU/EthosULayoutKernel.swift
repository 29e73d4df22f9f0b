import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter

/// A transpose between NHWC and NCHW that Kiln's TFLite importer inserted. Kiln's IR holds 4-D
/// activations channels-first, so the importer brackets the model with these; the NPU keeps NHWC throughout, so on the
/// device they move nothing and cost nothing. The kernel still computes the transpose, so the
/// simulated values stay in Kiln's layout.
struct EthosULayoutKernel: MatchingKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    let outputType: TensorType

    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection) {
        let node = context.graph.nodes[index]
        guard case .transpose(let permutation) = node.operation, permutation == [0, 2, 3, 1] || permutation == [0, 3, 1, 2] else {
            throw LoweringRejection("Kiln's Ethos-U lowering has no NPU pass for a transpose other than NHWC ⇄ NCHW")
        }
        // The TFLite importer names the transposes it inserts after the value they write
        // (`<value>.transpose`); a TRANSPOSE of the model itself moves data and is not a layout change.
        guard node.outputs.count == 1, node.name == node.outputs[0] + ".transpose" else {
            throw LoweringRejection("a model TRANSPOSE moves data; Kiln's Ethos-U lowering has no NPU pass for it")
        }
        guard let type = context.graph.types[node.outputs[0]] else { throw LoweringRejection("the output has no type") }
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
        outputType = type
    }

    /// `ethos-u.layout`.
    var name: String { "ethos-u.layout" }

    /// The transpose (reference semantics).
    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try ReferenceInterpreter.execute(nodes[0], operands: operands, outputTypes: [outputType])
    }

    /// Nothing: the device's layout is NHWC already.
    func countActions() -> ActionCounts { ActionCounts() }

    /// The input's buffer: Vela has no such tensor, the NPU reads and writes the NHWC bytes in place.
    var outputBufferReuse: OutputBufferReuse? { .view(of: inputs[0]) }

    /// One line.
    func listing() -> [String] { ["NHWC ⇄ NCHW: Kiln's IR layout only; the NPU keeps NHWC (no data moves)"] }
}
