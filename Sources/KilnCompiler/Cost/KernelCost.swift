/// What limits a kernel's time.
public enum PerformanceBound: String, Sendable, Hashable, CaseIterable {
    /// Arithmetic issue limits (MAC units, lanes, PEs).
    case compute
    /// Moving data between memory levels.
    case memory
    /// Fixed per-kernel and per-loop overheads.
    case overhead
    /// The node runs on the host.
    case host
    /// Moving data over the host link.
    case hostLink
}

/// The cycles one kernel takes on its target, split by cause.
public struct KernelCost: Sendable, Hashable {
    /// Cycles spent issuing the arithmetic, including utilization lost at tile edges.
    public var computeCycles: Double
    /// Cycles the arithmetic waits for data (not hidden by overlap).
    public var memoryStallCycles: Double
    /// Fixed per-kernel and per-loop overhead cycles.
    public var overheadCycles: Double
    /// What limits the kernel.
    public var bound: PerformanceBound

    /// Creates a cost.
    public init(computeCycles: Double, memoryStallCycles: Double, overheadCycles: Double, bound: PerformanceBound) {
        self.computeCycles = computeCycles
        self.memoryStallCycles = memoryStallCycles
        self.overheadCycles = overheadCycles
        self.bound = bound
    }

    /// All cycles.
    public var totalCycles: Double { computeCycles + memoryStallCycles + overheadCycles }
}

/// How a program's kernel cycles combine into latency and throughput.
public struct ProgramTiming: Sendable, Hashable {
    /// Cycles from the first input to the last output of one inference.
    public var latencyCycles: Double
    /// Cycles between the starts of consecutive inferences in steady state (equal to the latency
    /// for sequential execution; the slowest engine's cycles for a pipelined design).
    public var intervalCycles: Double

    /// Creates a timing.
    public init(latencyCycles: Double, intervalCycles: Double) {
        self.latencyCycles = latencyCycles
        self.intervalCycles = intervalCycles
    }
}
