import KilnCompiler
import KilnTargets

/// Cycles of the ternary family's kernels: lockstep adder trees, memory streams that overlap
/// compute where the level has DMA, and a pipeline fill per memory level.
///
/// With `P` PEs of `T` tree inputs, a dot-product kernel splits each group's channels into passes
/// of `P` (one channel per PE); a pass takes, per output position, the cycles of its slowest
/// channel, `max(1, ⌈pairs_c / T⌉)`, because the PEs move to the next position together. So
/// zero skipping saves cycles only when every channel of a pass has fewer non-zero weights, and
/// uneven channels (load imbalance) and idle PEs in the last pass are counted as waste.
public struct TernaryCycleModel: CycleModel {
    /// The target.
    public let target: TargetDescription
    private let section: TernarySection

    /// The model for a ternary target; nil for a target without a `ternary` section.
    public init?(target: TargetDescription) {
        guard let section = target.section(TernarySection.self) else { return nil }
        self.target = target
        self.section = section
    }

    /// The cost of one kernel of this family (the roofline, which gives views nothing, for others).
    public func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let workload = (kernel as? any TernaryCostedKernel)?.workload else {
            return RooflineCycleModel(target: target).cost(of: kernel, counts: counts)
        }
        let cores = Double(target.cores.value)
        let compute: Double
        switch workload.work {
        case .dotProducts(let repetitions, let pairs):
            compute = (Double(repetitions) / cores).rounded(.up) * Double(pairs.map(passCycles).reduce(0, +))
        case .elementwise(let operations):
            compute = (Double(operations) / (cores * Double(section.processingElements.value))).rounded(.up)
        }
        var overlapped = 0.0, exposed = 0.0, overhead = 0.0
        for level in target.memory {
            let read = workload.counts.bytesRead[level.name] ?? 0, written = workload.counts.bytesWritten[level.name] ?? 0
            guard read + written > 0 else { continue }
            let cycles = Double(read) / level.readBytesPerCycle.value + Double(written) / level.writeBytesPerCycle.value
            if level.dmaOverlapsCompute { overlapped = max(overlapped, cycles) } else { exposed += cycles }
            overhead += level.latencyCycles.value
        }
        let stall = exposed + max(0, overlapped - compute)
        let bound: PerformanceBound = stall > compute && stall >= overhead ? .memory : (overhead > compute ? .overhead : .compute)
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead, bound: bound)
    }

    /// Cycles of one output position of one group: its channels in passes of `P`, each as slow as
    /// its slowest channel.
    func passCycles(_ pairs: [Int]) -> Int {
        let width = section.adderTreeInputs.value, lanes = section.processingElements.value
        return stride(from: 0, to: pairs.count, by: lanes).map { start in
            pairs[start..<min(start + lanes, pairs.count)].map { max(1, ($0 + width - 1) / width) }.max() ?? 0
        }.reduce(0, +)
    }
}
