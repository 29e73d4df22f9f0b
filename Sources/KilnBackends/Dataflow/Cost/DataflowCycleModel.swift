import KilnCompiler
import KilnTargets

/// FINN's cycle model for a streaming dataflow design.
///
/// Every kernel is a chain of FINN engines (``DataflowStage``) with the folding of the program's
/// plan (``DataflowFoldingPlan``, or the kernel's own without one);
/// each engine's cycles per inference are FINN's `get_exp_cycles`. A kernel's compute cycles are
/// its slowest engine (its initiation interval); the rest of its engines' cycles are pipeline
/// fill, reported as overhead. Weights and thresholds live in on-chip memories read every cycle
/// at the engine's width, so there are no memory stalls (the fit check keeps them on chip);
/// transfers to and from the host are charged by the estimator.
///
/// ``timing(of:)``: engines run concurrently, so the interval is the slowest engine and the
/// latency is the sum of all engines' cycles (FINN's critical-path estimate for a chain). When a
/// folding file sizes FIFOs (``StreamFIFODepths``), shallow FIFOs can stall engines that are not
/// the slowest: the interval and the first inference's latency then come from simulating the
/// chain with those FIFOs (``StreamPipeline``), done once by the plan (``DataflowFoldingPlan/fifoTiming``).
struct DataflowCycleModel: CycleModel {
    /// The target.
    public let target: TargetDescription
    /// The plan the program was lowered with, if known.
    let plan: DataflowFoldingPlan?

    /// Creates the model.
    init(target: TargetDescription, plan: DataflowFoldingPlan?) {
        self.target = target
        self.plan = plan
    }

    /// The kernel's interval as compute cycles and the rest of its engines as fill overhead.
    public func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let stage = DataflowStage(kernel) else {
            return RooflineCycleModel(target: target).cost(of: kernel, counts: counts)
        }
        let estimate = stage.estimate(plan?.folding(of: kernel.nodes[0].name) ?? Self.folding(of: kernel))
        return KernelCost(computeCycles: Double(estimate.intervalCycles), memoryStallCycles: 0,
                          overheadCycles: Double(estimate.latencyCycles - estimate.intervalCycles), bound: .compute)
    }

    /// Interval = the slowest kernel's compute (plus stall) cycles; latency = every kernel's cycles;
    /// with FIFO depths from a folding file, the simulated chain's interval and first latency.
    public func timing(of costs: [KernelCost]) -> ProgramTiming {
        if let simulated = plan?.fifoTiming {
            return ProgramTiming(latencyCycles: Double(simulated.firstLatencyCycles), intervalCycles: simulated.intervalCycles)
        }
        let interval = costs.map { $0.computeCycles + $0.memoryStallCycles }.max() ?? 0
        let latency = costs.reduce(0) { $0 + $1.totalCycles }
        return ProgramTiming(latencyCycles: latency, intervalCycles: interval)
    }

    /// The folding a dataflow kernel was built with.
    static func folding(of kernel: any TargetKernel) -> DataflowFolding {
        switch kernel {
        case let unit as MatrixVectorActivationUnit: return unit.folding
        case let unit as ThresholdingUnit: return unit.folding
        case let unit as StreamingMaxPoolUnit: return unit.folding
        case let unit as AccumulatingPoolUnit: return unit.folding
        case let unit as AddStreamsUnit: return unit.folding
        default: return .unfolded
        }
    }
}
