/// Vela 5.2's default core ("regor", C++: `ethosu/regor/architecture/ethosu55/ethos_u55_performance.cpp`
/// in the sdist; the U65 uses the same class), re-derived where it costs a pass differently from
/// the Python core:
///
/// - **Fractional OFM blocks** (`EstimateMacOpCycles`): a pass runs the OFM's micro-blocks over a
///   block's micro-blocks blocks (kws's 25×5×64 depthwise on U55-64, block 12×5×16: 1,000 / 120 =
///   8.33), where the Python core charges every block in full (3 × 4 = 12).
/// - **Command issue limit**: a quarter of the MAC and output cycles plus the *difference* of one
///   IFM and one OFM block transfer (none for a single block), where the Python core adds both.
/// - **First and last block**: a pass on its own (`OpScheduling::Single`, as the final estimate
///   queries it) adds one IFM block transfer before and one OFM block transfer after.
/// - **Elementwise** (`EstimateElementwiseCycles`): the slower of the output stage and the command
///   issue limit over the whole OFM, the limit's block transfer being the slower of IFM and OFM.
/// - **Burst sizes** (`EstimateMemoryTransfer`): an NHWC transfer is a whole W×C row when the
///   tensor's depth equals the block's; byte counts are integers.
///
/// Truncations follow the source: `int64_t` casts of float quotients and of the block totals.
extension EthosUPerformance {
    /// NPU cycles of a convolution-like pass (`EstimateMacOpCycles`). A pass on its own
    /// (`OpScheduling::Single`, the default) is both `first`, which adds one IFM block transfer,
    /// and `last`, which adds the last block's output stage (when the MAC array dominates) and one
    /// OFM block transfer; the depth slices of staged weights run `First`, `BackToBack`, …, `Last`.
    func regorMacOpCycles(_ pass: EthosUPass, config: EthosUBlockConfig, first: Bool = true, last: Bool = true) -> Double {
        let ofmBlock = pass.ofm.clamped(to: config.ofmBlock)
        let ublock = microBlock(pass)
        let ublocksPerBlock = ofmBlock.blocks(of: ublock).elements
        let blocks = Double(pass.ofm.blocks(of: ublock).elements) / Double(ublocksPerBlock)
        let output = outputBlockCycles(pass, config: config, ofmBlock: ofmBlock)
        let mac = macCyclesPerBlock(pass, config: config, ofmBlock: ofmBlock, ublock: ublock)
        let (ifmCycles, ofmCycles) = regorMinimumBlockTransferCycles(pass, config: config)
        let memory = blocks > 1 ? abs(ofmCycles - ifmCycles) : 0
        let command = (Double(memory) + mac + output) / 4
        let balancedMac = max(mac, command), balancedOutput = max(output, command)
        var total: Int
        if balancedMac > balancedOutput {
            total = Int(balancedMac * blocks)
            if last { total = Int(Double(total) + balancedOutput) }
        } else {
            total = Int(balancedOutput * blocks + balancedMac)
        }
        return Double(total + (last ? ofmCycles : 0) + (first ? ifmCycles : 0))
    }

    /// NPU cycles of an elementwise pass (`EstimateElementwiseCycles`).
    func regorElementwiseCycles(_ pass: EthosUPass, config: EthosUBlockConfig) -> Double {
        let rounding = pass.ofmFormat == .brick16 ? 16 : 1
        let elements = Double(pass.ofm.roundedUp(to: FeatureMapShape(batch: 1, height: 1, width: 1, depth: rounding)).elements)
        let perElement = outputStageCyclesPerElement(pass)
        let output = (perElement * elements).rounded(.up)
        let (ifmCycles, ofmCycles) = regorMinimumBlockTransferCycles(pass, config: config)
        let commandPerElement = (Double(max(ifmCycles, ofmCycles)) / Double(config.ofmBlock.elements) + perElement) / 4
        return max((commandPerElement * elements).rounded(.up), output)
    }

    /// Cycles to move one IFM block in (the slower of IFM and IFM2) and one OFM block out, latency
    /// included (`MinimumIfmCycles`, `MinimumOfmCycles`).
    func regorMinimumBlockTransferCycles(_ pass: EthosUPass, config: EthosUBlockConfig) -> (ifm: Int, ofm: Int) {
        let port = section.arena
        var ifm = 0
        for shape in [pass.ifm] + (pass.ifm2.map { [$0] } ?? []) {
            let bytes = regorTransferBytes(read: true, format: pass.ifmFormat, block: config.ifmBlock, shape: shape,
                                           elements: shape.clamped(to: config.ifmBlock).elements)
            ifm = max(ifm, port.readLatencyCycles.value + Int(Float(bytes) / Float(arenaBytesPerCycle)))
        }
        let bytes = regorTransferBytes(read: false, format: pass.ofmFormat, block: config.ofmBlock, shape: pass.ofm,
                                       elements: pass.ofm.clamped(to: config.ofmBlock).elements)
        return (ifm, port.writeLatencyCycles.value + Int(Float(bytes) / Float(arenaBytesPerCycle)))
    }

    /// `elements` 8-bit elements of `shape` moved in blocks of `block`, scaled by how much of the
    /// arena port's burst each access uses (`EstimateMemoryTransfer`; an OFM write burst spans the cores).
    func regorTransferBytes(read: Bool, format: FeatureMapFormat, block: FeatureMapShape, shape: FeatureMapShape, elements: Int) -> Int {
        let burst: Int
        switch format {
        case .brick16:
            burst = 16 * shape.width == block.depth ? block.width * block.depth : 16 * block.width * (read ? 1 : section.cores.value)
        case .nhwc:
            let rowFits = shape.depth == block.depth
            if read {
                burst = rowFits ? block.width * block.depth : block.depth
            } else {
                burst = block.depth <= 16 && rowFits ? block.width * block.depth : min(64, 16 * section.cores.value, block.depth)
            }
        }
        let maximum = section.arena.burstLengthBytes.value
        return elements * maximum / max(1, min(maximum, burst))
    }
}
