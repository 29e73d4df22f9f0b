import KilnTargets

/// Cycles of a node that falls back to a general-purpose core, from the core's `hostCompute`
/// rates (docs/cost-models.md, "Host partition").
///
/// * **compute**: float MACs over `floatMultiplyAccumulatesPerCycle` and integer MACs over
///   `integerMultiplyAccumulatesPerCycle`, plus the node's elementwise operations over
///   `floatOperationsPerCycle` (a node that computes in float) or `integerOperationsPerCycle`;
///   split over the target's `cores`.
/// * **memory stall**: the node's bytes (inputs, constants, outputs) at the bandwidth of the
///   smallest memory level that holds them all, over one core's share, where that takes longer
///   than the compute (a generic kernel streams its operands while it computes).
/// * **overhead**: the stack's fixed cycles per node (``SoftwareStack/fixedCycles(of:float:)``:
///   dispatch plus the operator's set-up in its float or integer kernel), once per node.
///
/// A float node is never priced at an integer dot-product peak, and every node costs at least one
/// cycle per elementwise operation over the core's rate.
public struct HostCycleModel: Sendable {
    /// The target whose core runs the nodes.
    public let target: TargetDescription
    /// Its general-purpose rates.
    public let rates: HostCompute

    /// The model of a target's core, or nil when the target declares no `hostCompute`.
    public init?(target: TargetDescription) {
        guard let rates = target.hostCompute else { return nil }
        self.target = target
        self.rates = rates
    }

    /// The cost of one host kernel with the counts it performs.
    /// - Parameters:
    ///   - kernel: the node on the host.
    ///   - counts: its actions (MACs by operand formats, elementwise operations as ALU operations).
    public func cost(of kernel: HostKernel, counts: ActionCounts) -> KernelCost {
        let cores = Double(max(target.cores.value, 1))
        var floatMACs = 0, integerMACs = 0
        for (kind, count) in counts.multiplyAccumulates {
            if kind.operands.contains(where: { !$0.isInteger }) { floatMACs += count } else { integerMACs += count }
        }
        let elementRate = kernel.computesInFloat ? rates.floatOperationsPerCycle.value : rates.integerOperationsPerCycle.value
        let compute = (Double(floatMACs) / rates.floatMultiplyAccumulatesPerCycle.value
            + Double(integerMACs) / rates.integerMultiplyAccumulatesPerCycle.value
            + Double(counts.aluOperations) / elementRate) / cores
        let (read, written) = kernel.bytesMoved
        let level = target.memory.first { $0.sizeBytes.value >= read &+ written } ?? target.memory[target.memory.count - 1]
        let memory = (Double(read) / level.readBytesPerCycle.value + Double(written) / level.writeBytesPerCycle.value) / cores
        let stall = max(0, memory - compute)
        let overhead = target.stack?.fixedCycles(of: kernel.nodes.first?.operation.kind, float: kernel.computesInFloat)
            ?? rates.operatorDispatchCycles?.value ?? 0
        let bound: PerformanceBound = stall > compute && stall >= overhead ? .memory : (overhead > compute && overhead > stall ? .overhead : .compute)
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead, bound: bound)
    }
}
