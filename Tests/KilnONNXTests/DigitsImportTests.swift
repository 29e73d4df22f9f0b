import Foundation
import KilnInterpreter
import KilnIR
import KilnModelIO
import Testing
@testable import KilnONNX

/// The digits MLP (`Tests/Fixtures/digits`) imported and run by the reference interpreter,
/// against onnxruntime's outputs on the whole test split.
@Suite struct DigitsImportTests {
    static func load(_ file: String) throws -> Tensor {
        try NumPyReader.read(contentsOf: Fixtures.digits.appendingPathComponent(file).path).tensor()
    }

    /// The QOperator int8 model's output codes equal ORT's, element for element (540 × 10).
    @Test func quantizedModelMatchesOnnxRuntimeCodes() throws {
        let model = try ONNXModel(contentsOf: Fixtures.digits.appendingPathComponent("mlp2_qop.onnx"))
        let graph = try ONNXImporter().importGraph(from: model, file: "mlp2_qop.onnx")
        // Check the codes before the final DequantizeLinear: cut the graph there.
        var codesGraph = graph
        let dequantize = try #require(graph.nodes.last { $0.kind == .dequantize })
        codesGraph.outputs = [dequantize.inputs[0]]
        codesGraph = try RemoveDeadNodes().run(on: codesGraph)
        let x = try Self.load("test_x_flat.npy")
        let expected = try #require(try Self.load("mlp2_qop_ort_codes.npy").codes)
        let outputs = try ReferenceInterpreter(graph: codesGraph).runBatch(["input": x])
        let codes = try #require(outputs[0].codes)
        #expect(outputs[0].shape == [540, 10])
        let differing = zip(codes, expected).filter { $0 != $1 }.count
        #expect(differing == 0)
        // And the dequantized output equals ORT's float output exactly.
        let floats = try ReferenceInterpreter(graph: graph).runBatch(["input": x])[0].floats
        #expect(floats == (try Self.load("mlp2_qop_ort.npy").floats))
    }

    /// The float model's top-1 predictions equal ORT's (529/540 correct).
    @Test func floatModelTopOneMatchesOnnxRuntime() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Fixtures.digits.appendingPathComponent("mlp2_float.onnx"))
        #expect(graph.types["input"]?.shape == [1, 64])
        let logits = try #require(try ReferenceInterpreter(graph: graph).runBatch(["input": try Self.load("test_x_flat.npy")])[0].floats)
        let reference = try #require(try Self.load("mlp2_float_ort.npy").floats)
        let labels = try #require(try Self.load("test_y.npy").int64s)
        func argmax(_ values: ArraySlice<Float>) -> Int { values.indices.max { values[$0] < values[$1] }! - values.startIndex }
        var agree = 0, correct = 0
        var worst: Float = 0
        for row in 0..<540 {
            let mine = argmax(logits[row * 10 ..< row * 10 + 10]), theirs = argmax(reference[row * 10 ..< row * 10 + 10])
            if mine == theirs { agree += 1 }
            if Int64(mine) == labels[row] { correct += 1 }
        }
        for (a, b) in zip(logits, reference) { worst = max(worst, abs(a - b)) }  // absolute: logits are O(10)
        #expect(agree == 540)
        #expect(correct == 529)
        #expect(worst < 1e-4, "largest absolute logit difference \(worst)")
    }
}
