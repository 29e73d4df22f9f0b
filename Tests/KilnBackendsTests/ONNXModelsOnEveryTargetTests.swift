import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// The ONNX models of the import fixtures (ONNX Runtime's QOperator MLP, its QDQ residual CNN)
/// and the shipped QDQ digits models, compiled for every built-in target: functional simulation
/// equals the reference interpreter on the target-numerics graph, element for element.
@Suite struct ONNXModelsOnEveryTargetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = [
        "Tests/Fixtures/digits/mlp2_qop.onnx",
        "Tests/Fixtures/qdq-cnn/dscnn_residual_qdq.onnx",
        "Tests/Fixtures/ort-residual/mbv2_residual_qdq.onnx",
        "examples/digits/cnn_qdq.onnx",
        "examples/digits/mlp_qdq.onnx",
    ]

    static func cases() -> [String] {
        BuiltInTargets.catalog.targets.map(\.name).sorted().flatMap { target in models.map { "\($0)@\(target)" } }
    }

    @Test(arguments: cases())
    func simulationEqualsReference(_ name: String) throws {
        let parts = name.split(separator: "@").map(String.init)
        let graph = try ONNXImporter().importGraph(contentsOf: Self.repository.appendingPathComponent(parts[0]))
        let target = try #require(BuiltInTargets.catalog.target(named: parts[1]))
        let outcome = try ConformanceKit.check(model: parts[0], graph: graph, target: target,
                                               compiler: Compiler(registry: try BuiltInBackends.registry()), samples: 2)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.countMismatches.isEmpty, "\(outcome)")
        #expect(outcome.compared > 0)
    }

    /// On SIMD targets whose arithmetic is ONNX Runtime's (exact int32 accumulation, the
    /// float-scale rule), the simulated program reproduces ONNX Runtime's output codes of the
    /// digits QOperator MLP on the whole test split. The AVX2 target's saturating pair sums may
    /// differ, and are not in this list.
    @Test(arguments: ["cortex-a55-rk3568", "cortex-a76-bcm2712", "x86-avx512-vnni-xeon-gold-6248"])
    func simdProgramReproducesOnnxRuntimeCodes(_ targetName: String) throws {
        let digits = Self.repository.appendingPathComponent("Tests/Fixtures/digits")
        var graph = try ONNXImporter().importGraph(contentsOf: digits.appendingPathComponent("mlp2_qop.onnx"))
        let last = try #require(graph.nodes.last)
        graph.outputs = [last.inputs[0]]
        graph.nodes.removeLast()
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        // Both QLinearMatMul layers run on the accelerator (the broadcasting QLinearAdd of the bias
        // may fall back to the host, which computes the same reference semantics).
        #expect(program.kernelSteps.filter { $0.placement == .accelerator && $0.kernel.nodes.contains { OperatorKind.multiplyAccumulate.contains($0.kind) } }.count == 2)
        // A CPU target has no host link: the bias adds it cannot vectorize run on the same core,
        // with nothing to transfer, and their values are planned in its memory.
        #expect(!program.steps.contains { if case .transfer = $0 { true } else { false } })
        #expect(program.buffers.contains { $0.value == "logits_quantized" })
        let images = try NumPyReader.read(contentsOf: digits.appendingPathComponent("test_x_flat.npy").path).tensor()
        let codes = try FunctionalSimulator(program: program).runBatch([graph.inputs[0]: images]).outputs[0].codes ?? []
        let expected = try NumPyReader.read(contentsOf: digits.appendingPathComponent("mlp2_qop_ort_codes.npy").path).int32Values()
        #expect(codes.count == 5400)
        #expect(zip(codes, expected).filter { $0 != $1 }.count == 0)
    }
}
