import Foundation
import KilnDiagnostics
import Testing
@testable import KilnJSON

/// Parses `text` expecting failure; returns the findings.
func parseFailure(_ bytes: [UInt8], file: String = "t.json") -> [Diagnostic] {
    do {
        _ = try JSONParser().parse(bytes, file: file)
        Issue.record("expected a parse error")
        return []
    } catch {
        return error.diagnostics
    }
}

func parseFailure(_ text: String) -> [Diagnostic] { parseFailure(Array(text.utf8)) }

@Suite struct JSONParserTests {
    @Test func parsesScalarsExactly() throws {
        let value = try JSONParser().parse(#"[0, -7, 9223372036854775807, 9223372036854775808, 1.5, 1e3, -0.0, true, false, null, "x"]"#)
        #expect(value == .array([.integer(0), .integer(-7), .integer(Int64.max), .number(9223372036854775808), .number(1.5),
                                 .number(1000), .number(-0.0), .bool(true), .bool(false), .null, .string("x")]))
    }

    @Test func keepsKeysInFileOrder() throws {
        let value = try JSONParser().parse(#"{"b": 1, "a": 2, "c": {"z": 1, "y": 2}}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value.objectValue?["c"]?.objectValue?.keys == ["z", "y"])
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser().parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c/d\n\té😀"))
    }

    @Test func acceptsMultiByteUTF8AndBOM() throws {
        #expect(try JSONParser().parse([0xEF, 0xBB, 0xBF] + Array(#"{"µ": "温度"}"#.utf8)) == .object(JSONObject([("µ", .string("温度"))])))
    }

    @Test func duplicateKeysAreErrorsAtTheirPath() {
        let findings = parseFailure("{\n  \"memory\": [{\"sizeBytes\": 1,\n \"sizeBytes\": 2}],\n  \"a\": 1, \"a\": 2\n}")
        #expect(findings.count == 2)
        #expect(findings[0].description == "t.json: error: at memory[0].sizeBytes (line 3, column 2): duplicate key 'sizeBytes' (first defined at line 2); each key may appear once")
        #expect(findings[1].location.place?.hasPrefix("a (line 4") == true)
    }

    @Test func invalidUTF8IsAnErrorNotACrash() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]] {
            let findings = parseFailure(bytes)
            #expect(findings.first?.message.contains("invalid UTF-8") == true)
            #expect(findings.first?.location.byteOffset == 1)
        }
    }

    @Test func emptyFileIsAClearError() {
        #expect(parseFailure([]).first?.description == "t.json: error: the file is empty (0 bytes); expected a JSON value")
        #expect(parseFailure("  \n ").first?.message == "expected a JSON value, found only whitespace")
    }

    @Test func deepNestingFailsFastWithoutRecursion() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 10 * 1024 * 1024)
        let start = Date()
        let findings = parseFailure(bytes)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(findings.first?.message == "nesting is deeper than the limit of 256 arrays and objects")
        #expect(findings.first?.location.place == "line 1, column 257")
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        let text = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        _ = try JSONParser().parse(text)
        #expect(parseFailure(String(repeating: "{\"a\":", count: 257) + "1" + String(repeating: "}", count: 257)).first?.message.contains("nesting") == true)
    }

    @Test(arguments: [
        ("[1, 2,]", "trailing comma before ']' is not allowed in JSON"),
        ("{\"a\": 1,}", "trailing comma before '}' is not allowed in JSON"),
        ("// c\n1", "expected a JSON value, found '/' (comments are not allowed in JSON)"),
        ("012", "numbers must not have leading zeros"),
        ("NaN", "expected a JSON value, found 'N'"),
        ("1e999", "the number 1e999 is out of range"),
        ("-", "a number needs digits after '-'"),
        ("1.", "a number needs digits after '.'"),
        ("1 2", "unexpected '2' after the end of the JSON value"),
        ("\"a\u{01}\"", "control character 0x1 in a string must be escaped"),
        ("\"\\ud800\"", "lone high surrogate \\uD800 in a string"),
        ("\"\\x\"", "invalid escape sequence '\\x' in a string"),
        ("\"abc", "unterminated string"),
        ("{\"a\" 1}", "expected ':' after the key \"a\", found '1'"),
        ("{1: 2}", "expected a string key in an object, found '1'"),
        ("[1 2]", "expected ',' or ']' in an array, found '2'"),
        ("[1", "unterminated array: expected ',' or ']', found the end of the file"),
        ("tru", "expected a JSON value, found 't'"),
    ])
    func syntaxErrors(text: String, message: String) {
        #expect(parseFailure(text).first?.message == message)
    }

    @Test func syntaxErrorsNameLineColumnAndPath() {
        let findings = parseFailure("{\n  \"memory\": [\n    {\"a\": 1}\n    {\"b\": 2}\n  ]\n}")
        #expect(findings.first?.description == "t.json: error: at memory (line 4, column 5): expected ',' or ']' in an array, found '{'")
    }
}
