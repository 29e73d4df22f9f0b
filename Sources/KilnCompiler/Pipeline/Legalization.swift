import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// Partitions the target-numerics graph: every node ends lowered to an accelerator kernel by
/// one of the backend's patterns, or on the host with the reason it cannot run on the
/// accelerator.
///
/// A node is legal on the accelerator only if the target declares its operator in its op set at
/// the node's element type *and* a lowering pattern accepts it. With host fallback off, every
/// node that would fall back is reported in one error.
struct Legalization {
    let target: TargetDescription
    let patterns: [any LoweringPattern]
    let allowHostFallback: Bool

    func run(on graph: Graph) throws(DiagnosticError) -> [TargetProgram.KernelStep] {
        var steps: [TargetProgram.KernelStep] = []
        var covered = Set<String>()
        var refusals: [Diagnostic] = []
        for (index, node) in graph.nodes.enumerated() where !covered.contains(node.name) {
            switch lower(nodeAt: index, in: graph) {
            case .lowered(let kernel):
                covered.formUnion(kernel.nodes.map(\.name))
                steps.append(TargetProgram.KernelStep(kernel: kernel, placement: .accelerator))
            case .rejected(let reason):
                if !allowHostFallback {
                    refusals.append(.error("cannot run on \(target.name): \(reason)", place: node.place))
                }
                steps.append(TargetProgram.KernelStep(kernel: HostKernel(nodeAt: index, in: graph), placement: .host(reason: reason)))
            }
        }
        if !refusals.isEmpty { throw DiagnosticError(refusals) }
        return steps
    }

    /// The element type that decides whether the target supports a node: its first input's for
    /// compute and movement ops, its output's for `quantize`.
    static func decidingElementType(_ node: Node, in graph: Graph) -> ElementType? {
        let input = node.input(0).flatMap { graph.types[$0] }
        let output = node.outputs.first.flatMap { graph.types[$0] }
        return node.kind == .quantize ? output?.elementType : input?.elementType
    }

    private func lower(nodeAt index: Int, in graph: Graph) -> LoweringMatch {
        let node = graph.nodes[index]
        guard let support = target.support(for: node.kind.rawValue) else {
            return .rejected("\(node.kind.rawValue) is not in the target's op set")
        }
        if let format = Self.decidingElementType(node, in: graph), !support.formats.contains(format) {
            return .rejected("\(node.kind.rawValue) at \(format.name): the target runs it at \(support.formats.map(\.name).joined(separator: ", "))")
        }
        var reasons: [String] = []
        for pattern in patterns where pattern.root == node.kind {
            switch pattern.match(nodeAt: index, in: graph, target: target) {
            case .lowered(let kernel): return .lowered(kernel)
            case .rejected(let reason): reasons.append("\(pattern.name): \(reason)")
            }
        }
        if reasons.isEmpty { return .rejected("no lowering pattern of the \(target.family) backend handles \(node.kind.rawValue)") }
        return .rejected(reasons.joined(separator: "; "))
    }
}

