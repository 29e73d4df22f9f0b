import Testing
import KilnCompiler
import KilnConformance
import KilnTargets
@testable import KilnTernary

@Suite struct TernaryCycleModelTests {
    /// 64 PEs with 16-input trees: 70 channels are two passes; a pass is as slow as its slowest
    /// channel (⌈40/16⌉ = 3 in the first, ⌈17/16⌉ = 2 in the second), a channel with no non-zero
    /// weight still takes one cycle.
    @Test func passesAreAsSlowAsTheirSlowestChannel() throws {
        let model = try #require(TernaryCycleModel(target: try TernaryConformanceTests.target()))
        #expect(model.passCycles([40] + Array(repeating: 16, count: 63) + [17, 0, 1, 2, 3, 4]) == 3 + 2)
        #expect(model.passCycles([0]) == 1)
        #expect(model.passCycles([]) == 0)
    }

    /// Cost-only counts equal the counts of a functional run, for every kernel of every model.
    @Test func countsWithoutDataEqualCountsOfARun() throws {
        let compiler = Compiler(registry: try BackendRegistry(TernaryConformanceTests.backends))
        for model in try ConformanceCorpus.models() {
            let program = try compiler.compile(model.graph, for: try TernaryConformanceTests.target())
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
            var counted = ActionCounts(), executed = ActionCounts()
            for (step, counts) in zip(program.steps, run.stepCounts) {
                guard case .kernel(let kernel) = step, kernel.placement == .accelerator else { continue }
                counted.add(kernel.kernel.countActions())
                executed.add(counts)
            }
            #expect(counted == executed, "\(model.name)")
        }
    }
}
