import Foundation
import KilnInterpreter
import KilnIR
import KilnModelIO
import Testing
@testable import KilnONNX

/// A two-layer BERT sentence encoder (all-MiniLM-L6-v2's architecture with random weights,
/// hidden size 32, sequence length 16, batch 2) exported by PyTorch at opset 17 and quantized by
/// ONNX Runtime three ways (`Tests/Fixtures/transformer`, made by
/// `tools/transformers/make_encoder_fixtures.py`). Every form imports with three int64 graph
/// inputs; the reference interpreter reproduces ORT's embedding where the arithmetic is shared
/// (the float model and the MatMul + Gather QDQ form, up to float32 rounding of the float ops).
/// The dynamic and full QDQ forms equal ORT once the AVX2 target's saturating pair sums are
/// applied (`TransformerEncoderOnEveryTargetTests`).
@Suite struct TransformerEncoderImportTests {
    static let directory = Fixtures.root.appendingPathComponent("transformer")
    static let forms = ["encoder": "float", "encoder_dynamic": "dynamic", "encoder_qdq": "qdq",
                        "encoder_qdq_matmul_gather": "qdq_matmul_gather"]

    static func load(_ file: String) throws -> Tensor {
        try NumPyReader.read(contentsOf: directory.appendingPathComponent(file).path).tensor()
    }

    static func inputs() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in ["input_ids", "attention_mask", "token_type_ids"] { result[name] = try load("\(name).npy") }
        return result
    }

    static func maximumDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test(arguments: forms.keys.sorted())
    func importsWithEveryOp(_ model: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(model).onnx"))
        #expect(graph.inputs == ["input_ids", "attention_mask", "token_type_ids"])
        #expect(graph.inputs.allSatisfy { graph.types[$0]?.elementType == .int64 })
        let kinds = Set(graph.nodes.map(\.kind))
        // Embedding lookups at run-time indices, the mask's casts / selections, the pooling head.
        for kind: OperatorKind in [.gather, .cast, .where, .expand, .reduceSum, .reduceL2, .layerNorm, .softmax, .matmul] {
            #expect(kinds.contains(kind), "\(model) lacks \(kind)")
        }
        if model == "encoder_dynamic" { #expect(kinds.contains(.dynamicQuantize)) }
        // The embedding tables are read at the input ids: a gather whose indices are a graph input.
        #expect(graph.nodes.contains { $0.kind == .gather && $0.inputs[1] == "input_ids" })
    }

    @Test(arguments: ["encoder", "encoder_qdq_matmul_gather"])
    func embeddingMatchesOnnxRuntime(_ model: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(model).onnx"))
        let output = try #require(try ReferenceInterpreter(graph: graph).run(try Self.inputs())[0].floats)
        let expected = try #require(try Self.load("ort_\(Self.forms[model]!).npy").floats)
        #expect(output.count == 2 * 32)
        // Measured 8.9e-8 (float) and 6.0e-8 (QDQ MatMul + Gather): float32 rounding of LayerNorm,
        // Softmax, ReduceSum and ReduceL2, which Kiln sums in double.
        #expect(Self.maximumDifference(output, expected) < 1e-6)
    }

    /// The run-time zero point of DynamicQuantizeLinear reaches MatMulInteger exactly: the
    /// rewrite `Σ a·(b − zB) − zA·Σ(b − zB)` gives ORT's int32 products of the first key projection
    /// (no pair sum saturates there, so exact int32 accumulation is ORT's result).
    @Test func dynamicMatMulIntegerIsExact() throws {
        var graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("encoder_dynamic.onnx"))
        let product = "/bert/encoder/layer.0/attention/self/key/MatMul_output_0_output_quantized"
        #expect(graph.types[product]?.elementType == .int32)
        graph.outputs = [product]
        let codes = try #require(try ReferenceInterpreter(graph: graph).run(try Self.inputs())[0].codes)
        #expect(codes.count == 2 * 16 * 32)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("ort_dynamic_key_matmulinteger.npy").path).int32Values()
        #expect(codes == expected)
    }
}

/// The transformer ops survive Kiln's JSON model format: every form of the encoder, written and
/// read back, is the same graph.
@Suite struct TransformerEncoderModelFileTests {
    @Test(arguments: TransformerEncoderImportTests.forms.keys.sorted())
    func roundTripsThroughKilnJSON(_ model: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: TransformerEncoderImportTests.directory.appendingPathComponent("\(model).onnx"))
        let text = KilnModelFile.encode(graph)
        let decoded = try KilnModelFile.decode(Array(text.utf8), file: "\(model).json")
        #expect(decoded == graph)
    }
}
