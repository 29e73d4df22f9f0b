import Foundation
import KilnJSON

/// One `--vary PATH=V1,V2,...` of `kiln sweep`: a field of the target description and the
/// values it takes, checked against the base target.
struct SweepParameter: Hashable {
    /// What kind of field the path names, which decides how values are read and written.
    enum FieldKind: String, Hashable {
        /// A bare number.
        case number
        /// A sourced number `{"value", "source"}`: the value is replaced and the source set to `sweep`.
        case sourcedNumber
        /// A string (an enumeration field of a family section).
        case string
        /// A Boolean.
        case boolean
    }

    /// The source written into sourced fields that a sweep sets.
    static let source = "sweep"

    /// The field.
    let path: TargetFieldPath
    /// What kind of field it is.
    let kind: FieldKind
    /// The values, in the order given, as JSON scalars.
    let values: [JSONValue]

    /// Parses one `--vary` argument against the base target's document.
    /// - Throws: ``UsageError`` for a missing `=`, an empty value list or value, a path the
    ///   target lacks (with a "did you mean" and the fields at that level), a field that is not
    ///   a number, string or Boolean, a value of the wrong kind, or a value listed twice.
    init(parsing argument: String, in document: JSONValue) throws(UsageError) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw UsageError("--vary '\(argument)' needs PATH=V1,V2,... (for example --vary clockMegahertz=100,200)")
        }
        let pathText = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
        let listText = String(argument[argument.index(after: equals)...])
        let path = try TargetFieldPath(parsing: pathText)
        guard !listText.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError("--vary \(pathText)= has no values; give a comma-separated list like \(pathText)=1,2,4")
        }
        let texts = listText.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        if texts.contains(where: \.isEmpty) {
            throw UsageError("--vary \(pathText): the list '\(listText)' has an empty value; separate values with single commas")
        }

        let current: JSONValue
        switch path.resolve(in: document) {
        case .found(let value): current = value
        case .missing(let depth, let container): throw Self.unknownPath(path, depth: depth, container: container)
        }
        let kind: FieldKind
        switch current {
        case .integer, .number: kind = .number
        case .string: kind = .string
        case .bool: kind = .boolean
        case .object(let object) where object["value"]?.doubleValue != nil: kind = .sourcedNumber
        case .object(let object) where object["value"]?.arrayValue != nil:
            throw UsageError("--vary \(pathText): the field is a list of numbers; a sweep varies single numbers, strings and Booleans")
        case .object(let object):
            throw UsageError("--vary \(pathText): the field is an object; name a field inside it (\(Self.fieldList(object)))")
        case .array:
            throw UsageError("--vary \(pathText): the field is a list; name one element with [N], like \(pathText)[0]")
        case .null:
            throw UsageError("--vary \(pathText): the field is null and cannot be varied")
        }
        var values: [JSONValue] = []
        for text in texts {
            let value: JSONValue
            switch kind {
            case .number, .sourcedNumber:
                if let integer = Int64(text) {
                    value = .integer(integer)
                } else if let number = Double(text), number.isFinite {
                    value = .number(number)
                } else {
                    throw UsageError("--vary \(pathText): '\(text)' is not a number, and \(pathText) is a numeric field")
                }
            case .string: value = .string(text)
            case .boolean:
                guard text == "true" || text == "false" else {
                    throw UsageError("--vary \(pathText): '\(text)' is not true or false, and \(pathText) is a Boolean field")
                }
                value = .bool(text == "true")
            }
            if values.contains(where: { Self.sameValue($0, value) }) {
                throw UsageError("--vary \(pathText): the value '\(text)' is listed twice")
            }
            values.append(value)
        }
        self.path = path
        self.kind = kind
        self.values = values
    }

    /// The JSON that replaces the field for `value` (a sourced number keeps the object form,
    /// with the source set to ``source``).
    func replacement(for value: JSONValue) -> JSONValue {
        kind == .sourcedNumber ? .object(JSONObject([("value", value), ("source", .string(Self.source))])) : value
    }

    /// A value as the user would type it (`256`, `0.5`, `ws`, `true`).
    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .integer(let integer): String(integer)
        case .number(let number): JSONWriter.format(number)
        case .bool(let flag): flag ? "true" : "false"
        default: JSONWriter().write(value).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }

    private static func fieldList(_ object: JSONObject) -> String {
        let keys = object.keys
        return keys.count <= 14 ? "fields: " + keys.joined(separator: ", ") : "fields: " + keys.prefix(14).joined(separator: ", ") + ", …"
    }

    private static func unknownPath(_ path: TargetFieldPath, depth: Int, container: JSONValue) -> UsageError {
        let where_ = depth == 0 ? "the target description" : "'\(path.prefix(depth))'"
        switch (path.components[depth], container) {
        case (.key(let key), .object(let object)):
            let suggestion = closestMatch(to: key, among: object.keys).map { " (did you mean '\(path.prefix(depth).isEmpty ? $0 : path.prefix(depth) + "." + $0)'?)" } ?? ""
            return UsageError("--vary: \(where_) has no field '\(key)'\(suggestion); \(fieldList(object))")
        case (.index(let index), .array(let elements)):
            return UsageError("--vary: \(where_) has \(elements.count) elements; index \(index) is out of range (0 to \(max(elements.count - 1, 0)))")
        case (.named(let name), .array(let elements)):
            let names = elements.compactMap { $0.objectValue?["name"]?.stringValue }
            let suggestion = closestMatch(to: name, among: names).map { " (did you mean '\($0)'?)" } ?? ""
            return UsageError("--vary: \(where_) has no element named '\(name)'\(suggestion); names: \(names.joined(separator: ", "))")
        case (.key(let key), _):
            return UsageError("--vary: \(where_) is not an object, so it has no field '\(key)'")
        default:
            return UsageError("--vary: \(where_) is not a list, so '\(path.text)' does not name a field")
        }
    }
}
