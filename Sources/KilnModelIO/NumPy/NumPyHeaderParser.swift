import KilnDiagnostics

/// A strict parser for the Python dict literal in a `.npy` header, for exactly the syntax NumPy
/// writes and reads: `{'descr': '<f4', 'fortran_order': False, 'shape': (540, 64), }`.
///
/// Keys may come in any order, quoted with `'` or `"`; a trailing comma is allowed; whitespace
/// (space, tab, newline, carriage return) may separate tokens. Each known key takes one kind of
/// value: `descr` a string, `fortran_order` `True` or `False`, `shape` a tuple of integers
/// (`()`, `(5,)`, `(2, 3)`, `(2, 3,)`). Unknown and repeated keys, escape sequences, lists (as in
/// structured dtypes) and anything else are errors with the byte offset where they start.
struct NumPyHeaderParser {
    /// The fields found, each `nil` until its key is seen.
    struct Fields {
        /// The `descr` string.
        var descr: String?
        /// The `fortran_order` flag.
        var fortranOrder: Bool?
        /// The `shape` tuple, not yet checked for negative entries.
        var shape: [Int]?
    }

    /// The header bytes.
    let bytes: [UInt8]
    /// The file offset of `bytes[0]`.
    let baseOffset: Int
    /// Whether strings are UTF-8 (format 3.0) rather than Latin-1.
    let isUTF8: Bool
    /// The file name for error locations.
    let file: String?
    /// The index of the next byte to read.
    private var position = 0

    /// Creates a parser over header bytes that start at `baseOffset` in `file`.
    init(bytes: [UInt8], baseOffset: Int, isUTF8: Bool, file: String?) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.isUTF8 = isUTF8
        self.file = file
    }

    /// Parses the whole header: one dict and nothing but whitespace after it.
    mutating func parseDict() throws(DiagnosticError) -> Fields {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else {
            throw error("the header is not a Python dict literal: expected '{', found \(found)", "header")
        }
        position += 1
        var fields = Fields()
        var seen = Set<String>()
        skipWhitespace()
        while peek != UInt8(ascii: "}") {
            let keyOffset = position
            guard peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"") else {
                throw error("expected a quoted key or '}' in the header dict, found \(found)", "header")
            }
            let key = try parseString(place: "header")
            guard seen.insert(key).inserted else {
                throw error("the key '\(key)' appears twice in the header dict", "header", at: keyOffset)
            }
            skipWhitespace()
            try expect(":", after: "the key '\(key)'", place: "header")
            skipWhitespace()
            switch key {
            case "descr": fields.descr = try parseDescr()
            case "fortran_order": fields.fortranOrder = try parseBool()
            case "shape": fields.shape = try parseShape()
            default:
                throw error("unexpected key '\(key)' in the header dict; a .npy header has exactly 'descr',"
                            + " 'fortran_order' and 'shape'", "header", at: keyOffset)
            }
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
            } else if peek != UInt8(ascii: "}") {
                throw error("expected ',' or '}' after the value of '\(key)', found \(found)", "header")
            }
        }
        position += 1
        skipWhitespace()
        guard position == bytes.count else {
            throw error("unexpected \(found) after the end of the header dict", "header")
        }
        return fields
    }

    // MARK: - Values

    /// `descr`: a quoted dtype string. A list here is a structured dtype, which Kiln does not read.
    private mutating func parseDescr() throws(DiagnosticError) -> String {
        if peek == UInt8(ascii: "[") {
            throw error("the array has a structured dtype (records with named fields), which Kiln does not read;"
                        + " save each field as its own array", "header.descr")
        }
        guard peek == UInt8(ascii: "'") || peek == UInt8(ascii: "\"") else {
            throw error("expected a dtype string such as '<f4', found \(found)", "header.descr")
        }
        return try parseString(place: "header.descr")
    }

    /// `fortran_order`: `True` or `False`.
    private mutating func parseBool() throws(DiagnosticError) -> Bool {
        for (word, value) in [("True", true), ("False", false)] {
            let utf8 = Array(word.utf8)
            if bytes.count - position >= utf8.count, Array(bytes[position..<position + utf8.count]) == utf8 {
                let end = position + utf8.count
                if end == bytes.count || !Self.isIdentifierByte(bytes[end]) {
                    position = end
                    return value
                }
            }
        }
        throw error("expected True or False, found \(found)", "header.fortran_order")
    }

    /// `shape`: a tuple of decimal integers.
    private mutating func parseShape() throws(DiagnosticError) -> [Int] {
        guard peek == UInt8(ascii: "(") else {
            throw error("expected the shape as a tuple such as (2, 3) or (5,), found \(found)", "header.shape")
        }
        position += 1
        var dimensions: [Int] = []
        skipWhitespace()
        if peek == UInt8(ascii: ")") {
            position += 1
            return dimensions
        }
        while true {
            dimensions.append(try parseInteger(place: "header.shape[\(dimensions.count)]"))
            skipWhitespace()
            if peek == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
                if peek == UInt8(ascii: ")") {
                    position += 1
                    return dimensions
                }
            } else if peek == UInt8(ascii: ")") {
                guard dimensions.count > 1 else {
                    throw error("(\(dimensions[0])) is a parenthesized number, not a tuple;"
                                + " a 1-d shape is written (\(dimensions[0]),)", "header.shape")
                }
                position += 1
                return dimensions
            } else {
                throw error("expected ',' or ')' in the shape tuple, found \(found)", "header.shape")
            }
        }
    }

    /// A decimal integer with an optional sign, checked for overflow.
    private mutating func parseInteger(place: String) throws(DiagnosticError) -> Int {
        let start = position
        var negative = false
        if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") {
            negative = peek == UInt8(ascii: "-")
            position += 1
        }
        guard let first = peek, Self.isDigit(first) else {
            position = start
            throw error("expected an integer dimension, found \(found)", place)
        }
        var value = 0
        while let byte = peek, Self.isDigit(byte) {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else {
                throw error("the dimension is too large for a 64-bit integer", place, at: start)
            }
            value = sum
            position += 1
        }
        if let byte = peek, Self.isIdentifierByte(byte) {
            throw error("expected an integer dimension, found \(found)", place)
        }
        return negative ? -value : value
    }

    /// A string in single or double quotes, without escape sequences.
    private mutating func parseString(place: String) throws(DiagnosticError) -> String {
        let start = position
        let quote = bytes[position]
        position += 1
        let contentStart = position
        while true {
            guard let byte = peek, byte != UInt8(ascii: "\n") else {
                throw error("unterminated string in the header", place, at: start)
            }
            if byte == quote { break }
            if byte == UInt8(ascii: "\\") {
                throw error("escape sequences are not supported in .npy header strings", place)
            }
            position += 1
        }
        let content = bytes[contentStart..<position]
        position += 1
        if isUTF8 {
            guard let text = String(validating: content, as: UTF8.self) else {
                throw error("the string is not valid UTF-8, as format 3.0 headers must be", place, at: start)
            }
            return text
        }
        return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
    }

    // MARK: - Bytes

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private mutating func expect(_ character: Unicode.Scalar, after what: String,
                                 place: String) throws(DiagnosticError) {
        guard peek == UInt8(ascii: character) else {
            throw error("expected '\(character)' after \(what), found \(found)", place)
        }
        position += 1
    }

    /// The next byte, phrased for a message: `'x'`, `byte 0x07` or `the end of the header`.
    private var found: String {
        guard let byte = peek else { return "the end of the header" }
        if byte == UInt8(ascii: "'") { return "\"'\"" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == 0x20 { return "' '" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    /// An error at `place`, at the current position unless `offset` (an index into `bytes`) is given.
    private func error(_ message: String, _ place: String, at offset: Int? = nil) -> DiagnosticError {
        DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: place,
                                                                       byteOffset: baseOffset + (offset ?? position))))
    }
}
