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
    /// The values a real part can have, for a numeric field (in the field's unit): the loader
    /// rejects a value outside it at the field's path, so no cost model, listing or sweep ever
    /// computes with an absurd number. The bounds are generous (orders of magnitude beyond any
    /// part Kiln models) and keep every product Kiln forms from them far below 2⁶³.
    public private(set) var plausibleRange: ClosedRange<Double>?

    /// Creates a field description.
    public init(_ key: String, _ type: String, required: Bool = true, cost: Bool = false, _ summary: String) {
        self.key = key
        self.type = type
        self.isRequired = required
        self.isCost = cost
        self.summary = summary
    }

    /// The same field with the range of values a real part can have (see ``plausibleRange``).
    public func plausible(_ range: ClosedRange<Double>) -> TargetField {
        var field = self
        field.plausibleRange = range
        return field
    }

    /// The plausible range as documentation: `0.001–100000`, or an empty string.
    public var plausibleRangeText: String {
        guard let range = plausibleRange else { return "" }
        return "\(formatBound(range.lowerBound))–\(formatBound(range.upperBound))"
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

/// A bound of a plausible range: an integer below 2⁵³ without a fraction, `2^N` for a power of
/// two from 2²⁰ on, otherwise the shortest decimal.
private func formatBound(_ value: Double) -> String {
    let exponent = value.exponent
    if value >= 0x10_0000, value == Double(sign: .plus, exponent: exponent, significand: 1) { return "2^\(exponent)" }
    return formatNumber(value)
}
