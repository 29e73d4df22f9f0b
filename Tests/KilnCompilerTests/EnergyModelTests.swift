import Foundation
import Testing
import KilnTargets
@testable import KilnCompiler
import KilnBackends

@Suite struct EnergyModelTests {
    static let catalog = try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)

    @Test func energyIsCountsTimesTheTable() throws {
        let target = try #require(Self.catalog.target(named: "bnn-array-45nm"))
        let model = EnergyModel(target: target)
        var counts = ActionCounts()
        counts.multiplyAccumulates = [MultiplyAccumulateKind(.int8, .int8): 1000]
        counts.familyActions[XNORFamily.xnorPopcountBit] = 4096
        counts.aluOperations = 50
        let level = try #require(target.memory.first)
        counts.bytesRead = [level.name: 100]
        counts.bytesWritten = [level.name: 28]
        counts.hostLinkBytes = 64
        let energy = model.energy(of: counts, seconds: 1e-3)
        let picojoule = 1e-12
        let mac = try #require(target.energy.picojoulesPerMultiplyAccumulate(.int8))
        let expectedCompute = (1000 * mac + 4096 * (try #require(target.energy.picojoules(forAction: "xnorPopcountBit")))
            + 50 * target.energy.aluOperationPicojoules.value) * picojoule
        #expect(abs(energy.compute - expectedCompute) <= 1e-15 * max(1, expectedCompute))
        let memory = 128 * level.picojoulesPerByte * picojoule
        #expect(abs((level.onChip ? energy.onChipMemory : energy.offChipMemory) - memory) < 1e-18)
        #expect(energy.staticEnergy == target.energy.staticPowerMilliwatts.value * 1e-3 * 1e-3)
        #expect(energy.hostLink == 64 * (target.host?.energyPicojoulesPerByte.value ?? 0) * picojoule)
        // The breakdown sums to the total.
        #expect(abs(energy.total - (energy.compute + energy.onChipMemory + energy.offChipMemory + energy.staticEnergy + energy.hostLink)) == 0)
    }

    @Test func macEnergyUsesTheWiderOperandAndFallsBackToAWiderFormat() throws {
        let target = try #require(Self.catalog.target(named: "stm32h743-cortex-m7"))
        let model = EnergyModel(target: target)
        let q15 = try #require(target.energy.picojoulesPerMultiplyAccumulate(.q15))
        let q7 = try #require(target.energy.picojoulesPerMultiplyAccumulate(.q7))
        #expect(model.picojoulesPerMultiplyAccumulate(MultiplyAccumulateKind(.q7, .q15)) == max(q7, q15))
        // A 4-bit operand is costed as the narrowest listed format that is at least 4 bits wide.
        let narrowest = target.energy.multiplyAccumulate.sorted { $0.format.bitWidth < $1.format.bitWidth }.first!
        #expect(model.picojoulesPerMultiplyAccumulate(MultiplyAccumulateKind(.integer(bits: 4, signed: true), .integer(bits: 4, signed: true))) == narrowest.picojoules.value)
    }
}
