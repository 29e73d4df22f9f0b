import KilnCompiler
import KilnTargets

/// Cycles of Ethos-U kernels: Vela 5.2's estimate of each NPU pass (``EthosUPerformance``, with
/// buffered weights charged by ``EthosUWeightBuffering``) — the slowest of the MAC array, the
/// arena port and the constants port — summed over the kernel's passes, as Vela sums its passes
/// into the network's total. Layout and view kernels cost nothing.
struct EthosUCycleModel: CycleModel {
    /// Vela's cycles for the kernel's passes (compute: NPU cycles; memory: what the ports add beyond them).
    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let npu = kernel as? EthosUKernel else { return KernelCost(computeCycles: 0, memoryStallCycles: 0, overheadCycles: 0, bound: .compute) }
        let compute = npu.estimates.reduce(0) { $0 + $1.npuCycles }
        let total = npu.estimates.reduce(0) { $0 + $1.totalCycles }
        return KernelCost(computeCycles: compute, memoryStallCycles: total - compute, overheadCycles: 0,
                          bound: total - compute > compute ? .memory : .compute)
    }
}
