import KilnJSON
import KilnTargets

/// The `systolic` family: SCALE-Sim-style PE arrays with SRAM buffers (output-, weight- or
/// input-stationary).
public struct SystolicFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"systolic"`.
    public var name: String { "systolic" }
    /// What the family models.
    public var summary: String { "systolic array (SCALE-Sim): rows × columns PEs, OS/WS/IS dataflows" }

    /// The schema of the `systolic` section.
    public static let sectionSchema = TargetSchemaSection(path: "systolic", fields: [
        .cost("rows", "sourced integer ≥ 1", "PE rows (SCALE-Sim `ArrayHeight`).").plausible(1...65536),
        .cost("columns", "sourced integer ≥ 1", "PE columns (SCALE-Sim `ArrayWidth`).").plausible(1...65536),
        TargetField("dataflow", "`\"os\"`, `\"ws\"` or `\"is\"`", "Output-, weight- or input-stationary (SCALE-Sim `Dataflow`)."),
        .cost("ifmapSramKibibytes", "sourced integer ≥ 1", "Input feature-map SRAM in KiB (SCALE-Sim `IfmapSramSzkB`).").plausible(1...0x4000_0000),
        .cost("filterSramKibibytes", "sourced integer ≥ 1", "Filter SRAM in KiB (SCALE-Sim `FilterSramSzkB`).").plausible(1...0x4000_0000),
        .cost("ofmapSramKibibytes", "sourced integer ≥ 1", "Output feature-map SRAM in KiB (SCALE-Sim `OfmapSramSzkB`).").plausible(1...0x4000_0000),
        TargetField("ifmapOffset", "integer ≥ 0", "Base address of input feature maps in the trace (SCALE-Sim `IfmapOffset`).").plausible(0...0x4_0000_0000_0000),
        TargetField("filterOffset", "integer ≥ 0", "Base address of filters (SCALE-Sim `FilterOffset`).").plausible(0...0x4_0000_0000_0000),
        TargetField("ofmapOffset", "integer ≥ 0", "Base address of output feature maps (SCALE-Sim `OfmapOffset`).").plausible(0...0x4_0000_0000_0000),
        TargetField("interfaceBandwidth", "`\"user\"` or `\"calc\"`", "Whether the DRAM interface bandwidth is given (`user`) or computed for stall-free operation (`calc`) (SCALE-Sim `InterfaceBandwidth`)."),
        .cost("bandwidthWordsPerCycle", "sourced array of integers ≥ 1", required: false,
              "DRAM interface bandwidth in words per cycle (SCALE-Sim `Bandwidth`); required when `interfaceBandwidth` is `user`.").plausible(1...0x10_0000),
        .cost("readRequestBufferEntries", "sourced integer ≥ 1", "Read request buffer depth (SCALE-Sim `ReadRequestBuffer`).").plausible(1...0x10_0000),
        .cost("writeRequestBufferEntries", "sourced integer ≥ 1", "Write request buffer depth (SCALE-Sim `WriteRequestBuffer`).").plausible(1...0x10_0000),
        TargetField("useRamulatorTrace", "boolean", "Whether DRAM timing comes from a Ramulator trace (SCALE-Sim `UseRamulatorTrace`)."),
        .optional("layout", "object", "SRAM bank layout (SCALE-Sim `[layout]`, see `systolic.layout`)."),
        .optional("sparsity", "object", "Sparsity support (SCALE-Sim `[sparsity]`, see `systolic.sparsity`)."),
    ])

    /// The schema of the `systolic.layout` object.
    public static let layoutSchema = TargetSchemaSection(path: "systolic.layout", fields: [
        TargetField("ifmapCustomLayout", "boolean", "SCALE-Sim `IfmapCustomLayout`."),
        .cost("ifmapSramBankBandwidth", "sourced integer ≥ 1", "Words per cycle per input SRAM bank (SCALE-Sim `IfmapSRAMBankBandwidth`).").plausible(1...0x10_0000),
        TargetField("ifmapSramBankCount", "integer ≥ 1", "Input SRAM banks (SCALE-Sim `IfmapSRAMBankNum`).").plausible(1...1024),
        TargetField("ifmapSramBankPorts", "integer ≥ 1", "Ports per input SRAM bank (SCALE-Sim `IfmapSRAMBankPort`).").plausible(1...64),
        TargetField("filterCustomLayout", "boolean", "SCALE-Sim `FilterCustomLayout`."),
        .cost("filterSramBankBandwidth", "sourced integer ≥ 1", "Words per cycle per filter SRAM bank (SCALE-Sim `FilterSRAMBankBandwidth`).").plausible(1...0x10_0000),
        TargetField("filterSramBankCount", "integer ≥ 1", "Filter SRAM banks (SCALE-Sim `FilterSRAMBankNum`).").plausible(1...1024),
        TargetField("filterSramBankPorts", "integer ≥ 1", "Ports per filter SRAM bank (SCALE-Sim `FilterSRAMBankPort`).").plausible(1...64),
    ])

    /// The schema of the `systolic.sparsity` object.
    public static let sparsitySchema = TargetSchemaSection(path: "systolic.sparsity", fields: [
        TargetField("supported", "boolean", "SCALE-Sim `SparsitySupport`."),
        TargetField("representation", "string", "Sparse representation, e.g. `ellpack_block` (SCALE-Sim `SparseRep`)."),
        TargetField("optimizedMapping", "boolean", "SCALE-Sim `OptimizedMapping`."),
        TargetField("blockSize", "integer ≥ 1", "Sparsity block size; at most `rows` when `optimizedMapping` (SCALE-Sim `BlockSize`).").plausible(1...65536),
        TargetField("randomSeed", "integer", "Seed of the sparsity pattern generator (SCALE-Sim `RandomNumberGeneratorSeed`).").plausible(0...4_294_967_295),
    ])

    /// The section and its nested objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.layoutSchema, Self.sparsitySchema] }

    /// Decodes the `systolic` section.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let big = Int64(Int32.max)
        let rows = reader.sourcedInteger("rows", in: 1...65536)
        let columns = reader.sourcedInteger("columns", in: 1...65536)
        let dataflow = reader.choice("dataflow", as: SystolicSection.Dataflow.self)
        let ifmap = reader.sourcedInteger("ifmapSramKibibytes", in: 1...big)
        let filter = reader.sourcedInteger("filterSramKibibytes", in: 1...big)
        let ofmap = reader.sourcedInteger("ofmapSramKibibytes", in: 1...big)
        let ifmapOffset = reader.integer("ifmapOffset", in: 0...Int64.max)
        let filterOffset = reader.integer("filterOffset", in: 0...Int64.max)
        let ofmapOffset = reader.integer("ofmapOffset", in: 0...Int64.max)
        let mode = reader.choice("interfaceBandwidth", as: SystolicSection.InterfaceBandwidth.self)
        let bandwidth = reader.sourcedArray("bandwidthWordsPerCycle", allowEmpty: false) { reader.context.integer($0, at: $1, in: 1...big) }
        let readBuffer = reader.sourcedInteger("readRequestBufferEntries", in: 1...big)
        let writeBuffer = reader.sourcedInteger("writeRequestBufferEntries", in: 1...big)
        let ramulator = reader.bool("useRamulatorTrace")
        if mode == .user && !reader.contains("bandwidthWordsPerCycle") {
            reader.context.error("interfaceBandwidth 'user' needs 'bandwidthWordsPerCycle'", at: reader.path)
        }
        var layout: SystolicSection.Layout?
        if let section = reader.section("layout", Self.layoutSchema) {
            let ifCustom = section.bool("ifmapCustomLayout")
            let ifBandwidth = section.sourcedInteger("ifmapSramBankBandwidth", in: 1...big)
            let ifCount = section.integer("ifmapSramBankCount", in: 1...big)
            let ifPorts = section.integer("ifmapSramBankPorts", in: 1...big)
            let fCustom = section.bool("filterCustomLayout")
            let fBandwidth = section.sourcedInteger("filterSramBankBandwidth", in: 1...big)
            let fCount = section.integer("filterSramBankCount", in: 1...big)
            let fPorts = section.integer("filterSramBankPorts", in: 1...big)
            if let ifCustom, let ifBandwidth, let ifCount, let ifPorts, let fCustom, let fBandwidth, let fCount, let fPorts {
                layout = .init(ifmapCustomLayout: ifCustom, ifmapSramBankBandwidth: ifBandwidth, ifmapSramBankCount: ifCount,
                               ifmapSramBankPorts: ifPorts, filterCustomLayout: fCustom, filterSramBankBandwidth: fBandwidth,
                               filterSramBankCount: fCount, filterSramBankPorts: fPorts)
            }
        }
        var sparsity: SystolicSection.Sparsity?
        if let section = reader.section("sparsity", Self.sparsitySchema) {
            let supported = section.bool("supported")
            let representation = section.string("representation")
            let optimized = section.bool("optimizedMapping")
            let block = section.integer("blockSize", in: 1...big)
            let seed = section.integer("randomSeed", in: Int64.min...Int64.max)
            if let block, let rows, optimized == true, block > rows.value {
                section.error("blockSize \(block) is larger than rows (\(rows.value)); SCALE-Sim requires blockSize ≤ rows with optimizedMapping", at: "blockSize")
            }
            if let supported, let representation, let optimized, let block, let seed {
                sparsity = .init(supported: supported, representation: representation, optimizedMapping: optimized, blockSize: block, randomSeed: seed)
            }
        }
        guard let rows, let columns, let dataflow, let ifmap, let filter, let ofmap, let ifmapOffset, let filterOffset,
              let ofmapOffset, let mode, let readBuffer, let writeBuffer, let ramulator else { return nil }
        return SystolicSection(rows: rows, columns: columns, dataflow: dataflow, ifmapSramKibibytes: ifmap,
                                    filterSramKibibytes: filter, ofmapSramKibibytes: ofmap, ifmapOffset: ifmapOffset,
                                    filterOffset: filterOffset, ofmapOffset: ofmapOffset, interfaceBandwidth: mode,
                                    bandwidthWordsPerCycle: bandwidth, readRequestBufferEntries: readBuffer,
                                    writeRequestBufferEntries: writeBuffer, useRamulatorTrace: ramulator,
                                    layout: layout, sparsity: sparsity)
    }
}
