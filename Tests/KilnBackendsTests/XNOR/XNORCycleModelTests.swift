import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets
@testable import KilnBackends

/// The XNOR cycle model: hand-checked formulas on small cases, the NEON block against llvm-mca,
/// and properties over whole programs (bandwidth monotonicity, energy sums, simulator counts
/// equal cost-only counts, speed).
@Suite struct XNORCycleModelTests {
    static func model(_ target: TargetDescription) -> XNORCycleModel { XNORCycleModel(target: target)! }

    /// A copy of `target` with each memory level's bandwidth scaled by `bandwidth` and, when
    /// given, its size replaced.
    static func variant(_ target: TargetDescription, bandwidth: Double = 1, sizes: [String: Int] = [:]) -> TargetDescription {
        let memory = target.memory.map { level in
            MemoryLevel(name: level.name, onChip: level.onChip, sizeBytes: Sourced(sizes[level.name] ?? level.sizeBytes.value),
                        readBytesPerCycle: Sourced(level.readBytesPerCycle.value * bandwidth),
                        writeBytesPerCycle: Sourced(level.writeBytesPerCycle.value * bandwidth),
                        latencyCycles: level.latencyCycles, energyPicojoulesPerByte: level.energyPicojoulesPerByte,
                        energyPicojoulesPerAccess: level.energyPicojoulesPerAccess, accessBytes: level.accessBytes,
                        holdsWeights: level.holdsWeights, holdsActivations: level.holdsActivations,
                        dmaOverlapsCompute: level.dmaOverlapsCompute)
        }
        return TargetDescription(file: target.file, name: target.name, family: target.family, description: target.description,
                                 clockMegahertz: target.clockMegahertz, cores: target.cores, numerics: target.numerics,
                                 memory: memory, operations: target.operations, energy: target.energy, host: target.host,
                                 document: target.document, familyDetails: target.familyDetails)
    }

    /// 3×3 conv, 70 input channels, 24 output channels, 7×6 output positions.
    static func conv(wordBits: Int, comparisons: Int = 1) -> XNORWorkload.BinaryGEMM {
        XNORWorkload.BinaryGEMM(rows: 42, groups: 1, outputsPerGroup: 24, taps: 9, wordsPerTap: (70 + wordBits - 1) / wordBits,
                                wordBits: wordBits, packedInputWords: 42 * ((70 + wordBits - 1) / wordBits), comparisonsPerOutput: comparisons)
    }

    // MARK: hand-checked formulas

    @Test func arrayPassesTimesWindowCycles() {
        let model = Self.model(XNORTestSupport.target("bnn-array-45nm"))
        // 64 units of 4096/64 = 64 bits; 24 channels → 1 pass (40 lanes idle);
        // window 9 taps × 2 words × 64 bits = 1152 bits → 18 cycles per position; 42 × 18 = 756.
        // Threshold units: 42 × 24 compares / 64 per cycle = 16 cycles, hidden behind the popcounts.
        #expect(model.arrayCycles(Self.conv(wordBits: 64)) == 756)
        // 65 output channels need a second pass: 2 × 756.
        var wide = Self.conv(wordBits: 64)
        wide.outputsPerGroup = 65
        #expect(model.arrayCycles(wide) == 1512)
        // 7 thresholds per output (a multi-threshold): 42 × 24 × 7 / 64 = 110.25 → 111 < 756.
        #expect(model.arrayCycles(Self.conv(wordBits: 64, comparisons: 7)) == 756)
    }

    @Test func int8UnitAndThresholdUnitRates() {
        let array = Self.model(XNORTestSupport.target("bnn-array-45nm"))
        // 1000 MACs at 64/cycle = 15.625 → 16; 100 output operations at 64/cycle → 2, pipelined.
        #expect(array.computeCycles(.int8GEMM(multiplyAccumulates: 1000, outputOperations: 100)) == 16)
        #expect(array.computeCycles(.comparisons(130)) == 3)
        // OR pooling: 100 words × 64 bits over 4096 bits/cycle = 1.5625 → 2.
        #expect(array.computeCycles(.wordOperations(words: 100, wordBits: 64)) == 2)
        let larq = Self.model(XNORTestSupport.target("larq-rpi4-cortex-a72"))
        // 4 cores × 8 MAC/cycle: ⌈1000 / 4 / 8⌉ = 32, then ⌈100 / 4 / 2⌉ = 13 after it.
        #expect(larq.computeCycles(.int8GEMM(multiplyAccumulates: 1000, outputOperations: 100)) == 45)
        // 100 words × 32 bits over 4 cores × 2 pipes × 128 bits = 3.125 → 4.
        #expect(larq.computeCycles(.wordOperations(words: 100, wordBits: 32)) == 4)
    }

    /// One step of Larq Compute Engine's `XOR_POPCOUNT_ACCUM_LOAD_BLOCK_64` on the A72: 52 vector
    /// instructions over 2 pipes = 26 cycles. llvm-mca 14 (`-mcpu=cortex-a72`, 1000 iterations of
    /// the block) reports 26011 cycles: 26.0 per step.
    @Test func neonStepMatchesLLVMMCA() throws {
        let core = try #require(XNORTestSupport.target("larq-rpi4-cortex-a72").section(XNORSection.self)?.vectorCore)
        typealias Mix = BitPackedGEMMInstructionMix
        #expect(Mix.cycles(Mix.step, on: core) == 26)
        // 2048 binary products per step: 78.8 bits per cycle per core.
        #expect((2048.0 / Mix.cycles(Mix.step, on: core) * 10).rounded() / 10 == 78.8)
    }

    @Test func neonBlocksOverCores() {
        let model = Self.model(XNORTestSupport.target("larq-rpi4-cortex-a72"))
        // 32-bit words: 70 channels = 3 words = 96 bits → 2 steps of 64 bits per tap, 9 taps.
        // Block: vector 52·18 + 28 = 964, uadalp 72, loads 8·18 + 2·9 + 2 = 164,
        // instructions 59·18 + 5·9 + 32 = 1139 → max(482, 72, 164, 379.7) = 482 cycles.
        // Blocks: ⌈42/4⌉ = 11 pixel blocks × ⌈24/8⌉ = 3 channel blocks = 33, ⌈33/4⌉ = 9 per core.
        #expect(model.vectorCoreCycles(Self.conv(wordBits: 32), core: XNORTestSupport.target("larq-rpi4-cortex-a72").section(XNORSection.self)!.vectorCore!) == 9 * 482)
    }

    @Test func arrayTrafficRereadsWindowsAndSpillsToDRAM() {
        let target = XNORTestSupport.target("bnn-array-45nm")
        let gemm = Self.conv(wordBits: 64)
        let workload = XNORWorkload(work: .binaryGEMM(gemm), weightBytes: 24 * 9 * 2 * 8, inputBytes: 368, outputBytes: 126)
        let traffic = Self.model(target).memoryTraffic(workload, counts: ActionCounts())
        // [weight-sram, activation-sram, dram]: window re-reads 42 × 9 × 2 words × 8 bytes = 6048
        // + the 368 input bytes packed; writes 84 packed words (672 bytes) + 126 output bytes.
        #expect(traffic.read == [3456, 6416, 0])
        #expect(traffic.written == [0, 798, 0])
        // A weight SRAM of 1 KB cannot hold the 3456 weight bytes: they stream from DRAM.
        let small = Self.variant(target, sizes: ["weight-sram": 1024])
        let spilled = Self.model(small).memoryTraffic(workload, counts: ActionCounts())
        #expect(spilled.read == [3456, 6416, 3456])
    }

    @Test func stallsOverlapOnTheArrayAndAddOnTheCPU() throws {
        let graph = try XNORRandomGraphs.binaryStack(seed: 5, channels: 70, stride: 1, pads: [1, 1, 1, 1], groups: 1)
        let compiler = try XNORTestSupport.compiler()
        for name in XNORTestSupport.targetNames {
            let program = try compiler.compile(graph, for: XNORTestSupport.target(name))
            let model = Self.model(program.target)
            for step in program.kernelSteps where step.placement == .accelerator {
                let cost = model.cost(of: step.kernel, counts: step.kernel.countActions())
                #expect(cost.computeCycles >= 0 && cost.memoryStallCycles >= 0 && cost.overheadCycles >= 0)
                if step.kernel.name == "xnor-popcount.conv2d" { #expect(cost.bound == .compute, "\(name): \(cost)") }
            }
        }
    }

    // MARK: properties over whole programs

    static func programs() throws -> [(String, TargetProgram)] {
        let compiler = try XNORTestSupport.compiler()
        var result: [(String, TargetProgram)] = []
        let graphs = [try XNORThresholdFormTests.digitsBNN(seed: 3),
                      try XNORRandomGraphs.binaryStack(seed: 9, channels: 33, stride: 2, pads: [1, 0, 2, 1], groups: 1)]
            + (try ConformanceCorpus.models().map(\.graph))
        for graph in graphs {
            for name in XNORTestSupport.targetNames {
                result.append(("\(graph.name) on \(name)", try compiler.compile(graph, for: XNORTestSupport.target(name))))
            }
        }
        return result
    }

    @Test func moreBandwidthNeverIncreasesCycles() throws {
        for (label, program) in try Self.programs() {
            var previous = Double.infinity
            for scale in [0.01, 0.1, 0.5, 1, 2, 10, 1000] {
                let model = Self.model(Self.variant(program.target, bandwidth: scale))
                let cycles = program.kernelSteps.filter { $0.placement == .accelerator }
                    .reduce(0.0) { $0 + model.cost(of: $1.kernel, counts: $1.kernel.countActions()).totalCycles }
                #expect(cycles <= previous, "\(label): ×\(scale) bandwidth gives \(cycles) > \(previous)")
                previous = cycles
            }
        }
    }

    @Test func simulatorCountsGiveTheSameCostAsCostOnlyCounts() throws {
        let compiler = try XNORTestSupport.compiler()
        let estimator = CostEstimator(compiler: compiler, catalog: XNORTestSupport.catalog)
        for (label, program) in try Self.programs() {
            let inputs = ConformanceKit.randomInputs(for: program.graph, seed: 7)
            let simulated = try FunctionalSimulator(program: program).run(inputs)
            let measured = try estimator.estimate(program, stepCounts: simulated.stepCounts)
            let costOnly = try estimator.estimate(program)
            #expect(measured.steps.map(\.counts) == costOnly.steps.map(\.counts), "\(label)")
            #expect(measured.latencySeconds == costOnly.latencySeconds, "\(label)")
            #expect(measured.energy == costOnly.energy, "\(label)")
            #expect(measured.steps.map(\.cost) == costOnly.steps.map(\.cost), "\(label)")
            // The energy breakdown sums to the total, per step and for the run.
            let parts = costOnly.energy.compute + costOnly.energy.onChipMemory + costOnly.energy.offChipMemory
                + costOnly.energy.staticEnergy + costOnly.energy.hostLink
            #expect(abs(parts - costOnly.energy.total) <= 1e-12 * max(1, costOnly.energy.total), "\(label)")
            var summed = EnergyBreakdown()
            for step in costOnly.steps { summed.add(step.energy) }
            #expect(abs(summed.total + costOnly.energy.staticEnergy - costOnly.energy.total) <= 1e-9 * max(1e-12, costOnly.energy.total), "\(label)")
            #expect(costOnly.latencySeconds > 0, "\(label)")
        }
    }
}
