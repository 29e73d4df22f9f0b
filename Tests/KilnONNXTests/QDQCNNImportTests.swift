import Foundation
import KilnInterpreter
import KilnIR
import KilnModelIO
import Testing
@testable import KilnONNX

/// The ONNX Runtime static-QDQ residual CNN (`Tests/Fixtures/qdq-cnn`): after import and QDQ
/// fusion, the reference interpreter's output codes equal ORT's (ORT_ENABLE_ALL: QLinearConv,
/// QLinearAdd, QLinearGlobalAveragePool, QGemm) on every one of the 256 images.
@Suite struct QDQCNNImportTests {
    static var directory: URL { Fixtures.root.appendingPathComponent("qdq-cnn") }
    static var present: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("dscnn_residual_qdq.onnx").path) }

    static func load(_ file: String) throws -> Tensor {
        try NumPyReader.read(contentsOf: directory.appendingPathComponent(file).path).tensor()
    }

    @Test(.enabled(if: present, "the qdq-cnn fixture is not in this checkout"))
    func outputCodesEqualOnnxRuntime() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("dscnn_residual_qdq.onnx"))
        // Every QDQ group became one quantized op: only the input quantize and output dequantize stay float-facing.
        let kinds = graph.nodes.map(\.kind)
        #expect(kinds == [.quantize, .conv2d, .conv2d, .conv2d, .add, .maxPool, .conv2d, .globalAveragePool, .flatten, .dense, .dequantize])
        #expect(graph.nodes.filter { $0.kind != .dequantize && $0.kind != .quantize }.allSatisfy {
            graph.types[$0.outputs[0]]?.isQuantized == true })
        var codesGraph = graph
        codesGraph.outputs = [try #require(graph.nodes.last).inputs[0]]
        codesGraph = try RemoveDeadNodes().run(on: codesGraph)
        let x = try Self.load("test_x_nchw.npy")
        let codes = try #require(try ReferenceInterpreter(graph: codesGraph).runBatch(["input": x])[0].codes)
        let expected = try #require(try Self.load("ort_codes.npy").codes)
        #expect(codes.count == 256 * 10)
        #expect(zip(codes, expected).filter { $0 != $1 }.count == 0)
        let floats = try ReferenceInterpreter(graph: graph).runBatch(["input": x])[0].floats
        #expect(floats == (try Self.load("ort.npy").floats))
    }
}
