import Foundation
import Testing
import KilnIR
import KilnJSON
import KilnModelIO
import KilnNumerics
@testable import KilnCLI

/// `kiln quantize`: writes a model every command reads, and reports bad input without crashing.
@Suite struct QuantizeCommandTests {
    let digits = repositoryRoot.appendingPathComponent("examples/digits")
    var model: String { digits.appendingPathComponent("mlp.onnx").path }
    var calibration: String { digits.appendingPathComponent("calibration_x_flat.npy").path }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-quantize-\(UUID().uuidString)-\(name)").path
    }

    @Test func writesAModelThatInspectReads() throws {
        let output = temporaryPath("mlp.json")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["quantize", model, "--calibration", calibration, "-o", output, "--prune", "0.25"])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.output.contains("SQNR dB") && result.output.contains("SPARSITY"))
        #expect(result.output.contains("fc1     dense  integer + relu"))
        let graph = try KilnModelFile.read(contentsOf: output)
        #expect(graph.nodes.map(\.kind) == [.quantize, .dense, .dense, .dequantize])
        let inspect = runKiln(["inspect", output])
        #expect(inspect.code == .success)
        #expect(inspect.output.contains("u8[1,64]"))
    }

    /// `--gptq` re-chooses the 4-bit codes of the MLP's layers (the written weights differ from
    /// round-to-nearest's on the same grid); with `--adaptive-rounding` it is refused, naming both.
    @Test func gptqChangesTheCodesAndExcludesAdaptiveRounding() throws {
        let nearest = temporaryPath("mlp-rtn.json"), updated = temporaryPath("mlp-gptq.json")
        defer { for path in [nearest, updated] { try? FileManager.default.removeItem(atPath: path) } }
        for (path, extra) in [(nearest, [String]()), (updated, ["--gptq"])] {
            let result = runKiln(["quantize", model, "-c", calibration, "-o", path, "--weight-bits", "4"] + extra)
            #expect(result.code == .success, "\(result.error)")
        }
        let before = try KilnModelFile.read(contentsOf: nearest), after = try KilnModelFile.read(contentsOf: updated)
        #expect(before.constants.keys.sorted() == after.constants.keys.sorted())
        #expect(before.constants.contains { name, tensor in tensor.codes != nil && tensor.codes != after.constants[name]?.codes })
        let both = runKiln(["quantize", model, "-c", calibration, "-o", updated, "--adaptive-rounding", "--gptq"])
        #expect(both.code != .success && both.error.contains("adaptive rounding and GPTQ"), "\(both.error)")
    }

    @Test func jsonReportListsLayers() throws {
        let output = temporaryPath("mlp4.json")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["quantize", model, "-c", calibration, "-o", output, "--bits", "4", "--per-tensor",
                              "--observer", "percentile", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.output.contains("\"layer\": \"fc1\"") || result.output.contains("\"layer\":\"fc1\""))
        #expect(try KilnModelFile.read(contentsOf: output).types["relu1"]?.elementType == .integer(bits: 4, signed: false))
    }

    /// The error report: JSON with kind and schema version, per-layer and per-output statistics that
    /// agree with each other (MSE ≤ max², SQNR from the same sums), the same numbers in CSV, and a
    /// weights-only FP8 model every command reads.
    @Test func errorReportInJSONAndCSV() throws {
        let output = temporaryPath("mlp-fp8.json")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let json = runKiln(["quantize", model, "-c", calibration, "-o", output, "--weights-only", "f8e4m3", "--format", "json"])
        #expect(json.code == .success, "\(json.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(document["kind"] as? String == "kiln.quantize" && document["schemaVersion"] as? Int == 2)
        let layers = try #require(document["layers"] as? [[String: Any]])
        #expect(layers.map { $0["layer"] as? String } == ["fc1", "logits"])
        let outputs = try #require(document["outputs"] as? [[String: Any]])
        let parsed = try #require(try JSONParser().parse(json.output).objectValue?["outputs"]?.arrayValue?.first?.objectValue?["error"]?.objectValue)
        #expect(parsed["sqnrVsFloatExact"] == .bool(false))
        let logits = Dictionary(uniqueKeysWithValues: parsed.keys.compactMap { key in parsed[key]?.doubleValue.map { (key, $0) } })
        let maximum = try #require(logits["maximumAbsoluteError"]), meanSquared = try #require(logits["meanSquaredError"])
        let meanAbsolute = try #require(logits["meanAbsoluteError"])
        #expect(maximum > 0 && meanSquared <= maximum * maximum && meanAbsolute <= maximum)
        #expect(try #require(logits["cosineSimilarity"]) > 0.999 && (try #require(logits["sqnrVsFloatDecibels"])) > 25)
        #expect(try KilnModelFile.read(contentsOf: output).constants.values.contains { $0.type.elementType == .floatingPoint(.float8E4M3) })

        let html = temporaryPath("report.html")
        defer { try? FileManager.default.removeItem(atPath: html) }
        let csv = runKiln(["quantize", model, "-c", calibration, "-o", output, "--weights-only", "f8e4m3", "--format", "csv", "--html", html])
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("SQNR per layer") && page.contains("fc1") && page.contains("output logits"))
        let lines = csv.output.split(separator: "\n")
        #expect(lines.first == "scope,name,op,form,weights,meanAbsoluteError,relativeError,meanSquaredError,maximumAbsoluteError,sqnrVsFloatDecibels,sqnrVsFloatExact,cosineSimilarity")
        let outputRow = try #require(lines.first { $0.hasPrefix("output,") }).split(separator: ",", omittingEmptySubsequences: false)
        #expect(abs(try #require(Double(outputRow[8])) - maximum) <= 1e-12 * maximum)
        #expect(abs(try #require(Double(outputRow[7])) - meanSquared) <= 1e-12 * meanSquared)
    }

    @Test func fallbackWidensLayersUntilTheOutputSQNRIsMet() throws {
        let output = temporaryPath("mlp-fallback.json")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["quantize", model, "-c", calibration, "-o", output, "--weight-bits", "2", "--fallback-sqnr", "20", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let fallback = try #require(document["fallback"] as? [String: Any])
        let widened = try #require(fallback["widenedLayers"] as? [String])
        #expect(fallback["metTarget"] as? Bool == true && !widened.isEmpty)
        let sqnr = try #require(try JSONParser().parse(result.output).objectValue?["outputs"]?.arrayValue?.first?.objectValue?["error"]?.objectValue?["sqnrVsFloatDecibels"]?.doubleValue)
        #expect(sqnr >= 20)
        let graph = try KilnModelFile.read(contentsOf: output)
        for node in graph.nodes where node.kind == .dense {
            #expect(graph.types[node.inputs[1]]?.elementType.bitWidth == (widened.contains(node.name) ? 8 : 2))
        }
    }

    @Test(arguments: [
        (["--bits", "1"], "--bits"), (["--bits", "9"], "--bits"), (["--weight-bits", "x"], "--weight-bits"),
        (["--prune", "1.5"], "--prune"), (["--prune-structured"], "--prune-structured"),
        (["--per-channel", "--per-tensor"], "--per-tensor"), (["--observer", "median"], "--observer"),
        (["--weights-only", "f8e4m4"], "--weights-only"), (["--fallback-sqnr", "loud"], "--fallback-sqnr"),
    ])
    func badOptionsAreUsageErrors(_ extra: [String], _ named: String) {
        let result = runKiln(["quantize", model, "-c", calibration, "-o", temporaryPath("bad.json")] + extra)
        #expect(result.code == .usageError)
        #expect(result.error.contains(named), "\(result.error)")
    }

    @Test func badCalibrationDataIsAFindingNamingTheFile() {
        let missing = runKiln(["quantize", model, "-c", "/nonexistent/calibration.npy", "-o", temporaryPath("x.json")])
        #expect(missing.code == .inputError)
        #expect(missing.error.contains("/nonexistent/calibration.npy"))
        let wrongShape = digits.appendingPathComponent("calibration_x_nchw.npy").path
        let mismatch = runKiln(["quantize", model, "-c", wrongShape, "-o", temporaryPath("x.json")])
        #expect(mismatch.code == .inputError)
        #expect(mismatch.error.contains("calibration_x_nchw.npy") && mismatch.error.contains("expected [N, 64]"), "\(mismatch.error)")
        let noCalibration = runKiln(["quantize", model, "-o", temporaryPath("x.json")])
        #expect(noCalibration.code == .usageError)
        let noOutput = runKiln(["quantize", model, "-c", calibration])
        #expect(noOutput.code == .usageError && noOutput.error.contains("--output"))
    }
}
