import KilnCompiler
import KilnTargets

/// Cycles of Ethos-U kernels: Vela 5.2's estimate of each NPU pass (``EthosUPerformance``) —
/// the slowest of the MAC array, the arena port and the constants port — summed over the
/// kernel's passes, as Vela sums its passes into the network's total. A pass's weight DMA is
/// its overhead. In the program's timing the DMA engine fetches the weights of kernel after
/// kernel ahead of the array, as Vela pre-buffers the next weights under earlier operations
/// when the arena has room (`Scheduler.propose_weight_buffering`, `pre_buffer`; the 4 MiB
/// Shared_Sram arena always has it for these models): a kernel waits only when its weights
/// have not arrived by the time the kernel before it ends. Layout and view kernels cost nothing.
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

    /// Kernels run in order; the weight DMA runs ahead of them in the same order, and a kernel
    /// starts when the previous kernel has ended and its own weights have arrived.
    func timing(of costs: [KernelCost]) -> ProgramTiming {
        var end = 0.0, weightsArrived = 0.0
        for cost in costs {
            weightsArrived += cost.overheadCycles
            end = max(end, weightsArrived) + cost.computeCycles + cost.memoryStallCycles
        }
        return ProgramTiming(latencyCycles: end, intervalCycles: end)
    }
}
