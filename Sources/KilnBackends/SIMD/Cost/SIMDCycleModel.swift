import KilnCompiler
import KilnIR
import KilnTargets

/// The simd family's cycle model: closed forms over the micro-kernel's loop trip counts, with
/// every constant from the target description (docs/cost-models/simd.md).
///
/// GEMM kernels (conv2d, dense, matmul): one depth step of one register tile takes the largest of
/// its resource times — multiply-pipe issue (the dot-product instruction and the multiplies that
/// share its pipe, over `throughputPerCycle`), vector issue (every non-load instruction over
/// `simd.vectorInstructionsPerCycle`), L1 load bandwidth (bytes of the step over the first level's
/// `readBytesPerCycle`) and the accumulator dependency chain (`latencyCycles` × updates per
/// accumulator). Steps × tiles per core (tiles split over `cores`, the busiest core counts) give
/// compute cycles, edge tiles included. Traffic the blocking sends past the first level (activation
/// rows re-read per channel tile, weight blocks re-read per pixel tile, first touches) is charged
/// to the smallest level that holds its reuse footprint. Tile epilogues, requantization and layout
/// instructions are overhead, and so is the im2col copy of ONNX Runtime's generic convolution path
/// where the selected stack is MLAS and the layer takes that path
/// (``genericConvolutionCycles(_:scheme:)``).
///
/// Other kernels (elementwise, pooling, data movement, host kernels): their counted instructions
/// (or ALU operations in int32 lanes) over the vector issue rate, against their bytes.
struct SIMDCycleModel: CycleModel {
    /// The target.
    public let target: TargetDescription
    let scheme: SIMDDotProductScheme?
    let vectorIssue: Double
    let cores: Int

    /// Creates the model for a simd target.
    public init(target: TargetDescription) {
        self.target = target
        scheme = SIMDDotProductScheme(target: target)
        vectorIssue = max(target.section(SIMDSection.self)?.vectorInstructionsPerCycle.value ?? 1, 1e-9)
        cores = max(target.cores.value, 1)
    }

    /// The cost of one kernel.
    public func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        if let scheme, let gemm = kernel as? any SIMDGEMMKernel {
            let nest = gemm.loopNest
            var cost = nest.isDepthwise ? depthwiseCost(nest, scheme: scheme, counts: counts) : gemmCost(nest, scheme: scheme, counts: counts).cost
            cost.overheadCycles += outputChannelCycles(nest, op: kernel.nodes.first?.operation.kind)
            return cost
        }
        return streamingCost(counts)
    }

    // MARK: - GEMM micro-kernels

    /// The resource times of one depth step of one register tile, in cycles.
    struct StepTiming: Hashable {
        /// Multiply-pipe instructions over the dot-product instruction's throughput.
        var multiplyIssue: Double
        /// Non-load vector instructions over the vector issue rate.
        var vectorIssue: Double
        /// Bytes loaded over the first level's read bandwidth.
        var loads: Double
        /// Latency × dot-product updates per accumulator (in-place accumulating instructions).
        var dependencyChain: Double
        /// The step's cycles: the largest of the four.
        var cycles: Double { max(multiplyIssue, vectorIssue, loads, dependencyChain) }
    }

    func stepTiming(_ scheme: SIMDDotProductScheme, pairedWeights: Bool) -> StepTiming {
        let instructions = scheme.instructionsPerStep(pairedWeights: pairedWeights)
        let multiplies = instructions.filter { scheme.multiplyPipeInstructions.contains($0.key) }.values.reduce(0, +)
        let loads = instructions.filter { scheme.loadInstructions.contains($0.key) }.values.reduce(0, +)
        let total = instructions.values.reduce(0, +)
        let bytes = (scheme.tileRows + scheme.tileColumns) * scheme.depthStep
        let first = target.memory[0]
        var chain = 0.0
        if scheme.accumulatesInPlace {
            let updates = Double(instructions[scheme.instruction.name] ?? 0) / Double(max(scheme.accumulatorRegisters, 1))
            chain = scheme.instruction.latencyCycles.value * updates.rounded(.up)
        }
        return StepTiming(multiplyIssue: Double(multiplies) / scheme.instruction.throughputPerCycle.value,
                          vectorIssue: Double(total - loads) / vectorIssue,
                          loads: Double(bytes) / first.readBytesPerCycle.value,
                          dependencyChain: chain)
    }

    /// Cycles to finish one tile: accumulator stores over the first level's write bandwidth,
    /// reductions over the vector issue rate.
    func epilogueCycles(_ scheme: SIMDDotProductScheme) -> Double {
        let epilogue = scheme.instructionsPerTileEpilogue
        let stores = epilogue.filter { scheme.storeInstructions.contains($0.key) }.values.reduce(0, +)
        let others = epilogue.values.reduce(0, +) - stores
        let storeBytes = scheme.tileRows * scheme.tileColumns * 4
        return max(Double(storeBytes) / target.memory[0].writeBytesPerCycle.value, Double(others) / vectorIssue)
    }

    /// Bytes the blocking moves at each level past the first, and the latency of the first touch.
    struct LevelTraffic: Hashable {
        var bytesRead: [String: Double] = [:]
        var bytesWritten: [String: Double] = [:]
    }

    /// The smallest level at least `bytes` large (the last level if none is).
    func level(holding bytes: Int) -> Int {
        target.memory.firstIndex { $0.sizeBytes.value >= bytes } ?? target.memory.count - 1
    }

    func traffic(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme) -> LevelTraffic {
        var traffic = LevelTraffic()
        func read(_ index: Int, _ bytes: Int) {
            guard index > 0, bytes > 0 else { return }
            traffic.bytesRead[target.memory[index].name, default: 0] += Double(bytes)
        }
        func write(_ index: Int, _ bytes: Int) {
            guard index > 0, bytes > 0 else { return }
            traffic.bytesWritten[target.memory[index].name, default: 0] += Double(bytes)
        }
        let rowTiles = (nest.rows + scheme.tileRows - 1) / scheme.tileRows
        let columnTiles = (nest.columns + scheme.tileColumns - 1) / scheme.tileColumns
        let activations = nest.activationBytesPerRun
        let weightBlock = nest.paddedDepth * scheme.tileColumns
        // Channel tiles outer, pixel tiles inner: one run's activation rows are re-read per channel
        // tile (reuse footprint: all rows + one weight block) ...
        let activationLevel = level(holding: activations + weightBlock)
        read(activationLevel, nest.runs * columnTiles * activations)
        if nest.packsActivations { write(activationLevel, nest.runs * activations) }
        // ... and a weight block per pixel tile (footprint: the block + one tile of rows).
        let weightLevel = level(holding: weightBlock + scheme.tileRows * nest.paddedDepth)
        read(weightLevel, nest.runs * columnTiles * rowTiles * weightBlock)
        // First touches: input, weights and output at the level holding the whole working set.
        let workingSet = level(holding: nest.inputBytes + nest.weightBytes + nest.outputBytes + activations)
        read(workingSet, nest.inputBytes + nest.weightBytes)
        write(workingSet, nest.outputBytes)
        return traffic
    }

    /// Stall cycles of traffic past the first level: its time at each level's bandwidth, hidden
    /// behind `compute` only where the level's `dmaOverlapsCompute`; and the levels' latencies.
    func stall(_ traffic: LevelTraffic, compute: Double) -> (stall: Double, latency: Double) {
        var stall = 0.0, latency = 0.0
        for level in target.memory.dropFirst() {
            let read = traffic.bytesRead[level.name] ?? 0, written = traffic.bytesWritten[level.name] ?? 0
            guard read + written > 0 else { continue }
            let time = read / level.readBytesPerCycle.value + written / level.writeBytesPerCycle.value
            stall += level.dmaOverlapsCompute ? max(0, time - compute) : time
            latency += level.latencyCycles.value
        }
        return (stall, latency)
    }

    /// The parts of a GEMM kernel's cost, for reports and tests.
    struct GEMMCost: Hashable {
        var step: StepTiming
        var steps: Int
        var tiles: Int
        var tilesPerCore: Int
        var traffic: LevelTraffic
        var cost: KernelCost
    }

    func gemmCost(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme, counts: ActionCounts) -> GEMMCost {
        let step = stepTiming(scheme, pairedWeights: nest.pairedWeights)
        let steps = (nest.depth + scheme.depthStep - 1) / scheme.depthStep
        let tiles = nest.runs * ((nest.rows + scheme.tileRows - 1) / scheme.tileRows)
            * ((nest.columns + scheme.tileColumns - 1) / scheme.tileColumns)
        let threads = gemmThreads(nest)
        let tilesPerCore = (tiles + threads - 1) / threads
        let compute = oneRowGEMVCycles(nest, scheme: scheme) ?? Double(tilesPerCore * steps) * step.cycles
        let int32Lanes = Double(max(scheme.vectorBits / 32, 1))
        let layout = Double(counts.instructions[Instruction(scheme.signFlipInstruction)] ?? 0)
        let perKernel = (Double(counts.aluOperations) / int32Lanes + layout) / vectorIssue / Double(threads)
        let traffic = traffic(nest, scheme: scheme)
        let (stall, latency) = stall(traffic, compute: compute)
        let overhead = Double(tilesPerCore) * epilogueCycles(scheme) + perKernel + latency
            + genericConvolutionCycles(nest, scheme: scheme, threads: threads)
            + indirectionCycles(nest, scheme: scheme, threads: threads)
        return GEMMCost(step: step, steps: steps, tiles: tiles, tilesPerCore: tilesPerCore, traffic: traffic,
                        cost: KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead,
                                         bound: Self.bound(compute: compute, stall: stall, overhead: overhead)))
    }

    /// The threads a GEMM kernel's tiles split over: all the cores, or as many as the selected
    /// stack gives a GEMM of its size (ONNX Runtime's MLAS starts a thread per
    /// `MLAS_QGEMM_THREAD_COMPLEXITY` MACs, so a small layer runs on one core).
    func gemmThreads(_ nest: SIMDGEMMLoopNest) -> Int {
        let macs = nest.runs * nest.rows * nest.columns * nest.depth
        return target.stack?.gemmThreads(multiplyAccumulates: macs, cores: cores) ?? cores
    }

    /// The selected stack's per-output-channel set-up of a node (``SoftwareStack/outputChannelCycles(of:float:)``)
    /// times its output channels (groups × channels per group); ONNX Runtime's QGemm and
    /// QLinearConv compute a float output scale per channel on every call
    /// (`ComputeOutputScale` in `contrib_ops/cpu/quantization/quant_gemm.cc`, `qlinearconv.cc`) and
    /// fix up a zero point per column (`MlasGemmQuantFixupZeroPointB`, `core/mlas/lib/qgemm.h`)
    /// before MLAS runs. Serial: it runs before the GEMM's threads start.
    func outputChannelCycles(_ nest: SIMDGEMMLoopNest, op: OperatorKind?) -> Double {
        guard let perChannel = target.stack?.outputChannelCycles(of: op, float: false), perChannel > 0 else { return 0 }
        return Double(nest.groups * nest.columns) * perChannel
    }

    // MARK: - MLAS's one-row QGEMM

    /// Compute cycles of a one-row matrix product (a batch-1 dense layer) in MLAS's AVX-512 VNNI
    /// QGEMM kernel (`ProcessCountM 1` in `core/mlas/lib/x86_64/QgemmU8X8KernelAvx512Common.h`),
    /// where the selected stack's kernels are MLAS and the scheme is a 512-bit in-place dot product;
    /// nil otherwise (the scheme's own tile prices it). The kernel walks the columns in blocks of
    /// three, then two, then one vector of accumulators (48/32/16 columns: a block takes three
    /// while more than two vectors' worth remain), and for each 4-deep step of a block broadcasts
    /// the row's four bytes, loads one packed weight vector and issues one dot product per
    /// accumulator. With a single row each accumulator is updated on every step, so a block's step
    /// takes the largest of its dot products over their throughput, the dot product's latency and
    /// its loads over the first level's bandwidth: the latency (4 cycles) on Zen 4, 48 MACs per
    /// cycle for a 48-column block where the scheme's 4-row tile, one row used, would give 16.
    func oneRowGEMVCycles(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme) -> Double? {
        guard let stack = target.stack, stack.kernels == .mlas, nest.rows == 1, !nest.packsActivations,
              scheme.accumulatesInPlace, scheme.vectorBits == 512 else { return nil }
        let lanes = scheme.vectorBits / 32, vectorBytes = scheme.vectorBits / 8
        let steps = Double((nest.depth + scheme.depthStep - 1) / scheme.depthStep)
        var cycles = 0.0, remaining = nest.columns
        while remaining > 0 {
            let accumulators = remaining > 2 * lanes ? 3 : (remaining > lanes ? 2 : 1)
            let step = max(Double(accumulators) / scheme.instruction.throughputPerCycle.value, scheme.instruction.latencyCycles.value,
                           Double(accumulators * vectorBytes + scheme.depthStep) / target.memory[0].readBytesPerCycle.value)
            cycles += steps * step
            remaining -= accumulators * lanes
        }
        return Double(nest.runs) * cycles
    }

    // MARK: - ONNX Runtime's generic convolution path

    /// Whether ONNX Runtime's QLinearConv runs a convolution through its generic path instead of
    /// MLAS's symmetric indirect convolution. `MlasConvSymPackWSize` (onnxruntime
    /// `core/mlas/lib/convsym.cpp`) takes a one-group layer only if its input channels are a
    /// multiple of `KernelInputChannelAlignment` (4), its output channels a multiple of
    /// `KernelOutputChannelAlignment` (4 in the AVX-512 dispatches, 8 in the AVX2 one) and at least
    /// `FilterOutputChannelPackCount` (16); grouped layers other than depthwise never. The generic
    /// path (`qlinearconv.cc`) copies an NHWC im2col row per output pixel and kernel row, except
    /// for a 1×1 kernel (read in place; a strided or padded 1×1 layer is approximated as in place).
    static func takesGenericConvolutionPath(_ nest: SIMDGEMMLoopNest, vectorBits: Int) -> Bool {
        guard nest.kernelHeight * nest.kernelWidth > 1, !nest.isDepthwise else { return false }
        let outputAlignment = vectorBits >= 512 ? 4 : 8
        return nest.groups > 1 || nest.channelsPerGroup % 4 != 0 || nest.columns % outputAlignment != 0 || nest.columns < 16
    }

    /// The generic path's im2col copies: the selected MLAS stack's `im2colRowCycles` per output
    /// pixel and kernel row of every run, split over the GEMM's threads; 0 for a layer that takes the
    /// symmetric path or a stack without the figure.
    func genericConvolutionCycles(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme, threads: Int) -> Double {
        guard let stack = target.stack, stack.kernels == .mlas, let rowCycles = stack.im2colRowCycles?.value,
              Self.takesGenericConvolutionPath(nest, vectorBits: scheme.vectorBits) else { return 0 }
        return Double(nest.runs * nest.rows * nest.kernelHeight) * rowCycles / Double(threads)
    }

    /// MLAS's symmetric indirect convolution (`MlasConvSym`, the path a layer takes when it does not
    /// take the generic one): QLinearConv writes an indirection pointer per output pixel and kernel
    /// tap, and `MlasConvSymKernelAvx512Vnni` (`core/mlas/lib/x86_64/ConvSymKernelAvx512Core.S`)
    /// loads six of them and sets up six row offsets per tap before its 4-deep steps. The selected
    /// MLAS stack's `indirectionTapCycles` per output pixel and tap of every run, split over the
    /// GEMM's threads; 0 for a 1×1 kernel (read directly, `MLAS_CONV_SYM_FLAG_INPUT_DIRECT`; a
    /// strided or padded 1×1 layer is approximated as direct), a depthwise or generic-path layer, or
    /// a stack without the figure.
    func indirectionCycles(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme, threads: Int) -> Double {
        guard let stack = target.stack, stack.kernels == .mlas, let tapCycles = stack.indirectionTapCycles?.value,
              nest.kernelHeight * nest.kernelWidth > 1, !nest.isDepthwise,
              !Self.takesGenericConvolutionPath(nest, vectorBits: scheme.vectorBits) else { return 0 }
        return Double(nest.runs * nest.rows * nest.kernelHeight * nest.kernelWidth) * tapCycles / Double(threads)
    }

    // MARK: - Depthwise convolution

    /// The vector instructions of one tap of one channel block in the stack's depthwise kernel,
    /// after ONNX Runtime's MLAS `MlasConvDepthwiseKernelAvx2` (onnxruntime
    /// `core/mlas/lib/intrinsics/avx2/qdwconv_avx2.cpp`, read at commit 08dc5af): per tap, widen the
    /// input and the filter bytes to int16 (two loads), subtract both zero points, `mullo` and
    /// `mulhi`, interleave the halves into int32 (two unpacks) and add into two accumulators.
    static let depthwiseTapInstructions = (vector: 10, loads: 2)
    /// Per channel block: reorder the two accumulators (two permutes) and store them.
    static let depthwiseBlockEpilogue = (vector: 2, stores: 2)

    /// A depthwise convolution with channels in the vector lanes: for each output pixel and each
    /// block of `vectorWidthBits / 16` channels (int16 lanes), every tap issues
    /// ``depthwiseTapInstructions`` (the larger of its vector issue time and its loads at the first
    /// level's bandwidth), and each block ends with ``depthwiseBlockEpilogue``. A partial last block
    /// costs a whole one. Pixels split over the cores. Requantization and first touches of the
    /// operands are charged as for a GEMM kernel.
    func depthwiseCost(_ nest: SIMDGEMMLoopNest, scheme: SIMDDotProductScheme, counts: ActionCounts) -> KernelCost {
        let lanes = max(scheme.vectorBits / 16, 1)
        let first = target.memory[0]
        let tap = Self.depthwiseTapInstructions
        let tapCycles = max(Double(tap.vector) / vectorIssue, Double(tap.loads * lanes) / first.readBytesPerCycle.value)
        let epilogue = Self.depthwiseBlockEpilogue
        let epilogueCycles = max(Double(epilogue.vector) / vectorIssue, Double(epilogue.stores * lanes * 2) / first.writeBytesPerCycle.value)
        let batches = max(nest.runs / nest.groups, 1)
        let blocks = (nest.groups + lanes - 1) / lanes
        let pixelsPerCore = (batches * nest.rows + cores - 1) / cores
        let compute = Double(pixelsPerCore * blocks) * (Double(nest.depth) * tapCycles + epilogueCycles)
        var traffic = LevelTraffic()
        let workingSet = level(holding: nest.inputBytes + nest.weightBytes + nest.outputBytes)
        if workingSet > 0 {
            traffic.bytesRead[target.memory[workingSet].name] = Double(nest.inputBytes + nest.weightBytes)
            traffic.bytesWritten[target.memory[workingSet].name] = Double(nest.outputBytes)
        }
        let (stall, latency) = stall(traffic, compute: compute)
        let int32Lanes = Double(max(scheme.vectorBits / 32, 1))
        let overhead = Double(counts.aluOperations) / int32Lanes / vectorIssue / Double(cores) + latency
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: overhead,
                          bound: Self.bound(compute: compute, stall: stall, overhead: overhead))
    }

    // MARK: - Streaming kernels

    /// Elementwise, pooling, data-movement and host kernels: counted vector instructions (or ALU
    /// operations in int32 lanes, and MACs at the peak rate) over the vector issue rate, split
    /// over the cores; bytes at the first level against its bandwidth (overlapped by the
    /// out-of-order core), and past it if the kernel's bytes do not fit.
    func streamingCost(_ counts: ActionCounts) -> KernelCost {
        let int32Lanes = Double(max((target.section(SIMDSection.self)?.vectorWidthBits.value ?? 32) / 32, 1))
        let instructions = Double(counts.instructions.values.reduce(0, +))
        var issue = instructions > 0 ? instructions / vectorIssue : Double(counts.aluOperations) / int32Lanes / vectorIssue
        let peakMACs = (target.familyDetails.peakOperationsPerCycle / 2)
        if peakMACs > 0 { issue += Double(counts.totalMultiplyAccumulates) / peakMACs }
        let compute = issue / Double(cores)
        let read = counts.bytesRead.values.reduce(0, +), written = counts.bytesWritten.values.reduce(0, +)
        let index = level(holding: read + written)
        let first = target.memory[0]
        let firstTime = (Double(read) / first.readBytesPerCycle.value + Double(written) / first.writeBytesPerCycle.value) / Double(cores)
        var stall = max(0, firstTime - compute)
        var latency = 0.0
        if index > 0 {
            var traffic = LevelTraffic()
            traffic.bytesRead[target.memory[index].name] = Double(read)
            traffic.bytesWritten[target.memory[index].name] = Double(written)
            let beyond = self.stall(traffic, compute: compute)
            stall += beyond.stall
            latency = beyond.latency
        }
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: latency,
                          bound: Self.bound(compute: compute, stall: stall, overhead: latency))
    }

    static func bound(compute: Double, stall: Double, overhead: Double) -> PerformanceBound {
        if stall > compute && stall >= overhead { return .memory }
        if overhead > compute && overhead > stall { return .overhead }
        return .compute
    }
}
