import KilnDiagnostics

/// Shared state of one schema decoding pass: the findings collected so far.
///
/// Schema code reads a ``JSONValue`` with the typed helpers here and on ``JSONObjectReader``;
/// every helper records a finding at the value's ``JSONPath`` and returns `nil` instead of
/// throwing, so that one pass reports every problem in a file.
///
/// The context is a class so that nested object readers share one list of findings.
public final class JSONDecodingContext {
    /// The findings recorded so far, with the context's file filled in.
    public private(set) var collector: DiagnosticCollector

    /// Creates a context whose findings are about `file`.
    public init(file: String? = nil) {
        collector = DiagnosticCollector(file: file)
    }

    /// The findings recorded so far.
    public var diagnostics: [Diagnostic] { collector.diagnostics }

    /// Whether any error has been recorded.
    public var hasErrors: Bool { collector.hasErrors }

    /// Records an error at a path (`at (root)` is left out for the root).
    public func error(_ message: String, at path: JSONPath) {
        collector.error(message, at: path.isRoot ? nil : path.description)
    }

    /// Records a warning at a path.
    public func warning(_ message: String, at path: JSONPath) {
        collector.warning(message, at: path.isRoot ? nil : path.description)
    }

    /// Records a finding as it is.
    public func append(_ diagnostic: Diagnostic) {
        collector.append(diagnostic)
    }

    /// Throws every finding if any is an error.
    public func throwIfErrors() throws(DiagnosticError) {
        try collector.throwIfErrors()
    }

    // MARK: typed values

    /// The value as a string, or nil after recording "expected a string".
    public func string(_ value: JSONValue, at path: JSONPath) -> String? {
        if let text = value.stringValue { return text }
        error("expected a string, got \(value.summary)", at: path)
        return nil
    }

    /// The value as a non-empty string, or nil after recording a finding.
    public func nonEmptyString(_ value: JSONValue, at path: JSONPath) -> String? {
        guard let text = string(value, at: path) else { return nil }
        if text.isEmpty {
            error("expected a non-empty string", at: path)
            return nil
        }
        return text
    }

    /// The value as a Boolean, or nil after recording "expected true or false".
    public func bool(_ value: JSONValue, at path: JSONPath) -> Bool? {
        if let flag = value.boolValue { return flag }
        error("expected true or false, got \(value.summary)", at: path)
        return nil
    }

    /// The value as an exact integer within `range`, or nil after recording a finding.
    /// - Parameters:
    ///   - value: the value.
    ///   - path: its path.
    ///   - range: the legal values; the message names them (`a positive integer`, `an integer from 1 to 64`).
    public func integer(_ value: JSONValue, at path: JSONPath, in range: ClosedRange<Int64> = Int64.min...Int64.max) -> Int? {
        let wanted = JSONDecodingContext.describe(range)
        guard let integer = value.integerValue else {
            error("expected \(wanted), got \(value.summary)", at: path)
            return nil
        }
        guard range.contains(integer), let result = Int(exactly: integer) else {
            error("expected \(wanted), got \(integer)", at: path)
            return nil
        }
        return result
    }

    /// The value as a finite number satisfying `constraint`, or nil after recording a finding
    /// such as `expected a positive number, got -4`.
    public func number(_ value: JSONValue, at path: JSONPath, _ constraint: NumberConstraint = .any) -> Double? {
        guard let number = value.doubleValue else {
            error("expected \(constraint.phrase), got \(value.summary)", at: path)
            return nil
        }
        guard constraint.accepts(number) else {
            error("expected \(constraint.phrase), got \(value.summary)", at: path)
            return nil
        }
        return number
    }

    /// The value as one of a closed set of strings, or nil after recording a finding that lists them.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ value: JSONValue, at path: JSONPath, as type: Choice.Type)
        -> Choice? where Choice.RawValue == String {
        guard let text = string(value, at: path) else { return nil }
        if let result = Choice(rawValue: text) { return result }
        let names = Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        var message = "unknown value '\(text)'; expected one of \(names)"
        if let close = closestMatch(to: text, among: Choice.allCases.map(\.rawValue)) {
            message += " (did you mean '\(close)'?)"
        }
        error(message, at: path)
        return nil
    }

    /// The elements of an array with their paths, or nil after recording "expected an array".
    /// - Parameter allowEmpty: whether an empty array is legal; if not, it is recorded as an error.
    public func array(_ value: JSONValue, at path: JSONPath, allowEmpty: Bool = true) -> [(value: JSONValue, path: JSONPath)]? {
        guard let elements = value.arrayValue else {
            error("expected an array, got \(value.summary)", at: path)
            return nil
        }
        if elements.isEmpty && !allowEmpty {
            error("expected a non-empty array", at: path)
            return nil
        }
        return elements.enumerated().map { ($0.element, path.appending(index: $0.offset)) }
    }

    /// Maps every element of an array with `decode`, dropping elements that fail (their findings are recorded).
    /// Returns nil if the value is not an array.
    public func array<Element>(_ value: JSONValue, at path: JSONPath, allowEmpty: Bool = true,
                               _ decode: (JSONValue, JSONPath) -> Element?) -> [Element]? {
        guard let elements = array(value, at: path, allowEmpty: allowEmpty) else { return nil }
        return elements.compactMap { decode($0.value, $0.path) }
    }

    /// A reader for an object whose legal keys are `knownKeys`, or nil after recording
    /// "expected an object". Unknown keys are recorded at once, each with a suggestion when one
    /// of the known keys is close.
    public func object(_ value: JSONValue, at path: JSONPath, knownKeys: [String]) -> JSONObjectReader? {
        guard let object = value.objectValue else {
            error("expected an object, got \(value.summary)", at: path)
            return nil
        }
        return JSONObjectReader(object, at: path, knownKeys: knownKeys, context: self)
    }

    private static func describe(_ range: ClosedRange<Int64>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int64.min, Int64.max): return "an integer"
        case (1, Int64.max): return "a positive integer"
        case (0, Int64.max): return "a non-negative integer"
        case (let low, Int64.max): return "an integer of at least \(low)"
        case (Int64.min, let high): return "an integer of at most \(high)"
        case (let low, let high): return "an integer from \(low) to \(high)"
        }
    }
}

/// What a number must satisfy, used by ``JSONDecodingContext/number(_:at:_:)``.
public enum NumberConstraint: Sendable, Hashable {
    /// Any finite number.
    case any
    /// Zero or more.
    case nonNegative
    /// More than zero.
    case positive
    /// Within a closed range.
    case range(ClosedRange<Double>)

    /// Whether `number` satisfies the constraint.
    public func accepts(_ number: Double) -> Bool {
        guard number.isFinite else { return false }
        switch self {
        case .any: return true
        case .nonNegative: return number >= 0
        case .positive: return number > 0
        case .range(let range): return range.contains(number)
        }
    }

    /// How findings name the expectation: `a positive number`.
    public var phrase: String {
        switch self {
        case .any: "a number"
        case .nonNegative: "a non-negative number"
        case .positive: "a positive number"
        case .range(let range): "a number from \(JSONWriter.format(range.lowerBound)) to \(JSONWriter.format(range.upperBound))"
        }
    }
}
