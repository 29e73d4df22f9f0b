import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// The cost-only path counts exactly what execution counts, for every kernel of every corpus
/// model on every fpga target.
@Suite struct FPGACountTests {
    @Test(arguments: FPGATestSupport.pairs.map { "\($0.0) @ \($0.1)" })
    func countActionsEqualsExecutedCounts(_ pair: String) throws {
        let parts = pair.components(separatedBy: " @ ")
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model(parts[0]), for: FPGATestSupport.target(parts[1]))
        let inputs = ConformanceKit.randomInputs(for: program.graph, seed: 7)
        let run = try FunctionalSimulator(program: program).run(inputs)
        var kinds = Set<String>()
        for (step, counts) in zip(program.steps, run.stepCounts) {
            guard case .kernel(let kernelStep) = step else { continue }
            #expect(kernelStep.kernel.countActions() == counts, "\(kernelStep.kernel.name) on \(pair)")
            kinds.insert(kernelStep.kernel.name)
        }
        #expect(!kinds.isEmpty)
    }

    @Test func everyKernelKindIsCoveredByTheCorpus() throws {
        var kinds = Set<String>()
        for (model, target) in FPGATestSupport.pairs {
            let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model(model), for: FPGATestSupport.target(target))
            kinds.formUnion(program.kernelSteps.filter { $0.placement == .accelerator }.map(\.kernel.name))
        }
        #expect(kinds.isSuperset(of: ["mvau", "vvau", "streaming-maxpool", "accumulating-pool", "add-streams-lut", "view.flatten",
                                      "sign-threshold", "systolic-gemm-ws"]), "\(kinds.sorted())")
    }

    @Test func mvauCountsMACsByBitWidthAndTheCycleFormula() throws {
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("cnn-padded-strided"), for: FPGATestSupport.target("pynq-z1-zynq7020-finn"))
        let first = try #require(program.kernelSteps.first { $0.kernel.name == "mvau" }?.kernel as? MatrixVectorActivationUnit)
        let counts = first.countActions()
        // conv1: 8 channels × 27 (3×3×3) × 144 pixels, u8 image × i4 weights, 15 thresholds each.
        #expect(counts.multiplyAccumulates == [MultiplyAccumulateKind(.uint8, .int4): 8 * 27 * 144])
        #expect(counts.aluOperations == 8 * 144 * 15)
        let pe = first.folding.processingElements, simd = first.folding.simdLanes
        #expect(counts.instructions[.cycles(of: "mvau")] == (8 / pe) * (27 / simd) * 144)
    }
}
