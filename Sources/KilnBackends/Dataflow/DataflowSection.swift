import KilnTargets

/// The typed `dataflow` section: the fabric budgets of a FINN-style streaming dataflow design
/// (one engine per layer, folded by PE × SIMD).
public struct DataflowSection: TargetFamilySection, Hashable {
    /// LUTs.
    public let lookupTables: Sourced<Int>
    /// Flip-flops.
    public let flipFlops: Sourced<Int>
    /// DSP slices.
    public let dspSlices: Sourced<Int>
    /// 36 Kb block RAMs.
    public let blockRam36kBlocks: Sourced<Int>
    /// UltraRAM blocks.
    public let ultraRamBlocks: Sourced<Int>
    /// Low-precision MACs per DSP slice per cycle.
    public let multiplyAccumulatesPerDspSlice: Sourced<Int>
    /// Largest PE count of one engine, if limited.
    public let maxProcessingElements: Sourced<Int>?
    /// Largest SIMD width of one engine, if limited.
    public let maxSimdLanes: Sourced<Int>?

    /// Two operations per MAC: DSP slices × packing (LUT-based MACs are not counted).
    public var peakOperationsPerCycle: Double {
        2 * Double(dspSlices.value) * Double(multiplyAccumulatesPerDspSlice.value)
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("LUTs / FFs", "\(lookupTables.value) / \(flipFlops.value)"),
         ("DSP slices", "\(dspSlices.value) × \(multiplyAccumulatesPerDspSlice.value) MAC"),
         ("BRAM36 / URAM", "\(blockRam36kBlocks.value) / \(ultraRamBlocks.value)"),
         ("max PE / SIMD", "\(maxProcessingElements.map { String($0.value) } ?? "budget") / \(maxSimdLanes.map { String($0.value) } ?? "budget")")]
    }
}
