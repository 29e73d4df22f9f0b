import KilnJSON
import KilnTargets

/// The `ethosU` family schema: Arm Ethos-U55/U65 NPUs compiled the way Arm's Vela compiles
/// int8 TFLite models.
public struct EthosUFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"ethosU"`.
    public var name: String { "ethosU" }
    /// What the family models.
    public var summary: String { "Arm Ethos-U NPU (Vela): block-based int8 MAC array, weight/feature-map DMA over AXI, Cortex-M host" }

    /// The schema of the `ethosU` section.
    public static let sectionSchema = TargetSchemaSection(path: "ethosU", fields: [
        TargetField("accelerator", "Vela accelerator name", "Vela's `--accelerator-config` (`ethos-u55-128`, `ethos-u65-256`, ...)."),
        .optional("velaCore", "\"regor\" or \"python\"", "The Vela 5.2 core whose estimate to reproduce: its default C++ core (`regor`, the default) or its Python core (`python`, `--debug-force-legacy-core`)."),
        .cost("macsPerCycle", "sourced integer ≥ 1", "8-bit MACs per cycle (Vela `ArchitectureConfig.macs`).").plausible(8...4096),
        .cost("cores", "sourced integer 1 or 2", required: false, "MAC-array cores on interleaved output channels (Vela `ArchitectureConfig.cores`: 2 on the U65-512; absent: 1).").plausible(1...2),
        .cost("ofmMicroBlock", "sourced [height, width, depth]", "Output micro-block (Vela `ofm_ublock`).").plausible(1...64),
        .cost("ifmMicroBlock", "sourced [height, width, depth]", "Input micro-block (Vela `ifm_ublock`).").plausible(1...64),
        .cost("shramBanks", "sourced integer ≥ 1", "1 KiB SHRAM banks (Vela `shram_banks`).").plausible(4...256),
        .cost("shramGranules", "sourced array of 8 integers", "Bank granules: IFM8, IFM16, IFM8 elementwise, IFM16 elementwise, IFM32, Acc16, Acc32, Acc40 (Vela `shram_granules`).").plausible(1...64),
        .cost("outputCyclesPerElement", "sourced array of 8 numbers", "Output-stage cycles per element (Vela `output_cycles_per_elem`).").plausible(0...16),
        .cost("activationCyclesPerElement", "sourced array of 3 numbers", "Activation cycles per element: LUT, ReLU, none (Vela `activation_cycles_per_elem`).").plausible(0...16),
        TargetField("arena", "object", "The AXI port to the SRAM holding feature maps (see `ethosU.arena`)."),
        TargetField("constants", "object", "The AXI port to the memory holding weights (see `ethosU.constants`)."),
    ])

    /// The schema of a port object (`ethosU.arena`, `ethosU.constants`).
    public static func portSchema(_ key: String) -> TargetSchemaSection {
        TargetSchemaSection(path: "ethosU.\(key)", fields: [
            TargetField("memory", "memory level name", "The `memory[]` level the port reaches (its bandwidth is that level's `readBytesPerCycle`)."),
            .cost("burstLengthBytes", "sourced integer ≥ 1", "AXI burst length in bytes (vela.ini `<Memory>_burst_length`).").plausible(1...4096),
            .cost("readLatencyCycles", "sourced integer ≥ 0", "Read latency in NPU cycles (vela.ini `<Memory>_read_latency`).").plausible(0...100_000),
            .cost("writeLatencyCycles", "sourced integer ≥ 0", "Write latency in NPU cycles (vela.ini `<Memory>_write_latency`).").plausible(0...100_000),
        ])
    }

    /// The section and its port objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.portSchema("arena"), Self.portSchema("constants")] }

    /// Decodes the `ethosU` section; both ports must name a declared memory level.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let accelerator = reader.string("accelerator")
        let core = reader.contains("velaCore") ? reader.choice("velaCore", as: EthosUSection.Core.self) : .regor
        let macs = reader.sourcedInteger("macsPerCycle", in: 8...4096)
        let cores = reader.contains("cores") ? reader.sourcedInteger("cores", in: 1...2) : Sourced(1, source: "default: one core")
        let ofm = block("ofmMicroBlock", reader)
        let ifm = block("ifmMicroBlock", reader)
        let banks = reader.sourcedInteger("shramBanks", in: 4...256)
        let granules = reader.sourcedArray("shramGranules", allowEmpty: false) { reader.context.integer($0, at: $1, in: 1...64) }
        let output = reader.sourcedArray("outputCyclesPerElement", allowEmpty: false) { reader.context.number($0, at: $1, .nonNegative) }
        let activation = reader.sourcedArray("activationCyclesPerElement", allowEmpty: false) { reader.context.number($0, at: $1, .nonNegative) }
        if let granules, granules.value.count != 8 { reader.error("expected 8 granules, got \(granules.value.count)", at: "shramGranules") }
        if let output, output.value.count != 8 { reader.error("expected 8 numbers, got \(output.value.count)", at: "outputCyclesPerElement") }
        if let activation, activation.value.count != 3 { reader.error("expected 3 numbers, got \(activation.value.count)", at: "activationCyclesPerElement") }
        let arena = port("arena", reader, common: common)
        let constants = port("constants", reader, common: common)
        guard let accelerator, let macs, let cores, let ofm, let ifm, let banks, let granules, granules.value.count == 8, let output,
              output.value.count == 8, let activation, activation.value.count == 3, let arena, let constants, let core else { return nil }
        return EthosUSection(accelerator: accelerator, core: core, macsPerCycle: macs, cores: cores, ofmMicroBlock: ofm, ifmMicroBlock: ifm, shramBanks: banks,
                             shramGranules: granules, outputCyclesPerElement: output, activationCyclesPerElement: activation,
                             arena: arena, constants: constants)
    }

    private func block(_ key: String, _ reader: TargetSectionReader) -> Sourced<EthosUSection.Block>? {
        guard let values = reader.sourcedArray(key, allowEmpty: false, { reader.context.integer($0, at: $1, in: 1...64) }) else { return nil }
        guard values.value.count == 3 else {
            reader.error("expected [height, width, depth], got \(values.value.count) numbers", at: key)
            return nil
        }
        return Sourced(.init(height: values.value[0], width: values.value[1], depth: values.value[2]), source: values.source)
    }

    private func port(_ key: String, _ reader: TargetSectionReader, common: TargetCommonPart) -> EthosUSection.Port? {
        guard let section = reader.section(key, Self.portSchema(key)) else { return nil }
        let memory = section.string("memory")
        let burst = section.sourcedInteger("burstLengthBytes", in: 1...4096)
        let read = section.sourcedInteger("readLatencyCycles", in: 0...100_000)
        let write = section.sourcedInteger("writeLatencyCycles", in: 0...100_000)
        if let memory, let levels = common.memory, !levels.contains(where: { $0.name == memory }) {
            section.error("no memory level named '\(memory)' (declared: \(levels.map(\.name).joined(separator: ", ")))", at: "memory")
            return nil
        }
        guard let memory, let burst, let read, let write else { return nil }
        return .init(memory: memory, burstLengthBytes: burst, readLatencyCycles: read, writeLatencyCycles: write)
    }
}
