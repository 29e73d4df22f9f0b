import KilnCompiler
import KilnTargets

/// Cycles of Ethos-U kernels: Vela 5.2's estimate of each NPU pass (``EthosUPerformance``) —
/// the slowest of the MAC array, the arena port and the constants port — summed over the
/// kernel's passes, as Vela sums its passes into the network's total. A pass's weight DMA is
/// its overhead; in the program's timing it hides under the previous kernel's cycles, as Vela
/// charges only `full_weight_transfer_cycles − slack` (`estimate_full_op_performance`, with the
/// previous operation's cycles as the slack). Layout and view kernels cost nothing.
struct EthosUCycleModel: CycleModel {
    /// Vela's cycles for the kernel's passes (compute: NPU cycles; memory: what the ports add
    /// beyond them; overhead: the weight DMA when nothing hides it).
    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let npu = kernel as? EthosUKernel else { return KernelCost(computeCycles: 0, memoryStallCycles: 0, overheadCycles: 0, bound: .compute) }
        let compute = npu.estimates.reduce(0) { $0 + $1.npuCycles }
        let total = npu.estimates.reduce(0) { $0 + $1.totalCycles }
        let transfer = npu.estimates.reduce(0) { $0 + $1.weightTransferCycles }
        let bound: PerformanceBound = transfer > total ? .overhead : total - compute > compute ? .memory : .compute
        return KernelCost(computeCycles: compute, memoryStallCycles: total - compute, overheadCycles: transfer, bound: bound)
    }

    /// Kernels run in order; each one's weight DMA overlaps the kernel before it.
    func timing(of costs: [KernelCost]) -> ProgramTiming {
        var total = 0.0, previous = 0.0
        for cost in costs {
            let work = cost.computeCycles + cost.memoryStallCycles
            total += work + max(0, cost.overheadCycles - previous)
            previous = work
        }
        return ProgramTiming(latencyCycles: total, intervalCycles: total)
    }
}
