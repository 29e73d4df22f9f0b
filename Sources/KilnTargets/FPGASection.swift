/// The typed `fpga` section: either a streaming dataflow design or a systolic array.
public struct FPGASection: TargetFamilySection, Hashable {
    /// Which kind of design.
    public enum Architecture: String, Sendable, Hashable, CaseIterable {
        /// FINN-style: one engine per layer, folded by PE × SIMD.
        case dataflow
        /// SCALE-Sim-style PE array with SRAM buffers.
        case systolic
    }

    /// Fabric budgets of a streaming dataflow design.
    public struct Dataflow: Sendable, Hashable {
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
    }

    /// A systolic array with every SCALE-Sim configuration knob.
    public struct Systolic: Sendable, Hashable {
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
    }

    /// Which kind of design.
    public let architecture: Architecture
    /// The dataflow budgets, for `.dataflow`.
    public let dataflow: Dataflow?
    /// The systolic array, for `.systolic`.
    public let systolic: Systolic?

    /// Two operations per MAC: DSP slices × packing for dataflow designs (LUT-based MACs are
    /// not counted), rows × columns for systolic arrays.
    public var peakOperationsPerCycle: Double {
        if let dataflow {
            return 2 * Double(dataflow.dspSlices.value) * Double(dataflow.multiplyAccumulatesPerDspSlice.value)
        }
        if let systolic { return 2 * Double(systolic.rows.value) * Double(systolic.columns.value) }
        return 0
    }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        if let dataflow {
            return [("architecture", "dataflow"),
                    ("LUTs / FFs", "\(dataflow.lookupTables.value) / \(dataflow.flipFlops.value)"),
                    ("DSP slices", "\(dataflow.dspSlices.value) × \(dataflow.multiplyAccumulatesPerDspSlice.value) MAC"),
                    ("BRAM36 / URAM", "\(dataflow.blockRam36kBlocks.value) / \(dataflow.ultraRamBlocks.value)"),
                    ("max PE / SIMD", "\(dataflow.maxProcessingElements.map { String($0.value) } ?? "budget") / \(dataflow.maxSimdLanes.map { String($0.value) } ?? "budget")")]
        }
        if let systolic {
            return [("architecture", "systolic"),
                    ("array", "\(systolic.rows.value) × \(systolic.columns.value), \(systolic.dataflow.rawValue)"),
                    ("SRAM ifmap / filter / ofmap", "\(systolic.ifmapSramKibibytes.value) / \(systolic.filterSramKibibytes.value) / \(systolic.ofmapSramKibibytes.value) KiB"),
                    ("interface bandwidth", systolic.bandwidthWordsPerCycle.map { "\($0.value.map(String.init).joined(separator: ", ")) words/cycle" } ?? "calc")]
        }
        return []
    }
}
