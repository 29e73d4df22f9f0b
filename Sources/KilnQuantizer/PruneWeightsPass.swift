import KilnDiagnostics
import KilnIR
import KilnNumerics

/// `prune-weights`: magnitude pruning of the float weights of every conv2d, dense and matmul
/// (with a constant right operand), layer by layer.
///
/// Unstructured pruning zeroes the `⌊sparsity · n⌋` smallest-magnitude weights of each layer;
/// output-channel pruning zeroes the `⌊sparsity · channels⌋` output channels of smallest L2 norm
/// (conv2d axis 0, dense and matmul the last axis). A weight constant shared by several layers is
/// pruned once.
public struct PruneWeightsPass: GraphPass {
    /// The pass's name.
    public let name = "prune-weights"
    /// What the pass does.
    public let summary = "zero the smallest-magnitude weights of every conv2d / dense / matmul"
    /// The target sparsity and granularity.
    public let pruning: WeightPruning

    /// Creates the pass.
    public init(pruning: WeightPruning) {
        self.pruning = pruning
    }

    /// Returns the graph with pruned weight constants.
    /// - Throws: ``DiagnosticError`` naming the node whose weights cannot be pruned (a sparsity outside 0...1).
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var pruned = Set<String>()
        for node in graph.nodes where OperatorKind.multiplyAccumulate.contains(node.kind) {
            guard let weightName = node.input(1), !pruned.contains(weightName),
                  let weights = graph.constants[weightName], let values = weights.floats else { continue }
            do {
                let outcome = switch pruning.granularity {
                case .unstructured:
                    try MagnitudePruning.unstructured(values, sparsity: pruning.sparsity)
                case .outputChannels:
                    try MagnitudePruning.structured(values, shape: weights.shape,
                                                    axis: Self.outputChannelAxis(of: node, weightRank: weights.shape.count),
                                                    sparsity: pruning.sparsity)
                }
                result.constants[weightName] = Tensor(shape: weights.shape, floats: outcome.values)
            } catch {
                throw DiagnosticError(.error("cannot prune weights '\(weightName)': \(error)", place: node.place))
            }
            pruned.insert(weightName)
        }
        return result
    }

    /// The output-channel axis of a multiply-accumulate node's weight: 0 for conv2d (OIHW), the
    /// last axis for dense (`[K, N]`) and matmul.
    static func outputChannelAxis(of node: Node, weightRank: Int) -> Int {
        node.kind == .conv2d ? 0 : max(weightRank - 1, 0)
    }
}
