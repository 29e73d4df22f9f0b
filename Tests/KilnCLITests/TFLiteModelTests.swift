import Foundation
import Testing
import KilnModelIO
@testable import KilnCLI

/// `kiln run` / `inspect` / `simulate` on `.tflite` models: int8 data in the model's own layout
/// in, int8 codes out, equal to TFLite's reference kernels (fixtures of `tools/tflite`).
@Suite struct TFLiteModelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tflite")

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tflite-\(UUID())-\(name)").path
    }

    @Test(arguments: ["mlperf/ad01_int8", "mlperf/kws_ref_model", "mlperf/pretrainedResnet_quant", "mlperf/vww_96_int8",
                      "ops/add_broadcast_relu", "ops/softmax_4d", "ops/mean_keepdims"])
    func runWritesTFLitesCodes(model: String) throws {
        let base = Self.fixtures.appendingPathComponent(model).path
        let output = Self.temporaryFile("y.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["run", base + ".tflite", "--input", base + ".input.npy", "--output", output])
        #expect(result.code == .success, "\(result.error)")
        let written = try NumPyReader.read(contentsOf: output)
        let expected = try NumPyReader.read(contentsOf: base + ".output.npy")
        #expect(written.shape == expected.shape)
        #expect(written.storage.isBitwiseIdentical(to: expected.storage))
    }

    @Test func inspectListsTheImportedGraph() {
        let result = runKiln(["inspect", Self.fixtures.appendingPathComponent("mlperf/kws_ref_model.tflite").path])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.output.contains("input  input_1: i8[1,49,10,1] (s=0.5847029, zp=83)"))
        #expect(result.output.contains("op11_FULLY_CONNECTED"))
    }

    @Test func unsupportedOperatorsAreListedWithIndices() {
        let path = Self.fixtures.appendingPathComponent("unsupported/abs_cumsum.tflite").path
        let result = runKiln(["inspect", path])
        #expect(result.code != .success)
        #expect(result.error.contains("\(path): error: at operator 0 (ABS): unsupported TFLite operator ABS"))
        #expect(result.error.contains("\(path): error: at operator 2 (CUMSUM): unsupported TFLite operator CUMSUM"))
    }

    @Test func simulateAcceptsATFLiteModel() {
        let base = Self.fixtures.appendingPathComponent("ops/conv2d").path
        let output = Self.temporaryFile("sim.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["simulate", base + ".tflite", "--target", "cortex-a72-rpi4", "--input", base + ".input.npy", "--output", output])
        #expect(result.code == .success, "\(result.error)")
        #expect((try? NumPyReader.read(contentsOf: output).shape) == [4, 8, 8, 5])
    }
}
