import KilnJSON

/// The subset of JSON Schema (draft 2020-12) that `docs/schemas/*.schema.json` use: `type`
/// (one or a list), `const`, `enum`, `required`, `properties`, `additionalProperties` (a
/// Boolean or a schema), `items`, `minimum` and `maximum`. Any other keyword is reported, so a
/// schema cannot silently use one this checker ignores.
struct JSONSchemaValidator {
    /// Keywords that only document.
    static let annotations: Set<String> = ["$schema", "$id", "title", "description"]
    static let checked: Set<String> = ["type", "const", "enum", "required", "properties", "additionalProperties", "items", "minimum", "maximum"]

    /// Every violation of `schema` by `value`, as `PATH: problem`.
    static func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard let schema = schema.objectValue else { return ["\(path): the schema is not an object"] }
        var problems: [String] = []
        for key in schema.keys where !annotations.contains(key) && !checked.contains(key) {
            problems.append("\(path): the schema uses '\(key)', which this checker does not implement")
        }
        if let types = schema["type"] {
            let names = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue].compactMap { $0 }
            if !names.contains(where: { matches(value, type: $0) }) { problems.append("\(path): \(value.summary) is not of type \(names)") }
        }
        if let constant = schema["const"], !equal(constant, value) { problems.append("\(path): \(value.summary) is not \(constant.summary)") }
        if let choices = schema["enum"]?.arrayValue, !choices.contains(where: { equal($0, value) }) {
            problems.append("\(path): \(value.summary) is not one of \(choices.map(\.summary))")
        }
        if let number = value.doubleValue {
            if let minimum = schema["minimum"]?.doubleValue, number < minimum { problems.append("\(path): \(number) < \(minimum)") }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum { problems.append("\(path): \(number) > \(maximum)") }
        }
        if let object = value.objectValue {
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where !object.contains(key) {
                problems.append("\(path): lacks '\(key)'")
            }
            let properties = schema["properties"]?.objectValue
            for key in object.keys {
                let member = object[key] ?? .null
                if let property = properties?[key] {
                    problems += violations(of: member, against: property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] {
                    if additional.boolValue == false { problems.append("\(path): unexpected key '\(key)'") }
                    else if additional.objectValue != nil { problems += violations(of: member, against: additional, at: "\(path).\(key)") }
                }
            }
        }
        if let array = value.arrayValue, let items = schema["items"] {
            for (index, element) in array.enumerated() { problems += violations(of: element, against: items, at: "\(path)[\(index)]") }
        }
        return problems
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
             ("string", .string), ("array", .array), ("object", .object): true
        default: false
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}

/// A minimal RFC 4180 CSV reader for tests: quoted fields with doubled quotes and embedded
/// commas or line breaks.
enum CSVReader {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            if quoted {
                if character == "\"" {
                    if index < text.endIndex && text[index] == "\"" { field.append("\""); index = text.index(after: index) } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" { quoted = true }
            else if character == "," { row.append(field); field = "" }
            else if character == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else { field.append(character) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
