import KilnIR
import KilnTargets

/// What a lowering pattern sees: the graph, its use-def analysis (computed once), the target,
/// and the plan the family's ``Backend/plan(for:target:options:)`` made for this graph.
public struct LoweringContext: Sendable {
    /// The target-numerics graph being lowered.
    public let graph: Graph
    /// Readers and writers of every value of ``graph``.
    public let uses: UseDefAnalysis
    /// The target.
    public let target: TargetDescription
    /// The family's plan for ``graph``, if it makes one.
    public let plan: (any Sendable)?

    /// Creates a context, analysing the graph's uses.
    public init(graph: Graph, target: TargetDescription, plan: (any Sendable)? = nil) {
        self.graph = graph
        uses = UseDefAnalysis(graph)
        self.target = target
        self.plan = plan
    }

    /// The plan as the family's own type, or nil if there is none (or it has another type).
    public func plan<Plan>(as type: Plan.Type) -> Plan? { plan as? Plan }

    /// The node a kernel ending at the node at `index` may absorb next (an activation, clamp,
    /// threshold or sign, as `accepts` decides): the only reader of that node's single output,
    /// reading it once as its first input, when that output is not a graph output (a fused
    /// intermediate value never exists in memory). The one fusion matcher the families share.
    public func fusibleFollower(of index: Int, accepts: (Node) -> Bool) -> Int? {
        let node = graph.nodes[index]
        guard node.outputs.count == 1, let output = node.outputs.first, let next = uses.soleReader(of: output) else { return nil }
        let candidate = graph.nodes[next]
        guard candidate.input(0) == output, candidate.inputs.filter({ $0 == output }).count == 1, accepts(candidate) else { return nil }
        return next
    }
}
