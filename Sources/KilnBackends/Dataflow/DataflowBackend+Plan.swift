import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnTargets

extension DataflowBackend {
    /// The name the plan's notes carry in the compile log.
    static let planNoteSource = "fpga-dataflow-fit"

    /// Chooses the folding of every engine (``DataflowFoldingPlan``), once per compilation: the
    /// patterns build each engine at its folding and the cycle model costs it so. With a folding
    /// file (``KilnCompiler/CompileOptions/layerSettings``, ``DataflowFoldingFile``) the engines it
    /// configures take its folding and the search balances the rest. Logs each engine's folding.
    /// - Throws: ``DiagnosticError`` located in the folding file for an entry that does not apply
    ///   to the design; naming the budget, the excess and the largest layers when the design does
    ///   not fit the target's fabric (at the file's folding, or even with every engine at its
    ///   cheapest folding).
    public func plan(for graph: Graph, target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> (any Sendable)? {
        guard let dataflow = target.section(DataflowSection.self) else { return nil }
        let stages = DataflowFoldingPlan.stages(of: graph, target: target)
        var fixed: [Int: DataflowFolding] = [:]
        var fifos: [Int: StreamFIFODepths] = [:]
        if let settings = options.layerSettings {
            let file = try DataflowFoldingFile(stages: stages, settings: settings).foldings()
            fixed = file.fixed
            fifos = file.fifos
            for note in file.notes { options.log.note("\(settings.file): \(note)", pass: Self.planNoteSource) }
        }
        let plan = DataflowFoldingPlan(stages: stages, dataflow: dataflow, fixed: fixed, fifos: fifos)
        guard plan.fits else {
            let over = plan.resources.excess(over: plan.budget)
            let largest = plan.entries.sorted { $0.estimate.resources.lookupTables + 100 * $0.estimate.resources.blockRam18k
                > $1.estimate.resources.lookupTables + 100 * $1.estimate.resources.blockRam18k }.prefix(3)
            let layers = largest.map { "'\($0.stage.layer)' (\($0.stage.kernel), \($0.estimate.resources))" }.joined(separator: "; ")
            let how = options.layerSettings.map { "at the folding of \($0.file)" } ?? "even with every engine at its cheapest folding"
            throw DiagnosticError(.error("the dataflow design of '\(graph.name)' does not fit \(target.name) \(how): \(over.joined(separator: ", ")) (budget \(plan.budget)); largest layers: \(layers)",
                                         file: options.layerSettings?.file ?? target.file, place: options.layerSettings == nil ? "dataflow" : nil))
        }
        for (index, entry) in plan.entries.enumerated() where !entry.stage.engines(entry.folding).isEmpty {
            let f = entry.folding
            let memory = f.memory.map { ", ram_style \($0.rawValue)" } ?? ""
            let origin = fixed[index] != nil ? " (folding file)" : ""
            options.log.note("\(entry.stage.kernel): PE \(f.processingElements), SIMD \(f.simdLanes), \(f.multipliers.rawValue) multipliers\(memory)\(origin); \(entry.estimate.intervalCycles) cycles per inference; \(entry.estimate.resources)",
                             pass: Self.planNoteSource, node: entry.stage.layer)
        }
        options.log.note("pipeline interval \(plan.intervalCycles) cycles; design \(plan.resources) of \(plan.budget)", pass: Self.planNoteSource)
        if let timing = plan.fifoTiming {
            options.log.note("with the FIFO depths of \(options.layerSettings?.file ?? "the folding file"): interval \(JSONWriter.format(timing.intervalCycles)) cycles, first inference \(timing.firstLatencyCycles) cycles (simulated chain)",
                             pass: Self.planNoteSource)
        }
        return plan
    }
}
