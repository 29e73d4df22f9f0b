import Foundation
import Testing
import KilnIR
import KilnJSON
import KilnModelIO
import KilnNumerics
@testable import KilnCLI

@Suite struct SimulateAndCompareTests {
    static let digits = repositoryRoot.appendingPathComponent("examples/digits")
    static func path(_ name: String) -> String { digits.appendingPathComponent(name).path }

    /// The first `count` test images in a temporary .npy file.
    static func firstImages(_ count: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-images-\(count).npy").path
        if !FileManager.default.fileExists(atPath: path) {
            let images = try NumPyReader.read(contentsOf: Self.path("test_x_nchw.npy"))
            let values = try images.floatValues()
            try NumPyWriter.write(try NumPyArray(shape: [count] + Array(images.shape.dropFirst()),
                                                 storage: .float32(Array(values[0 ..< count * 64]))), to: path)
        }
        return path
    }

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
        // Without labels, accuracy is the output SQNR against the model's own reference output.
        let result = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", try Self.firstImages(8),
                              "--targets", "cortex-a55-rk3568,stm32l4r5-cortex-m4", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        let rows = try #require(report["rows"]?.arrayValue)
        #expect(rows.count == 2)
        for row in rows {
            let object = try #require(row.objectValue)
            #expect(object.keys == ComparisonColumn.all.map(\.key))
            #expect(object["top1"] == .null)
            // Exact targets report null with the Exact flag; others a finite SQNR.
            let sqnr = object["sqnrVsReferenceDecibels"], exact = object["sqnrVsReferenceExact"]
            #expect((sqnr == .null && exact == .bool(true)) || ((sqnr?.doubleValue ?? 0) > 10 && exact == .bool(false)))
        }
    }

    /// The Cortex-M33 target is a `kiln compare` row. LLVM schedules the M33 with the Cortex-M4
    /// model, so the two run the same instructions; both read weights from flash, the M33 through
    /// 3 wait states and the M4 through 5, so the M33 takes fewer cycles.
    @Test func cortexM33IsACompareRowWithTheM4PipelineAtItsOwnClock() throws {
        let result = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", try Self.firstImages(8),
                              "--targets", "stm32l4r5-cortex-m4,nrf5340-cortex-m33", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        let rows = try #require(report["rows"]?.arrayValue).compactMap(\.objectValue)
        let m4 = try #require(rows.first { $0["target"]?.stringValue == "stm32l4r5-cortex-m4" })
        let m33 = try #require(rows.first { $0["target"]?.stringValue == "nrf5340-cortex-m33" })
        #expect(m33["family"]?.stringValue == "dsp")
        #expect(m33["sqnrVsReferenceDecibels"] == m4["sqnrVsReferenceDecibels"])
        let m4Latency = try #require(m4["latencySeconds"]?.doubleValue), m33Latency = try #require(m33["latencySeconds"]?.doubleValue)
        #expect(m33Latency * 128 < m4Latency * 120)
    }

    @Test func compareBadInputIsAFindingOrUsageError() throws {
        let unknown = runKiln(["compare", "--targets", "cortex-a56"])
        #expect(unknown.code == .inputError)
        #expect(unknown.error.hasPrefix("error: no target named 'cortex-a56'"))
        let mismatch = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", Self.path("calibration_x_nchw.npy"),
                                "--labels", Self.path("test_y.npy"), "--targets", "cortex-a55-rk3568"])
        #expect(mismatch.code == .inputError)
        #expect(mismatch.error == "\(Self.path("test_y.npy")): error: expected 100 labels (one per sample of the data), found 540\n")
        let labelsOnly = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--labels", Self.path("test_y.npy")])
        #expect(labelsOnly.code == .usageError)
        let missing = runKiln(["compare", Self.path("no-such-model.onnx")])
        #expect(missing.code == .inputError)
        let wrongShape = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--data", Self.path("test_x_flat.npy"), "--targets", "cortex-a55-rk3568"])
        #expect(wrongShape.code == .inputError)
    }

    /// `kiln run --target T` (reference on the adapted graph) and `kiln simulate --target T
    /// --output` (the program) write identical files, for one target of each family.
    @Test(arguments: ["x86-avx2-haswell-i7-4770", "stm32l4r5-cortex-m4", "nrf5340-cortex-m33", "pynq-z1-zynq7020-finn", "bnn-array-45nm"])
    func runWithTargetEqualsSimulate(_ target: String) throws {
        let reference = temporaryFile("reference.npy"), simulated = temporaryFile("simulated.npy")
        defer { try? FileManager.default.removeItem(atPath: reference); try? FileManager.default.removeItem(atPath: simulated) }
        let model = Self.path("cnn_qdq.onnx"), input = try Self.firstImages(8)
        let run = runKiln(["run", model, "--target", target, "--input", input, "--output", reference])
        #expect(run.code == .success, "\(run.error)")
        let simulate = runKiln(["simulate", model, "--target", target, "--input", input, "--output", simulated])
        #expect(simulate.code == .success, "\(simulate.error)")
        let a = try Data(contentsOf: URL(fileURLWithPath: reference)), b = try Data(contentsOf: URL(fileURLWithPath: simulated))
        #expect(a.count > 100 && a == b)
    }

    @Test func printIRAfterShowsTheGraphAfterThePass() throws {
        let result = runKiln(["compile", Self.path("cnn_qdq.onnx"), "--target", "stm32l4r5-cortex-m4", "--print-ir-after", "all"])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.error.contains("; graph after "))
        #expect(result.error.contains("\"kilnModel\": 1"))
        #expect(result.output.hasPrefix("; kiln listing: cnn on stm32l4r5-cortex-m4"))
    }

    @Test func aModelThatDoesNotFitSaysSoWithTheNumbers() throws {
        let model = temporaryFile("wide.json")
        defer { try? FileManager.default.removeItem(atPath: model) }
        // A max pool over a 400,000,000-byte i8 activation: more than every memory level of the
        // BNN array that holds activations (128 KiB on-chip SRAM, 256 MiB DRAM). No data is
        // allocated: compilation only plans memory.
        var builder = GraphBuilder(name: "wide")
        let x = builder.input("x", .quantized([1, 1, 20000, 20000], .int8, scale: 0.01))
        builder.output(try builder.node(.maxPool(Pooling(kernel: [1, 1])), [x], name: "pool"))
        try KilnModelFile.write(try builder.build(), to: model)
        let result = runKiln(["compile", model, "--target", "bnn-array-45nm"])
        #expect(result.code == .inputError)
        #expect(result.error.contains("does not fit on bnn-array-45nm"))
        #expect(result.error.contains("activation peak 800000000 bytes"))
        let refused = runKiln(["compile", Self.path("bnn.onnx"), "--target", "bnn-array-45nm", "--no-host-fallback"])
        #expect(refused.code == .inputError)
        #expect(refused.error.contains("cannot run on bnn-array-45nm"))
    }

    /// Data of the wrong element type (integers for a float input) is a finding, not a trap in
    /// the simulator's tensor constructor.
    @Test func simulateRejectsDataOfTheWrongElementType() throws {
        let path = temporaryFile("integers.npy")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try NumPyWriter.write(try NumPyArray(shape: [2, 1, 8, 8], storage: .int64((0..<128).map(Int64.init))), to: path)
        let result = runKiln(["simulate", Self.path("cnn_qdq.onnx"), "--target", "cortex-a55-rk3568", "--input", path])
        #expect(result.code == .inputError)
        #expect(result.error == "\(path): error: at tensor 'input': the model's input is f32 but the file holds i64 values; give float data\n")
    }
    /// `--stack` prices the target under another of its stacks: the reference kernels are slower
    /// than CMSIS-NN on the same part and the codes stay the same; an unknown stack is a finding
    /// that lists the target's stacks, and `compare --stack` needs a target that declares it.
    @Test func stackOptionSelectsTheTargetsSoftwareStack() throws {
        func latency(_ extra: [String]) throws -> Double {
            let result = runKiln(["simulate", Self.path("cnn_qdq.onnx"), "--target", "stm32l4r5-cortex-m4", "--format", "json"] + extra)
            #expect(result.code == .success, "\(result.error)")
            return try #require(try JSONParser().parse(result.output, file: "stdout").objectValue?["latencySeconds"]?.doubleValue)
        }
        #expect(try latency(["--stack", "tflm-reference"]) > 2 * (try latency([])))
        #expect(try latency(["--stack", "tflm-cmsis-nn"]) == (try latency([])))
        let unknown = runKiln(["simulate", Self.path("cnn_qdq.onnx"), "--target", "stm32l4r5-cortex-m4", "--stack", "tflm"])
        #expect(unknown.code == .inputError)
        #expect(unknown.error.contains("no software stack named 'tflm'; its stacks: tflm-cmsis-nn, microtvm-cmsis-nn, tflm-reference"))
        let none = runKiln(["compare", Self.path("cnn_qdq.onnx"), "--targets", "cortex-a55-rk3568", "--stack", "tflm-reference"])
        #expect(none.code == .inputError)
        #expect(none.error.contains("no compared target has a software stack named 'tflm-reference'"))
    }
}
