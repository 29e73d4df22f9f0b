import KilnCompiler
import KilnIR
import KilnTargets

/// One row of the simd lowering table: a root operator and the kernel constructor that
/// accepts or rejects a node with a reason.
struct SIMDLoweringPattern: LoweringPattern {
    /// Builds a kernel for a node of the root kind.
    typealias Lower = @Sendable (Node, Graph, SIMDDotProductScheme, TargetDescription) -> LoweringMatch
    let name: String
    let root: OperatorKind
    let scheme: SIMDDotProductScheme
    let lower: Lower

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        lower(context.graph.nodes[index], context.graph, scheme, context.target)
    }

    /// The simd lowering table for a scheme, one row per operator.
    static func table(scheme: SIMDDotProductScheme) -> [SIMDLoweringPattern] {
        let mnemonic = scheme.instruction.name
        func row(_ name: String, _ root: OperatorKind, _ lower: @escaping Lower) -> SIMDLoweringPattern {
            SIMDLoweringPattern(name: name, root: root, scheme: scheme, lower: lower)
        }
        let simple: @Sendable (Node, Graph, SIMDDotProductScheme, TargetDescription) -> LoweringMatch = { node, graph, scheme, target in
            let levels = SIMDMemoryLevels(target: target)
            switch node.kind {
            case .relu, .clip, .add, .sub, .mul: return SIMDElementwiseKernel.lower(node: node, graph: graph, scheme: scheme, levels: levels)
            case .maxPool, .averagePool, .globalAveragePool: return SIMDPoolingKernel.lower(node: node, graph: graph, scheme: scheme, levels: levels)
            case .quantize, .dequantize: return SIMDQuantizationKernel.lower(node: node, graph: graph, scheme: scheme, levels: levels)
            default: return SIMDDataMovementKernel.lower(node: node, graph: graph, scheme: scheme, levels: levels)
            }
        }
        var rows = [
            row("\(mnemonic)-conv2d", .conv2d) { SIMDConvolutionKernel.lower(node: $0, graph: $1, scheme: $2, target: $3) },
            row("\(mnemonic)-dense", .dense) { SIMDMatrixKernel.lower(node: $0, graph: $1, scheme: $2, target: $3) },
            row("\(mnemonic)-matmul", .matmul) { SIMDMatrixKernel.lower(node: $0, graph: $1, scheme: $2, target: $3) },
        ]
        let others: [OperatorKind] = [.relu, .clip, .add, .sub, .mul, .maxPool, .averagePool, .globalAveragePool, .quantize, .dequantize,
                                      .reshape, .flatten, .squeeze, .unsqueeze, .transpose, .concat, .pad]
        rows += others.map { row("simd-\($0.rawValue)", $0, simple) }
        return rows
    }

    /// The simd lowering table: the scheme's rows, then the sign step of binarized networks.
    static func patterns(scheme: SIMDDotProductScheme) -> [any LoweringPattern] {
        table(scheme: scheme) + [
            SIMDBinarizePattern(root: .add, vectorBits: scheme.vectorBits),   // accumulator + (−T_c) → sign, fused
            SIMDBinarizePattern(root: .sign, vectorBits: scheme.vectorBits),  // standalone sign
        ]
    }
}
