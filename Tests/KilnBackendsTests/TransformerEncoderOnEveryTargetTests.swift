import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// The two-layer BERT encoder of `Tests/Fixtures/transformer` in its four forms (float, ONNX
/// Runtime dynamic int8, QDQ, QDQ on MatMul + Gather) compiled for every built-in target: the
/// functional simulation on the fixture's token ids equals the reference interpreter on the
/// target-numerics graph element for element, every node is placed (on the accelerator or on the
/// host with a reason), and on the x86 AVX2 target (ONNX Runtime's u8×s8 kernel saturates its pair
/// sums, as `vpmaddubsw` does) the dynamic and QDQ embeddings equal ORT's up to float32 rounding.
@Suite struct TransformerEncoderOnEveryTargetTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/transformer")
    static let models = ["encoder", "encoder_dynamic", "encoder_qdq", "encoder_qdq_matmul_gather"]

    static func cases() -> [String] {
        BuiltInTargets.catalog.targets.map(\.name).sorted().flatMap { target in models.map { "\($0)@\(target)" } }
    }

    static func inputs() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in ["input_ids", "attention_mask", "token_type_ids"] {
            result[name] = try NumPyReader.read(contentsOf: directory.appendingPathComponent("\(name).npy").path).tensor()
        }
        return result
    }

    @Test(arguments: cases())
    func simulationEqualsReference(_ name: String) throws {
        let parts = name.split(separator: "@").map(String.init)
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(parts[0]).onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: parts[1]))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let covered = program.kernelSteps.reduce(0) { $0 + $1.kernel.nodes.count }
        #expect(covered == program.graph.nodes.count, "every node runs somewhere")
        for step in program.kernelSteps {
            if case .host(let reason) = step.placement { #expect(!reason.isEmpty) }
        }
        let inputs = try Self.inputs()
        let expected = try ReferenceInterpreter(graph: program.graph).run(inputs)
        let actual = try FunctionalSimulator(program: program).run(inputs).outputs
        #expect(expected.map(\.doubles) == actual.map(\.doubles))
    }

    /// The systolic targets run attention's two products of activations (QKᵀ and the value
    /// product, batched over batch × heads) on the array as batched GEMMs, not on the host.
    @Test(arguments: ["scalesim-google-tpu-ws", "scalesim-scale-32x32-os"])
    func attentionProductsRunOnTheSystolicArray(_ targetName: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("encoder_qdq.onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let attention = program.kernelSteps.filter { step in
            step.kernel.nodes.contains { node in
                node.kind == .matmul && node.inputs.prefix(2).allSatisfy { program.graph.constants[$0] == nil }
                    && (program.graph.types[node.inputs[1]]?.shape.count ?? 0) == 4
            }
        }
        // Two layers × (QKᵀ, attention · V).
        #expect(attention.count == 4)
        for step in attention {
            if case .host(let reason) = step.placement { Issue.record("\(step.kernel.name) on the host: \(reason)") }
            #expect(step.kernel.listing().first?.contains("× 8 batch entries (two activations)") ?? false, "\(step.kernel.listing())")
        }
    }

    @Test(arguments: ["encoder_dynamic": "dynamic", "encoder_qdq": "qdq"].sorted(by: <).map { "\($0.key)@\($0.value)" })
    func avx2TargetReproducesOnnxRuntime(_ name: String) throws {
        let parts = name.split(separator: "@").map(String.init)
        let graph = try ONNXImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(parts[0]).onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx2-haswell-i7-4770"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        #expect(program.graph.nodes.contains { $0.accumulation == .pairwiseSaturatingInt16 })
        let output = try #require(try ReferenceInterpreter(graph: program.graph).run(try Self.inputs())[0].floats)
        let expected = try NumPyReader.read(contentsOf: Self.directory.appendingPathComponent("ort_\(parts[1]).npy").path).floatValues()
        // Measured 6.0e-8 for both: float32 rounding of the float ops (LayerNorm, Softmax, reductions).
        #expect(zip(output, expected).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
        // Without the saturating pair sums (exact int32, the target-neutral graph) the result differs.
        let neutral = try #require(try ReferenceInterpreter(graph: graph).run(try Self.inputs())[0].floats)
        #expect(zip(neutral, expected).map { abs($0 - $1) }.max() ?? 0 > 1e-4)
    }
}
