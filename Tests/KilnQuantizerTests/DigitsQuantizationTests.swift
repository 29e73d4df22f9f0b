import Foundation
import Testing
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnONNX
@testable import KilnQuantizer

/// Post-training quantization of the float models shipped in `examples/digits`, measured with the
/// reference interpreter on the 540-image test split.
@Suite struct DigitsQuantizationTests {
    static let examples: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 && url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("examples/digits")
    }()

    static func tensor(_ name: String) throws -> Tensor {
        try NumPyReader.read(contentsOf: examples.appendingPathComponent(name).path).tensor()
    }

    static func model(_ name: String) throws -> Graph {
        try ONNXImporter().importGraph(contentsOf: examples.appendingPathComponent("\(name).onnx"))
    }

    /// The calibration and test images in the layout the graph's input wants.
    static func data(for graph: Graph) throws -> (calibration: Tensor, test: Tensor) {
        let layout = graph.types[graph.inputs[0]]!.shape.count == 2 ? "flat" : "nchw"
        return (try tensor("calibration_x_\(layout).npy"), try tensor("test_x_\(layout).npy"))
    }

    /// Correct top-1 predictions of `graph` on the test split.
    static func correct(_ graph: Graph, test: Tensor) throws -> Int {
        let logits = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: test])[0].doubles
        let labels = try tensor("test_y.npy").doubles.map { Int($0) }
        return labels.indices.count { sample in
            let row = logits[sample * 10 ..< sample * 10 + 10]
            return row.indices.max { row[$0] < row[$1] }! - sample * 10 == labels[sample]
        }
    }

    /// The float models' correct top-1 predictions on the test split, run once per test process
    /// (every quantization of a model compares with the same float count).
    static let floatCorrect: [String: Int] = Dictionary(uniqueKeysWithValues: ["mlp", "cnn", "dscnn_residual", "bnn"].map { name in
        let graph = try! model(name)
        return (name, try! correct(graph, test: try! data(for: graph).test))
    })

    /// The quantization of a shipped model with its calibration images (verified), without
    /// running the test split (for tests that assert the per-layer SQNR only).
    static func quantizeOnly(_ name: String, _ options: QuantizationOptions) throws -> QuantizationResult {
        let graph = try model(name)
        let result = try PostTrainingQuantizer(options: options).quantize(graph, calibration: [graph.inputs[0]: try data(for: graph).calibration])
        try result.graph.verify()
        return result
    }

    static func quantize(_ name: String, _ options: QuantizationOptions) throws -> (float: Int, quantized: Int, result: QuantizationResult) {
        let result = try quantizeOnly(name, options)
        return (floatCorrect[name]!, try correct(result.graph, test: try data(for: try model(name)).test), result)
    }

    static func describe(_ result: QuantizationResult) -> String {
        result.layers.map { "\($0.node) \($0.operation.rawValue) \($0.form) \($0.outputType) sqnr \(String(format: "%.1f", $0.signalToQuantizationNoiseRatio))" }
            .joined(separator: "\n")
    }

    @Test(arguments: [("mlp", 524), ("cnn", 535), ("dscnn_residual", 528)])
    func eightBitStaysWithinOnePointOfFloat(_ name: String, _ floatCorrect: Int) throws {
        let (float, quantized, result) = try Self.quantize(name, QuantizationOptions())
        #expect(float == floatCorrect)
        print("\(name) int8: \(quantized)/540 (float \(float)/540)\n\(Self.describe(result))")
        #expect(quantized >= float - 5, "8-bit top-1 \(quantized)/540 is more than 1 point below float \(float)/540")
        let kinds = result.graph.nodes.map(\.kind)
        #expect(kinds.first == .quantize && kinds.last == .dequantize)
        #expect(!kinds.contains(.relu), "relu folds into the producer's zero point")
        #expect(result.floatNodes.isEmpty, "\(result.floatNodes)")
    }

    /// 4-bit weights and activations: the exact top-1 counts on the 540 test images. They are
    /// deterministic (min/max calibration on the fixed calibration split, the reference
    /// interpreter's integer semantics, no randomness) and were recorded from this test at the
    /// commit that pinned them; no external tool quantizes to 4 bits the way Kiln does, so these
    /// pin Kiln's 4-bit path against regressions (a change in calibration, rounding or the
    /// integer kernels moves them), while the float counts come from ONNX Runtime.
    @Test(arguments: [("mlp", 524, 519), ("cnn", 535, 523), ("dscnn_residual", 528, 506)])
    func fourBitReport(_ name: String, _ floatCorrect: Int, _ fourBitCorrect: Int) throws {
        let (float, quantized, result) = try Self.quantize(name, QuantizationOptions(weightBits: 4, activationBits: 4))
        print("\(name) 4-bit weights and activations: \(quantized)/540 (float \(float)/540)\n\(Self.describe(result))")
        #expect(float == floatCorrect)
        #expect(quantized == fourBitCorrect)
    }

    @Test func binaryNetworkGetsBinaryHiddenLayers() throws {
        let (float, quantized, result) = try Self.quantize("bnn", QuantizationOptions())
        print("bnn: \(quantized)/540 (float \(float)/540), binary layers \(result.binaryLayers)\n\(Self.describe(result))")
        #expect(float == 536)
        #expect(result.binaryLayers == ["bconv2", "bconv3"])
        #expect(quantized >= 459, "top-1 \(quantized)/540 is below 85 %")
        let signs = result.graph.nodes.filter { $0.kind == .sign }
        #expect(signs.count == 3)
        for sign in signs {
            let producer = try #require(result.graph.nodes.first { $0.outputs.contains(sign.inputs[0]) })
            #expect(producer.kind == .add, "sign reads the accumulator minus the thresholds")
        }
        #expect(result.floatNodes.isEmpty, "\(result.floatNodes)")
    }

    /// With the defaults (ONNX Runtime's static QDQ settings: minmax, per-channel int8 weights,
    /// uint8 activations), the output codes equal those of the ORT-quantized models on all 5400 outputs.
    @Test(arguments: ["mlp", "cnn", "dscnn_residual"])
    func defaultOutputCodesEqualOnnxRuntimeQuantization(_ name: String) throws {
        let graph = try Self.model(name)
        let (calibration, test) = try Self.data(for: graph)
        var quantized = try PostTrainingQuantizer().quantize(graph, calibration: [graph.inputs[0]: calibration]).graph
        let last = try #require(quantized.nodes.last)
        #expect(last.kind == .dequantize)
        quantized.outputs = [last.inputs[0]]
        quantized.nodes.removeLast()
        let codes = try ReferenceInterpreter(graph: quantized).runBatch([quantized.inputs[0]: test])[0].codes ?? []
        let expected = try Self.tensor("\(name)_qdq_ort_codes.npy").doubles.map { Int32($0) }
        #expect(codes.count == 5400)
        #expect(zip(codes, expected).filter { $0 != $1 }.count == 0)
    }
}
