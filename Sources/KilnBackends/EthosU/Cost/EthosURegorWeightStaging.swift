import KilnCompiler

/// Vela 5.2's default core ("regor") choosing, for each pass with weights, between DMA-ing them
/// into the arena SRAM in depth slices and reading them in place, re-derived from
/// `ethosu/regor/compiler/scheduler.cpp` (sdist): `Scheduler::ProposeSlicedWeightBuffering`,
/// `EstimateSlicedOpPerformance`, `TryWeightBuffering`, and the charge of
/// `NetworkPerformance::EstimateFullOpPerformance`. The Python core always buffers convolution
/// weights and never fully connected ones; the default core stages a pass's weights where the
/// arena is faster to read than the weights' memory and the staged pass, with its depth slices'
/// transfers hidden under the slack the previous pass leaves, is no slower than reading in place.
/// Staged, the pass fetches its scales at the arena's latency (`EstimateMacOpCycles`:
/// `weightStagingMemory`), which is what makes ad01's fully connected layers faster on the U65,
/// whose DRAM latency is 500 cycles.
///
/// Simplifications, exact for the graphs Kiln gives the family (no cascades, no transposed OFM,
/// one weight tensor per layer, feature maps in the arena as in Vela's `Shared_Sram` mode): the
/// IFM-staging comparison and `PreferFutureOpPerformance` only apply when the IFM lives outside
/// the staging memory, and the buffer limit is the arena's capacity (Vela: what the schedule
/// leaves free there, far above these weights).
extension EthosUWeightBuffering {
    /// A staged pass: its charged NPU cycles, the slack it leaves the next pass, its weight
    /// buffers in the arena (``stagedBuffers(_:sliceCount:prebuffered:)``) and the streams its
    /// memory estimate charges.
    struct RegorStaging: Sendable {
        let cycles: Double
        let slack: Double
        let buffers: [WorkingBuffer]
        let streams: EthosUStagedWeights
    }

    /// The arena buffers of weights staged in parts of `parts` bytes (one, or a double-buffered
    /// pair) for slices of `sliceCount`, as Vela's live ranges hold them (`ExtractLiveRangesFromCascades`):
    /// the first part from the previous pass's hand-over when `prebuffered` (Vela's `preBuffer`:
    /// not the network's first operator), and only the part holding the last slice
    /// (`(slices − 1) mod parts`) through the pass's own hand-over.
    static func stagedBuffers(_ parts: [Int], sliceCount: Int, prebuffered: Bool) -> [WorkingBuffer] {
        parts.indices.map { part in
            WorkingBuffer(bytes: parts[part], fillsDuringPreviousStep: part == 0 && prebuffered,
                          heldThroughHandOver: part == (sliceCount - 1) % parts.count)
        }
    }

    /// Vela's `STARTUP_DELAY_CYCLES`: a transfer hidden below it counts as hidden.
    static let startupDelayCycles = 1000

    /// The staging of `pass` (a pass with weight values) when the default core would
    /// choose it after a pass leaving `slack` cycles, or nil when it reads the weights in place.
    /// `startsChain`: the first NPU pass of the network or after a host operator (no prebuffering).
    func regorStaging(_ pass: EthosUPass, config: EthosUBlockConfig, slack: Double, startsChain: Bool) -> RegorStaging? {
        let split = EthosUBlockConfig.splitDepth
        let bytes = pass.encodedWeightBytes(config: config, section: model.section)
        let depth = pass.ofm.depth
        let slackCycles = Int(slack)
        let fullTransfer = regorTransferCycles(bytes: bytes)
        let refetches = model.weightFetches(pass, config: config)
        let unmoved = minimumReadCycles(bytes: bytes, bytesPerCycle: model.constantBytesPerCycle,
                                        latency: model.section.constants.readLatencyCycles.value) * refetches
        let fromBuffer = minimumReadCycles(bytes: bytes, bytesPerCycle: model.arenaBytesPerCycle,
                                           latency: model.section.arena.readLatencyCycles.value) * refetches
        guard fromBuffer < unmoved else { return nil }

        let smallestTransfer = Int(Double(fullTransfer) * Double(min(depth, split)) / Double(depth))
        let allowPreBuffer = !startsChain
        let forceInitialBuffer = startsChain && refetches > 1
            && (smallestTransfer < unmoved / 10 || smallestTransfer <= Self.startupDelayCycles)
        var inPlace = pass
        inPlace.weightStaging = .inPlace
        let reference = Int(model.regorMacOpCycles(inPlace, config: config))
        let opCycleDominated = reference > unmoved
        // Method: sliced (every weighted pass can be subdivided in depth; full-depth buffering is only for
        // weights shared by adjacent operators or passes that cannot be sliced).
        let fullBuffered = fromBuffer + max(fullTransfer - slackCycles, 0)
        let expectedSlices = depth / config.ofmBlock.depth
        guard forceInitialBuffer || fullBuffered < unmoved || expectedSlices > 2
                || (allowPreBuffer && smallestTransfer < slackCycles && refetches > 1) else { return nil }

        let slices = depthSlices(pass, config: config, bytes: bytes, fullTransfer: fullTransfer, slack: slackCycles,
                                 opCycleDominated: opCycleDominated)
        guard let slices else { return nil }
        let ranges = zip(slices, slices.dropFirst()).map { start, end in
            pass.depthSlice(start..<end).encodedWeightBytes(config: config, section: model.section)
        }
        // `TryWeightBuffering`: double-buffered when both halves fit and there is more than one slice.
        let parts = Self.bufferParts(ranges)
        let double = parts.count == 2 && parts.reduce(0, +) <= stagingLimitBytes
        let single = ranges.max()!
        guard double || single <= stagingLimitBytes else { return nil }
        let usableSlack = allowPreBuffer ? slackCycles : (forceInitialBuffer ? Self.startupDelayCycles : 0)

        // `EstimateSlicedOpPerformance` with the weights (and scales) read from the arena.
        var staged = pass
        staged.weightStaging = .staged(EthosUStagedWeights())
        var run = 0, visible = 0, sliceSlack = usableSlack, lastSlice = 0, ifmBytes = 0, weightBytes = 0
        for index in ranges.indices {
            let slice = staged.depthSlice(slices[index]..<slices[index + 1])
            let cycles = Int(model.regorMacOpCycles(slice, config: config, first: index == 0,
                                                    last: index == ranges.count - 1))
            let transfer = regorTransferCycles(bytes: ranges[index])
            if transfer > sliceSlack { visible += transfer - sliceSlack }
            run += cycles
            sliceSlack = double ? cycles : 0
            lastSlice = cycles
            ifmBytes += model.accesses(slice, config: config).ifmRead
            weightBytes += ranges[index] * refetches
        }
        let fetches = refetches * ranges.count
        let weightRead = minimumReadCycles(bytes: weightBytes / fetches, bytesPerCycle: model.arenaBytesPerCycle,
                                           latency: model.section.arena.readLatencyCycles.value) * fetches
        let ifmRead = minimumReadCycles(bytes: ifmBytes, bytesPerCycle: model.arenaBytesPerCycle,
                                        latency: model.section.arena.readLatencyCycles.value)
        let original = max(reference, unmoved, ifmRead)
        var new = max(run + visible, weightRead, ifmRead)
        if opCycleDominated {
            if visible / ranges.count < Self.startupDelayCycles { new -= visible }
            if ranges.count > 1, run + visible == new, forceInitialBuffer { new -= ranges.count * (Self.startupDelayCycles / 2) }
        }
        guard original >= new, !(refetches == 1 && fullTransfer + weightRead > original) else { return nil }

        // The charge of the final estimate: the whole pass at arena latency, after the part of the
        // first slice's transfer the previous pass does not hide, or the full transfer's visible
        // part followed by the last slice, whichever is longer.
        let whole = Int(model.regorMacOpCycles(staged, config: config))
        let first = max(regorTransferCycles(bytes: ranges[0]) - slackCycles, 0)
        let charged = max(fullTransfer - slackCycles + lastSlice, whole + first)
        let scaleBytes = zip(slices, slices.dropFirst()).reduce(0) { $0 + pass.depthSlice($1.0..<$1.1).encodedScaleBytes(section: model.section) }
        let streams = EthosUStagedWeights(weightBytes: ranges.reduce(0, +) - scaleBytes, scaleBytes: scaleBytes,
                                          prebufferedBytes: startsChain ? 0 : ranges[0])
        return RegorStaging(cycles: Double(charged), slack: Double(lastSlice),
                            buffers: Self.stagedBuffers(double ? parts : [single], sliceCount: ranges.count, prebuffered: !startsChain),
                            streams: streams)
    }

    /// The output-depth boundaries the default core slices staged weights into: the prebuffered
    /// depth the previous pass's slack covers, then slices of about the depth computed while one
    /// transfers (whole OFM blocks); nil when the slices would leave the OFM blocks under 30 %
    /// used on a pass dominated by its own cycles.
    func depthSlices(_ pass: EthosUPass, config: EthosUBlockConfig, bytes: Int, fullTransfer: Int, slack: Int,
                     opCycleDominated: Bool) -> [Int]? {
        let split = EthosUBlockConfig.splitDepth, depth = pass.ofm.depth, blockDepth = config.ofmBlock.depth
        let halfLimit = stagingLimitBytes / 2
        let minimumSplit = min(Double(split) / Double(depth), 1)
        let halfSplit = min(Double(halfLimit) / Double(bytes), 1)
        let transferRatio = min(Double(slack) / Double(fullTransfer), 1)
        // A prebuffer that would leave a small tail piece becomes the whole depth.
        let aligned = (transferRatio / minimumSplit).rounded(.down) * minimumSplit
        var ratio = 1 - aligned < minimumSplit / 2 ? 1 : transferRatio
        if opCycleDominated, ratio > 0.5, ratio < 1 {
            ratio = min(max(Double(roundUp(depth / 2, split)) / Double(depth), 0.5), 1)
        }
        ratio = min(max(ratio, minimumSplit), halfSplit)
        guard ratio < 1 else { return [0, depth] }

        var prebuffer = max(Int(Double(depth) * ratio) / split * split, split)
        var buffering = 0
        if prebuffer < depth {
            let preCycles = Int(model.regorMacOpCycles(pass.stagingWeights.depthSlice(0..<prebuffer), config: config, last: false))
            buffering = roundUp(max(depth * preCycles / fullTransfer, split), blockDepth)
            if Int(Double(buffering) / Double(depth) * Double(bytes)) > halfLimit {
                buffering = Int(Double(halfLimit) / Double(bytes) * Double(depth))
            }
        }
        var slices = [0, depth]
        while buffering != 0 {
            let granule = buffering > blockDepth ? blockDepth : split
            buffering = max(buffering / granule * granule, split)
            slices = [0] + Array(stride(from: prebuffer, to: depth, by: buffering)) + [depth]
            let largest = zip(slices, slices.dropFirst()).map { start, end in
                pass.depthSlice(start..<end).encodedWeightBytes(config: config, section: model.section)
            }.max()!
            if largest <= halfLimit || (prebuffer == split && buffering == split) { break }
            if buffering > prebuffer { buffering = roundUp(buffering / 2, split) } else { prebuffer = roundUp(prebuffer / 2, split) }
        }
        if slices.count > 3, Float(buffering) / Float(roundUp(buffering, blockDepth)) < 0.3, opCycleDominated { return nil }
        return slices
    }

    /// Cycles to DMA `bytes` from the constants memory into the arena in the default core
    /// (`EthosU55Performance::MemToMemCycles`: the slower of reading at the source's bandwidth
    /// after its read latency and writing at the arena's after its write latency).
    func regorTransferCycles(bytes: Int) -> Int {
        let from = Int(Float(bytes) / Float(model.constantBytesPerCycle)) + model.section.constants.readLatencyCycles.value
        let to = Int(Float(bytes) / Float(model.arenaBytesPerCycle)) + model.section.arena.writeLatencyCycles.value
        return max(from, to)
    }

    /// Cycles to read `bytes` from a memory (`EthosU55Performance::MinReadCycles`: bytes over
    /// bandwidth plus the read latency, truncated).
    func minimumReadCycles(bytes: Int, bytesPerCycle: Double, latency: Int) -> Int {
        Int(Double(bytes) / bytesPerCycle + Double(latency))
    }
}

extension EthosUPass {
    /// The pass computing output channels `channels` of this one (a depth slice of its weights).
    func depthSlice(_ channels: Range<Int>) -> EthosUPass {
        var copy = withOutputDepth(channels.count)
        copy.firstChannel = firstChannel + channels.lowerBound
        return copy
    }

    /// The pass with its weights staged in the arena.
    var stagingWeights: EthosUPass {
        var copy = self
        copy.weightStaging = .staged(EthosUStagedWeights())
        return copy
    }
}
