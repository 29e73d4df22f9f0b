import KilnDiagnostics

/// Reads the members of one JSON object for schema code, recording findings at their paths.
///
/// Create one with ``JSONDecodingContext/object(_:at:knownKeys:)``. The reader knows every legal
/// key up front; keys in the file that are not among them are recorded as errors when the reader
/// is created (with "did you mean" when a known key is close). Asking for a key that is not
/// in `knownKeys` is a bug in the schema code and is recorded as an internal error, so tests
/// catch a schema whose key list and reading code have drifted apart.
public struct JSONObjectReader {
    /// The object being read.
    public let object: JSONObject
    /// The object's path.
    public let path: JSONPath
    /// The legal keys, in schema order.
    public let knownKeys: [String]
    /// The shared findings.
    public let context: JSONDecodingContext

    /// Creates a reader and records every unknown key.
    public init(_ object: JSONObject, at path: JSONPath, knownKeys: [String], context: JSONDecodingContext) {
        self.object = object
        self.path = path
        self.knownKeys = knownKeys
        self.context = context
        // A schema object declares a few dozen keys at most: a linear search beats hashing them
        // into a set for every object read (a sweep decodes its target once per grid point).
        for (key, _) in object.members where !knownKeys.contains(key) {
            var message = "unknown key '\(key)'"
            if let close = closestMatch(to: key, among: knownKeys) { message += "; did you mean '\(close)'?" }
            context.error(message, at: path.appending(key: key))
        }
    }

    /// Whether the object has `key`.
    public func contains(_ key: String) -> Bool { object.contains(key) }

    /// The path of a member.
    public func path(of key: String) -> JSONPath { path.appending(key: key) }

    /// The raw value of an optional key, or nil if absent.
    public func optional(_ key: String) -> JSONValue? {
        checkKnown(key)
        return object[key]
    }

    /// The raw value of a required key, or nil after recording "missing required key".
    public func required(_ key: String) -> JSONValue? {
        checkKnown(key)
        guard let value = object[key] else {
            context.error("missing required key '\(key)'", at: path)
            return nil
        }
        return value
    }

    /// Decodes a required key with `decode`; nil if it is missing or fails.
    public func required<Value>(_ key: String, _ decode: (JSONValue, JSONPath) -> Value?) -> Value? {
        required(key).flatMap { decode($0, path(of: key)) }
    }

    /// Decodes an optional key with `decode`; nil if it is absent or fails.
    public func optional<Value>(_ key: String, _ decode: (JSONValue, JSONPath) -> Value?) -> Value? {
        optional(key).flatMap { decode($0, path(of: key)) }
    }

    /// A required string (non-empty unless `allowEmpty`).
    public func string(_ key: String, allowEmpty: Bool = false) -> String? {
        required(key) { allowEmpty ? context.string($0, at: $1) : context.nonEmptyString($0, at: $1) }
    }

    /// An optional string.
    public func optionalString(_ key: String) -> String? {
        optional(key) { context.string($0, at: $1) }
    }

    /// A required Boolean.
    public func bool(_ key: String) -> Bool? {
        required(key) { context.bool($0, at: $1) }
    }

    /// An optional Boolean.
    public func optionalBool(_ key: String) -> Bool? {
        optional(key) { context.bool($0, at: $1) }
    }

    /// A required integer in `range`.
    public func integer(_ key: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int? {
        required(key) { context.integer($0, at: $1, in: range) }
    }

    /// An optional integer in `range`.
    public func optionalInteger(_ key: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int? {
        optional(key) { context.integer($0, at: $1, in: range) }
    }

    /// A required number satisfying `constraint`.
    public func number(_ key: String, _ constraint: NumberConstraint = .any) -> Double? {
        required(key) { context.number($0, at: $1, constraint) }
    }

    /// A required value from a closed set of strings.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type) -> Choice?
        where Choice.RawValue == String {
        required(key) { context.choice($0, at: $1, as: type) }
    }

    /// A required nested object read with its own known keys.
    public func object(_ key: String, knownKeys: [String]) -> JSONObjectReader? {
        required(key) { context.object($0, at: $1, knownKeys: knownKeys) }
    }

    /// An optional nested object read with its own known keys.
    public func optionalObject(_ key: String, knownKeys: [String]) -> JSONObjectReader? {
        optional(key) { context.object($0, at: $1, knownKeys: knownKeys) }
    }

    /// A required array whose elements are decoded with `decode` (failed elements are dropped, their findings recorded).
    public func array<Element>(_ key: String, allowEmpty: Bool = true,
                               _ decode: (JSONValue, JSONPath) -> Element?) -> [Element]? {
        required(key) { context.array($0, at: $1, allowEmpty: allowEmpty, decode) }
    }

    /// An optional array whose elements are decoded with `decode`.
    public func optionalArray<Element>(_ key: String, allowEmpty: Bool = true,
                                       _ decode: (JSONValue, JSONPath) -> Element?) -> [Element]? {
        optional(key) { context.array($0, at: $1, allowEmpty: allowEmpty, decode) }
    }

    private func checkKnown(_ key: String) {
        if !knownKeys.contains(key) {
            context.error("internal error: the schema reads key '\(key)' but does not declare it", at: path)
        }
    }
}
