import KilnJSON

/// A number from a target description together with where it comes from.
///
/// In JSON a sourced field is either a bare number (`480`) or an object
/// `{"value": 480, "source": "STM32H743 datasheet DS12110 Rev 8, §3.3"}`. Cost fields (see
/// ``TargetField/isCost``) of a built-in target must use the object form; the loader enforces
/// this when asked to (``TargetLoader/Options/requireSources``).
public struct Sourced<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The number.
    public let value: Value
    /// Where the number comes from (datasheet, manual, paper, or "derived: …"), if given.
    public let source: String?

    /// Creates a sourced number.
    public init(_ value: Value, source: String? = nil) {
        self.value = value
        self.source = source
    }
}

extension Sourced where Value == Double {
    /// The value as JSON, in the same form it was written (bare or with its source).
    public var json: JSONValue {
        let number: JSONValue = value.rounded() == value && abs(value) < 9e15 ? .integer(Int64(value)) : .number(value)
        guard let source else { return number }
        return .object(JSONObject([("value", number), ("source", .string(source))]))
    }
}

extension Sourced where Value == Int {
    /// The value as JSON, in the same form it was written (bare or with its source).
    public var json: JSONValue {
        guard let source else { return .integer(Int64(value)) }
        return .object(JSONObject([("value", .integer(Int64(value))), ("source", .string(source))]))
    }
}
