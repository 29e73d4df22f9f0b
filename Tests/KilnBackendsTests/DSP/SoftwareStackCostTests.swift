import Foundation
import Testing
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// A target's software stack decides which kernel each layer runs and what the runtime adds per
/// operator: CMSIS-NN's wrapper dispatch by layer shape, TFLite Micro's reference loops, the
/// interpreter's dispatch against microTVM's generated calls.
@Suite struct SoftwareStackCostTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The DS-CNN-shaped ONNX Runtime QDQ model: a 10×4 strided conv, four 3×3 depthwise + 1×1
    /// pointwise pairs, global pooling and a dense layer.
    static func dscnn() throws -> Graph {
        try ONNXImporter().importGraph(contentsOf: repository.appendingPathComponent("examples/validation/dscnn_qdq.onnx"))
    }

    static func program(stack: String?) throws -> TargetProgram {
        var target = try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4"))
        if let stack { target = try target.selecting(stack: stack) }
        return try Compiler(registry: try BuiltInBackends.registry()).compile(try dscnn(), for: target)
    }

    static func macKernels(_ program: TargetProgram) -> [S8MultiplyAccumulateKernel] {
        program.steps.compactMap { step in
            guard case .kernel(let kernel) = step else { return nil }
            return kernel.kernel as? S8MultiplyAccumulateKernel
        }
    }

    static func latency(_ program: TargetProgram) throws -> Double {
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        return try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program).latencySeconds
    }

    @Test func cmsisNNDispatchesEachLayerByItsShape() throws {
        let paths = Self.macKernels(try Self.program(stack: nil)).map(\.path)
        #expect(paths == [.convolve] + Array(repeating: [S8KernelPath.depthwise3x3, .convolve1x1], count: 4).flatMap { $0 } + [.fullyConnected])
    }

    @Test func referenceKernelsRunOneScalarLoopForEveryLayer() throws {
        let kernels = Self.macKernels(try Self.program(stack: "tflm-reference"))
        #expect(kernels.count == 10)
        #expect(kernels.allSatisfy { $0.path == .reference })
    }

    /// `arm_depthwise_conv_3x3_s8`'s tap on the Cortex-M4 (TRM timings, no wait states): `ldr` 2,
    /// pipelined `ldr` 1, then eight single-cycle extends and MACs: 11 cycles for 4 MACs.
    @Test func depthwise3x3TapCostsElevenCyclesForFourMACs() throws {
        let kernel = try #require(Self.macKernels(try Self.program(stack: nil)).first { $0.path == .depthwise3x3 })
        let tap = try #require(kernel.loops().first { $0.name == "mac" })
        let m4 = try DSPCycleModelTests.issue("stm32l4r5-cortex-m4")
        #expect(m4.steadyCycles(of: tap.body, waits: false) == 11)
        #expect(tap.body.filter { ["smlabb", "smlatt"].contains($0.mnemonic) }.count == 4)
    }

    /// Every path's loops perform the layer's MACs: the MAC instructions issued (SMLAD counts two)
    /// cover every multiply-accumulate at least once.
    @Test(arguments: ["tflm-cmsis-nn", "tflm-reference"])
    func loopsIssueEveryMultiplyAccumulate(stack: String) throws {
        for kernel in Self.macKernels(try Self.program(stack: stack)) {
            let instructions = DSPLoop.instructionCounts(kernel.loops())
            let issued = 2 * (instructions[Instruction("smlad")] ?? 0) + (instructions[Instruction("mla")] ?? 0)
                + (instructions[Instruction("smlabb")] ?? 0) + (instructions[Instruction("smlatt")] ?? 0)
            let macs = kernel.countActions().totalMultiplyAccumulates
            #expect(issued >= macs, "\(kernel.name) (\(kernel.path)): \(issued) MAC lanes issued for \(macs) MACs")
        }
    }

    @Test func referenceKernelsAreSlowerThanCMSISNN() throws {
        let cmsis = try Self.latency(try Self.program(stack: "tflm-cmsis-nn"))
        let reference = try Self.latency(try Self.program(stack: "tflm-reference"))
        #expect(reference > 2 * cmsis, "reference \(reference) s, CMSIS-NN \(cmsis) s")
    }

    /// Same kernels, different runtime: the two latencies differ by exactly the dispatch difference
    /// (250 − 20 cycles) on every kernel step the target runs, at 120 MHz.
    @Test func interpreterDispatchIsChargedPerKernel() throws {
        let interpreted = try Self.program(stack: "tflm-cmsis-nn")
        let generated = try Self.program(stack: "microtvm-cmsis-nn")
        let steps = interpreted.steps.filter { if case .kernel(let step) = $0 { step.placement == .accelerator } else { false } }.count
        let difference = try Self.latency(interpreted) - Self.latency(generated)
        #expect(abs(difference - Double(steps) * 230 / 120e6) < 1e-12, "\(difference) s over \(steps) kernels")
    }

    @Test func anUnknownStackIsAnErrorListingTheTargetsStacks() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4"))
        #expect(target.stack?.name == "tflm-cmsis-nn")
        do {
            _ = try target.selecting(stack: "cmsis")
            Issue.record("selected a stack the target does not have")
        } catch {
            let message = error.diagnostics.map(\.description).joined()
            #expect(message.contains("no software stack named 'cmsis'"))
            #expect(message.contains("tflm-cmsis-nn, microtvm-cmsis-nn, tflm-reference"))
            #expect(message.contains("stm32l4r5-cortex-m4.json"))
        }
    }
}
