import Foundation
import KilnCompiler
import KilnIR
import KilnTargets

/// The folding of every engine of a dataflow design, chosen to balance the pipeline under the
/// target's fabric budget.
///
/// The pipeline's throughput is set by its slowest engine, so the search looks for the smallest
/// interval `T` such that, when every stage takes its cheapest folding whose interval is at most
/// `T`, the whole design fits. "Cheapest" weighs each resource kind by the target's budget
/// (`LUT/lookupTables + BRAM_18K/(2·blockRam36kBlocks) + URAM/ultraRamBlocks + DSP/dspSlices`),
/// then prefers fewer PE·SIMD. `T` is searched by bisection over the stages' achievable intervals
/// (FINN's `SetFolding` instead walks towards a user-given target cycle count).
///
/// Limits Kiln assumes: PE divides the channels and SIMD the window (conv: SIMD divides the
/// channels, or is the whole window with a parallel-window generator), both at most the target's
/// optional `maxProcessingElements` / `maxSimdLanes` (FINN has no other limit); the budget is the
/// whole device (FINN's own shell, DMA and FIFOs are not counted).
struct DataflowFoldingPlan: Sendable {
    /// One stage and its chosen folding.
    public struct Entry: Sendable {
        /// The stage.
        public let stage: DataflowStage
        /// The chosen folding.
        public let folding: DataflowFolding
        /// Its cycles and resources.
        public let estimate: StageEstimate
        /// The FIFO depths a folding file gives at its input and output.
        public let fifos: StreamFIFODepths
    }

    /// The stages in program order.
    public let entries: [Entry]
    /// The chain's simulated timing with the FIFO depths of a folding file (``streamPipeline(of:)``),
    /// nil when every FIFO is deep enough (the interval is then the slowest stage's).
    public let fifoTiming: StreamPipeline.Timing?
    /// The target's budget.
    public let budget: FabricResources

    /// The folding of the stage whose first node is `layer`.
    public func folding(of layer: String) -> DataflowFolding? { entries.first { $0.stage.layer == layer }?.folding }
    /// The design's resources.
    public var resources: FabricResources { entries.reduce(FabricResources()) { $0 + $1.estimate.resources } }
    /// The slowest stage's cycles.
    public var intervalCycles: Int { entries.map(\.estimate.intervalCycles).max() ?? 0 }
    /// Whether the design fits the budget.
    public var fits: Bool { resources.fits(in: budget) }

    /// The budget of a dataflow section: LUTs, `2 ·` 36 Kb block RAMs as BRAM_18K, UltraRAMs, DSPs.
    public static func budget(of dataflow: DataflowSection) -> FabricResources {
        FabricResources(lookupTables: dataflow.lookupTables.value, blockRam18k: 2 * dataflow.blockRam36kBlocks.value,
                        ultraRams: dataflow.ultraRamBlocks.value, dspSlices: dataflow.dspSlices.value)
    }

    /// Chooses the foldings of `stages` for a target's dataflow section. When nothing fits, every
    /// stage takes its cheapest folding (and ``fits`` is false).
    /// - Parameter fixed: foldings the user gave (a folding file), by stage index: those stages
    ///   take exactly that folding and the search balances the others around them.
    /// - Parameter fifos: FIFO depths the user gave, by stage index (none: FIFOs deep enough).
    public init(stages: [DataflowStage], dataflow: DataflowSection, fixed: [Int: DataflowFolding] = [:],
                fifos: [Int: StreamFIFODepths] = [:]) {
        let budget = Self.budget(of: dataflow)
        self.budget = budget
        func weight(_ r: FabricResources) -> Double {
            func share(_ used: Int, _ available: Int) -> Double { used == 0 ? 0 : available == 0 ? 1e9 : Double(used) / Double(available) }
            return share(r.lookupTables, budget.lookupTables) + share(r.blockRam18k, budget.blockRam18k)
                + share(r.ultraRams, budget.ultraRams) + share(r.dspSlices, budget.dspSlices)
        }
        // Candidates per stage, cheapest first.
        let options: [[(folding: DataflowFolding, estimate: StageEstimate, weight: Double)]] = stages.enumerated().map { index, stage in
            (fixed[index].map { [$0] } ?? stage.candidates(maxProcessingElements: dataflow.maxProcessingElements?.value ?? .max,
                                                             maxSimdLanes: dataflow.maxSimdLanes?.value ?? .max))
                .map { folding in let estimate = stage.estimate(folding); return (folding, estimate, weight(estimate.resources)) }
                .sorted { a, b in
                    if a.weight != b.weight { return a.weight < b.weight }
                    let pa = a.folding.processingElements * a.folding.simdLanes, pb = b.folding.processingElements * b.folding.simdLanes
                    if pa != pb { return pa < pb }
                    return a.estimate.intervalCycles > b.estimate.intervalCycles
                }
        }
        func choose(within interval: Int) -> [Int]? {
            var picks: [Int] = []
            for candidates in options {
                guard let index = candidates.firstIndex(where: { $0.estimate.intervalCycles <= interval }) else { return nil }
                picks.append(index)
            }
            return picks
        }
        func total(_ picks: [Int]) -> FabricResources {
            zip(options, picks).reduce(FabricResources()) { $0 + $1.0[$1.1].estimate.resources }
        }
        let floor = options.map { $0.map(\.estimate.intervalCycles).min() ?? 0 }.max() ?? 0
        let intervals = Set(options.flatMap { $0.map(\.estimate.intervalCycles) }).filter { $0 >= floor }.sorted()
        var low = 0, high = intervals.count - 1
        var best: [Int]? = nil
        while low <= high {
            let middle = (low + high) / 2
            if let picks = choose(within: intervals[middle]), total(picks).fits(in: budget) {
                best = picks
                high = middle - 1
            } else {
                low = middle + 1
            }
        }
        let picks = best ?? options.map { _ in 0 }
        let entries: [Entry] = stages.indices.compactMap { index in
            let candidates = options[index], pick = picks[index]
            guard pick < candidates.count else { return nil }
            return Entry(stage: stages[index], folding: candidates[pick].folding, estimate: candidates[pick].estimate,
                         fifos: fifos[index] ?? StreamFIFODepths())
        }
        self.entries = entries
        fifoTiming = Self.streamPipeline(of: entries)?.simulate()
    }

    /// The stages of the kernels the dataflow patterns build for `graph` (as legalization would
    /// place them: every node the target's ``ConversionTarget`` allows and a pattern accepts), each unfolded.
    static func stages(of graph: Graph, target: TargetDescription) -> [DataflowStage] {
        let context = LoweringContext(graph: graph, target: target)
        let conversion = ConversionTarget(target: target)
        var covered = Set<String>()
        var stages: [DataflowStage] = []
        for (index, node) in graph.nodes.enumerated() where !covered.contains(node.name) && conversion.illegality(of: node, in: graph) == nil {
            for pattern in DataflowBackend.patterns where pattern.root == node.kind {
                if case .lowered(let kernel) = pattern.match(nodeAt: index, in: context) {
                    covered.formUnion(kernel.nodes.map(\.name))
                    if let stage = DataflowStage(kernel) { stages.append(stage) }
                    break
                }
            }
        }
        return stages
    }
}
