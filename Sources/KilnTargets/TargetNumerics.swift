import KilnJSON
import KilnNumerics

/// What number formats and arithmetic the accelerator's hardware supports.
public struct TargetNumerics: Sendable, Hashable {
    /// The element types the hardware stores and computes on (weights and activations).
    public let storageFormats: [ElementType]
    /// The width of the MAC accumulator in bits.
    public let accumulatorBits: Int
    /// The requantization rules the hardware (or its kernels) implement.
    public let requantization: [RequantizationRule]
    /// Where the formats come from (the kernel library, toolflow or manual that runs them), or nil.
    public let formatsSource: String?

    /// The schema of the `numerics` object.
    public static let schema = TargetSchemaSection(path: "numerics", fields: [
        TargetField("storageFormats", "array of element-type names",
                    "Element types held in memory and computed on, e.g. `[\"i8\", \"u8\"]`, `[\"q7\", \"q15\"]`, `[\"bin\", \"i8\"]`."),
        TargetField("accumulatorBits", "integer 8–64", "Width of the multiply-accumulate accumulator in bits.").plausible(8...64),
        TargetField("requantization", "array of `\"floatScale\"`, `\"fixedPointMultiplier\"`, `\"powerOfTwoShift\"`",
                    "Requantization rules the hardware or its kernels implement (see `docs/numerics.md`)."),
        .optional("formatsSource", "string",
                  "Where `storageFormats` comes from: the kernel library, toolflow or manual whose kernels run each format (e.g. CMSIS-NN's s8 and s4 kernels)."),
    ])

    /// Creates numerics from their parts.
    public init(storageFormats: [ElementType], accumulatorBits: Int, requantization: [RequantizationRule], formatsSource: String? = nil) {
        self.storageFormats = storageFormats
        self.accumulatorBits = accumulatorBits
        self.requantization = requantization
        self.formatsSource = formatsSource
    }

    /// Decodes the `numerics` object, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let formats = reader.formats("storageFormats")
        let bits = reader.integer("accumulatorBits", in: 8...64)
        let rules = reader.array("requantization", allowEmpty: false) { value, path in
            reader.context.choice(value, at: path, as: RequantizationRule.self)
        }
        let source = reader.string("formatsSource")
        guard let formats, let bits, let rules else { return nil }
        self.init(storageFormats: formats, accumulatorBits: bits, requantization: rules, formatsSource: source)
    }
}
