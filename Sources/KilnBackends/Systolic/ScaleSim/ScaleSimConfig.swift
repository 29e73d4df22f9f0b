/// A SCALE-Sim v3 `.cfg` file as a value: the array, its SRAMs and the run presets.
///
/// Field names follow Kiln's target format (the `systolic` section, see `docs/target-format.md`); each
/// documents the SCALE-Sim key it comes from (`scalesim/scale_config.py`, `read_conf_file`).
/// ``ScaleSimConfigReader`` reads one; ``targetDescriptionJSON(name:sourceFile:)`` turns one
/// into a Kiln target description.
public struct ScaleSimConfig: Sendable, Hashable {
    /// Which operand stays in the PEs (`Dataflow`): the systolic section's own choices.
    public typealias Dataflow = SystolicSection.Dataflow

    /// How the DRAM interface bandwidth is chosen (`[run_presets] InterfaceBandwidth`: `USER`
    /// takes `Bandwidth` and the `[layout]` bank bandwidths, `CALC` estimates a stall-free one).
    public typealias InterfaceBandwidth = SystolicSection.InterfaceBandwidth

    /// The `[layout]` section.
    public struct Layout: Sendable, Hashable {
        /// `IfmapCustomLayout`.
        public var ifmapCustomLayout: Bool
        /// `IfmapSRAMBankBandwidth`, words per cycle per bank (the ifmap DRAM bandwidth in USER mode).
        public var ifmapSramBankBandwidth: Int
        /// `IfmapSRAMBankNum`.
        public var ifmapSramBankCount: Int
        /// `IfmapSRAMBankPort`.
        public var ifmapSramBankPorts: Int
        /// `FilterCustomLayout`.
        public var filterCustomLayout: Bool
        /// `FilterSRAMBankBandwidth`, words per cycle per bank (the filter DRAM bandwidth in USER mode).
        public var filterSramBankBandwidth: Int
        /// `FilterSRAMBankNum`.
        public var filterSramBankCount: Int
        /// `FilterSRAMBankPort`.
        public var filterSramBankPorts: Int

        /// Creates a layout section.
        public init(ifmapCustomLayout: Bool, ifmapSramBankBandwidth: Int, ifmapSramBankCount: Int, ifmapSramBankPorts: Int,
                    filterCustomLayout: Bool, filterSramBankBandwidth: Int, filterSramBankCount: Int, filterSramBankPorts: Int) {
            self.ifmapCustomLayout = ifmapCustomLayout
            self.ifmapSramBankBandwidth = ifmapSramBankBandwidth
            self.ifmapSramBankCount = ifmapSramBankCount
            self.ifmapSramBankPorts = ifmapSramBankPorts
            self.filterCustomLayout = filterCustomLayout
            self.filterSramBankBandwidth = filterSramBankBandwidth
            self.filterSramBankCount = filterSramBankCount
            self.filterSramBankPorts = filterSramBankPorts
        }
    }

    /// The `[sparsity]` section.
    public struct Sparsity: Sendable, Hashable {
        /// `SparsitySupport`.
        public var supported: Bool
        /// `SparseRep` (`csr`, `csc` or `ellpack_block`).
        public var representation: String
        /// `OptimizedMapping`.
        public var optimizedMapping: Bool
        /// `BlockSize`.
        public var blockSize: Int
        /// `RandomNumberGeneratorSeed`.
        public var randomSeed: Int

        /// Creates a sparsity section.
        public init(supported: Bool, representation: String, optimizedMapping: Bool, blockSize: Int, randomSeed: Int) {
            self.supported = supported
            self.representation = representation
            self.optimizedMapping = optimizedMapping
            self.blockSize = blockSize
            self.randomSeed = randomSeed
        }
    }

    /// `[general] run_name`.
    public var runName: String
    /// `ArrayHeight`: PE rows.
    public var rows: Int
    /// `ArrayWidth`: PE columns.
    public var columns: Int
    /// `IfmapSramSzkB`, in KiB (SCALE-Sim multiplies by 1024).
    public var ifmapSramKibibytes: Int
    /// `FilterSramSzkB`, in KiB.
    public var filterSramKibibytes: Int
    /// `OfmapSramSzkB`, in KiB.
    public var ofmapSramKibibytes: Int
    /// `IfmapOffset`: base address of the input feature map in traces.
    public var ifmapOffset: Int
    /// `FilterOffset`.
    public var filterOffset: Int
    /// `OfmapOffset`.
    public var ofmapOffset: Int
    /// `Dataflow`.
    public var dataflow: Dataflow
    /// `Bandwidth`, words per cycle (a comma-separated list; SCALE-Sim uses the first entry for
    /// the ofmap drain in USER mode). Empty when not given.
    public var bandwidthWordsPerCycle: [Int]
    /// `ReadRequestBuffer`.
    public var readRequestBufferEntries: Int
    /// `WriteRequestBuffer`.
    public var writeRequestBufferEntries: Int
    /// `[run_presets] InterfaceBandwidth`.
    public var interfaceBandwidth: InterfaceBandwidth
    /// `[run_presets] UseRamulatorTrace`.
    public var useRamulatorTrace: Bool
    /// The `[layout]` section, if present.
    public var layout: Layout?
    /// The `[sparsity]` section, if present.
    public var sparsity: Sparsity?

    /// Creates a configuration.
    public init(runName: String, rows: Int, columns: Int, ifmapSramKibibytes: Int, filterSramKibibytes: Int,
                ofmapSramKibibytes: Int, ifmapOffset: Int = 0, filterOffset: Int = 10_000_000, ofmapOffset: Int = 20_000_000,
                dataflow: Dataflow, bandwidthWordsPerCycle: [Int], readRequestBufferEntries: Int = 128,
                writeRequestBufferEntries: Int = 128, interfaceBandwidth: InterfaceBandwidth, useRamulatorTrace: Bool = false,
                layout: Layout? = nil, sparsity: Sparsity? = nil) {
        self.runName = runName
        self.rows = rows
        self.columns = columns
        self.ifmapSramKibibytes = ifmapSramKibibytes
        self.filterSramKibibytes = filterSramKibibytes
        self.ofmapSramKibibytes = ofmapSramKibibytes
        self.ifmapOffset = ifmapOffset
        self.filterOffset = filterOffset
        self.ofmapOffset = ofmapOffset
        self.dataflow = dataflow
        self.bandwidthWordsPerCycle = bandwidthWordsPerCycle
        self.readRequestBufferEntries = readRequestBufferEntries
        self.writeRequestBufferEntries = writeRequestBufferEntries
        self.interfaceBandwidth = interfaceBandwidth
        self.useRamulatorTrace = useRamulatorTrace
        self.layout = layout
        self.sparsity = sparsity
    }
}
