import KilnDiagnostics
import KilnIR
import KilnTargets

/// Partitions the target-numerics graph: every node ends lowered to an accelerator kernel by
/// one of the backend's patterns, or on the host with the reason it cannot run on the
/// accelerator.
///
/// A node is legal on the accelerator only if the target's ``ConversionTarget`` allows it (its
/// op, format and every declared limit) *and* a lowering pattern accepts it. With host fallback
/// off, every node that would fall back is reported in one error.
struct Legalization {
    let patterns: [any LoweringPattern]
    let allowHostFallback: Bool

    func run(_ context: LoweringContext) throws(DiagnosticError) -> [TargetProgram.KernelStep] {
        let graph = context.graph
        let conversion = ConversionTarget(target: context.target)
        var steps: [TargetProgram.KernelStep] = []
        var covered = Set<String>()
        var refusals: [Diagnostic] = []
        for (index, node) in graph.nodes.enumerated() where !covered.contains(node.name) {
            switch lower(nodeAt: index, context, conversion) {
            case .lowered(let kernel):
                covered.formUnion(kernel.nodes.map(\.name))
                steps.append(TargetProgram.KernelStep(kernel: kernel, placement: .accelerator))
            case .rejected(let reason):
                if !allowHostFallback {
                    refusals.append(.error("cannot run on \(context.target.name): \(reason)", place: node.place))
                }
                steps.append(TargetProgram.KernelStep(kernel: HostKernel(nodeAt: index, in: graph), placement: .host(reason: reason)))
            }
        }
        if !refusals.isEmpty { throw DiagnosticError(refusals) }
        return steps
    }

    private func lower(nodeAt index: Int, _ context: LoweringContext, _ conversion: ConversionTarget) -> LoweringMatch {
        let node = context.graph.nodes[index]
        if let reason = conversion.illegality(of: node, in: context.graph) { return .rejected(reason) }
        var reasons: [String] = []
        for pattern in patterns where pattern.root == node.kind {
            switch pattern.match(nodeAt: index, in: context) {
            case .lowered(let kernel): return .lowered(kernel)
            case .rejected(let reason): reasons.append("\(pattern.name): \(reason)")
            }
        }
        if reasons.isEmpty { return .rejected("no lowering pattern of the \(context.target.family) backend handles \(node.kind.rawValue)") }
        return .rejected(reasons.joined(separator: "; "))
    }
}
