import KilnTargets

/// The typed `systolic` section: a SCALE-Sim-style PE array with SRAM buffers, with every
/// SCALE-Sim configuration knob.
public struct SystolicSection: TargetFamilySection, Hashable {
    /// Which operand stays in the PEs.
    public enum Dataflow: String, Sendable, Hashable, CaseIterable {
        /// Output stationary.
        case os
        /// Weight stationary.
        case ws
        /// Input stationary.
        case `is`
    }

    /// How the DRAM interface bandwidth is chosen.
    public enum InterfaceBandwidth: String, Sendable, Hashable, CaseIterable {
        /// Given by `bandwidthWordsPerCycle`.
        case user
        /// Computed for stall-free operation.
        case calc
    }

    /// SRAM bank layout.
    public struct Layout: Sendable, Hashable {
        /// SCALE-Sim `IfmapCustomLayout`.
        public let ifmapCustomLayout: Bool
        /// Words per cycle per input bank.
        public let ifmapSramBankBandwidth: Sourced<Int>
        /// Input banks.
        public let ifmapSramBankCount: Int
        /// Ports per input bank.
        public let ifmapSramBankPorts: Int
        /// SCALE-Sim `FilterCustomLayout`.
        public let filterCustomLayout: Bool
        /// Words per cycle per filter bank.
        public let filterSramBankBandwidth: Sourced<Int>
        /// Filter banks.
        public let filterSramBankCount: Int
        /// Ports per filter bank.
        public let filterSramBankPorts: Int
    }

    /// Sparsity support.
    public struct Sparsity: Sendable, Hashable {
        /// SCALE-Sim `SparsitySupport`.
        public let supported: Bool
        /// SCALE-Sim `SparseRep`.
        public let representation: String
        /// SCALE-Sim `OptimizedMapping`.
        public let optimizedMapping: Bool
        /// SCALE-Sim `BlockSize`.
        public let blockSize: Int
        /// SCALE-Sim `RandomNumberGeneratorSeed`.
        public let randomSeed: Int
    }

    /// PE rows.
    public let rows: Sourced<Int>
    /// PE columns.
    public let columns: Sourced<Int>
    /// Dataflow.
    public let dataflow: Dataflow
    /// Input SRAM in KiB.
    public let ifmapSramKibibytes: Sourced<Int>
    /// Filter SRAM in KiB.
    public let filterSramKibibytes: Sourced<Int>
    /// Output SRAM in KiB.
    public let ofmapSramKibibytes: Sourced<Int>
    /// Input base address.
    public let ifmapOffset: Int
    /// Filter base address.
    public let filterOffset: Int
    /// Output base address.
    public let ofmapOffset: Int
    /// Interface bandwidth mode.
    public let interfaceBandwidth: InterfaceBandwidth
    /// DRAM bandwidth in words per cycle, when given.
    public let bandwidthWordsPerCycle: Sourced<[Int]>?
    /// Read request buffer depth.
    public let readRequestBufferEntries: Sourced<Int>
    /// Write request buffer depth.
    public let writeRequestBufferEntries: Sourced<Int>
    /// Whether DRAM timing comes from Ramulator.
    public let useRamulatorTrace: Bool
    /// Bank layout, if given.
    public let layout: Layout?
    /// Sparsity, if given.
    public let sparsity: Sparsity?

    /// Two operations per MAC, rows × columns MACs per cycle.
    public var peakOperationsPerCycle: Double { 2 * Double(rows.value) * Double(columns.value) }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        [("array", "\(rows.value) × \(columns.value), \(dataflow.rawValue)"),
         ("SRAM ifmap / filter / ofmap", "\(ifmapSramKibibytes.value) / \(filterSramKibibytes.value) / \(ofmapSramKibibytes.value) KiB"),
         ("interface bandwidth", bandwidthWordsPerCycle.map { "\($0.value.map(String.init).joined(separator: ", ")) words/cycle" } ?? "calc")]
    }
}
