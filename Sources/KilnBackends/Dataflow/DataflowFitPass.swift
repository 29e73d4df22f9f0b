import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// Chooses the folding of every dataflow engine (``DataflowFoldingPlan``) and fails compilation
/// when the design does not fit the target's fabric even fully folded, naming the budget, the
/// excess and the layers that use most of it. The graph is unchanged.
struct DataflowFitPass: GraphPass {
    /// The dataflow target.
    public let target: TargetDescription
    /// Where the plan is logged.
    public let options: CompileOptions

    /// Creates the pass.
    public init(target: TargetDescription, options: CompileOptions) {
        self.target = target
        self.options = options
    }

    /// `fpga-dataflow-fit`.
    public var name: String { "fpga-dataflow-fit" }
    /// One line.
    public var summary: String { "Fold every engine to balance the pipeline within the fabric budget" }

    /// Checks the fit and logs each engine's folding.
    /// - Throws: ``DiagnosticError`` naming the budget, the excess and the largest layers when the
    ///   design does not fit with every engine at its cheapest folding.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        guard let plan = DataflowFoldingPlan.plan(for: graph, target: target) else { return graph }
        guard plan.fits else {
            let over = plan.resources.excess(over: plan.budget)
            let largest = plan.entries.sorted { $0.estimate.resources.lookupTables + 100 * $0.estimate.resources.blockRam18k
                > $1.estimate.resources.lookupTables + 100 * $1.estimate.resources.blockRam18k }.prefix(3)
            let layers = largest.map { "'\($0.stage.layer)' (\($0.stage.kernel), \($0.estimate.resources))" }.joined(separator: "; ")
            throw DiagnosticError(.error("the dataflow design of '\(graph.name)' does not fit \(target.name) even with every engine at its cheapest folding: \(over.joined(separator: ", ")) (budget \(plan.budget)); largest layers: \(layers)",
                                         file: target.file, place: "fpga.dataflow"))
        }
        for entry in plan.entries where !entry.engineNames.isEmpty {
            let f = entry.folding
            options.log.note("\(entry.stage.kernel): PE \(f.processingElements), SIMD \(f.simdLanes), \(f.multipliers.rawValue) multipliers; \(entry.estimate.intervalCycles) cycles per inference; \(entry.estimate.resources)",
                             pass: name, node: entry.stage.layer)
        }
        options.log.note("pipeline interval \(plan.intervalCycles) cycles; design \(plan.resources) of \(plan.budget)", pass: name)
        return graph
    }
}

extension DataflowFoldingPlan.Entry {
    var engineNames: [String] { stage.engines(folding).map(\.name) }
}
