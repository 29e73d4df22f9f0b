import KilnDiagnostics

/// A strict JSON (RFC 8259) reader that never traps on bad input.
///
/// - Duplicate keys are errors at the duplicate's path (every duplicate is reported).
/// - Invalid UTF-8, control characters in strings, lone surrogates, trailing commas, comments,
///   `NaN`, leading zeros and numbers out of `Double` range are errors.
/// - Nesting deeper than ``maximumDepth`` is an error, found before any deep recursion, so a
///   10 MB file of `[[[[…` fails in linear time without exhausting the stack.
/// - A UTF-8 byte-order mark at the start is skipped.
///
/// Syntax errors name the line and column (in Unicode scalars, both 1-based) and the JSON path
/// of the enclosing value, for example
/// `m7.json: error: at memory[1] (line 12, column 5): expected ',' or ']' in an array, found '}'`.
public struct JSONParser: Sendable {
    /// The default and largest allowed nesting depth of arrays and objects.
    public static let defaultMaximumDepth = 256
    /// The largest nesting depth accepted by ``init(maximumDepth:)``; deeper limits are clamped.
    public static let largestMaximumDepth = 1024

    /// How deeply arrays and objects may nest (the root container is depth 1).
    public let maximumDepth: Int

    /// Creates a parser.
    /// - Parameter maximumDepth: how deeply arrays and objects may nest; clamped to
    ///   `1...largestMaximumDepth`.
    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = Swift.min(Swift.max(maximumDepth, 1), JSONParser.largestMaximumDepth)
    }

    /// Parses one JSON document.
    /// - Parameters:
    ///   - bytes: the document, UTF-8 encoded.
    ///   - file: the file name used in findings, as the user named it.
    /// - Returns: the root value.
    /// - Throws: ``DiagnosticError`` with every duplicate key, or the first syntax error.
    /// - Complexity: O(n) in the number of bytes.
    public func parse(_ bytes: [UInt8], file: String? = nil) throws(DiagnosticError) -> JSONValue {
        if bytes.isEmpty {
            throw DiagnosticError(Diagnostic(.error, "the file is empty (0 bytes); expected a JSON value",
                                             at: SourceLocation(file: file)))
        }
        var scanner = Scanner(bytes: bytes, file: file, maximumDepth: maximumDepth)
        return try scanner.parseDocument()
    }

    /// Parses one JSON document held in a string.
    /// - Parameters:
    ///   - text: the document.
    ///   - file: the file name used in findings.
    /// - Throws: ``DiagnosticError`` as ``parse(_:file:)``.
    public func parse(_ text: String, file: String? = nil) throws(DiagnosticError) -> JSONValue {
        try parse(Array(text.utf8), file: file)
    }
}

/// The byte-level state of one parse.
private struct Scanner {
    let bytes: [UInt8]
    let file: String?
    let maximumDepth: Int
    var offset = 0
    var depth = 0
    var path: [JSONPath.Component] = []
    var findings: [Diagnostic] = []

    init(bytes: [UInt8], file: String?, maximumDepth: Int) {
        self.bytes = bytes
        self.file = file
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(DiagnosticError) -> JSONValue {
        if let bad = Scanner.firstInvalidUTF8(bytes) {
            throw DiagnosticError(Diagnostic(.error,
                "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true))); JSON files must be UTF-8",
                at: SourceLocation(file: file, place: position(of: bad), byteOffset: bad)))
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        try checkNesting()
        skipWhitespace()
        if offset >= bytes.count {
            throw fail("expected a JSON value, found only whitespace", at: offset)
        }
        let value = try parseValue()
        skipWhitespace()
        if offset < bytes.count {
            throw fail("unexpected \(describeByte(at: offset)) after the end of the JSON value", at: offset)
        }
        if !findings.isEmpty { throw DiagnosticError(findings) }
        return value
    }

    /// Scans brackets outside strings once, so over-deep input fails before any recursion.
    func checkNesting() throws(DiagnosticError) {
        var level = 0
        var index = offset
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                level += 1
                if level > maximumDepth {
                    throw fail("nesting is deeper than the limit of \(maximumDepth) arrays and objects", at: index)
                }
            } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                level = Swift.max(level - 1, 0)
            }
            index += 1
        }
    }

    // MARK: values

    mutating func parseValue() throws(DiagnosticError) -> JSONValue {
        guard offset < bytes.count else { throw fail("expected a JSON value, found the end of the file", at: offset) }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("expected a JSON value, found \(describeByte(at: offset))", at: offset)
        }
    }

    mutating func parseObject() throws(DiagnosticError) -> JSONValue {
        let start = offset
        offset += 1
        depth += 1
        defer { depth -= 1 }
        if depth > maximumDepth { throw fail("nesting is deeper than the limit of \(maximumDepth)", at: start) }
        var object = JSONObject()
        // Byte offsets of the keys seen; a line number is computed only for a duplicate (from
        // the start of the file, so computing one per key made parsing quadratic).
        var firstOffsets: [String: Int] = [:]
        skipWhitespace()
        if peek(UInt8(ascii: "}")) { offset += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard peek(UInt8(ascii: "\"")) else {
                throw fail("expected a string key in an object, found \(describeByte(at: offset))", at: offset)
            }
            let keyOffset = offset
            let key = try parseString()
            skipWhitespace()
            guard peek(UInt8(ascii: ":")) else {
                throw fail("expected ':' after the key \"\(JSONWriter.escape(key))\", found \(describeByte(at: offset))", at: offset)
            }
            offset += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue()
            if let first = firstOffsets[key] {
                findings.append(Diagnostic(.error,
                    "duplicate key '\(key)' (first defined at line \(lineAndColumn(of: first).line)); each key may appear once",
                    at: SourceLocation(file: file, place: position(of: keyOffset))))
            } else {
                firstOffsets[key] = keyOffset
                object[key] = value
            }
            path.removeLast()
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unterminated object: expected ',' or '}', found the end of the file", at: offset) }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                skipWhitespace()
                if peek(UInt8(ascii: "}")) { throw fail("trailing comma before '}' is not allowed in JSON", at: offset) }
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(object)
            } else {
                throw fail("expected ',' or '}' in an object, found \(describeByte(at: offset))", at: offset)
            }
        }
    }

    mutating func parseArray() throws(DiagnosticError) -> JSONValue {
        let start = offset
        offset += 1
        depth += 1
        defer { depth -= 1 }
        if depth > maximumDepth { throw fail("nesting is deeper than the limit of \(maximumDepth)", at: start) }
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek(UInt8(ascii: "]")) { offset += 1; return .array(elements) }
        while true {
            skipWhitespace()
            path.append(.index(elements.count))
            elements.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard offset < bytes.count else { throw fail("unterminated array: expected ',' or ']', found the end of the file", at: offset) }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
                skipWhitespace()
                if peek(UInt8(ascii: "]")) { throw fail("trailing comma before ']' is not allowed in JSON", at: offset) }
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            } else {
                throw fail("expected ',' or ']' in an array, found \(describeByte(at: offset))", at: offset)
            }
        }
    }

    mutating func parseString() throws(DiagnosticError) -> String {
        let start = offset
        offset += 1
        var buffer: [UInt8] = []
        var segmentStart = offset
        while true {
            guard offset < bytes.count else { throw fail("unterminated string", at: start) }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                buffer.append(contentsOf: bytes[segmentStart..<offset])
                offset += 1
                return String(decoding: buffer, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                buffer.append(contentsOf: bytes[segmentStart..<offset])
                try parseEscape(into: &buffer)
                segmentStart = offset
            } else if byte < 0x20 {
                throw fail("control character 0x\(String(byte, radix: 16, uppercase: true)) in a string must be escaped", at: offset)
            } else {
                offset += 1
            }
        }
    }

    mutating func parseEscape(into buffer: inout [UInt8]) throws(DiagnosticError) {
        let escapeStart = offset
        offset += 1
        guard offset < bytes.count else { throw fail("unterminated escape sequence", at: escapeStart) }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw fail("lone high surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string", at: escapeStart)
                }
                offset += 2
                let low = try parseHex4(escapeStart: escapeStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail("high surrogate not followed by a low surrogate in a string", at: escapeStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("lone low surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string", at: escapeStart)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape", at: escapeStart) }
            buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw fail("invalid escape sequence '\\\(Character(Unicode.Scalar(byte)))' in a string", at: escapeStart)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(DiagnosticError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("truncated \\u escape", at: escapeStart) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("\\u escape needs four hexadecimal digits", at: escapeStart)
            }
            value = value * 16 + UInt32(digit)
            offset += 1
        }
        return value
    }

    mutating func parseNumber() throws(DiagnosticError) -> JSONValue {
        let start = offset
        var isInteger = true
        if peek(UInt8(ascii: "-")) { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else {
            throw fail("a number needs digits after '-'", at: start)
        }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) {
                throw fail("numbers must not have leading zeros", at: start)
            }
        } else {
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if peek(UInt8(ascii: ".")) {
            isInteger = false
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("a number needs digits after '.'", at: start) }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            isInteger = false
            offset += 1
            if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else { throw fail("a number needs digits in its exponent", at: start) }
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isInteger, let exact = Int64(text) { return .integer(exact) }
        guard let double = Double(text), double.isFinite else {
            throw fail("the number \(text) is out of range", at: start)
        }
        return .number(double)
    }

    // MARK: helpers

    mutating func expectWord(_ word: String) throws(DiagnosticError) {
        let utf8 = Array(word.utf8)
        guard offset + utf8.count <= bytes.count, Array(bytes[offset..<offset + utf8.count]) == utf8 else {
            throw fail("expected a JSON value, found \(describeByte(at: offset))", at: offset)
        }
        offset += utf8.count
    }

    func peek(_ byte: UInt8) -> Bool { offset < bytes.count && bytes[offset] == byte }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    func describeByte(at index: Int) -> String {
        guard index < bytes.count else { return "the end of the file" }
        let byte = bytes[index]
        if byte == UInt8(ascii: "/") { return "'/' (comments are not allowed in JSON)" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    func lineAndColumn(of index: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var position = 0
        let end = Swift.min(index, bytes.count)
        while position < end {
            let byte = bytes[position]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        return (line, column)
    }

    /// The place text of a finding: the JSON path (when not the root) and the line and column.
    func position(of index: Int) -> String {
        let (line, column) = lineAndColumn(of: index)
        let where_ = "line \(line), column \(column)"
        let current = JSONPath(components: path)
        return current.isRoot ? where_ : "\(current) (\(where_))"
    }

    func fail(_ message: String, at index: Int) -> DiagnosticError {
        DiagnosticError(findings + [Diagnostic(.error, message, at: SourceLocation(file: file, place: position(of: index)))])
    }

    /// The offset of the first byte that is not part of well-formed UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 { index += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return index }
            var next = index + 2
            while next < index + length {
                guard bytes[next] & 0xC0 == 0x80 else { return index }
                next += 1
            }
            index += length
        }
        return nil
    }
}
