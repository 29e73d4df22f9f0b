import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

extension DataflowBackend {
    /// The name the plan's notes carry in the compile log.
    static let planNoteSource = "fpga-dataflow-fit"

    /// Chooses the folding of every engine (``DataflowFoldingPlan``), once per compilation: the
    /// patterns build each engine at its folding and the cycle model costs it so. Logs each
    /// engine's folding.
    /// - Throws: ``DiagnosticError`` naming the budget, the excess and the largest layers when the
    ///   design does not fit the target's fabric even with every engine at its cheapest folding.
    public func plan(for graph: Graph, target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> (any Sendable)? {
        guard let plan = DataflowFoldingPlan.plan(for: graph, target: target) else { return nil }
        guard plan.fits else {
            let over = plan.resources.excess(over: plan.budget)
            let largest = plan.entries.sorted { $0.estimate.resources.lookupTables + 100 * $0.estimate.resources.blockRam18k
                > $1.estimate.resources.lookupTables + 100 * $1.estimate.resources.blockRam18k }.prefix(3)
            let layers = largest.map { "'\($0.stage.layer)' (\($0.stage.kernel), \($0.estimate.resources))" }.joined(separator: "; ")
            throw DiagnosticError(.error("the dataflow design of '\(graph.name)' does not fit \(target.name) even with every engine at its cheapest folding: \(over.joined(separator: ", ")) (budget \(plan.budget)); largest layers: \(layers)",
                                         file: target.file, place: "dataflow"))
        }
        for entry in plan.entries where !entry.stage.engines(entry.folding).isEmpty {
            let f = entry.folding
            options.log.note("\(entry.stage.kernel): PE \(f.processingElements), SIMD \(f.simdLanes), \(f.multipliers.rawValue) multipliers; \(entry.estimate.intervalCycles) cycles per inference; \(entry.estimate.resources)",
                             pass: Self.planNoteSource, node: entry.stage.layer)
        }
        options.log.note("pipeline interval \(plan.intervalCycles) cycles; design \(plan.resources) of \(plan.budget)", pass: Self.planNoteSource)
        return plan
    }
}
