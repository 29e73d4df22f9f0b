import Foundation
@testable import KilnBackends
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnONNX
import Testing

/// Top-1 of the shipped digits CNN (`examples/digits/cnn_qdq.onnx`, float top-1 99.07 %) after
/// 4-bit streamlining for `pynq-z1-zynq7020-finn`, on the 540 test images. The adapted graph's
/// reference semantics are what the dataflow program computes bit for bit (conformance tests).
@Suite struct DataflowAccuracyTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/digits")
    /// Float top-1 (examples/digits/README.md) minus 3 points.
    static let bar = 0.9907 - 0.03

    static func load(_ name: String) throws -> Tensor { try NumPyReader.read(contentsOf: examples.appendingPathComponent(name).path).tensor() }
    static func cnn() throws -> Graph { try ONNXImporter().importGraph(contentsOf: examples.appendingPathComponent("cnn_qdq.onnx")) }

    static func topOne(_ graph: Graph, options: CompileOptions) throws -> Double {
        let target = FPGATestSupport.target("pynq-z1-zynq7020-finn")
        let adapted = try FPGATestSupport.compiler.adapt(graph, for: target, options: options)
        let labels = try NumPyReader.read(contentsOf: examples.appendingPathComponent("test_y.npy").path).int64Values()
        let scores = try ReferenceInterpreter(graph: adapted).runBatch([adapted.inputs[0]: load("test_x_nchw.npy")])[0].doubles
        let classes = scores.count / labels.count
        var correct = 0
        for (sample, label) in labels.enumerated() {
            let row = Array(scores[sample * classes ..< (sample + 1) * classes])
            if row.firstIndex(of: row.max()!)! == Int(label) { correct += 1 }
        }
        return Double(correct) / Double(labels.count)
    }

    @Test func fourBitWithoutCalibrationIsWithinThreePointsOfFloat() throws {
        let accuracy = try Self.topOne(Self.cnn(), options: CompileOptions())
        #expect(accuracy >= Self.bar, "top-1 \(accuracy)")
    }

    @Test func fourBitWithCalibrationIsWithinThreePointsOfFloat() throws {
        let graph = try Self.cnn()
        let log = CompileLog()
        let options = CompileOptions(calibration: [graph.inputs[0]: try Self.load("calibration_x_nchw.npy")], log: log)
        let accuracy = try Self.topOne(graph, options: options)
        #expect(accuracy >= Self.bar, "top-1 \(accuracy)")
        #expect(log.entries.contains { $0.message.hasPrefix("calibrated 3 activation ranges on 100 samples") })
        // Calibrated ranges replace the int8 model's: relu1 no longer spans the u8 range in 15 steps.
        #expect(log.entries.contains { $0.node == "conv1" && $0.message.contains("→ u4") && !$0.message.contains("s=0.23623556") })
    }

    @Test func everyLayerAtFourBitsStaysWithinThreePointsWithCalibration() throws {
        let graph = try Self.cnn()
        let options = CompileOptions(layerBits: ["logits/dense_1": (weights: 4, activations: 4)],
                                     calibration: [graph.inputs[0]: try Self.load("calibration_x_nchw.npy")])
        #expect(try Self.topOne(graph, options: options) >= Self.bar)
    }

    @Test func networkOutputKeepsItsWidthUnlessOverridden() throws {
        let target = FPGATestSupport.target("pynq-z1-zynq7020-finn")
        let adapted = try FPGATestSupport.compiler.adapt(Self.cnn(), for: target)
        #expect(adapted.types["logits_QuantizeLinear_Output"]?.elementType == .uint8)
        #expect(adapted.types["relu2_QuantizeLinear_Output"]?.elementType == .uint4)
        let overridden = try FPGATestSupport.compiler.adapt(Self.cnn(), for: target,
                                                            options: CompileOptions(layerBits: ["logits/dense_1": (weights: 4, activations: 4)]))
        #expect(overridden.types["logits_QuantizeLinear_Output"]?.elementType == .uint4)
    }

    @Test func calibrationOfTheWrongShapeIsAnError() throws {
        let graph = try Self.cnn()
        let target = FPGATestSupport.target("pynq-z1-zynq7020-finn")
        let wrong = Tensor(shape: [2, 64], floats: [Float](repeating: 0, count: 128))
        #expect(throws: DiagnosticError.self) {
            try FPGATestSupport.compiler.adapt(graph, for: target, options: CompileOptions(calibration: [graph.inputs[0]: wrong]))
        }
        #expect(throws: DiagnosticError.self) {
            try FPGATestSupport.compiler.adapt(graph, for: target, options: CompileOptions(calibration: ["nope": wrong]))
        }
    }
}
