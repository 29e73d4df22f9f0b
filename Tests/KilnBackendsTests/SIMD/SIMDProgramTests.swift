import Foundation
import Testing
import KilnTestSupport
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// Counts, listings, host fallback, adaptation notes and errors of simd programs.
@Suite struct SIMDProgramTests {
    /// The cost-only counts equal what execution counts, for every kernel of every corpus model
    /// on every simd target.
    @Test(arguments: SIMDTestSupport.targetNames)
    func countActionsEqualsExecutedCounts(target: String) throws {
        let compiler = try SIMDTestSupport.compiler()
        var kinds = Set<String>()
        for model in try ConformanceCorpus.models() {
            let program = try compiler.compile(model.graph, for: SIMDTestSupport.target(target))
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
            for (step, counts) in zip(program.steps, run.stepCounts) {
                guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator else { continue }
                #expect(kernelStep.kernel.countActions() == counts, "\(model.name): \(kernelStep.kernel.name)")
                kinds.insert(String(describing: type(of: kernelStep.kernel)))
            }
        }
        #expect(kinds.isSuperset(of: ["SIMDConvolutionKernel", "SIMDMatrixKernel", "SIMDElementwiseKernel", "SIMDPoolingKernel",
                                      "SIMDDataMovementKernel", "SIMDQuantizationKernel"]), "\(kinds)")
    }

    @Test func goldenListingOfThePaddedStridedCNN() throws {
        let program = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("cnn-padded-strided"),
                                                             for: SIMDTestSupport.target("x86-avx2-haswell-i7-4770"))
        let listing = program.listing() + "\n"
        let golden = GoldenFile(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden/cnn-padded-strided.x86-avx2-haswell-i7-4770.listing"))
        let outcome = try golden.check(listing)
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter SIMDProgramTests"))")
    }

    @Test func softmaxRunsOnTheHostWithItsReason() throws {
        let program = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("attention"), for: SIMDTestSupport.target("cortex-a76-bcm2712"))
        let softmax = try #require(program.kernelSteps.first { $0.kernel.nodes.first?.kind == .softmax })
        #expect(softmax.placement == .host(reason: "softmax at f32: the target runs it at i8, u8"))
        let dense = try #require(program.kernelSteps.first { $0.kernel.nodes.first?.kind == .dense })
        #expect(dense.placement == .accelerator)
        #expect(dense.kernel.name == "sdot-dense")
    }

    /// A binarized model's sign runs in the simd sign kernel, and the ±1 conv after it in the int8 GEMM.
    @Test func signAndBinaryConvRunOnTheCore() throws {
        let program = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("binary-friendly"), for: SIMDTestSupport.target("x86-avx2-haswell-i7-4770"))
        let sign = try #require(program.kernelSteps.first { $0.kernel.nodes.first?.kind == .sign })
        #expect(sign.placement == .accelerator)
        #expect(sign.kernel.name == "simd-sign")
        let binary = try #require(program.kernelSteps.first { $0.kernel.nodes.first?.name == "binary_conv" })
        #expect(binary.placement == .accelerator)
        #expect(binary.kernel.name == "vpmaddubsw-conv2d")
        #expect(program.graph.nodes.first { $0.name == "binary_conv" }?.accumulation == .wrappingInt32)
    }

    @Test func avx2AdaptationIsLoggedPerNode() throws {
        let log = CompileLog()
        _ = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("mlp"), for: SIMDTestSupport.target("x86-avx2-haswell-i7-4770"),
                                                   options: CompileOptions(log: log))
        #expect(log.entries.map(\.node) == ["fc1", "fc2"])
        #expect(log.entries.allSatisfy { $0.pass == "simd-mark-saturating-pair-sums" })
    }

    /// A copy of a target whose numerics list only the given requantization rules.
    static func target(_ name: String, requantization: [RequantizationRule]) -> TargetDescription {
        let t = SIMDTestSupport.target(name)
        return TargetDescription(file: t.file, name: t.name, family: t.family, description: t.description, clockMegahertz: t.clockMegahertz,
                                 cores: t.cores, numerics: TargetNumerics(storageFormats: t.numerics.storageFormats, accumulatorBits: t.numerics.accumulatorBits,
                                                                          requantization: requantization),
                                 memory: t.memory, operations: t.operations, energy: t.energy, host: t.host, document: t.document,
                                 familyDetails: t.familyDetails)
    }

    @Test func unsupportedFloatScaleSwitchesToFixedPointAndStaysBitExact() throws {
        let log = CompileLog()
        let target = Self.target("cortex-a55-rk3568", requantization: [.fixedPointMultiplier])
        let compiler = try SIMDTestSupport.compiler()
        let program = try compiler.compile(SIMDTestSupport.model("cnn-padded-strided"), for: target, options: CompileOptions(log: log))
        #expect(program.graph.nodes.filter { $0.kind == .conv2d }.allSatisfy { $0.requantization == .fixedPointMultiplier })
        #expect(log.entries.contains { $0.node == "conv1" && $0.message.hasPrefix("requantization floatScale → fixedPointMultiplier") })
        let outcome = try ConformanceKit.check(model: "cnn-padded-strided", graph: SIMDTestSupport.model("cnn-padded-strided"), target: target, compiler: compiler)
        #expect(outcome.mismatches == 0)
    }

    @Test func aShiftOnlyTargetIsAnErrorNamingTheRules() throws {
        let target = Self.target("cortex-a55-rk3568", requantization: [.powerOfTwoShift])
        #expect {
            _ = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("mlp"), for: target)
        } throws: { error in
            let message = (error as? DiagnosticError)?.diagnostics.first?.message ?? ""
            return message.contains("requantizes with powerOfTwoShift") && message.contains("fixedPointMultiplier and floatScale")
        }
    }

    @Test func wrongInputShapeIsAnErrorWithTheExpectedType() throws {
        let program = try SIMDTestSupport.compiler().compile(SIMDTestSupport.model("cnn-padded-strided"), for: SIMDTestSupport.target("cortex-a55-rk3568"))
        let conv = try #require(program.kernelSteps.first { $0.kernel.name == "sdot-conv2d" }).kernel
        var counts = ActionCounts()
        #expect {
            _ = try conv.execute([Tensor(shape: [1, 3, 5, 5], elementType: .uint8, codes: [Int32](repeating: 0, count: 75))], counts: &counts)
        } throws: { error in
            ((error as? DiagnosticError)?.diagnostics.first?.message ?? "").contains("expected u8[1,3,12,12]")
        }
    }

    @Test func pairwiseAccumulationOfA4BitOperandIsAnErrorNamingTheTypes() throws {
        var builder = GraphBuilder(name: "int4")
        let x = builder.input("x", .quantized([1, 2], .uint4, scale: 1))
        let w = builder.constant("w", Tensor(shape: [2, 1], elementType: .int8, codes: [1, 1], quantization: QuantizationParameters(scale: 1)))
        let y = try builder.node(.dense, [x, w], name: "fc", outputTypes: [TensorType(shape: [1, 1], elementType: .int32)])
        builder.output(y)
        var graph = try builder.build()
        graph.nodes[0].accumulation = .pairwiseSaturatingInt16
        let interpreter = try KilnInterpreter.ReferenceInterpreter(graph: graph)
        #expect {
            _ = try interpreter.run(["x": Tensor(shape: [1, 2], elementType: .uint4, codes: [1, 2])])
        } throws: { error in
            ((error as? DiagnosticError)?.diagnostics.first?.message ?? "").contains("needs 8-bit integer operands, got u4 × i8")
        }
        // The simd backend leaves such a node unmarked and on the host, with the reason.
        let program = try SIMDTestSupport.compiler().compile(try builder.build(), for: SIMDTestSupport.target("x86-avx2-haswell-i7-4770"))
        #expect(program.hostNodeCount == 1)
    }
}
