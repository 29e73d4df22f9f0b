import KilnJSON
import KilnTargets

/// The `dataflow` family: FINN-style streaming dataflow designs on FPGA fabric (one engine per
/// layer, PE × SIMD folding under the fabric budgets).
public struct DataflowFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"dataflow"`.
    public var name: String { "dataflow" }
    /// What the family models.
    public var summary: String { "FPGA streaming dataflow (FINN): one engine per layer, PE × SIMD folding" }

    /// The schema of the `dataflow` section.
    public static let sectionSchema = TargetSchemaSection(path: "dataflow", fields: [
        .cost("lookupTables", "sourced integer ≥ 1", "LUTs available to the design.").plausible(1...100_000_000),
        .cost("flipFlops", "sourced integer ≥ 1", "Flip-flops available to the design.").plausible(1...100_000_000),
        .cost("dspSlices", "sourced integer ≥ 0", "DSP slices available to the design.").plausible(0...1_000_000),
        .cost("blockRam36kBlocks", "sourced integer ≥ 0", "36 Kb block RAMs available to the design.").plausible(0...1_000_000),
        .cost("ultraRamBlocks", "sourced integer ≥ 0", "288 Kb UltraRAM blocks available (0 on parts without URAM).").plausible(0...1_000_000),
        .cost("multiplyAccumulatesPerDspSlice", "sourced integer ≥ 1", "Low-precision MACs one DSP slice does per cycle (DSP packing, e.g. 2 for INT8 on DSP48E2 per Xilinx WP486).").plausible(1...64),
        .cost("maxProcessingElements", "sourced integer ≥ 1", required: false, "Largest PE count of one matrix-vector engine, if the toolflow limits it (otherwise only the fabric budgets do).").plausible(1...1_000_000),
        .cost("maxSimdLanes", "sourced integer ≥ 1", required: false, "Largest SIMD (input-parallel) width of one matrix-vector engine, if limited.").plausible(1...1_000_000),
    ])

    /// The section (it has no nested objects).
    public var sections: [TargetSchemaSection] { [Self.sectionSchema] }

    /// Decodes the `dataflow` section.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let luts = reader.sourcedInteger("lookupTables", in: 1...Int64(Int32.max))
        let flipFlops = reader.sourcedInteger("flipFlops", in: 1...Int64(Int32.max))
        let dsps = reader.sourcedInteger("dspSlices", in: 0...Int64(Int32.max))
        let bram = reader.sourcedInteger("blockRam36kBlocks", in: 0...Int64(Int32.max))
        let uram = reader.sourcedInteger("ultraRamBlocks", in: 0...Int64(Int32.max))
        let packing = reader.sourcedInteger("multiplyAccumulatesPerDspSlice", in: 1...64)
        let pes = reader.sourcedInteger("maxProcessingElements", in: 1...Int64(Int32.max))
        let simd = reader.sourcedInteger("maxSimdLanes", in: 1...Int64(Int32.max))
        guard let luts, let flipFlops, let dsps, let bram, let uram, let packing else { return nil }
        return DataflowSection(lookupTables: luts, flipFlops: flipFlops, dspSlices: dsps, blockRam36kBlocks: bram,
                               ultraRamBlocks: uram, multiplyAccumulatesPerDspSlice: packing,
                               maxProcessingElements: pes, maxSimdLanes: simd)
    }
}
