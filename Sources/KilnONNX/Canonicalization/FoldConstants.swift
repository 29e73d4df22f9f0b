import KilnDiagnostics
import KilnIR

/// Replaces every node whose inputs are all constants by the constants it computes,
/// evaluated with the reference interpreter (so folding never changes a result).
///
/// With `foldingDequantize` false, `dequantize` nodes of constant codes are kept, so that
/// the QDQ fusion that runs later still sees integer weights.
public struct FoldConstants: GraphPass {
    /// Whether `dequantize` of constant codes is folded to float constants.
    public var foldingDequantize: Bool

    /// Creates the pass.
    public init(foldingDequantize: Bool = true) {
        self.foldingDequantize = foldingDequantize
    }

    /// `fold-constants` (or `fold-constants-keep-dequantize`).
    public var name: String { foldingDequantize ? "fold-constants" : "fold-constants-keep-dequantize" }
    /// One line saying what the pass does.
    public var summary: String { "evaluate nodes whose inputs are all constants" }

    /// Returns the graph with constant nodes folded.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var kept: [Node] = []
        for node in result.nodes {
            let inputs = node.inputs.filter { !$0.isEmpty }
            let foldable = !inputs.isEmpty && inputs.allSatisfy { result.constants[$0] != nil }
                && node.kind != .dynamicQuantize && (foldingDequantize || node.kind != .dequantize)
            guard foldable else {
                kept.append(node)
                continue
            }
            let tensors = try ConstantEvaluation.evaluate(node, outputTypes: node.outputs.map { result.types[$0]! },
                                                          constants: result.constants)
            for (output, tensor) in zip(node.outputs, tensors) { result.constants[output] = tensor }
        }
        result.nodes = kept
        result.removeUnusedValues()
        return result
    }
}
