import KilnTargets
import KilnJSON
import KilnNumerics

/// The `xnor` family: binary (±1) networks computed with XNOR and popcount, with an int8 unit
/// for the first and last layers.
public struct XNORFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"xnor"`.
    public var name: String { "xnor" }
    /// What the family models.
    public var summary: String { "binary XNOR-popcount: ±1 bit-packed GEMM, thresholds, int8 first/last layers" }

    /// The schema of the `xnor` section.
    public static let sectionSchema = TargetSchemaSection(path: "xnor", fields: [
        .cost("xnorPopcountBitsPerCycle", "sourced integer ≥ 1", "Binary products (XNOR + popcount) per cycle per core or instance.").plausible(1...0x4000_0000),
        .cost("popcountUnits", "sourced integer ≥ 1", "Popcount (or adder-tree) units working in parallel.").plausible(1...0x10_0000),
        .cost("thresholdUnits", "sourced integer ≥ 1", "Threshold comparators per cycle (sign / multi-threshold activation).").plausible(1...0x10_0000),
        TargetField("accumulatorBits", "integer 8–32", "Width of the popcount accumulator in bits.").plausible(8...32),
        TargetField("packingWordBits", "`8`, `16`, `32` or `64`", "Bits per packed word of ±1 values.").plausible(8...64),
        TargetField("padding", "`\"minusOne\"`, `\"plusOne\"` or `\"zeroCorrected\"`",
                    "How convolution padding is represented: as -1 bits, +1 bits, or zero padding with a correction term."),
        TargetField("int8Unit", "object", "The unit that runs non-binary (first and last) layers (see `xnor.int8Unit`)."),
        .optional("vectorCore", "object",
                  "Present when the binary kernels are vector instructions on a CPU core (bit-packed GEMM like Larq Compute Engine): its issue resources (see `xnor.vectorCore`)."),
    ])

    /// The schema of the `xnor.vectorCore` object.
    public static let vectorCoreSchema = TargetSchemaSection(path: "xnor.vectorCore", fields: [
        .cost("issueWidth", "sourced integer ≥ 1", "Instructions decoded and dispatched per cycle.").plausible(1...64),
        .cost("vectorPipes", "sourced integer ≥ 1", "Pipelines that execute vector logic and integer instructions (EOR, CNT, ADDP), one instruction each per cycle.").plausible(1...64),
        .cost("pairwiseAccumulatePipes", "sourced integer ≥ 1", "Those of the vector pipelines that execute pairwise add-and-accumulate-long (UADALP).").plausible(1...64),
        .cost("loadPipes", "sourced integer ≥ 1", "Load pipelines, one load instruction each per cycle.").plausible(1...64),
    ])

    /// The schema of the `xnor.int8Unit` object.
    public static let int8UnitSchema = TargetSchemaSection(path: "xnor.int8Unit", fields: [
        .cost("multiplyAccumulatesPerCycle", "sourced number > 0", "int8 MACs per cycle of the unit.").plausible(0.001...1e6),
        TargetField("formats", "array of element-type names", "Formats the unit computes at; each must be in `numerics.storageFormats`."),
    ])

    /// The section and its nested objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.int8UnitSchema, Self.vectorCoreSchema] }

    /// One bit of an XNOR + popcount (two operations, like a MAC), priced per bit.
    public static let xnorPopcountBit = ActionKind(name: "xnorPopcountBit", operations: 2, operandFormats: [.binary, .binary])

    /// The XNOR-popcount bit.
    public var actionKinds: [ActionKind] { [Self.xnorPopcountBit] }

    /// Decodes the `xnor` section.
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let bits = reader.sourcedInteger("xnorPopcountBitsPerCycle", in: 1...Int64(Int32.max))
        let popcounts = reader.sourcedInteger("popcountUnits", in: 1...Int64(Int32.max))
        let thresholds = reader.sourcedInteger("thresholdUnits", in: 1...Int64(Int32.max))
        let accumulator = reader.integer("accumulatorBits", in: 8...32)
        var word = reader.integer("packingWordBits", in: 8...64)
        if let given = word, ![8, 16, 32, 64].contains(given) {
            reader.error("expected 8, 16, 32 or 64, got \(given)", at: "packingWordBits")
            word = nil
        }
        let padding = reader.choice("padding", as: XNORSection.Padding.self)
        var unit: XNORSection.Int8Unit?
        if let section = reader.section("int8Unit", Self.int8UnitSchema) {
            let macs = section.sourcedNumber("multiplyAccumulatesPerCycle", .positive)
            let formats = section.formats("formats")
            if let formats {
                common.checkFormats(formats, declaredBy: "the int8 unit", at: section.path(of: "formats"), context: section.context)
            }
            if let macs, let formats { unit = XNORSection.Int8Unit(multiplyAccumulatesPerCycle: macs, formats: formats) }
        }
        var vectorCore: XNORSection.VectorCore?
        if let section = reader.section("vectorCore", Self.vectorCoreSchema) {
            let range: ClosedRange<Int64> = 1...64
            let issue = section.sourcedInteger("issueWidth", in: range)
            let vector = section.sourcedInteger("vectorPipes", in: range)
            let accumulate = section.sourcedInteger("pairwiseAccumulatePipes", in: range)
            let load = section.sourcedInteger("loadPipes", in: range)
            if let issue, let vector, let accumulate, let load {
                if accumulate.value > vector.value {
                    section.error("\(accumulate.value) pairwise-accumulate pipes exceed the \(vector.value) vector pipes", at: "pairwiseAccumulatePipes")
                } else {
                    vectorCore = XNORSection.VectorCore(issueWidth: issue, vectorPipes: vector, pairwiseAccumulatePipes: accumulate, loadPipes: load)
                }
            }
        }
        if let storage = common.numerics?.storageFormats, !storage.contains(.binary) {
            reader.context.error("an xnor target needs 'bin' in its storage formats", at: JSONPath.root.appending(key: "numerics").appending(key: "storageFormats"))
        }
        guard let bits, let popcounts, let thresholds, let accumulator, let word, let padding, let unit else { return nil }
        return XNORSection(xnorPopcountBitsPerCycle: bits, popcountUnits: popcounts, thresholdUnits: thresholds,
                           accumulatorBits: accumulator, packingWordBits: word, padding: padding, int8Unit: unit,
                           vectorCore: vectorCore)
    }
}
