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
        .cost("xnorPopcountBitsPerCycle", "sourced integer ≥ 1", "Binary products (XNOR + popcount) per cycle per core or instance."),
        .cost("popcountUnits", "sourced integer ≥ 1", "Popcount (or adder-tree) units working in parallel."),
        .cost("thresholdUnits", "sourced integer ≥ 1", "Threshold comparators per cycle (sign / multi-threshold activation)."),
        TargetField("accumulatorBits", "integer 8–32", "Width of the popcount accumulator in bits."),
        TargetField("packingWordBits", "`8`, `16`, `32` or `64`", "Bits per packed word of ±1 values."),
        TargetField("padding", "`\"minusOne\"`, `\"plusOne\"` or `\"zeroCorrected\"`",
                    "How convolution padding is represented: as -1 bits, +1 bits, or zero padding with a correction term."),
        TargetField("int8Unit", "object", "The unit that runs non-binary (first and last) layers (see `xnor.int8Unit`)."),
    ])

    /// The schema of the `xnor.int8Unit` object.
    public static let int8UnitSchema = TargetSchemaSection(path: "xnor.int8Unit", fields: [
        .cost("multiplyAccumulatesPerCycle", "sourced number > 0", "int8 MACs per cycle of the unit."),
        TargetField("formats", "array of element-type names", "Formats the unit computes at; each must be in `numerics.storageFormats`."),
    ])

    /// The section and its nested objects.
    public var sections: [TargetSchemaSection] { [Self.sectionSchema, Self.int8UnitSchema] }

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
        if let storage = common.numerics?.storageFormats, !storage.contains(.binary) {
            reader.context.error("an xnor target needs 'bin' in its storage formats", at: JSONPath.root.appending(key: "numerics").appending(key: "storageFormats"))
        }
        guard let bits, let popcounts, let thresholds, let accumulator, let word, let padding, let unit else { return nil }
        return XNORSection(xnorPopcountBitsPerCycle: bits, popcountUnits: popcounts, thresholdUnits: thresholds,
                           accumulatorBits: accumulator, packingWordBits: word, padding: padding, int8Unit: unit)
    }
}
