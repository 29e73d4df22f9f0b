import Testing
import KilnCompiler
import KilnConformance
import KilnTargets
@testable import KilnBackends

/// The systolic target's kernels are costed by Kiln's SCALE-Sim reproduction (which equals
/// SCALE-Sim v3's COMPUTE_REPORT on the fixtures in Tests/Fixtures/scalesim).
@Suite struct SystolicCycleModelTests {
    @Test func gemmUnitsCostWhatScaleSimComputesForTheirShape() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "scalesim-google-tpu-ws"))
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let program = try compiler.compile(try ConformanceCorpus.models()[1].graph, for: target)
        let model = try compiler.backend(for: target).cycleModel(for: target)
        let scaleSim = SystolicArrayModel(configuration: SystolicArrayConfiguration(try #require(target.section(SystolicSection.self))))
        var units = 0
        for step in program.kernelSteps {
            guard let unit = step.kernel as? SystolicGEMMUnit else { continue }
            units += 1
            let estimate = try scaleSim.estimate(.gemm(name: unit.name, m: unit.tiling.m, n: unit.tiling.n, k: unit.tiling.k))
            let cost = model.cost(of: unit, counts: unit.countActions())
            #expect(cost.computeCycles + cost.memoryStallCycles == Double(estimate.totalCycles * unit.groups))
            #expect(cost.memoryStallCycles == Double(estimate.stallCycles * unit.groups))
        }
        #expect(units >= 3)
    }
}
