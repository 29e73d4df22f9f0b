import Testing
@testable import KilnDiagnostics

@Suite struct DiagnosticRenderingTests {
    @Test func rendersLikeACompilerError() {
        let finding = Diagnostic.error("expected a positive number, got -4",
                                       file: "targets/m7.json", place: "memory[1].readBytesPerCycle")
        #expect(finding.description
            == "targets/m7.json: error: at memory[1].readBytesPerCycle: expected a positive number, got -4")
    }

    @Test func leavesOutUnknownParts() {
        #expect(Diagnostic.error("no model given").description == "error: no model given")
        let binary = Diagnostic(.error, "truncated varint in field 'graph'",
                                at: SourceLocation(file: "m.onnx", byteOffset: 17))
        #expect(binary.description == "m.onnx: error: at byte 17: truncated varint in field 'graph'")
    }

    @Test func collectorThrowsEveryErrorAtOnce() {
        var collector = DiagnosticCollector(file: "t.json")
        collector.warning("unused", at: "a")
        #expect(throws: Never.self) { try collector.throwIfErrors() }
        collector.error("bad", at: "b")
        collector.error("worse", at: "c")
        do {
            try collector.throwIfErrors()
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 3)
            #expect(error.description.split(separator: "\n").last == "t.json: error: at c: worse")
        }
    }

    @Test func inFileFillsOnlyMissingFiles() {
        let error = DiagnosticError([.error("a"), .error("b", file: "other.json")]).inFile("model.json")
        #expect(error.diagnostics.map(\.location.file) == ["model.json", "other.json"])
    }
}
