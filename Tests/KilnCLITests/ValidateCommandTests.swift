import Foundation
import Testing
import KilnJSON
import KilnTestSupport
@testable import KilnCLI

/// `kiln validate`: a measurement table in, predicted vs measured rows out, Markdown on request,
/// and a clear error naming the table and the place of a bad entry.
@Suite struct ValidateCommandTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-\(name)").path
    }

    @Test func predictsEveryRowAndWritesMarkdown() throws {
        let table = Self.temporary("measurements.json")
        let model = repositoryRoot.appendingPathComponent("Tests/Fixtures/tflite/mlperf/ad01_int8.tflite").path
        try """
        {"schemaVersion": 1, "measurements": [{"model": "\(model)", "target": "stm32l4r5-cortex-m4", "stack": "TFLM",
         "measuredSeconds": 0.0100516, "source": "MLPerf Tiny v0.5 reference, ad"}]}
        """.write(toFile: table, atomically: true, encoding: .utf8)
        let markdown = Self.temporary("validation.md")
        let result = runKiln(["validate", table, "--format", "json", "--markdown", markdown])
        #expect(result.code == .success, "\(result.error)")
        let document = try JSONParser().parse(result.output, file: "stdout")
        let row = try #require(document.objectValue?["rows"]?.arrayValue?.first?.objectValue)
        let predicted = try #require(row["predictedSeconds"]?.doubleValue)
        #expect(predicted > 0)
        #expect(abs(try #require(row["error"]?.doubleValue) - (predicted / 0.0100516 - 1)) < 1e-12)
        let page = try String(contentsOfFile: markdown, encoding: .utf8)
        #expect(page.contains("| TFLM | stm32l4r5-cortex-m4 | 1 |"))
        #expect(page.contains("MLPerf Tiny v0.5 reference, ad"))
    }

    /// The shipped table's rows on the Nucleo-L4R5ZI for both published CMSIS-NN stacks, the MLPerf
    /// Tiny v1.0 microTVM submission (mlcommons/tiny_results_v1.0, closed/OctoML) and the v0.5
    /// TFLite Micro 2.3.1 reference submission (mlcommons/tiny_results_v0.5, closed/reference), are
    /// predicted within ±25 % by the untuned Cortex-M4 target, every model.
    @Test(arguments: ["microTVM", "TFLite Micro v2.3.1"])
    func shippedTableKeepsTheCortexM4WithinTwentyFivePercentOfCMSISNN(stack: String) throws {
        let rows = try Self.validateShippedRows {
            $0["target"]?.stringValue == "stm32l4r5-cortex-m4" && $0["stack"]?.stringValue?.hasPrefix(stack) == true
        }
        #expect(rows.count == 4)
        for row in rows {
            let error = try #require(row["error"]?.doubleValue)
            #expect(abs(error) <= 0.25, "\(row["model"]?.stringValue ?? ""): \(error)")
        }
    }

    /// `kiln validate --format json`'s rows for the shipped table's entries that `selected` keeps
    /// (model paths made absolute, so the table can live in a temporary file).
    static func validateShippedRows(_ selected: (JSONObject) -> Bool) throws -> [JSONObject] {
        let shipped = repositoryRoot.appendingPathComponent("examples/validation")
        let document = try JSONParser().parse(try String(contentsOf: shipped.appendingPathComponent("measurements.json"), encoding: .utf8), file: "measurements.json")
        let entries = try #require(document.objectValue?["measurements"]?.arrayValue).compactMap(\.objectValue).filter(selected)
        let absolute = entries.map { entry -> JSONValue in
            var entry = entry
            entry["model"] = .string(shipped.appendingPathComponent(entry["model"]?.stringValue ?? "").standardizedFileURL.path)
            return .object(entry)
        }
        let table = Self.temporary("shipped-rows.json")
        try JSONWriter().write(.object(JSONObject([("schemaVersion", .integer(1)), ("measurements", .array(absolute))])))
            .write(toFile: table, atomically: true, encoding: .utf8)
        let result = runKiln(["validate", table, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        return try #require(try JSONParser().parse(result.output, file: "stdout").objectValue?["rows"]?.arrayValue).compactMap(\.objectValue)
    }

    /// The shipped table's ONNX Runtime rows on this machine's Zen 4 core (time_ort.py, one thread):
    /// every int8 (QDQ) model is predicted within ±25 %, untuned, and a float model is predicted
    /// slower than its int8 version wherever ONNX Runtime measured it slower.
    @Test func shippedTableKeepsZen4WithinTwentyFivePercentOfONNXRuntime() throws {
        let rows = try Self.validateShippedRows { $0["target"]?.stringValue == "x86-avx512-zen4-epyc-kvm" }
        #expect(rows.count == 10)
        var byModel: [String: (measured: Double, predicted: Double)] = [:]
        for row in rows {
            let model = try #require(row["model"]?.stringValue), error = try #require(row["error"]?.doubleValue)
            byModel[model] = (try #require(row["measuredSeconds"]?.doubleValue), try #require(row["predictedSeconds"]?.doubleValue))
            if model.hasSuffix("_qdq.onnx") { #expect(abs(error) <= 0.25, "\(model): \(error)") }
        }
        var pairs = 0
        for (model, float) in byModel where !model.hasSuffix("_qdq.onnx") {
            let int8 = try #require(byModel[String(model.dropLast(".onnx".count)) + "_qdq.onnx"], "\(model) has no int8 row")
            pairs += 1
            if float.measured > int8.measured { #expect(float.predicted > int8.predicted, "\(model)") }
        }
        #expect(pairs == 5)
    }

    /// `docs/validation.md` is what `kiln validate` writes for the shipped table today: a change to
    /// a target or a cost model that moves a prediction fails here until the page is regenerated
    /// (`swift run kiln validate examples/validation/measurements.json --markdown
    /// docs/validation.md`, or `KILN_RECORD=1 swift test --filter ValidateCommandTests`).
    @Test func validationPageIsCurrent() throws {
        let markdown = Self.temporary("validation.md")
        let table = repositoryRoot.appendingPathComponent("examples/validation/measurements.json").path
        let result = runKiln(["validate", table, "--format", "json", "--markdown", markdown])
        #expect(result.code == .success, "\(result.error)")
        let page = try String(contentsOfFile: markdown, encoding: .utf8)
            .replacingOccurrences(of: "kiln validate \(table) --markdown \(markdown)",
                                  with: "kiln validate examples/validation/measurements.json --markdown docs/validation.md")
        let golden = GoldenFile(repositoryRoot.appendingPathComponent("docs/validation.md"))
        let outcome = try golden.check(page)
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter ValidateCommandTests"))")
    }

    @Test func aBadTableIsAFindingAtItsPlace() throws {
        let table = Self.temporary("bad.json")
        try #"{"schemaVersion": 1, "measurements": [{"model": "m", "target": "t", "stack": "s", "measuredSeconds": "fast", "source": "x"}]}"#
            .write(toFile: table, atomically: true, encoding: .utf8)
        let result = runKiln(["validate", table])
        #expect(result.code == .inputError)
        #expect(result.error.contains("\(table): error: at measurements[0].measuredSeconds"))
    }
}
