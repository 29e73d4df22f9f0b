import Foundation
import Testing
import KilnJSON
@testable import KilnCLI

@Suite struct SimulateAndCompareTests {
    static let digits = repositoryRoot.appendingPathComponent("examples/digits")
    static func path(_ name: String) -> String { digits.appendingPathComponent(name).path }

    func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-\(name)").path
    }

    @Test func simulateWritesATraceWithOneTrackPerEngine() throws {
        let trace = temporaryFile("trace.json")
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let result = runKiln(["simulate", Self.path("cnn_qdq.onnx"), "--target", "pynq-z1-zynq7020-finn", "--trace", trace, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let document = try JSONParser().parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: trace))), file: trace)
        let events = try #require(document.objectValue?["traceEvents"]?.arrayValue)
        let trackNames = Set(events.compactMap { event -> String? in
            guard event.objectValue?["name"]?.stringValue == "thread_name" else { return nil }
            return event.objectValue?["args"]?.objectValue?["name"]?.stringValue
        })
        #expect(trackNames.contains("pynq-z1-zynq7020-finn: mvau"))
        #expect(trackNames.contains("host link"))
        #expect(trackNames.contains("host (cortex-a9-zynq7000-ps)"))
        #expect(trackNames.contains { $0.hasPrefix("memory: ") })
        // Every slice has a start, a non-negative duration and a track.
        for event in events where event.objectValue?["ph"]?.stringValue == "X" {
            let object = try #require(event.objectValue)
            #expect((object["dur"]?.doubleValue ?? -1) >= 0)
            #expect(object["tid"]?.integerValue != nil)
        }
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        #expect(report["hostOps"]?.integerValue == 2)
        #expect((report["layers"]?.arrayValue?.count ?? 0) > 5)
    }

    @Test func simulateReportsAccuracyFromTheFunctionalRun() throws {
        let result = runKiln(["simulate", Self.path("mlp_qdq.onnx"), "--target", "cortex-a76-bcm2712",
                              "--input", Self.path("test_x_flat.npy"), "--labels", Self.path("test_y.npy"), "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        // ONNX Runtime's own accuracy for this model is 524/540; the SDOT target computes the same codes.
        #expect(report["top1"]?.doubleValue == 524.0 / 540.0)
    }

    @Test func compareJSONHasTheDocumentedKeys() throws {
        let result = runKiln(["compare", "--targets", "cortex-a55-rk3568,stm32l4r5-cortex-m4", "--format", "json"])
        // Two shipped models (int8 CNN, binarized CNN) × two targets.
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        let rows = try #require(report["rows"]?.arrayValue)
        #expect(rows.count == 4)
        for row in rows {
            let object = try #require(row.objectValue)
            for key in ["model", "target", "family", "format", "top1", "sqnrDecibels", "latencySeconds", "inferencesPerSecond",
                        "energyJoules", "weightBytes", "peakActivationBytes", "utilization", "bound", "hostOps"] {
                #expect(object.contains(key), "row lacks \(key)")
            }
            #expect((object["top1"]?.doubleValue ?? 0) > 0.97)
            #expect(object["sqnrDecibels"] == .null)
        }
    }

    @Test func compareBadInputIsAFindingOrUsageError() throws {
        let unknown = runKiln(["compare", "--targets", "cortex-a56"])
        #expect(unknown.code == .inputError)
        #expect(unknown.error.hasPrefix("error: no target named 'cortex-a56'"))
        let mismatch = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", Self.path("calibration_x_nchw.npy"),
                                "--labels", Self.path("test_y.npy"), "--targets", "cortex-a55-rk3568"])
        #expect(mismatch.code == .inputError)
        #expect(mismatch.error.contains("540 labels for 100 samples"))
        let labelsOnly = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--labels", Self.path("test_y.npy")])
        #expect(labelsOnly.code == .usageError)
        let missing = runKiln(["compare", Self.path("no-such-model.onnx")])
        #expect(missing.code == .inputError)
        let wrongShape = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", Self.path("test_x_flat.npy"), "--targets", "cortex-a55-rk3568"])
        #expect(wrongShape.code == .inputError)
    }
}
