/// One pass's estimate in Vela's terms (`npu_performance.estimate_full_op_performance`): NPU
/// cycles, access cycles per memory port, and bytes moved.
struct EthosUPassEstimate: Sendable, Hashable {
    /// Cycles of the MAC array and output stage (Vela's "NPU" column).
    var npuCycles: Double
    /// Cycles the arena port needs for the pass's burst-scaled traffic (Vela's "SRAM AC").
    var arenaAccessCycles: Double
    /// Cycles the constants port needs for the pass's weights and biases (Vela's "OffFlash AC" or "DRAM AC").
    var constantAccessCycles: Double
    /// Feature-map bytes read from and written to the arena.
    var arenaBytesRead: Int, arenaBytesWritten: Int
    /// Weight and bias bytes read from the constants memory.
    var constantBytesRead: Int
    /// The block configuration used.
    var blockConfig: EthosUBlockConfig?

    /// The pass's cycles: the slowest of the array and the two ports (Vela `update_summary_cycles`).
    var totalCycles: Double { max(npuCycles, arenaAccessCycles, constantAccessCycles) }
}

/// Vela 5.2's performance estimate of one pass (`ethosu/vela/npu_performance.py`), re-derived:
/// per OFM block, the MAC array's cycles (micro-blocks × kernel steps, with the pipeline delay of
/// single-micro-block passes) against the output stage's (elements × cycles per element, or the
/// bias fetch), both at least a quarter of the block's IFM/OFM transfer with latency; the pass takes
/// the larger per block times the blocks plus one of the other. Memory traffic: the IFM is re-read
/// per OFM block and sub-kernel, weights per OFM block (streamed from the constants memory), each
/// transfer scaled by the burst it achieves against the port's burst length.
///
/// Convolution weights are DMA'd into the arena (``EthosUPass/buffersWeights``), charged by
/// ``EthosUWeightBuffering``; weights count at the size of Vela's encoded stream (``EthosUWeights``).
/// Not modelled (stated in docs/cost-models/ethos-u.md): cascading.
struct EthosUPerformance: Sendable {
    let section: EthosUSection
    /// Bytes per cycle of the arena and constants ports (the memory levels' `readBytesPerCycle`).
    let arenaBytesPerCycle: Double, constantBytesPerCycle: Double
    /// The Vela core whose formulas apply (the section's unless given).
    let core: EthosUSection.Core

    init(section: EthosUSection, arenaBytesPerCycle: Double, constantBytesPerCycle: Double, core: EthosUSection.Core? = nil) {
        self.section = section
        self.arenaBytesPerCycle = arenaBytesPerCycle
        self.constantBytesPerCycle = constantBytesPerCycle
        self.core = core ?? section.core
    }

    /// The estimate of `pass`.
    func estimate(_ pass: EthosUPass) -> EthosUPassEstimate {
        let config = EthosUBlockConfig(for: pass, on: section, core: core)
        let npu = config.map { cycles(pass, config: $0) } ?? 0
        guard let config else {
            return EthosUPassEstimate(npuCycles: 0, arenaAccessCycles: 0, constantAccessCycles: 0, arenaBytesRead: 0,
                                      arenaBytesWritten: 0, constantBytesRead: 0, blockConfig: nil)
        }
        let access = accesses(pass, config: config)
        var ifmScaled = arenaTransferBytes(read: true, format: pass.ifmFormat, block: config.ifmBlock, shape: pass.ifm, elements: access.ifmRead)
        if let ifm2 = pass.ifm2 {
            ifmScaled += arenaTransferBytes(read: true, format: pass.ifmFormat, block: config.ifmBlock, shape: ifm2, elements: access.ifm2Read)
        }
        let ofmScaled = arenaTransferBytes(read: false, format: pass.ofmFormat, block: config.ofmBlock, shape: pass.ofm, elements: access.ofmWrite)
        guard pass.buffersWeights else {
            // Weights read in place: each weight fetch costs the encoded stream's bytes per weight
            // (Vela's `bandwidth_compression_scale_approx`: the stream less its scale records, over
            // the weight count), and each scale fetch a 10-byte record.
            var constants = Double(access.weightRead + access.biasRead * pass.biasBytes)
            if core == .regor, pass.weights != nil, pass.weightCount > 0 {
                // The default core reads the whole encoded stream (scales included) once per OFM
                // block in width and height (`ElementTransferToBytes`: `weightsRefetch × encodedWeightSize`).
                constants = Double(weightFetches(pass, config: config) * pass.encodedWeightBytes(config: config, section: section))
            } else if pass.weights != nil, pass.weightCount > 0 {
                let records = 10 * access.biasRead
                let stream = pass.encodedWeightBytes(config: config, section: section) - (pass.biasBytes > 0 ? records : 0)
                constants = Double(access.weightRead) * Double(stream) / Double(pass.weightCount) + Double(pass.biasBytes > 0 ? records : 0)
            }
            return EthosUPassEstimate(npuCycles: npu, arenaAccessCycles: portCycles(ofmScaled + ifmScaled, bytesPerCycle: arenaBytesPerCycle),
                                      constantAccessCycles: portCycles(constants, bytesPerCycle: constantBytesPerCycle),
                                      arenaBytesRead: access.ifmRead + access.ifm2Read, arenaBytesWritten: access.ofmWrite,
                                      constantBytesRead: Int(constants.rounded()), blockConfig: config)
        }
        // Buffered weights: DMA'd from the constants memory into the arena (charged by
        // ``EthosUWeightBuffering``). The Python core does not charge the array's reads of the
        // SRAM buffer as port traffic (`estimate_full_op_performance`); the default core does
        // (``EthosUStagedWeights``).
        let bytes = pass.encodedWeightBytes(config: config, section: section)
        var arenaCycles = portCycles(ofmScaled + ifmScaled, bytesPerCycle: arenaBytesPerCycle), constantCycles = 0.0
        if core == .regor, case .staged(let streams)? = pass.weightStaging {
            let refetches = weightFetches(pass, config: config)
            let streamed = max(streams.weightBytes - streams.prebufferedBytes, 0)
            let arenaBytes = ofmScaled + ifmScaled + Double(streamed + refetches * streams.weightBytes)
            arenaCycles = portCycles(arenaBytes, bytesPerCycle: arenaBytesPerCycle)
            constantCycles = portCycles(Double(streamed + refetches * streams.scaleBytes), bytesPerCycle: constantBytesPerCycle)
        }
        return EthosUPassEstimate(npuCycles: npu, arenaAccessCycles: arenaCycles,
                                  constantAccessCycles: constantCycles, arenaBytesRead: access.ifmRead + access.ifm2Read + bytes,
                                  arenaBytesWritten: access.ofmWrite + bytes, constantBytesRead: bytes, blockConfig: config)
    }

    /// How often the default core fetches a pass's weights: once per OFM block in height × width
    /// (`MeasureElementAccess`: `weightsRefetch`).
    func weightFetches(_ pass: EthosUPass, config: EthosUBlockConfig) -> Int {
        let blocks = pass.ofm.blocks(of: pass.ofm.clamped(to: config.ofmBlock))
        return blocks.height * blocks.width
    }

    // MARK: - Cycles

    /// Cycles a port needs for `bytes`: truncated in the default core (`MeasureAccessCycles`
    /// stores `bytes / Bandwidth()` in an `int64_t`), fractional in the Python core.
    func portCycles(_ bytes: Double, bytesPerCycle: Double) -> Double {
        core == .regor ? (bytes / bytesPerCycle).rounded(.down) : bytes / bytesPerCycle
    }

    /// NPU cycles of a pass (Vela `measure_cycle_cost`).
    func cycles(_ pass: EthosUPass, config: EthosUBlockConfig) -> Double {
        guard pass.blockType == .elementwise else { return convolutionCycles(pass, config: config).rounded(.down) }
        guard core == .python else { return regorElementwiseCycles(pass, config: config) }
        let rounding = pass.ofmFormat == .brick16 ? 16 : 1
        let elements = pass.ofm.roundedUp(to: FeatureMapShape(batch: 1, height: 1, width: 1, depth: rounding)).elements
        return (outputCyclesPerElement(pass, config: config) * Double(elements)).rounded(.up)
    }

    /// The output stage's cycles per element: the slower of the output kind's and the activation's
    /// rates (Vela's output performance tables; default core `EstimateAOCyclesPerElement`).
    func outputStageCyclesPerElement(_ pass: EthosUPass) -> Double {
        max(section.outputCyclesPerElement.value[pass.outputKind.rawValue], section.activationCyclesPerElement.value[pass.activation.rawValue])
    }

    /// Output-stage cycles per element in the Python core: the slower of the output kind's and the activation's
    /// rates; an elementwise pass also pays a quarter of its blocks' transfers (Vela
    /// `_estimate_output_cycles_per_element`).
    func outputCyclesPerElement(_ pass: EthosUPass, config: EthosUBlockConfig) -> Double {
        var perElement = outputStageCyclesPerElement(pass)
        if pass.blockType == .elementwise {
            let blockElements = Double(config.ofmBlock.elements)
            let (ifmCycles, ofmCycles) = minimumBlockTransferCycles(pass, config: config)
            let command = (ifmCycles + ofmCycles + perElement * blockElements) / 4
            perElement = max(perElement, command / blockElements)
        }
        return perElement
    }

    /// The OFM micro-block a pass computes in: the array's, or 1×4 where the 1-D optimisation
    /// applies (2-row micro-blocks, one OFM row of even width, a one-row kernel). The Python core
    /// applies it to convolutions, depthwise convolutions and vector products; the default core to
    /// convolutions and fully connected layers (`GetOfmMicroBlock`).
    func microBlock(_ pass: EthosUPass) -> FeatureMapShape {
        let micro = section.ofmMicroBlock.value
        let applies = core == .python ? [.convolution, .depthwise, .vectorProduct].contains(pass.blockType)
            : [.convolution, .vectorProduct].contains(pass.blockType)
        if micro.height == 2, applies, pass.ofm.height == 1, pass.ofm.width % 2 == 0, pass.kernelHeight == 1 {
            return FeatureMapShape(batch: 1, height: 1, width: 4, depth: micro.depth)
        }
        return FeatureMapShape(batch: 1, height: micro.height, width: micro.width, depth: micro.depth)
    }

    /// MAC-array cycles of one OFM block (`ofmBlock`, clipped to the OFM): micro-blocks × kernel
    /// steps per sub-kernel of at most 8×8, with the pipeline delay of single-micro-block blocks,
    /// times the IFM depth blocks of a convolution, shared by the cores (Vela `_estimate_conv_cycles`,
    /// a float division; default core `EstimateMacCyclesPerBlock`, an integer one, and an 8-bit
    /// pooling step takes 4 times as long).
    func macCyclesPerBlock(_ pass: EthosUPass, config: EthosUBlockConfig, ofmBlock: FeatureMapShape, ublock: FeatureMapShape) -> Double {
        let ifmBlock = pass.ifm.clamped(to: config.ifmBlock)
        let ublocksX = divideRoundingUp(ofmBlock.width, ublock.width), ublocksY = divideRoundingUp(ofmBlock.height, ublock.height)
        let ublocksXY = ublocksX * ublocksY, ublocksZ = divideRoundingUp(ofmBlock.depth, ublock.depth)
        let limit = pass.blockType == .vectorProduct && core == .python ? 1 : EthosUBlockConfig.subKernelMaximum
        let subKernelsY = (0..<divideRoundingUp(pass.kernelHeight, limit)).map { min(pass.kernelHeight - $0 * limit, limit) }
        let subKernelsX = (0..<divideRoundingUp(pass.kernelWidth, limit)).map { min(pass.kernelWidth - $0 * limit, limit) }
        let writeBack = 32 * ublock.depth / 8
        // The accumulator write-back delay with 32-bit accumulators: 3 cycles on the U55-32, 2 on
        // every other array (both cores; 40-bit accumulators, for 16-bit inputs, do not occur here).
        let smallestArray = section.accelerator == "ethos-u55-32"
        let delay = smallestArray ? 3 : 2
        // 8-bit pooling: `cycles * (ifmBits / 2)` in the default core except on the U55-32,
        // unscaled in the Python core.
        let poolingFactor = core == .regor && !smallestArray ? 4 : 1
        var arrayCycles = 0
        for y in subKernelsY {
            for x in subKernelsX {
                let elements = x * y
                let steps: Int
                var cycles: Int
                switch pass.blockType {
                case .pooling:
                    steps = 1
                    cycles = max(4, elements) * ublocksXY * ublocksZ * poolingFactor
                case .depthwise:
                    steps = divideRoundingUp(elements, 4)
                    cycles = max(writeBack, 4 * ublocksXY) * steps * ublocksZ
                case .convolution where config.isPartKernel:
                    steps = divideRoundingUp(elements, 4)
                    cycles = max(writeBack, 4 * ublocksXY) * steps * divideRoundingUp(ifmBlock.depth, 8) * ublocksZ
                default:
                    steps = elements
                    cycles = max(writeBack, 4 * ublocksXY) * steps * ublocksZ
                }
                var delayCycles = 0
                if ublocksX == 1, ublocksY == 1 {
                    if ublocksZ == 1 { delayCycles = delay * steps } else if steps > 1 { delayCycles = delay * (steps - 1) * ublocksZ }
                }
                if pass.blockType == .convolution, config.isPartKernel { delayCycles *= divideRoundingUp(ifmBlock.depth, 8) }
                arrayCycles += cycles + delayCycles
            }
        }
        if pass.blockType == .convolution || pass.blockType == .vectorProduct {
            arrayCycles *= divideRoundingUp(pass.ifm.depth, ifmBlock.depth)
        }
        let cores = section.cores.value
        return core == .python ? Double(arrayCycles) / Double(cores) : Double(arrayCycles / cores)
    }

    /// Cycles of a convolution-like pass (Vela `_estimate_conv_cycles`): every OFM block in full,
    /// the slower of the MAC array and the output stage per block (both at least a quarter of the
    /// block's IFM and OFM transfers), plus one block of the other.
    func convolutionCycles(_ pass: EthosUPass, config: EthosUBlockConfig) -> Double {
        guard core == .python else { return regorMacOpCycles(pass, config: config) }
        let ublock = microBlock(pass)
        var ofmBlock = pass.ofm.clamped(to: config.ofmBlock)
        if ublock.height == 1, section.ofmMicroBlock.value.height == 2 { ofmBlock.height = 1 }
        var dpu = macCyclesPerBlock(pass, config: config, ofmBlock: ofmBlock, ublock: ublock)
        let blocks = pass.ofm.blocks(of: ofmBlock).elements
        var output = outputBlockCycles(pass, config: config, ofmBlock: ofmBlock)
        let (ifmCycles, ofmCycles) = minimumBlockTransferCycles(pass, config: config)
        let command = (ifmCycles + ofmCycles + output + dpu) / 4
        dpu = max(dpu, command)
        output = max(output, command)
        return dpu > output ? dpu * Double(blocks) + output : output * Double(blocks) + dpu
    }

    /// Output-stage cycles of one OFM block: its elements at the output stage's rate, or the
    /// fetch of its scales and biases (10 bytes per channel at the latency of the memory they
    /// come from) if slower.
    func outputBlockCycles(_ pass: EthosUPass, config: EthosUBlockConfig, ofmBlock: FeatureMapShape) -> Double {
        let perElement = core == .python ? outputCyclesPerElement(pass, config: config) : outputStageCyclesPerElement(pass)
        var output = (perElement * Double(ofmBlock.elements)).rounded(.up)
        if pass.biasBytes > 0 {
            // Scales and biases come from the weight buffer in the arena when the weights are buffered.
            let latency = pass.buffersWeights ? section.arena.readLatencyCycles.value : section.constants.readLatencyCycles.value
            output = max(output, 10 * Double(ofmBlock.depth) * Double(latency) / 256)
        }
        return output
    }

    /// `elements` bytes of a feature map moved on the arena port, scaled by the burst each access
    /// achieves, by the core's rule.
    func arenaTransferBytes(read: Bool, format: FeatureMapFormat, block: FeatureMapShape, shape: FeatureMapShape, elements: Int) -> Double {
        guard core == .python else { return Double(regorTransferBytes(read: read, format: format, block: block, shape: shape, elements: elements)) }
        return transferBytes(read: read, port: section.arena, format: format, block: block, shape: shape, bytes: Double(elements))
    }

    /// Cycles to move one IFM block in and one OFM block out, latency included (Vela `_estimate_minimum_memory_cycles`).
    func minimumBlockTransferCycles(_ pass: EthosUPass, config: EthosUBlockConfig) -> (Double, Double) {
        let ifmBytes = Double(pass.ifm.clamped(to: config.ifmBlock).elements)
        let ofmBytes = Double(pass.ofm.clamped(to: config.ofmBlock).elements)
        let port = section.arena
        let ifm = Double(port.readLatencyCycles.value)
            + transferBytes(read: true, port: port, format: pass.ifmFormat, block: config.ifmBlock, shape: pass.ifm, bytes: ifmBytes) / arenaBytesPerCycle
        let ofm = Double(port.writeLatencyCycles.value)
            + transferBytes(read: false, port: port, format: pass.ofmFormat, block: config.ofmBlock, shape: pass.ofm, bytes: ofmBytes) / arenaBytesPerCycle
        return (ifm, ofm)
    }

    /// `bytes` scaled by how much of the port's burst each access uses (Vela
    /// `_estimate_memory_transfer_efficiency`, 8-bit elements; an OFM write burst spans the cores).
    func transferBytes(read: Bool, port: EthosUSection.Port, format: FeatureMapFormat, block: FeatureMapShape, shape: FeatureMapShape,
                       bytes: Double) -> Double {
        var burst: Int
        switch format {
        case .brick16:
            burst = 16 * shape.width == block.depth ? block.depth * block.width : 16 * block.width * (read ? 1 : section.cores.value)
        case .nhwc:
            if read {
                burst = block.depth == 1 ? block.depth * block.width : block.depth
            } else {
                burst = block.depth <= 16 && block.depth == 1 ? block.depth * block.width : min(64, 16 * section.cores.value, block.depth)
            }
        }
        burst = max(1, min(port.burstLengthBytes.value, burst))
        return bytes * Double(port.burstLengthBytes.value) / Double(burst)
    }

    // MARK: - Element accesses

    /// Elements the pass reads and writes (Vela `measure_element_access`).
    func accesses(_ pass: EthosUPass, config: EthosUBlockConfig) -> (ifmRead: Int, ifm2Read: Int, ofmWrite: Int, weightRead: Int, biasRead: Int) {
        let ifmRounding = FeatureMapShape(batch: 1, height: 1, width: 1, depth: pass.ifmFormat == .brick16 ? 16 : 1)
        let ofmRounding = FeatureMapShape(batch: 1, height: 1, width: 1, depth: pass.ofmFormat == .brick16 ? 16 : 1)
        let ofmWrite = pass.ofm.roundedUp(to: ofmRounding).elements
        if pass.blockType == .elementwise {
            let full = pass.ofm.roundedUp(to: ifmRounding).elements
            let first = pass.ifm.elements == 1 ? 0 : full
            let second = pass.ifm2.map { $0.elements > 1 || pass.ifm.elements == 1 ? full : 0 } ?? 0
            return (first, second, ofmWrite, 0, 0)
        }
        let ifmBlock = pass.ifm.clamped(to: config.ifmBlock)
        let ofmBlock = pass.ofm.clamped(to: config.ofmBlock)
        var blocks = pass.ofm.blocks(of: ofmBlock)
        var blockDepth = ofmBlock.depth
        if pass.blockType == .depthwise || pass.blockType == .pooling {
            blocks.depth = 1
            blockDepth = pass.ifm.depth
        }
        let limit = pass.blockType == .vectorProduct ? 1 : EthosUBlockConfig.subKernelMaximum
        let subKernels = divideRoundingUp(pass.kernelWidth, limit) * divideRoundingUp(pass.kernelHeight, limit)
        let ifmFetch = ifmBlock.roundedUp(to: ifmRounding).area * pass.ifm.roundedUp(to: ifmRounding).depth
        let kernelRead = pass.blockType == .depthwise || pass.blockType == .pooling ? pass.kernelElements : pass.kernelElements * pass.ifm.depth
        let ifmRead = ifmFetch * subKernels * blocks.elements
        guard pass.blockType != .pooling else { return (ifmRead, 0, ofmWrite, 0, 0) }
        return (ifmRead, 0, ofmWrite, kernelRead * blockDepth * blocks.elements, pass.ofm.depth)
    }
}
