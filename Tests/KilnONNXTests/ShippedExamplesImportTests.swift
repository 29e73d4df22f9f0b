import Foundation
import Testing
import KilnIR
import KilnInterpreter
import KilnModelIO
@testable import KilnONNX

/// The models shipped in `examples/digits` (trained and quantized by `tools/make_digits_examples.py`,
/// outputs by ONNX Runtime 1.31.1): import + the reference interpreter must reproduce ONNX
/// Runtime on the whole 540-image test split — float logits closely, int8 codes exactly.
@Suite struct ShippedExamplesImportTests {
    static let examples = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/digits")

    static func array(_ name: String) throws -> NumPyArray {
        try NumPyReader.read(contentsOf: examples.appendingPathComponent(name).path)
    }

    /// The test split in the layout the model's input wants.
    static func inputs(for graph: Graph) throws -> Tensor {
        let rank = graph.types[graph.inputs[0]]!.shape.count
        return try array(rank == 2 ? "test_x_flat.npy" : "test_x_nchw.npy").tensor()
    }

    static func topOne(_ values: [Double], classes: Int) -> [Int] {
        stride(from: 0, to: values.count, by: classes).map { start in
            let row = values[start ..< start + classes]
            return row.indices.max { row[$0] < row[$1] }! - start
        }
    }

    /// mlp (Gemm), cnn (Conv + BatchNormalization folded at import), dscnn_residual (depthwise,
    /// residual Add, GlobalAveragePool), bnn (Sign activations).
    @Test(arguments: ["mlp", "cnn", "dscnn_residual", "bnn"])
    func floatModelMatchesOnnxRuntime(_ model: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.examples.appendingPathComponent("\(model).onnx"))
        if model == "cnn" { #expect(!graph.nodes.contains { $0.kind == .batchNorm }, "BatchNormalization folds into the convs") }
        let output = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: try Self.inputs(for: graph)])[0]
        let expected = try Self.array("\(model)_ort.npy").doubleValues()
        let actual = output.doubles
        #expect(actual.count == expected.count)
        let worst = zip(actual, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-4, "largest relative difference \(worst)")
        #expect(Self.topOne(actual, classes: 10) == Self.topOne(expected, classes: 10))
    }

    /// ONNX Runtime's QDQ models: the u8 codes before the final DequantizeLinear, element for element.
    @Test(arguments: ["mlp_qdq", "cnn_qdq", "dscnn_residual_qdq"])
    func quantizedModelCodesEqualOnnxRuntime(_ model: String) throws {
        var graph = try ONNXImporter().importGraph(contentsOf: Self.examples.appendingPathComponent("\(model).onnx"))
        // Read the codes feeding the final dequantize.
        let last = try #require(graph.nodes.last)
        #expect(last.kind == .dequantize)
        graph.outputs = [last.inputs[0]]
        graph.nodes.removeLast()
        let output = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: try Self.inputs(for: graph)])[0]
        let expected = try Self.array("\(model)_ort_codes.npy").int32Values()
        let codes = try #require(output.codes)
        #expect(codes.count == 5400)
        let differing = zip(codes, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(codes.count) codes differ from ONNX Runtime")
    }
}
