/// A deterministic pretty printer for ``JSONValue``.
///
/// Two-space indentation, object keys in the order they are stored, integers without a
/// fraction, and `Double`s in Swift's shortest representation that reads back to the same
/// value. Arrays whose elements are all scalars are written on one line. Non-finite numbers
/// cannot be written in JSON and are written as `null`.
public struct JSONWriter: Sendable {
    /// Creates a writer.
    public init() {}

    /// Renders a value as pretty-printed JSON text, ending with a newline.
    /// - Parameter value: the value to render.
    /// - Returns: the text.
    /// - Complexity: O(n) in the size of the output.
    public func write(_ value: JSONValue) -> String {
        var output = ""
        append(value, indent: 0, to: &output)
        output += "\n"
        return output
    }

    private func append(_ value: JSONValue, indent: Int, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .number(let number): output += JSONWriter.format(number)
        case .string(let text): output += "\"" + JSONWriter.escape(text) + "\""
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
            } else if elements.allSatisfy(JSONWriter.isScalar) {
                output += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { output += ", " }
                    append(element, indent: indent, to: &output)
                }
                output += "]"
            } else {
                output += "[\n"
                for (index, element) in elements.enumerated() {
                    output += String(repeating: " ", count: indent + 2)
                    append(element, indent: indent + 2, to: &output)
                    output += index + 1 < elements.count ? ",\n" : "\n"
                }
                output += String(repeating: " ", count: indent) + "]"
            }
        case .object(let object):
            if object.count == 0 {
                output += "{}"
                return
            }
            output += "{\n"
            for (index, member) in object.members.enumerated() {
                output += String(repeating: " ", count: indent + 2)
                output += "\"" + JSONWriter.escape(member.key) + "\": "
                append(member.value, indent: indent + 2, to: &output)
                output += index + 1 < object.count ? ",\n" : "\n"
            }
            output += String(repeating: " ", count: indent) + "}"
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    /// Formats a `Double` as a JSON number that reads back to exactly the same value
    /// (Swift's shortest round-tripping representation); `null` if it is not finite.
    public static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        return number.description
    }

    /// Escapes a string for use between JSON double quotes.
    public static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
