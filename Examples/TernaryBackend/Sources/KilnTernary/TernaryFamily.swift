import KilnJSON
import KilnNumerics
import KilnTargets

/// The `ternary` family's target schema: weights in {−1, 0, +1} with a per-channel scale, int8
/// activations, adder trees that skip zero weights.
public struct TernaryFamily: TargetFamilySchema {
    /// Creates the family schema.
    public init() {}

    /// `"ternary"`.
    public var name: String { "ternary" }
    /// What the family models.
    public var summary: String { "ternary weights {−1, 0, +1} × int8 activations on zero-skipping adder trees" }

    /// The schema of the `ternary` section.
    public static let sectionSchema = TargetSchemaSection(path: "ternary", fields: [
        .cost("processingElements", "sourced integer ≥ 1", "PEs working in lockstep, one output channel each.")
            .plausible(1...65_536),
        .cost("adderTreeInputs", "sourced integer ≥ 1", "Weight–activation pairs one PE's adder tree sums per cycle.")
            .plausible(1...65_536),
        TargetField("zeroSkipping", "boolean", "Whether zero weights are skipped (cost no cycle and no addition)."),
    ])

    /// The section (it has no nested objects).
    public var sections: [TargetSchemaSection] { [Self.sectionSchema] }

    /// Decodes the `ternary` section; a ternary target must store `i2` (the weights).
    public func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        let elements = reader.sourcedInteger("processingElements", in: 1...65_536)
        let inputs = reader.sourcedInteger("adderTreeInputs", in: 1...65_536)
        let skipping = reader.bool("zeroSkipping")
        if let storage = common.numerics?.storageFormats, !storage.contains(.integer(bits: 2, signed: true)) {
            reader.context.error("a ternary target needs 'i2' (its weights) in its storage formats",
                                 at: JSONPath.root.appending(key: "numerics").appending(key: "storageFormats"))
        }
        guard let elements, let inputs, let skipping else { return nil }
        return TernarySection(processingElements: elements, adderTreeInputs: inputs, zeroSkipping: skipping)
    }
}
