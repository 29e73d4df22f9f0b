import KilnCompiler

/// Vela's accounting of buffered weights (`Scheduler.propose_weight_buffering` and
/// `npu_performance.estimate_full_op_performance`, Vela 5.2 Python core), pass after pass.
///
/// Each pass leaves the next one some *slack*: NPU cycles under which the next pass's weights
/// can be DMA'd (its own cycles, or only its last depth slice's when its weights were sliced).
/// A pass whose whole weight transfer fits in the slack pays nothing for it. Otherwise Vela
/// prebuffers the output depth the slack covers (a multiple of 16, at least 16), streams the
/// rest in slices of about the depth the array computes while a slice transfers (whole OFM
/// blocks), double-buffered, and charges `max(full − slack + tail, cycles + max(first − slack, 0))`,
/// where `tail` is the last slice's cycles and `first` the first slice's transfer; a pass whose
/// weights stay in one slice charges `cycles + full − slack`. Fully connected weights are read in
/// place and pay nothing here (their traffic is the constants port's). Following Vela's default
/// core, every pass with weight values is instead staged or read in place by that core's own test
/// (``regorStaging(_:config:slack:startsChain:)``); passes with synthesised weights (a MEAN's unit
/// kernel) keep the rule above.
struct EthosUWeightBuffering: Sendable {
    let model: EthosUPerformance
    /// The bytes the arena can give weight buffers (the arena level's capacity).
    let stagingLimitBytes: Int

    /// One pass's charge: its NPU cycles with weight transfers, whether the default core
    /// stages its weights in the arena (nil: the Python core's rule by block type), and the
    /// arena's weight buffers around it.
    struct Charge: Sendable, Hashable {
        let cycles: Double
        let weightStaging: EthosUWeightStaging?
        var buffers: [WorkingBuffer] = []
        /// The bytes its weights take in the constants memory when the default core stages them in
        /// depth slices, each slice its own stream (nil: one stream of the whole pass).
        var storedWeightBytes: Int? = nil
    }

    /// The weight buffers of weights DMA'd in depth slices whose streams take `ranges` bytes:
    /// two buffers, the largest even and the largest odd slice, when there is more than one
    /// slice; otherwise one buffer of the whole stream (Vela `TryWeightBuffering`, the
    /// `doubleBufferSizes` of `EncodeWeightAndScaleTensor`).
    static func bufferParts(_ ranges: [Int]) -> [Int] {
        guard ranges.count > 1 else { return [ranges.reduce(0, +)] }
        return ranges.indices.reduce(into: [0, 0]) { $0[$1 % 2] = max($0[$1 % 2], ranges[$1]) }
    }

    /// The charge of each pass, in order; a nil entry breaks the chain (an operator on the
    /// host: Vela starts a new NPU subgraph after it).
    func charges(_ passes: [EthosUPass?]) -> [Charge?] {
        var slack = 0.0, startsChain = true
        return passes.map { pass -> Charge? in
            guard let pass, let config = EthosUBlockConfig(for: pass, on: model.section, core: model.core) else {
                slack = 0
                startsChain = true
                return nil
            }
            defer { startsChain = false }
            if model.core == .regor, pass.weights != nil, pass.weightCount > 0 {
                if let staging = regorStaging(pass, config: config, slack: slack, startsChain: startsChain) {
                    slack = staging.slack
                    return Charge(cycles: staging.cycles, weightStaging: .staged(staging.streams), buffers: staging.buffers,
                                  storedWeightBytes: staging.streams.storedBytes)
                }
                var inPlace = pass
                inPlace.weightStaging = .inPlace
                slack = model.cycles(inPlace, config: config)
                return Charge(cycles: slack, weightStaging: .inPlace)
            }
            let cycles = model.cycles(pass, config: config)
            guard pass.buffersWeights else {
                slack = cycles
                return Charge(cycles: cycles, weightStaging: nil)
            }
            let full = transferCycles(bytes: pass.encodedWeightBytes(config: config, section: model.section))
            let whole = pass.encodedWeightBytes(config: config, section: model.section)
            guard full > slack else {
                slack = cycles
                return Charge(cycles: cycles, weightStaging: nil, buffers: [WorkingBuffer(bytes: whole)])
            }
            let slices = depthSlices(pass, config: config, full: full, slack: slack)
            let tail = model.cycles(pass.withOutputDepth(slices[slices.count - 1] - slices[slices.count - 2]), config: config)
            let first = transferCycles(bytes: pass.withOutputDepth(slices[1]).encodedWeightBytes(config: config, section: model.section))
            let charged = slices.count > 2 ? max(full - slack + tail, cycles + max(first - slack, 0)) : cycles + full - min(first, slack)
            slack = slices.count > 2 ? tail : cycles
            let ranges = zip(slices, slices.dropFirst()).map { pass.depthSlice($0..<$1).encodedWeightBytes(config: config, section: model.section) }
            return Charge(cycles: charged, weightStaging: nil, buffers: [WorkingBuffer(bytes: Self.bufferParts(ranges).reduce(0, +))])
        }
    }

    /// Cycles to DMA `bytes` from the constants memory to the arena (Vela `measure_mem2mem_cycles`).
    func transferCycles(bytes: Int) -> Double {
        let from = (Double(bytes) / model.constantBytesPerCycle).rounded(.down) + Double(model.section.constants.readLatencyCycles.value)
        return max(from, (Double(bytes) / model.arenaBytesPerCycle).rounded(.down))
    }

    /// Output-depth boundaries of the weight slices: `[0, prebuffered, …, depth]`.
    func depthSlices(_ pass: EthosUPass, config: EthosUBlockConfig, full: Double, slack: Double) -> [Int] {
        let depth = pass.ofm.depth, split = EthosUBlockConfig.splitDepth
        let prebuffer = max(split, Int(Double(depth) * (slack / full)) / split * split)
        let preCycles = model.cycles(pass.withOutputDepth(min(prebuffer, depth)), config: config)
        let blockDepth = config.ofmBlock.depth
        // Vela's round_up on a float: ⌊(x + b − 1) / b⌋ × b.
        let buffering = Double(depth) * (preCycles / full)
        var step = Int(((buffering + Double(blockDepth - 1)) / Double(blockDepth)).rounded(.down)) * blockDepth
        step = step > blockDepth ? step / blockDepth * blockDepth : step / split * split
        step = max(step, split)
        var slices = [0]
        if prebuffer < depth { slices += Array(stride(from: prebuffer, to: depth, by: step)) }
        slices.append(depth)
        return slices
    }
}

extension EthosUPass {
    /// The pass computing only the first `depth` output channels (Vela `with_depth` on the OFM).
    func withOutputDepth(_ depth: Int) -> EthosUPass {
        var copy = self
        copy.weightCount = weightCount / max(ofm.depth, 1) * depth
        copy.ofm.depth = depth
        return copy
    }
}
