import KilnDiagnostics
import KilnJSON
import KilnNumerics

/// Reads one object of a target description according to its ``TargetSchemaSection``.
///
/// Required-ness and cost-ness come from the section's ``TargetField``s, so the reading code
/// and the documented schema cannot disagree. Every accessor records findings at the field's
/// JSON path and returns nil on failure (an optional field that is absent is nil silently).
/// Family decoders from plugin packages use this type too.
public struct TargetSectionReader {
    /// The schema of the object.
    public let section: TargetSchemaSection
    /// The underlying object reader.
    public let object: JSONObjectReader
    /// Whether every cost number must carry a source.
    public let requireSources: Bool

    /// The shared findings.
    public var context: JSONDecodingContext { object.context }
    /// The object's path.
    public var path: JSONPath { object.path }

    /// Creates a reader for `value` at `path`; nil after recording "expected an object".
    public init?(_ value: JSONValue, at path: JSONPath, section: TargetSchemaSection,
                 requireSources: Bool, context: JSONDecodingContext) {
        guard let object = context.object(value, at: path, knownKeys: section.keys) else { return nil }
        self.section = section
        self.object = object
        self.requireSources = requireSources
    }

    /// Whether the object has `key`.
    public func contains(_ key: String) -> Bool { object.contains(key) }

    /// The path of a member.
    public func path(of key: String) -> JSONPath { object.path(of: key) }

    /// Records an error at a member's path.
    public func error(_ message: String, at key: String) {
        context.error(message, at: path(of: key))
    }

    /// The raw value of a declared key; records a missing required key.
    public func value(_ key: String) -> JSONValue? {
        guard let field = section.field(key) else {
            context.error("internal error: the schema reads key '\(key)' but section '\(section.path)' does not declare it", at: path)
            return nil
        }
        return field.isRequired ? object.required(key) : object.optional(key)
    }

    private func decode<Value>(_ key: String, _ body: (JSONValue, JSONPath) -> Value?) -> Value? {
        value(key).flatMap { body($0, path(of: key)) }
    }

    /// A non-empty string.
    public func string(_ key: String) -> String? {
        decode(key) { context.nonEmptyString($0, at: $1) }
    }

    /// A Boolean.
    public func bool(_ key: String) -> Bool? {
        decode(key) { context.bool($0, at: $1) }
    }

    /// A plain integer in `range` (a sourced object is accepted too; its source is dropped).
    public func integer(_ key: String, in range: ClosedRange<Int64>) -> Int? {
        sourcedInteger(key, in: range)?.value
    }

    /// A plain number satisfying `constraint` (a sourced object is accepted too).
    public func number(_ key: String, _ constraint: NumberConstraint) -> Double? {
        sourcedNumber(key, constraint)?.value
    }

    /// One of a closed set of strings.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type) -> Choice?
        where Choice.RawValue == String {
        decode(key) { context.choice($0, at: $1, as: type) }
    }

    /// A number that may carry its source; a cost field without one is an error when sources are required.
    public func sourcedNumber(_ key: String, _ constraint: NumberConstraint) -> Sourced<Double>? {
        decode(key) { value, path in
            guard let (number, source) = splitSourced(value, at: path, cost: section.field(key)?.isCost ?? false) else { return nil }
            guard let checked = context.number(number, at: path, constraint), isPlausible(checked, number, key, at: path) else { return nil }
            return Sourced(checked, source: source)
        }
    }

    /// An integer that may carry its source; a cost field without one is an error when sources are required.
    public func sourcedInteger(_ key: String, in range: ClosedRange<Int64>) -> Sourced<Int>? {
        decode(key) { value, path in
            guard let (number, source) = splitSourced(value, at: path, cost: section.field(key)?.isCost ?? false) else { return nil }
            guard let checked = context.integer(number, at: path, in: range), isPlausible(Double(checked), number, key, at: path) else { return nil }
            return Sourced(checked, source: source)
        }
    }

    /// A non-empty list of element-type names (`["i8", "q15"]`), without repeats unless `allowRepeats`.
    public func formats(_ key: String, allowRepeats: Bool = false) -> [ElementType]? {
        decode(key) { value, path in
            guard let names = context.array(value, at: path, allowEmpty: false, { (element: JSONValue, elementPath: JSONPath) -> (String, JSONPath)? in
                context.string(element, at: elementPath).map { ($0, elementPath) }
            })
            else { return nil }
            var result: [ElementType] = []
            var ok = true
            for (name, elementPath) in names {
                guard let type = ElementType(name: name) else {
                    context.error("unknown element type '\(name)'; expected a name such as 'i8', 'u8', 'i4', 'bin', 'q7', 'q15', 'q31', 'f32'", at: elementPath)
                    ok = false
                    continue
                }
                if !allowRepeats && result.contains(type) {
                    context.error("element type '\(name)' is listed twice", at: elementPath)
                    ok = false
                }
                result.append(type)
            }
            return ok ? result : nil
        }
    }

    /// A nested object read with its own section.
    public func section(_ key: String, _ nested: TargetSchemaSection) -> TargetSectionReader? {
        decode(key) { TargetSectionReader($0, at: $1, section: nested, requireSources: requireSources, context: context) }
    }

    /// An array of objects, each read with `nested` (elements that are not objects are recorded and dropped).
    public func sections(_ key: String, _ nested: TargetSchemaSection, allowEmpty: Bool) -> [TargetSectionReader]? {
        decode(key) { value, path in
            context.array(value, at: path, allowEmpty: allowEmpty) {
                TargetSectionReader($0, at: $1, section: nested, requireSources: requireSources, context: context)
            }
        }
    }

    /// An array that may carry its source as a whole (`{"value": [10, 10], "source": "…"}`),
    /// each element decoded with `body`; a cost field without a source is an error when sources are required.
    public func sourcedArray<Element>(_ key: String, allowEmpty: Bool, _ body: (JSONValue, JSONPath) -> Element?) -> Sourced<[Element]>? {
        decode(key) { value, path in
            let cost = section.field(key)?.isCost ?? false
            let split: (JSONValue, String?)?
            if case .array = value, cost, requireSources {
                context.error("cost list has no source; write {\"value\": [...], \"source\": \"…\"}", at: path)
                split = nil
            } else {
                split = splitSourced(value, at: path, cost: cost)
            }
            guard let (inner, source) = split,
                  let elements = context.array(inner, at: path, allowEmpty: allowEmpty, { (value: JSONValue, path: JSONPath) -> Element? in
                      guard let element = body(value, path), value.doubleValue.map({ isPlausible($0, value, key, at: path) }) ?? true else { return nil }
                      return element
                  }) else { return nil }
            return Sourced(elements, source: source)
        }
    }

    /// An array of values decoded with `body`.
    public func array<Element>(_ key: String, allowEmpty: Bool, _ body: (JSONValue, JSONPath) -> Element?) -> [Element]? {
        decode(key) { context.array($0, at: $1, allowEmpty: allowEmpty, body) }
    }

    /// Whether `value` (written as `written`) lies in the field's declared
    /// ``TargetField/plausibleRange``; records a finding at `path` if not (a field without a
    /// range accepts every value).
    private func isPlausible(_ value: Double, _ written: JSONValue, _ key: String, at path: JSONPath) -> Bool {
        guard let field = section.field(key), let range = field.plausibleRange, !range.contains(value) else { return true }
        context.error("\(written.summary) is outside the plausible range of \(key) (\(field.plausibleRangeText)); "
                      + "no real part has such a value: check the number and its unit", at: path)
        return false
    }

    /// Splits `{"value": n, "source": "…"}` or a bare number into the number and its source.
    private func splitSourced(_ value: JSONValue, at path: JSONPath, cost: Bool) -> (JSONValue, String?)? {
        guard case .object = value else {
            if cost && requireSources && value.doubleValue != nil {
                context.error("cost number \(value.summary) has no source; write {\"value\": \(value.summary), \"source\": \"…\"} naming the datasheet, manual or paper", at: path)
                return nil
            }
            return (value, nil)
        }
        guard let reader = context.object(value, at: path, knownKeys: ["value", "source"]) else { return nil }
        guard let number = reader.required("value") else { return nil }
        guard let source = reader.required("source").flatMap({ context.nonEmptyString($0, at: path.appending(key: "source")) }) else {
            return nil
        }
        return (number, source)
    }
}
