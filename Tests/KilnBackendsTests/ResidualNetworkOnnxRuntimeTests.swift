import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// A MobileNetV2-style network (three inverted residual blocks, per-channel int8 weights) quantized
/// by ONNX Runtime static QDQ (`Tests/Fixtures/ort-residual`, made by
/// `tools/ort_arithmetic/make_residual_fixture.py`; ORT runs it as QLinearConv, QLinearAdd,
/// QLinearGlobalAveragePool and QGemm). On the x86 AVX2 target's numerics (saturating u8×s8 pair
/// sums except in depthwise convolutions, ORT's QLinearAdd arithmetic) the reference interpreter
/// gives ORT's logits exactly on all 64 inputs, and the simulated program equals it.
@Suite struct ResidualNetworkOnnxRuntimeTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/ort-residual")

    @Test func avx2LogitsEqualOnnxRuntime() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("mbv2_residual_qdq.onnx"))
        #expect(graph.nodes.filter { $0.kind == .add }.count == 3)
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx2-haswell-i7-4770"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let depthwise = program.graph.nodes.filter { MarkSaturatingPairSumsPass.isDepthwise($0, program.graph) }
        #expect(depthwise.count == 3 && depthwise.allSatisfy { $0.accumulation == .wrappingInt32 })
        let samples = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("x.npy").path).tensor()
        let batch = Tensor(type: TensorType(shape: [64, 3, 16, 16], elementType: .float32), storage: samples.storage)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("ort_logits.npy").path).floatValues()
        let reference = try #require(try ReferenceInterpreter(graph: program.graph).runBatch(["input": batch])[0].floats)
        #expect(reference.count == 640)
        #expect(zip(reference, expected).filter { $0 != $1 }.count == 0)
        // The simulated program equals the reference (four samples keep the debug-build test fast).
        let firstFour = Tensor(type: TensorType(shape: [4, 3, 16, 16], elementType: .float32),
                               storage: .float32(Array(try #require(samples.floats).prefix(4 * 3 * 16 * 16))))
        let simulated = try #require(try FunctionalSimulator(program: program).runBatch(["input": firstFour]).outputs[0].floats)
        #expect(simulated == Array(reference.prefix(40)))
    }
}
