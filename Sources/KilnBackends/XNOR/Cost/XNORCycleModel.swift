import KilnCompiler
import KilnTargets

/// The `xnor` family's cycle model: closed forms over each kernel's loop trip counts, with every
/// rate from the target description (`docs/cost-models/xnor.md` has the formulas and sources).
///
/// * **Dedicated array** (no `xnor.vectorCore`): `popcountUnits` units of
///   `xnorPopcountBitsPerCycle / popcountUnits` bits each compute one output channel each; a
///   binary layer runs in `groups × ⌈outputsPerGroup / popcountUnits⌉` passes, each pass streams
///   every output position's window (`taps × wordsPerTap` words) through the units. The threshold
///   units work in a pipeline behind the popcounts. The int8 unit does `multiplyAccumulatesPerCycle`.
/// * **CPU core** (`xnor.vectorCore`, Larq Compute Engine on Cortex-A72): the bit-packed kernel's
///   NEON instruction mix (``BitPackedGEMMInstructionMix``) per 4-pixel × 8-channel block,
///   scheduled on the core's vector, `uadalp` and load pipes and its dispatch width; blocks are
///   shared by the `cores`.
///
/// Memory: each level's traffic over its bandwidth. The nearest levels carry the traffic implied
/// by the schedule (the array re-reads each window per pass; the CPU's L1 loads are already in
/// the instruction mix); an operand set too large for its nearest level streams from the next
/// level that holds it. Levels with `dmaOverlapsCompute` overlap compute (stall = what exceeds
/// compute); other levels add. Overhead: each touched level's latency once per kernel (the
/// pipeline fill).
struct XNORCycleModel: CycleModel {
    let target: TargetDescription
    private let section: XNORSection
    private let facts: XNORTargetFacts

    /// The model for an `xnor` target, or nil when the target has no `xnor` section.
    init?(target: TargetDescription) {
        guard let section = target.section(XNORSection.self), let facts = XNORTargetFacts(target) else { return nil }
        self.target = target
        self.section = section
        self.facts = facts
    }

    private var cores: Double { Double(max(target.cores.value, 1)) }
    private var int8Rate: Double { max(section.int8Unit.multiplyAccumulatesPerCycle.value, 1e-9) }
    private var thresholdRate: Double { Double(section.thresholdUnits.value) }

    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let costed = kernel as? any XNORCostedKernel else {
            return RooflineCycleModel(target: target).cost(of: kernel, counts: counts)
        }
        let workload = costed.workload
        let compute = computeCycles(workload.work)
        let traffic = memoryTraffic(workload, counts: counts)
        var overlapped = 0.0, added = 0.0, overhead = 0.0
        for (index, level) in target.memory.enumerated() {
            let read = traffic.read[index], written = traffic.written[index]
            guard read + written > 0 else { continue }
            let cycles = read / max(level.readBytesPerCycle.value, 1e-9) + written / max(level.writeBytesPerCycle.value, 1e-9)
            if level.dmaOverlapsCompute { overlapped = max(overlapped, cycles) } else { added += cycles }
            overhead += level.latencyCycles.value
        }
        let stall = added + max(0, overlapped - compute)
        let bound: PerformanceBound = compute >= stall && compute >= overhead ? .compute : (stall >= overhead ? .memory : .overhead)
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead, bound: bound)
    }

    // MARK: compute

    /// Compute cycles of one kernel's work, tile-edge waste included.
    func computeCycles(_ work: XNORWorkload.Work) -> Double {
        switch work {
        case .binaryGEMM(let gemm):
            if let core = section.vectorCore { return vectorCoreCycles(gemm, core: core) }
            return arrayCycles(gemm)
        case .int8GEMM(let macs, let outputOperations):
            let multiply = (Double(macs) / cores / int8Rate).rounded(.up)
            let output = (Double(outputOperations) / cores / thresholdRate).rounded(.up)
            // The array's output stage is a pipeline stage behind the MACs; a CPU runs it after.
            return section.vectorCore == nil ? max(multiply, output) : multiply + output
        case .wordOperations(let words, let wordBits):
            let bitsPerCycle = section.vectorCore.map {
                Double(BitPackedGEMMInstructionMix.vectorBits * $0.vectorPipes.value)
            } ?? Double(section.xnorPopcountBitsPerCycle.value)
            return (Double(words * wordBits) / cores / bitsPerCycle).rounded(.up)
        case .comparisons(let comparisons):
            return (Double(comparisons) / cores / thresholdRate).rounded(.up)
        case .int8Operations(let operations):
            return (Double(operations) / cores / int8Rate).rounded(.up)
        case .none:
            return 0
        }
    }

    /// The array: `passes = groups × ⌈outputsPerGroup / units⌉`; each (position, pass) takes
    /// `⌈taps·wordsPerTap·wordBits / bitsPerUnit⌉` cycles; the threshold units compare
    /// `outputs × comparisons / thresholdUnits` per cycle in parallel.
    func arrayCycles(_ gemm: XNORWorkload.BinaryGEMM) -> Double {
        let units = Double(section.popcountUnits.value)
        let bitsPerUnit = Double(section.xnorPopcountBitsPerCycle.value) / units
        let passes = Double(gemm.groups) * (Double(gemm.outputsPerGroup) / units).rounded(.up)
        let windowBits = Double(gemm.taps * gemm.wordsPerTap * gemm.wordBits)
        let cyclesPerPosition = (windowBits / bitsPerUnit).rounded(.up)
        let popcount = (Double(gemm.rows) * passes / cores).rounded(.up) * cyclesPerPosition
        let threshold = (Double(gemm.outputs * gemm.comparisonsPerOutput) / cores / thresholdRate).rounded(.up)
        return max(popcount, threshold)
    }

    /// The CPU core: `⌈rows/4⌉ × groups × ⌈outputsPerGroup/8⌉` blocks of the LCE kernel's mix,
    /// `⌈blocks / cores⌉` per core.
    func vectorCoreCycles(_ gemm: XNORWorkload.BinaryGEMM, core: XNORSection.VectorCore) -> Double {
        typealias Mix = BitPackedGEMMInstructionMix
        let pixelBlocks = (gemm.rows + Mix.pixelsPerBlock - 1) / Mix.pixelsPerBlock
        let channelBlocks = (gemm.outputsPerGroup + Mix.channelsPerBlock - 1) / Mix.channelsPerBlock
        let blocks = Double(pixelBlocks * gemm.groups * channelBlocks)
        let stepsPerTap = (gemm.wordsPerTap * gemm.wordBits + Mix.depthBitsPerStep - 1) / Mix.depthBitsPerStep
        let block = Mix.cycles(Mix.block(taps: gemm.taps, stepsPerTap: stepsPerTap, comparisons: gemm.comparisonsPerOutput), on: core)
        return (blocks / cores).rounded(.up) * block
    }

    // MARK: memory

    /// Bytes read and written per memory level (indexed like `target.memory`).
    func memoryTraffic(_ workload: XNORWorkload, counts: ActionCounts) -> (read: [Double], written: [Double]) {
        let levels = target.memory
        var read = [Double](repeating: 0, count: levels.count), written = read
        let activation = levels.firstIndex { $0.name == facts.activationLevel }
        let weight = levels.firstIndex { $0.name == facts.weightLevel }
        // The nearest levels: the schedule's traffic.
        if case .binaryGEMM(let gemm) = workload.work, section.vectorCore == nil, let activation, let weight {
            let wordBytes = Double(gemm.wordBits / 8)
            let passes = Double(gemm.groups) * (Double(gemm.outputsPerGroup) / Double(section.popcountUnits.value)).rounded(.up)
            // Pack (read the bits, write the words), then every pass re-reads each window.
            read[activation] += Double(workload.inputBytes) + passes * Double(gemm.rows * gemm.taps * gemm.wordsPerTap) * wordBytes
            written[activation] += Double(gemm.packedInputWords) * wordBytes + Double(workload.outputBytes)
            read[weight] += Double(workload.weightBytes)
        } else if section.vectorCore == nil {
            for (index, level) in levels.enumerated() {
                read[index] += Double(counts.bytesRead[level.name] ?? 0)
                written[index] += Double(counts.bytesWritten[level.name] ?? 0)
            }
        }
        // (On a CPU core the nearest level's loads are instructions of the compute mix.)
        // Operands too large for their nearest level stream from the next level that holds them.
        if let level = spillLevel(bytes: workload.weightBytes, nearest: weight, holds: \.holdsWeights) {
            read[level] += Double(workload.weightBytes)
        }
        if let level = spillLevel(bytes: workload.inputBytes + workload.outputBytes, nearest: activation, holds: \.holdsActivations) {
            read[level] += Double(workload.inputBytes)
            written[level] += Double(workload.outputBytes)
        }
        return (read, written)
    }

    /// The first level after `nearest` holding this kind of operand whose size holds `bytes`
    /// (the outermost one if none does), or nil when `bytes` fit in `nearest`.
    private func spillLevel(bytes: Int, nearest: Int?, holds: KeyPath<MemoryLevel, Bool>) -> Int? {
        guard bytes > 0, let nearest, bytes > target.memory[nearest].sizeBytes.value else { return nil }
        let outer = target.memory.indices.filter { $0 > nearest && target.memory[$0][keyPath: holds] }
        return outer.first { bytes <= target.memory[$0].sizeBytes.value } ?? outer.last
    }
}
