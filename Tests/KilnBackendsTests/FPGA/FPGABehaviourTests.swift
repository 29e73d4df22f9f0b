import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnInterpreter
@testable import KilnBackends

/// Host fallback, logging, bit-width options and bad input.
@Suite struct FPGABehaviourTests {
    @Test func softmaxRunsOnTheHostWithItsReason() throws {
        for target in FPGATestSupport.targetNames {
            let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("attention"), for: FPGATestSupport.target(target))
            let softmax = try #require(program.kernelSteps.first { $0.kernel.nodes.contains { $0.kind == .softmax } })
            guard case .host(let reason) = softmax.placement else { Issue.record("softmax on the accelerator of \(target)"); continue }
            #expect(reason == "softmax is not in the target's op set")
        }
    }

    @Test func systolicArraySendsNonGEMMOpsToTheHost() throws {
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("cnn-padded-strided"), for: FPGATestSupport.target("scalesim-google-tpu-ws"))
        let pool = try #require(program.kernelSteps.first { $0.kernel.nodes.first?.kind == .maxPool })
        #expect(pool.placement == .host(reason: "maxPool is not in the target's op set"))
        #expect(program.kernelSteps.filter { $0.placement == .accelerator }.allSatisfy { $0.kernel.name == "systolic-gemm-ws" })
    }

    @Test func streamliningLogsEveryLayersBitsAndThresholds() throws {
        let options = CompileOptions()
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: FPGATestSupport.target("pynq-z1-zynq7020-finn"), options: options)
        let notes = program.notes.filter { $0.pass == "fpga-streamline" && $0.message.contains("requantization") }
        #expect(notes.map(\.node) == ["fc1", "fc2"])
        #expect(program.notes.contains { $0.node == "fc2" && $0.message.hasPrefix("writes a network output: keeps 8-bit codes") })
        #expect(notes[0].message.contains("weights i8 → i4") && notes[0].message.contains("15 thresholds × 32 channels"))
        #expect(notes[0].message.contains("relu 'relu1' absorbed"))
        #expect(!program.graph.nodes.contains { $0.kind == .relu })
    }

    @Test func perLayerBitsOverrideTheDefault() throws {
        let options = CompileOptions(weightBits: 2, activationBits: 2, layerBits: ["fc2": (weights: 8, activations: 8)])
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: FPGATestSupport.target("zc706-zynq7045-finn"), options: options)
        #expect(program.graph.types["fc1.weight.i2"]?.elementType == .integer(bits: 2, signed: true))
        #expect(program.graph.types["fc1.thresholds"]?.shape == [32, 3])
        #expect(program.graph.types["fc2.thresholds"]?.shape == [10, 255])
        let inputs = ConformanceKit.randomInputs(for: program.graph, seed: 3)
        let simulated = try FunctionalSimulator(program: program).run(inputs).outputs[0]
        #expect(simulated == (try ReferenceInterpreter(graph: program.graph).run(inputs)[0]))
    }

    @Test func aBitWidthTheTargetCannotStoreIsAnErrorWithTheNumbers() {
        let target = FPGATestSupport.target("pynq-z1-zynq7020-finn")
        #expect {
            try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: target, options: CompileOptions(weightBits: 5))
        } throws: { error in
            "\(error)".contains("weightBits 5: pynq-z1-zynq7020-finn stores signed weights at 2, 4, 8 bits only")
        }
        #expect {
            try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: target, options: CompileOptions(activationBits: 0))
        } throws: { error in
            "\(error)".contains("activationBits 0 is out of range: dataflow activations take 1–8 bits")
        }
        #expect {
            try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: target, options: CompileOptions(layerBits: ["conv9": (4, 4)]))
        } throws: { error in
            "\(error)".contains("layerBits names 'conv9', which is not a conv2d or dense node of 'mlp' (its layers: fc1, fc2)")
        }
    }

    @Test func aKernelFedTheWrongSizeThrowsInsteadOfTrapping() throws {
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("cnn-padded-strided"), for: FPGATestSupport.target("pynq-z1-zynq7020-finn"))
        var counts = ActionCounts()
        for step in program.kernelSteps where step.placement == .accelerator {
            let short = Tensor(shape: [3], elementType: .uint8, codes: [1, 2, 3])
            #expect(throws: DiagnosticError.self) { try step.kernel.execute([short, short], counts: &counts) }
        }
    }
}
