/// A JSON value as read by ``JSONParser``, with object keys kept in file order.
///
/// Integer literals that fit in `Int64` are kept exactly as ``integer(_:)``; every other number
/// (with a fraction, an exponent, or out of `Int64` range) is a ``number(_:)``.
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer literal (no fraction or exponent) that fits in `Int64`, kept exactly.
    case integer(Int64)
    /// Any other number, as the nearest `Double`.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, with keys in file order and no duplicates.
    case object(JSONObject)

    /// The value as a `Double` if it is a number of either kind.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The value as an exact integer: an integer literal, or a number with no fraction that fits `Int64`.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.isFinite, value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The string, if the value is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The Boolean, if the value is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if the value is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if the value is one.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A short description of the value for findings: the literal for scalars
    /// (`-4`, `"abc"`, `true`), `an array` or `an object` for containers.
    public var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return JSONWriter.format(value)
        case .string(let value):
            let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
            return "the string \"" + JSONWriter.escape(shown) + "\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
