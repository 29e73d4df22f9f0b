import KilnIR

extension ProgramCost {
    /// The time of one inference spent on one kind of operator and where it ran.
    public struct OperatorShare: Sendable, Hashable {
        /// The operator kind (`dense`, `softmax`, `layerNorm`), or `transfer` for host-link moves.
        public var operatorKind: String
        /// The resource its steps occupied: accelerator, host or link (a kind that runs in both places has two shares).
        public var resource: Resource
        /// Its seconds per inference, summed over its steps.
        public var seconds: Double
        /// How many program steps its seconds sum.
        public var steps: Int
    }

    /// The time per operator kind and resource, largest first: how much of a transformer is
    /// softmax and layer normalization, say, and whether they run on the accelerator. A fused
    /// step counts for its first multiply-accumulate node (a conv with its bias add and
    /// activation is `conv2d`), else its first node; `program` is the one this cost estimates.
    public func operatorShares(of program: TargetProgram) -> [OperatorShare] {
        var shares: [String: OperatorShare] = [:]
        for (step, programStep) in zip(steps, program.steps) {
            let kind: String
            switch programStep {
            case .transfer: kind = "transfer"
            case .kernel(let kernelStep):
                let nodes = kernelStep.kernel.nodes
                kind = (nodes.first { OperatorKind.multiplyAccumulate.contains($0.kind) } ?? nodes.first)?.kind.rawValue ?? kernelStep.kernel.name
            }
            let key = "\(kind)@\(step.resource.rawValue)"
            shares[key, default: OperatorShare(operatorKind: kind, resource: step.resource, seconds: 0, steps: 0)].seconds += step.seconds
            shares[key]?.steps += 1
        }
        return shares.values.sorted { ($0.seconds, $1.operatorKind, $1.resource.rawValue) > ($1.seconds, $0.operatorKind, $0.resource.rawValue) }
    }
}
