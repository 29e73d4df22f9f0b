import KilnTargets

/// The knobs of a SCALE-Sim-style systolic array that its per-layer numbers depend on.
public struct SystolicArrayConfiguration: Sendable, Hashable {
    /// Which operand stays in the PEs.
    public typealias Dataflow = SystolicSection.Dataflow

    /// PE rows (SCALE-Sim `ArrayHeight`).
    public var rows: Int
    /// PE columns (`ArrayWidth`).
    public var columns: Int
    /// Output-, weight- or input-stationary (`Dataflow`).
    public var dataflow: Dataflow
    /// Input SRAM in KiB (`IfmapSramSzkB`).
    public var ifmapSramKibibytes: Int
    /// Filter SRAM in KiB (`FilterSramSzkB`).
    public var filterSramKibibytes: Int
    /// Output SRAM in KiB (`OfmapSramSzkB`).
    public var ofmapSramKibibytes: Int
    /// DRAM bandwidths in words per cycle, or `nil` for SCALE-Sim's CALC mode (bandwidth
    /// estimated for stall-free operation).
    public var userBandwidth: UserBandwidth?

    /// The DRAM interface bandwidths of SCALE-Sim's USER mode, as `single_layer_sim.py` wires
    /// them: ifmap and filter prefetch at the `[layout]` bank bandwidths, the ofmap drains at
    /// the first `Bandwidth` entry.
    public struct UserBandwidth: Sendable, Hashable {
        /// Ifmap prefetch words per cycle (`IfmapSRAMBankBandwidth`).
        public var ifmapWordsPerCycle: Int
        /// Filter prefetch words per cycle (`FilterSRAMBankBandwidth`).
        public var filterWordsPerCycle: Int
        /// Ofmap drain words per cycle (`Bandwidth`, first entry).
        public var ofmapWordsPerCycle: Int

        /// Creates USER-mode bandwidths.
        public init(ifmapWordsPerCycle: Int, filterWordsPerCycle: Int, ofmapWordsPerCycle: Int) {
            self.ifmapWordsPerCycle = ifmapWordsPerCycle
            self.filterWordsPerCycle = filterWordsPerCycle
            self.ofmapWordsPerCycle = ofmapWordsPerCycle
        }

        /// One bandwidth for all three interfaces.
        public init(wordsPerCycle: Int) {
            self.init(ifmapWordsPerCycle: wordsPerCycle, filterWordsPerCycle: wordsPerCycle, ofmapWordsPerCycle: wordsPerCycle)
        }
    }

    /// Creates a configuration.
    public init(rows: Int, columns: Int, dataflow: Dataflow, ifmapSramKibibytes: Int, filterSramKibibytes: Int,
                ofmapSramKibibytes: Int, userBandwidth: UserBandwidth? = nil) {
        self.rows = rows
        self.columns = columns
        self.dataflow = dataflow
        self.ifmapSramKibibytes = ifmapSramKibibytes
        self.filterSramKibibytes = filterSramKibibytes
        self.ofmapSramKibibytes = ofmapSramKibibytes
        self.userBandwidth = userBandwidth
    }

    /// The configuration of a target's `fpga.systolic` section. In USER mode without a
    /// `layout` section the first `bandwidthWordsPerCycle` entry is used for all interfaces.
    public init(_ systolic: SystolicSection) {
        var user: UserBandwidth?
        if systolic.interfaceBandwidth == .user {
            let ofmap = systolic.bandwidthWordsPerCycle?.value.first ?? 1
            user = UserBandwidth(ifmapWordsPerCycle: systolic.layout?.ifmapSramBankBandwidth.value ?? ofmap,
                                 filterWordsPerCycle: systolic.layout?.filterSramBankBandwidth.value ?? ofmap,
                                 ofmapWordsPerCycle: ofmap)
        }
        self.init(rows: systolic.rows.value, columns: systolic.columns.value, dataflow: systolic.dataflow,
                  ifmapSramKibibytes: systolic.ifmapSramKibibytes.value, filterSramKibibytes: systolic.filterSramKibibytes.value,
                  ofmapSramKibibytes: systolic.ofmapSramKibibytes.value, userBandwidth: user)
    }
}
