import KilnJSON

/// One level of a target's memory hierarchy (registers excluded): a TCM, an SRAM buffer, a
/// cache, BRAM, DRAM or flash.
public struct MemoryLevel: Sendable, Hashable {
    /// The level's name, unique within the target (`dtcm`, `l2`, `dram`).
    public let name: String
    /// Whether the level is on the chip (counted as on-chip memory in listings).
    public let onChip: Bool
    /// Capacity in bytes.
    public let sizeBytes: Sourced<Int>
    /// Sustained read bandwidth in bytes per core clock cycle.
    public let readBytesPerCycle: Sourced<Double>
    /// Sustained write bandwidth in bytes per core clock cycle.
    public let writeBytesPerCycle: Sourced<Double>
    /// Access latency in core clock cycles.
    public let latencyCycles: Sourced<Double>
    /// Energy per byte moved, in picojoules (if the level is costed per byte).
    public let energyPicojoulesPerByte: Sourced<Double>?
    /// Energy per access, in picojoules (if the level is costed per access of ``accessBytes`` bytes).
    public let energyPicojoulesPerAccess: Sourced<Double>?
    /// Bytes moved by one access, when costed per access.
    public let accessBytes: Int?
    /// Whether weights may be placed here.
    public let holdsWeights: Bool
    /// Whether activations may be placed here.
    public let holdsActivations: Bool
    /// Whether a DMA engine moves data into or out of this level while the core computes.
    public let dmaOverlapsCompute: Bool

    /// Energy to move one byte, in picojoules, whichever way the level is costed.
    public var picojoulesPerByte: Double {
        if let perByte = energyPicojoulesPerByte { return perByte.value }
        if let perAccess = energyPicojoulesPerAccess, let bytes = accessBytes, bytes > 0 {
            return perAccess.value / Double(bytes)
        }
        return 0
    }

    /// The schema of one `memory[]` element.
    public static let schema = TargetSchemaSection(path: "memory[]", fields: [
        TargetField("name", "string", "Name of the level, unique within the target (`dtcm`, `l2`, `dram`)."),
        TargetField("onChip", "boolean", "Whether the level is on the chip (summed as on-chip memory in `kiln targets list`)."),
        .cost("sizeBytes", "sourced integer ≥ 1", "Capacity in bytes.").plausible(1...0x4_0000_0000_0000),
        .cost("readBytesPerCycle", "sourced number > 0", "Sustained read bandwidth in bytes per core clock cycle.").plausible(1e-6...1e6),
        .cost("writeBytesPerCycle", "sourced number > 0", "Sustained write bandwidth in bytes per core clock cycle.").plausible(1e-6...1e6),
        .cost("latencyCycles", "sourced number ≥ 0", "Access latency in core clock cycles.").plausible(0...1e9),
        .cost("energyPicojoulesPerByte", "sourced number ≥ 0", required: false,
              "Energy per byte read or written, in pJ. Give this or `energyPicojoulesPerAccess`, not both.").plausible(0...1e6),
        .cost("energyPicojoulesPerAccess", "sourced number ≥ 0", required: false,
              "Energy per access of `accessBytes` bytes, in pJ. Give this or `energyPicojoulesPerByte`, not both.").plausible(0...1e9),
        .optional("accessBytes", "integer ≥ 1", "Bytes moved by one access; required with `energyPicojoulesPerAccess`.").plausible(1...0x10_0000),
        TargetField("holdsWeights", "boolean", "Whether weights may be placed in this level."),
        TargetField("holdsActivations", "boolean", "Whether activations may be placed in this level."),
        TargetField("dmaOverlapsCompute", "boolean", "Whether a DMA engine moves data to or from this level while compute runs."),
    ])

    /// Creates a level from its parts.
    public init(name: String, onChip: Bool, sizeBytes: Sourced<Int>, readBytesPerCycle: Sourced<Double>,
                writeBytesPerCycle: Sourced<Double>, latencyCycles: Sourced<Double>,
                energyPicojoulesPerByte: Sourced<Double>?, energyPicojoulesPerAccess: Sourced<Double>?, accessBytes: Int?,
                holdsWeights: Bool, holdsActivations: Bool, dmaOverlapsCompute: Bool) {
        self.name = name
        self.onChip = onChip
        self.sizeBytes = sizeBytes
        self.readBytesPerCycle = readBytesPerCycle
        self.writeBytesPerCycle = writeBytesPerCycle
        self.latencyCycles = latencyCycles
        self.energyPicojoulesPerByte = energyPicojoulesPerByte
        self.energyPicojoulesPerAccess = energyPicojoulesPerAccess
        self.accessBytes = accessBytes
        self.holdsWeights = holdsWeights
        self.holdsActivations = holdsActivations
        self.dmaOverlapsCompute = dmaOverlapsCompute
    }

    /// Decodes one `memory[]` element, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let name = reader.string("name")
        let onChip = reader.bool("onChip")
        let size = reader.sourcedInteger("sizeBytes", in: 1...Int64.max)
        let read = reader.sourcedNumber("readBytesPerCycle", .positive)
        let write = reader.sourcedNumber("writeBytesPerCycle", .positive)
        let latency = reader.sourcedNumber("latencyCycles", .nonNegative)
        let perByte = reader.sourcedNumber("energyPicojoulesPerByte", .nonNegative)
        let perAccess = reader.sourcedNumber("energyPicojoulesPerAccess", .nonNegative)
        let accessBytes = reader.integer("accessBytes", in: 1...Int64.max)
        let weights = reader.bool("holdsWeights")
        let activations = reader.bool("holdsActivations")
        let dma = reader.bool("dmaOverlapsCompute")
        var energyOK = true
        switch (reader.contains("energyPicojoulesPerByte"), reader.contains("energyPicojoulesPerAccess")) {
        case (true, true):
            reader.context.error("give either 'energyPicojoulesPerByte' or 'energyPicojoulesPerAccess', not both", at: reader.path)
            energyOK = false
        case (false, false):
            reader.context.error("missing energy: give 'energyPicojoulesPerByte' or 'energyPicojoulesPerAccess' with 'accessBytes'", at: reader.path)
            energyOK = false
        case (false, true) where !reader.contains("accessBytes"):
            reader.context.error("'energyPicojoulesPerAccess' needs 'accessBytes' (bytes per access)", at: reader.path)
            energyOK = false
        case (true, false) where reader.contains("accessBytes"):
            reader.error("'accessBytes' is only used with 'energyPicojoulesPerAccess'", at: "accessBytes")
            energyOK = false
        default: break
        }
        guard energyOK, let name, let onChip, let size, let read, let write, let latency, let weights, let activations, let dma,
              perByte != nil || (perAccess != nil && accessBytes != nil) else { return nil }
        self.init(name: name, onChip: onChip, sizeBytes: size, readBytesPerCycle: read, writeBytesPerCycle: write,
                  latencyCycles: latency, energyPicojoulesPerByte: perByte, energyPicojoulesPerAccess: perAccess,
                  accessBytes: accessBytes, holdsWeights: weights, holdsActivations: activations, dmaOverlapsCompute: dma)
    }
}
