/// One field of the target description schema: its key, type, whether it is required, whether it
/// is a cost number, and what it means.
///
/// The schema is data: readers take their legal keys, required-ness and cost-ness from these
/// values, and `docs/target-format.md` documents exactly the fields listed here (a test checks
/// both directions).
public struct TargetField: Sendable, Hashable {
    /// The JSON key.
    public let key: String
    /// The value's type as documented (`string`, `integer ≥ 1`, `sourced number > 0`, …).
    public let type: String
    /// Whether the key must be present.
    public let isRequired: Bool
    /// Whether the field is a cost number (affects cycles, energy or memory). Cost numbers may
    /// carry a source, and every cost number of a built-in target must.
    public let isCost: Bool
    /// What the field means, with its unit.
    public let summary: String

    /// Creates a field description.
    public init(_ key: String, _ type: String, required: Bool = true, cost: Bool = false, _ summary: String) {
        self.key = key
        self.type = type
        self.isRequired = required
        self.isCost = cost
        self.summary = summary
    }

    /// A required cost number that may carry a source (`{"value": …, "source": …}`).
    public static func cost(_ key: String, _ type: String, required: Bool = true, _ summary: String) -> TargetField {
        TargetField(key, type, required: required, cost: true, summary)
    }

    /// An optional non-cost field.
    public static func optional(_ key: String, _ type: String, _ summary: String) -> TargetField {
        TargetField(key, type, required: false, summary)
    }
}
