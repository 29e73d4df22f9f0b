import Testing
@testable import KilnJSON

@Suite struct JSONObjectReaderTests {
    func read(_ text: String, _ body: (JSONObjectReader) -> Void) throws -> [String] {
        let context = JSONDecodingContext(file: "t.json")
        let value = try JSONParser().parse(text)
        if let reader = context.object(value, at: .root, knownKeys: ["sizeBytes", "name", "memory"]) { body(reader) }
        return context.diagnostics.map(\.description)
    }

    @Test func reportsUnknownKeysWithSuggestions() throws {
        let findings = try read(#"{"sizeByte": 1, "zzz": 2}"#) { _ in }
        #expect(findings == ["t.json: error: at sizeByte: unknown key 'sizeByte'; did you mean 'sizeBytes'?",
                             "t.json: error: at zzz: unknown key 'zzz'"])
    }

    @Test func reportsMissingAndMistypedValuesAtTheirPaths() throws {
        let findings = try read(#"{"sizeBytes": -4, "memory": [{"x": "a"}, 3]}"#) { reader in
            #expect(reader.integer("sizeBytes", in: 1...Int64.max) == nil)
            #expect(reader.string("name") == nil)
            let elements = reader.array("memory") { value, path in reader.context.object(value, at: path, knownKeys: ["x"]) }
            #expect(elements?.count == 1)
            if let first = elements?.first { #expect(first.required("x").flatMap { reader.context.number($0, at: first.path(of: "x"), .positive) } == nil) }
        }
        #expect(findings == ["t.json: error: at sizeBytes: expected a positive integer, got -4",
                             "t.json: error: missing required key 'name'",
                             "t.json: error: at memory[1]: expected an object, got 3",
                             "t.json: error: at memory[0].x: expected a positive number, got the string \"a\""])
    }

    @Test func readingAnUndeclaredKeyIsAnInternalError() throws {
        let findings = try read(#"{}"#) { reader in _ = reader.optional("undeclared") }
        #expect(findings == ["t.json: error: internal error: the schema reads key 'undeclared' but does not declare it"])
    }

    @Test func suggestsCloseMatches() {
        #expect(closestMatch(to: "clockMhz", among: ["clockMegahertz", "cores"]) == nil)
        #expect(closestMatch(to: "clockMegaherz", among: ["clockMegahertz", "cores"]) == "clockMegahertz")
        #expect(closestMatch(to: "Cores", among: ["clockMegahertz", "cores"]) == "cores")
    }

    @Test func pathsRenderLikeFindings() {
        let path = JSONPath.root.appending(key: "memory").appending(index: 1).appending(key: "readBytesPerCycle")
        #expect(path.description == "memory[1].readBytesPerCycle")
        #expect(path.pattern == "memory[].readBytesPerCycle")
        #expect(JSONPath.root.appending(key: "a b").description == "[\"a b\"]")
        #expect(JSONPath.root.description == "(root)")
    }
}
