/// The OFM and IFM block shapes a pass runs with, and how its kernel walks the input depth, chosen
/// the way Vela 5.2 chooses them (`architecture_allocator.find_block_config`): every OFM block
/// that is a multiple of the micro-block and whose double-buffered IFM and accumulator blocks
/// fit the SHRAM is scored by the IFM and weight elements fetched per output element, and the
/// cheapest (ties: the larger IFM coverage among blocks of at most 4×4) wins. The default core
/// (`ArchEthosU55::FindBlockConfig`) searches the same way; the two differ in the traversal they
/// choose when part-kernel and depth-first use the array equally (``prefersPartKernel(ifmDepth:kernelElements:core:)``)
/// and in which blocks they skip after one did not fit.
struct EthosUBlockConfig: Sendable, Hashable {
    /// The OFM block (before the 1-D optimisation of 2-row micro-blocks).
    var ofmBlock: FeatureMapShape
    /// The IFM block feeding it.
    var ifmBlock: FeatureMapShape
    /// Whether the convolution walks its kernel in parts of 4 positions × 8 channels ("part
    /// kernel first") rather than depth first. Only a convolution's traversal changes its cycles
    /// and weight stream; the Python core also marks depthwise passes, to no effect.
    var isPartKernel: Bool

    /// The largest OFM block (Vela `ofm_block_max`: width 64, height 32, depth 128).
    static let maximumOfmBlock = FeatureMapShape(batch: 1, height: 32, width: 64, depth: 128)
    /// OFM depth is split in multiples of 16 (Vela `OFMSplitDepth`).
    static let splitDepth = 16
    /// The largest sub-kernel (Vela `SubKernelMax`: 8×8).
    static let subKernelMaximum = 8
    /// SHRAM bank size in bytes (Vela `shram_bank_size`).
    static let bankBytes = 1024
    /// Banks reserved for output (Vela `shram_reserved_output_banks`).
    static let reservedOutputBanks = 2

    /// The configuration Vela's `core` chooses for `pass` on `section`'s NPU, or nil if no block fits.
    init?(for pass: EthosUPass, on section: EthosUSection, core: EthosUSection.Core) {
        let ublock = section.ofmMicroBlock.value
        let micro = FeatureMapShape(batch: 1, height: ublock.height, width: ublock.width, depth: ublock.depth)
        var ifm = pass.ifm
        if let ifm2 = pass.ifm2, ifm2.elements > ifm.elements { ifm = ifm2 }
        let elementwise = pass.blockType == .elementwise
        let scalar = pass.ifm2.map { $0.elements == 1 } ?? false
        let depthwise = pass.blockType == .depthwise
        let equalDepth = elementwise || pass.blockType == .pooling || depthwise
        let convolution = pass.blockType == .convolution || depthwise
        // Which passes may walk part-kernel first: the Python core counts depthwise convolutions
        // among them (`is_convolution`), the default core only convolutions (`EthosU55NpuOp::Convolution`).
        let traversable = core == .python ? convolution : pass.blockType == .convolution
        isPartKernel = traversable && Self.prefersPartKernel(ifmDepth: ifm.depth, kernelElements: pass.kernelElements, core: core)

        let granules = section.shramGranules.value
        let accumulatorGranule = granules[6]  // Acc32: int8 passes accumulate in 32 bits
        let ifmGranule = elementwise ? granules[2] : granules[0]
        let banks = section.shramBanks.value
        let endBanks = banks > 16 ? 2 : 0  // Vela `SHRAMConfig.reserved_end_banks`
        let lookupTableBanks = max(pass.activation == .lookupTable ? 2 : 0, endBanks)
        let repeats = divideRoundingUp(pass.kernelAreaWidth, Self.subKernelMaximum) * divideRoundingUp(pass.kernelAreaHeight, Self.subKernelMaximum)
        let ifmBlockDepth = roundUp(min(ifm.depth, isPartKernel ? 16 : 32), section.ifmMicroBlock.value.depth)
        let weightFetchArea = convolution ? pass.kernelAreaWidth * pass.kernelAreaHeight : 0

        let space = pass.ofm.clamped(to: Self.maximumOfmBlock).roundedUp(to: micro)
        var best = Double.infinity, bestCoverage = Double.infinity
        var chosen: (FeatureMapShape, FeatureMapShape)?
        var depth = max(ublock.depth, min(space.depth, Self.splitDepth))
        if depth < pass.ofm.depth { depth = roundUp(depth, Self.splitDepth) }
        while depth <= space.depth {
            var wontFit = Set<[Int]>()
            for height in stride(from: ublock.height, through: space.height, by: ublock.height) {
                for width in stride(from: ublock.width, through: space.width, by: ublock.width) {
                    if wontFit.contains([height, width]) { continue }
                    var ofmBlock = FeatureMapShape(batch: 1, height: height, width: width, depth: depth)
                    var ifmBlock = Self.ifmBlock(for: ofmBlock, pass: pass, microHeight: ublock.height, microWidth: ublock.width)
                    if !equalDepth { ifmBlock.depth = ifmBlockDepth }
                    if pass.ofm.height == 1, pass.kernelHeight == 1, ublock.height == 2 { ofmBlock.height = min(height, pass.ofm.height) }
                    guard Self.fits(ofm: ofmBlock, ifm: ifmBlock, elementwise: elementwise, scalar: scalar, totalBanks: banks,
                                    lookupTableBanks: lookupTableBanks, ifmGranule: ifmGranule, accumulatorGranule: accumulatorGranule) else {
                        // Blocks that do not fit are skipped at greater depths. The Python core records
                        // them as (width, height) but looks them up as (height, width), so it skips the
                        // transposed block; the default core records what it looks up.
                        wontFit.insert(core == .python ? [width, height] : [height, width])
                        continue
                    }
                    let full = pass.ofm.blocks(of: ofmBlock)
                    var cost: Double
                    if elementwise {
                        cost = Double(pass.ofm.elements) / Double(height * width * depth)
                        if core == .python { cost = max(cost, 1) }
                    } else {
                        let weightElements = weightFetchArea * ifm.depth * full.area
                        let ifmElements = ifmBlock.area * ifm.depth * repeats
                        cost = core == .python
                            ? Self.pythonFetchCost(pass: pass, ofmBlock: ofmBlock, fullDepth: full.depth, weightElements: weightElements,
                                                   ifmElements: ifmElements, depthwise: depthwise, equalDepth: equalDepth)
                            : Self.regorFetchCost(pass: pass, ofmBlock: ofmBlock, fullDepth: full.depth, weightElements: weightElements,
                                                  ifmElements: ifmElements, depthwise: depthwise, equalDepth: equalDepth)
                    }
                    if ifm.elements < ifmBlock.elements * 2 { cost /= 2 }
                    guard cost <= best else { continue }
                    if cost == best {
                        let covered = ifm.clamped(to: ifmBlock)
                        let coverage = Double(ifm.area) / Double(covered.area)
                        guard coverage <= bestCoverage, height <= 4, width <= 4 else { continue }
                        bestCoverage = coverage
                    } else {
                        bestCoverage = .infinity
                    }
                    best = cost
                    chosen = (FeatureMapShape(batch: 1, height: height, width: width, depth: depth), ifmBlock)
                }
            }
            depth += ublock.depth
            if depth < pass.ofm.depth { depth = roundUp(depth, Self.splitDepth) }
        }
        guard let chosen else { return nil }
        ofmBlock = chosen.0
        ifmBlock = chosen.1
    }

    /// IFM and weight elements fetched per OFM element, in the Python core's double arithmetic
    /// and order (`find_block_config`): ties between blocks are decided by it.
    static func pythonFetchCost(pass: EthosUPass, ofmBlock: FeatureMapShape, fullDepth: Int, weightElements: Int, ifmElements: Int,
                                depthwise: Bool, equalDepth: Bool) -> Double {
        let blocksHeight = Double(pass.ofm.height) / Double(ofmBlock.height)
        let blocksWidth = Double(pass.ofm.width) / Double(ofmBlock.width)
        let blocksDepth = Double(pass.ofm.depth) / Double(ofmBlock.depth)
        var weightFetch = Double(weightElements)
        if !depthwise { weightFetch *= Double(ofmBlock.depth) * blocksDepth }
        var ifmFetch = Double(ifmElements) * (blocksWidth * blocksHeight)
        if !equalDepth { ifmFetch *= Double(fullDepth) }
        return (ifmFetch + weightFetch) / Double(pass.ofm.elements)
    }

    /// The same cost in the default core's single-precision arithmetic and order
    /// (`ArchEthosU55::FindBlockConfig`: `float` block counts, width first); its ties differ from
    /// the Python core's (a 16×16 OFM: 10×6 costs less than 6×10 in `float`, the same in `double`).
    static func regorFetchCost(pass: EthosUPass, ofmBlock: FeatureMapShape, fullDepth: Int, weightElements: Int, ifmElements: Int,
                               depthwise: Bool, equalDepth: Bool) -> Double {
        let blocksX = Float(pass.ofm.width) / Float(ofmBlock.width)
        let blocksY = Float(pass.ofm.height) / Float(ofmBlock.height)
        let blocksZ = Float(pass.ofm.depth) / Float(ofmBlock.depth)
        var weightFetch = Float(weightElements)
        if !depthwise { weightFetch *= blocksZ * Float(ofmBlock.depth) }
        var ifmFetch = Float(ifmElements) * blocksX * blocksY
        if !equalDepth { ifmFetch *= Float(fullDepth) }
        return Double((ifmFetch + weightFetch) / Float(pass.ofm.elements))
    }

    /// Part-kernel-first when the input has at most 8 channels or when its utilisation of
    /// 4-position × 8-channel steps is above depth-first's of 32-channel steps (8-bit inputs).
    /// On a tie the cores part ways: the Python core keeps depth-first (`_choose_kernel_method`:
    /// `part_utilisation > depth_utilisation`), the default core takes part-kernel
    /// (`ChooseKernelMethod` in `regor/architecture/ethosu55/ethos_u55.cpp`: `>=`). Ties are
    /// common: a 3×3 kernel (9 of 12 positions used) over 17 to 24 channels (rounded to 24 of 32)
    /// uses 3/4 × d/24 = d/32 either way, and there the default core runs ⌈9/4⌉ = 3 steps per
    /// 8-channel group of a 16-deep IFM block, twice for 20 or 24 channels (12 step-groups against
    /// depth-first's 9): 4/3 of the Python core's MAC cycles. Each core's own arithmetic, in its
    /// order, so that ties are ties: the Python core divides the products, the default core
    /// multiplies the two quotients (in double).
    static func prefersPartKernel(ifmDepth: Int, kernelElements: Int, core: EthosUSection.Core) -> Bool {
        if ifmDepth <= 8 { return true }
        let depthUtilisation = Double(ifmDepth) / Double(roundUp(ifmDepth, 32))
        switch core {
        case .python:
            let partUtilisation = Double(ifmDepth * kernelElements) / Double(roundUp(ifmDepth, 8) * roundUp(kernelElements, 4))
            return partUtilisation > depthUtilisation
        case .regor:
            let partUtilisation = Double(ifmDepth) / Double(roundUp(ifmDepth, 8)) * (Double(kernelElements) / Double(roundUp(kernelElements, 4)))
            return partUtilisation >= depthUtilisation
        }
    }

    /// The IFM block an OFM block needs: (blocks − 1) × stride + the kernel extent (at most one
    /// sub-kernel), rounded up to the micro-block (Vela `_get_ifm_blocksize`).
    static func ifmBlock(for ofm: FeatureMapShape, pass: EthosUPass, microHeight: Int, microWidth: Int) -> FeatureMapShape {
        let height = (ofm.height - 1) * pass.strideHeight + min(pass.kernelAreaHeight, subKernelMaximum)
        let width = (ofm.width - 1) * pass.strideWidth + min(pass.kernelAreaWidth, subKernelMaximum)
        return FeatureMapShape(batch: 1, height: roundUp(height, microHeight), width: roundUp(width, microWidth), depth: ofm.depth)
    }

    /// Whether double-buffered IFM (and IFM2 or accumulator) blocks fit the SHRAM banks left by
    /// the output reservation and the lookup table (Vela `_try_block_config`, 8-bit IFM, 32-bit accumulators).
    static func fits(ofm: FeatureMapShape, ifm: FeatureMapShape, elementwise: Bool, scalar: Bool, totalBanks: Int,
                     lookupTableBanks: Int, ifmGranule: Int, accumulatorGranule: Int) -> Bool {
        let ifmBytes = ifm.area * roundUp(ifm.depth, 8)
        let ifmBanks = roundUp(divideRoundingUp(ifmBytes, bankBytes) * 2, ifmGranule)
        let lookupTableStart = totalBanks - lookupTableBanks
        let ifmEnd = reservedOutputBanks + ifmBanks
        if elementwise {
            return ifmEnd + (scalar ? 0 : ifmBanks) <= lookupTableStart
        }
        let accumulatorBytes = ofm.area * roundUp(ofm.depth, 8) * 4
        let accumulatorBanks = roundUp(divideRoundingUp(accumulatorBytes, bankBytes) * 2, accumulatorGranule)
        return ifmEnd <= lookupTableStart - accumulatorBanks
    }
}
