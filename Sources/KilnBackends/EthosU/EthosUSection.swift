import KilnTargets

/// The typed `ethosU` section: an Arm Ethos-U NPU configuration as Vela describes it
/// (`ethosu/vela/architecture_features.py`, `ArchitectureConfig` and the output-performance
/// tables) plus the AXI behaviour of the memories it uses (Vela's `vela.ini`).
public struct EthosUSection: TargetFamilySection, Hashable {
    /// A block of the MAC array in elements: height, width, depth (channels).
    public struct Block: Sendable, Hashable {
        /// Rows.
        public let height: Int
        /// Columns.
        public let width: Int
        /// Channels.
        public let depth: Int
    }

    /// How the NPU reaches one memory over AXI (Vela `vela.ini`: `<Memory>_burst_length`,
    /// `<Memory>_read_latency`, `<Memory>_write_latency`).
    public struct Port: Sendable, Hashable {
        /// The target memory level (`memory[].name`) the port reaches.
        public let memory: String
        /// Burst length in bytes.
        public let burstLengthBytes: Sourced<Int>
        /// Read latency in NPU cycles.
        public let readLatencyCycles: Sourced<Int>
        /// Write latency in NPU cycles.
        public let writeLatencyCycles: Sourced<Int>
    }

    /// Which of Vela 5.2's two compiler cores the estimate follows. Both run the same passes
    /// with the same block configurations; they differ in how a pass is costed, in one graph
    /// rewrite and in their weight encoders (docs/cost-models/ethos-u.md, "Vela's two cores",
    /// "Weight encoding").
    public enum Core: String, CaseIterable, Sendable, Hashable {
        /// The default core (C++, "regor", `ethosu/regor` in the sdist): what `vela MODEL` runs.
        case regor
        /// The Python core (`--debug-force-legacy-core`, `ethosu/vela`).
        case python
    }

    /// Vela's accelerator name (`ethos-u55-128`).
    public let accelerator: String
    /// The Vela core whose estimate the family reproduces (default ``Core/regor``).
    public let core: Core
    /// MACs per cycle (8-bit) of one core.
    public let macsPerCycle: Sourced<Int>
    /// MAC-array cores working in parallel on interleaved output channels (Vela
    /// `ArchitectureConfig.cores`: 2 on the U65-512, 1 elsewhere). Each core has its own weight
    /// stream per depth slice; a block's MAC cycles are shared between them, and OFM write
    /// bursts span all of them.
    public let cores: Sourced<Int>
    /// Output micro-block (the MAC array's OFM granule).
    public let ofmMicroBlock: Sourced<Block>
    /// Input micro-block.
    public let ifmMicroBlock: Sourced<Block>
    /// SHRAM banks of 1 KiB.
    public let shramBanks: Sourced<Int>
    /// SHRAM bank granules per element kind, in Vela's `SHRAMElements` order: IFM8, IFM16,
    /// IFM8 elementwise, IFM16 elementwise, IFM32, Acc16, Acc32, Acc40.
    public let shramGranules: Sourced<[Int]>
    /// Output cycles per element in Vela's order (unary 32-bit, binary 32-bit, mul 32-bit,
    /// mul / 40-bit accumulator, simple add/sub, advanced add/sub, max pool, other).
    public let outputCyclesPerElement: Sourced<[Double]>
    /// Activation cycles per element: LUT (sigmoid, tanh), ReLU-like clamps, none.
    public let activationCyclesPerElement: Sourced<[Double]>
    /// The port to the SRAM that holds the tensor arena (feature maps).
    public let arena: Port
    /// The port to the memory that holds weights and constants (flash or DRAM).
    public let constants: Port

    /// Two operations per MAC of one core (the target's `cores` counts the NPU's cores).
    public var peakOperationsPerCycle: Double { 2 * Double(macsPerCycle.value) }

    /// Lines for `kiln targets show`.
    public var details: [(label: String, value: String)] {
        let ofm = ofmMicroBlock.value, ifm = ifmMicroBlock.value
        return [("accelerator", "\(accelerator): \(cores.value) × \(macsPerCycle.value) MACs/cycle, \(shramBanks.value) KiB SHRAM"),
                ("estimate", "Vela 5.2's \(core == .regor ? "default (regor)" : "Python") core"),
                ("micro-blocks", "OFM \(ofm.height)×\(ofm.width)×\(ofm.depth), IFM \(ifm.height)×\(ifm.width)×\(ifm.depth) (H×W×C)"),
                ("arena", "\(arena.memory): burst \(arena.burstLengthBytes.value) B, latency \(arena.readLatencyCycles.value)/\(arena.writeLatencyCycles.value) cycles"),
                ("constants", "\(constants.memory): burst \(constants.burstLengthBytes.value) B, latency \(constants.readLatencyCycles.value)/\(constants.writeLatencyCycles.value) cycles")]
    }
}
