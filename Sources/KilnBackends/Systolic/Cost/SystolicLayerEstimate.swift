/// What SCALE-Sim v3 reports for one layer, as Kiln's analytic model computes it.
///
/// The first six numbers are the columns of SCALE-Sim's `COMPUTE_REPORT.csv`; the access
/// counts and DRAM cycles are columns of `DETAILED_ACCESS_REPORT.csv`. Counts are in words
/// (SCALE-Sim's word is one byte); cycles are array cycles, with DRAM prefetches before the
/// first compute cycle at negative cycles, as in SCALE-Sim.
public struct SystolicLayerEstimate: Sendable, Hashable {
    /// The layer's name.
    public var layerName: String
    /// `Total Cycles (incl. prefetch)`: last ofmap DRAM write minus the first ifmap/filter
    /// DRAM read cycle.
    public var totalCyclesIncludingPrefetch: Int
    /// `Total Cycles`: compute cycles including stalls.
    public var totalCycles: Int
    /// `Stall Cycles`: cycles the array waits for DRAM.
    public var stallCycles: Int
    /// `Overall Util %`: MACs × 100 / (total cycles × PEs).
    public var overallUtilizationPercent: Double
    /// `Mapping Efficiency %`: mean over folds of the fraction of PEs holding work.
    public var mappingEfficiencyPercent: Double
    /// `Compute Util %`: mean over folds of MAC cycles / (PEs × fold cycles).
    public var computeUtilizationPercent: Double
    /// Multiply-accumulates of the layer (`M × N × K`).
    public var multiplyAccumulates: Int
    /// Ifmap SRAM reads (`SRAM IFMAP Reads`).
    public var ifmapSramReads: Int
    /// Filter SRAM reads (`SRAM Filter Reads`).
    public var filterSramReads: Int
    /// Ofmap SRAM writes (`SRAM OFMAP Writes`), including SCALE-Sim's per-fold `rows + columns`
    /// addend in the output-stationary dataflow.
    public var ofmapSramWrites: Int
    /// Ifmap DRAM reads (`DRAM IFMAP Reads`).
    public var ifmapDramReads: Int
    /// Filter DRAM reads (`DRAM Filter Reads`).
    public var filterDramReads: Int
    /// Ofmap DRAM writes (`DRAM OFMAP Writes`).
    public var ofmapDramWrites: Int
    /// First and last cycle of ifmap DRAM reads.
    public var ifmapDramCycles: ClosedRange<Int>
    /// First and last cycle of filter DRAM reads.
    public var filterDramCycles: ClosedRange<Int>
    /// First and last cycle of ofmap DRAM writes.
    public var ofmapDramCycles: ClosedRange<Int>
    /// Whether the DRAM counts, DRAM cycles and stalls are in the regime where the closed forms
    /// equal SCALE-Sim's simulation exactly: every operand's DRAM traffic fits the active half
    /// of its SRAM, and the ofmap writes fit the drain half. Otherwise they are estimates (see
    /// `docs/cost-models.md`); compute cycles without stalls, mapping efficiency, compute
    /// utilization and SRAM counts are exact in every case.
    public var isMemoryModelExact: Bool

    /// Creates an estimate.
    public init(layerName: String, totalCyclesIncludingPrefetch: Int, totalCycles: Int, stallCycles: Int,
                overallUtilizationPercent: Double, mappingEfficiencyPercent: Double, computeUtilizationPercent: Double,
                multiplyAccumulates: Int, ifmapSramReads: Int, filterSramReads: Int, ofmapSramWrites: Int,
                ifmapDramReads: Int, filterDramReads: Int, ofmapDramWrites: Int, ifmapDramCycles: ClosedRange<Int>,
                filterDramCycles: ClosedRange<Int>, ofmapDramCycles: ClosedRange<Int>, isMemoryModelExact: Bool) {
        self.layerName = layerName
        self.totalCyclesIncludingPrefetch = totalCyclesIncludingPrefetch
        self.totalCycles = totalCycles
        self.stallCycles = stallCycles
        self.overallUtilizationPercent = overallUtilizationPercent
        self.mappingEfficiencyPercent = mappingEfficiencyPercent
        self.computeUtilizationPercent = computeUtilizationPercent
        self.multiplyAccumulates = multiplyAccumulates
        self.ifmapSramReads = ifmapSramReads
        self.filterSramReads = filterSramReads
        self.ofmapSramWrites = ofmapSramWrites
        self.ifmapDramReads = ifmapDramReads
        self.filterDramReads = filterDramReads
        self.ofmapDramWrites = ofmapDramWrites
        self.ifmapDramCycles = ifmapDramCycles
        self.filterDramCycles = filterDramCycles
        self.ofmapDramCycles = ofmapDramCycles
        self.isMemoryModelExact = isMemoryModelExact
    }
}
