import Testing
import KilnIR
import KilnTargets
@testable import KilnCompiler

@Suite struct CostEstimatorTests {
    /// One relu over f32[1,16] on the test array (100 MHz, 4 operations per cycle, 8 B/cycle each
    /// way, no MAC): 16 ALU operations → 4 compute cycles; 64 B read + 64 B written → 8 + 8 = 16
    /// memory cycles, so 12 stall cycles and 16 in all: 160 ns, memory bound, utilization
    /// 16 / (4 · 16) = 25 %. Energy: 16 × 0.5 pJ = 8 pJ compute, 128 B × 1.25 pJ = 160 pJ
    /// on-chip, 10 mW × 160 ns = 1600 pJ static: 1768 pJ.
    @Test func energyIsCountsTimesTheTablePlusStaticPowerTimesTime() throws {
        var builder = GraphBuilder(name: "one-relu")
        builder.output(try builder.node(.relu, [builder.input("x", .float32([1, 16]))], name: "relu"))
        let compiler = try TestArray.compiler()
        let target = try TestArray.target()
        let program = try compiler.compile(try builder.build(), for: target)
        let cost = try CostEstimator(compiler: compiler, catalog: TargetCatalog(families: [TestArrayFamily()])).estimate(program)

        let step = try #require(cost.steps.first)
        #expect(cost.steps.count == 1)
        #expect(step.counts.aluOperations == 16 && step.counts.bytesRead == ["sram": 64] && step.counts.bytesWritten == ["sram": 64])
        #expect(step.cost.computeCycles == 4 && step.cost.memoryStallCycles == 12 && step.cost.overheadCycles == 0)
        #expect(step.cost.bound == .memory && cost.bound == .memory)
        #expect(abs(cost.latencySeconds - 160e-9) <= 1e-21)
        #expect(abs(cost.inferencesPerSecond - 6.25e6) <= 1e-6)
        #expect(cost.utilization == 0.25)
        let picojoule = 1e-12
        #expect(abs(cost.energy.compute - 8 * picojoule) <= 1e-24)
        #expect(abs(cost.energy.onChipMemory - 160 * picojoule) <= 1e-24)
        #expect(cost.energy.offChipMemory == 0 && cost.energy.hostLink == 0)
        #expect(abs(cost.energy.staticEnergy - 1600 * picojoule) <= 1e-22)
        #expect(abs(cost.energy.total - 1768 * picojoule) <= 1e-22)
    }
}
