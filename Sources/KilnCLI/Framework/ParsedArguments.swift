/// A usage error: the command line is wrong (exit code 2).
public struct UsageError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a usage error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// A command line split into positional arguments and option values, checked against the
/// command's ``OptionSpecification``s.
public struct ParsedArguments: Sendable {
    /// Arguments that are not options, in order.
    public private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments` (without the command names) against `options`.
    ///
    /// Accepts `--name value`, `--name=value`, `-x value`, and `--` to end options.
    /// - Throws: ``UsageError`` for an unknown option, a missing value, a value outside the
    ///   option's choices, or a single-valued option given twice.
    public init(_ arguments: [String], options: [OptionSpecification]) throws(UsageError) {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name || $0.shortName == name }) else {
                throw UsageError("unknown option '\(name)'\(closestMatchSuggestion(name, options.map(\.name)))")
            }
            switch option.arity {
            case .flag:
                if inlineValue != nil { throw UsageError("option '\(option.name)' takes no value") }
                flags.insert(option.name)
            case .single, .repeated:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("option '\(option.name)' needs a value (\(option.valueName))") }
                    value = arguments[index]
                    index += 1
                }
                if !option.choices.isEmpty && !option.choices.contains(value) {
                    throw UsageError("option '\(option.name)' must be one of \(option.choices.joined(separator: ", ")), got '\(value)'")
                }
                if option.arity == .single && values[option.name] != nil {
                    throw UsageError("option '\(option.name)' is given more than once")
                }
                values[option.name, default: []].append(value)
            }
        }
    }

    /// The value of a single-valued option, or nil if it was not given.
    public func value(_ name: String) -> String? { values[name]?.first }

    /// Every value of a repeated option, in order.
    public func values(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The value of an integer option.
    /// - Throws: ``UsageError`` if the value is not an integer in `range`.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("option '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// Checks the number of positional arguments.
    /// - Throws: ``UsageError`` naming what is missing or extra.
    public func expectPositionals(_ range: ClosedRange<Int>, names: String) throws(UsageError) {
        if positionals.count < range.lowerBound { throw UsageError("missing \(names)") }
        if positionals.count > range.upperBound {
            throw UsageError("unexpected argument '\(positionals[range.upperBound])'")
        }
    }
}
