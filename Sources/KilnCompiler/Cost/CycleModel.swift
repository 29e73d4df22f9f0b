import KilnTargets

/// A family's cycle model: how long each of its kernels takes on a target.
///
/// Built-in families compute cycles from the structure of the kernels they emitted (instruction
/// mix, tiling, folding) and the target description; every number comes from the target file.
public protocol CycleModel: Sendable {
    /// The cost of one accelerator kernel, given the actions it performs.
    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost
    /// How the kernels' cycles combine (sequential by default; a pipelined design
    /// overrides this).
    func timing(of costs: [KernelCost]) -> ProgramTiming
}

extension CycleModel {
    /// Kernels run one after another: latency and interval are the sum of the kernels' cycles.
    public func timing(of costs: [KernelCost]) -> ProgramTiming {
        let total = costs.reduce(0) { $0 + $1.totalCycles }
        return ProgramTiming(latencyCycles: total, intervalCycles: total)
    }
}

/// A roofline model from the target description alone: compute cycles are the operations over
/// the target's peak operations per cycle (``ActionCounts/operations``: a MAC is two operations, an
/// ALU operation one), memory cycles are each level's bytes over its bandwidth, and the kernel
/// takes the larger of the two (transfers overlap compute).
///
/// It is the default for a backend that has no model of its own (a plugin's first version), and a
/// reference point for the built-in families' detailed models.
public struct RooflineCycleModel: CycleModel {
    /// The target.
    public let target: TargetDescription

    /// Creates the model for a target.
    public init(target: TargetDescription) {
        self.target = target
    }

    /// The roofline cost of a kernel.
    public func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        let operations = counts.operations
        let peak = max(target.familyDetails.peakOperationsPerCycle * Double(target.cores.value), 1e-9)
        let compute = operations / peak
        var memory = 0.0
        for level in target.memory {
            let read = Double(counts.bytesRead[level.name] ?? 0) / max(level.readBytesPerCycle.value, 1e-9)
            let written = Double(counts.bytesWritten[level.name] ?? 0) / max(level.writeBytesPerCycle.value, 1e-9)
            memory = max(memory, read + written)
        }
        let stall = max(0, memory - compute)
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: 0,
                          bound: stall > 0 ? .memory : .compute)
    }
}
