import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// The simd cycle model: hand-checked step timings and kernel costs, bandwidth monotonicity,
/// energy sums, and cost-only estimates equal to estimates from simulated counts.
@Suite struct SIMDCycleModelTests {
    static func model(_ name: String) -> SIMDCycleModel { SIMDCycleModel(target: SIMDTestSupport.target(name)) }

    /// One depth step of one tile: max(multiply pipe, vector issue, L1 loads, accumulator chain).
    @Test func stepTimingsByHand() throws {
        func step(_ name: String) throws -> SIMDCycleModel.StepTiming {
            let model = Self.model(name)
            return model.stepTiming(try #require(model.scheme), pairedWeights: true)
        }
        // vpmaddubsw ×8 + vpmaddwd ×8 on the multiply port at 1/cycle; 24 ALU ops / 3 ports; 80 B / 64 B.
        #expect(try step("x86-avx2-haswell-i7-4770") == .init(multiplyIssue: 16, vectorIssue: 8, loads: 1.25, dependencyChain: 0))
        // vpdpbusd ×4 at 2/cycle, but 4 accumulators each wait the latency 5: latency-bound.
        #expect(try step("x86-avx512-vnni-xeon-gold-6248") == .init(multiplyIssue: 2, vectorIssue: 2, loads: 0.625, dependencyChain: 5))
        #expect(try step("x86-avx512-vnni-xeon-gold-6248").cycles == 5)
        // sdot ×16: A55 1/cycle, A76 2/cycle; 16 accumulators, one update per step.
        #expect(try step("cortex-a55-rk3568") == .init(multiplyIssue: 16, vectorIssue: 16, loads: 5, dependencyChain: 4))
        #expect(try step("cortex-a76-bcm2712") == .init(multiplyIssue: 8, vectorIssue: 8, loads: 2.5, dependencyChain: 3))
        // smull + smlal2 ×16 each at 1/cycle; 48 ASIMD ops / 2 pipes; 128 B / 16 B.
        #expect(try step("cortex-a72-rpi4") == .init(multiplyIssue: 32, vectorIssue: 24, loads: 8, dependencyChain: 0))
        // vmull + vmlal ×8 each at 0.5/cycle.
        #expect(try step("cortex-a9-zynq7000-ps") == .init(multiplyIssue: 32, vectorIssue: 24, loads: 12, dependencyChain: 0))
    }

    /// A small GEMM: edge tiles cost full tiles, all traffic in L1; its 600 MACs are below
    /// MLAS's 65,536 per thread, so the Haswell's ONNX Runtime stack runs it on one of its 4 cores.
    @Test func smallGEMMByHand() throws {
        let model = Self.model("x86-avx2-haswell-i7-4770")
        let nest = SIMDGEMMLoopNest(runs: 1, rows: 5, columns: 20, depth: 6, paddedDepth: 8, pairedWeights: true,
                                    inputBytes: 30, outputBytes: 100, weightBytes: 256, packsActivations: false)
        var counts = ActionCounts()
        counts.aluOperations = 96
        let cost = model.gemmCost(nest, scheme: try #require(model.scheme), counts: counts)
        // 2 × 2 tiles (5 rows, 20 columns) on one thread; 4 tiles × 2 steps × 16 cycles.
        #expect(model.gemmThreads(nest) == 1)
        #expect(cost.tiles == 4 && cost.tilesPerCore == 4 && cost.steps == 2)
        #expect(cost.cost.computeCycles == 128)
        #expect(cost.cost.memoryStallCycles == 0)
        // Epilogue 4 tiles × (4 × 16 int32 = 256 B at 32 B/cycle = 8); 96 ALU ops / 8 lanes / 3 ports = 4.
        #expect(cost.cost.overheadCycles == 36)
        #expect(cost.cost.bound == .compute)
    }

    /// ResNet-18's 3×3 conv 64 → 64 at 56 × 56 on Haswell: im2col rows (1.8 MB) re-read per channel
    /// tile from L3, not hidden (caches have no DMA).
    @Test func resNetConvolutionTrafficByHand() throws {
        let target = SIMDTestSupport.target("x86-avx2-haswell-i7-4770")
        let kernel = try Self.convolution(channels: 64, size: 56, groups: 1, target: target)
        let model = SIMDCycleModel(target: target)
        let gemm = try #require(kernel as? SIMDConvolutionKernel)
        let cost = model.gemmCost(gemm.loopNest, scheme: try #require(model.scheme), counts: kernel.countActions())
        #expect(cost.tiles == 784 * 4 && cost.tilesPerCore == 784 && cost.steps == 144)
        #expect(cost.cost.computeCycles == 784 * 144 * 16)
        #expect(cost.traffic.bytesRead == ["l3": 4 * 1_806_336 + 200_704 + 36_864])
        #expect(cost.traffic.bytesWritten == ["l3": 1_806_336 + 200_704])
        #expect(cost.cost.memoryStallCycles == (7_462_912 + 2_007_040) / 16)
        let alu = Double(kernel.countActions().aluOperations)
        #expect(cost.cost.overheadCycles == 784 * 8 + alu / 8 / 3 / 4 + 36)
    }

    /// Raising every level's bandwidth never increases any kernel's cycles.
    @Test(arguments: SIMDTestSupport.targetNames)
    func moreBandwidthNeverCostsCycles(target: String) throws {
        let base = SIMDTestSupport.target(target)
        let faster = try Self.scaledBandwidth(base, by: 4)
        let compiler = try SIMDTestSupport.compiler()
        for model in try ConformanceCorpus.models() {
            let program = try compiler.compile(model.graph, for: base)
            for step in program.kernelSteps where step.placement == .accelerator {
                let counts = step.kernel.countActions()
                let slow = SIMDCycleModel(target: base).cost(of: step.kernel, counts: counts).totalCycles
                let fast = SIMDCycleModel(target: faster).cost(of: step.kernel, counts: counts).totalCycles
                #expect(fast <= slow, "\(model.name): \(step.kernel.name)")
            }
        }
    }

    /// Whole programs: estimates from the functional simulator's counts equal the cost-only
    /// estimates (cycles and energy), and the energy parts sum to the total.
    @Test(arguments: SIMDTestSupport.targetNames)
    func simulatedAndCostOnlyEstimatesAgree(target: String) throws {
        let compiler = try SIMDTestSupport.compiler()
        let estimator = CostEstimator(compiler: compiler, catalog: SIMDTestSupport.catalog)
        for model in try ConformanceCorpus.models() {
            let program = try compiler.compile(model.graph, for: SIMDTestSupport.target(target))
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 3))
            let simulated = try estimator.estimate(program, stepCounts: run.stepCounts)
            let costOnly = try estimator.estimate(program)
            #expect(simulated.latencySeconds == costOnly.latencySeconds, "\(model.name)")
            #expect(simulated.energy == costOnly.energy, "\(model.name)")
            #expect(zip(simulated.steps, costOnly.steps).allSatisfy { $0.cost == $1.cost }, "\(model.name)")
            let energy = costOnly.energy
            let parts = energy.compute + energy.onChipMemory + energy.offChipMemory + energy.staticEnergy + energy.hostLink
            #expect(abs(parts - energy.total) <= 1e-12 * max(energy.total, 1e-30))
            let stepSum = costOnly.steps.reduce(0.0) { $0 + $1.energy.total }
            #expect(abs(stepSum + energy.staticEnergy - energy.total) <= 1e-9 * energy.total, "\(model.name)")
        }
    }

    /// A 20-layer ResNet-like stack is estimated step by step, every step with a positive time
    /// (`kiln bench` measures how fast whole-network estimates are).
    @Test func deepStackEstimatesEveryLayer() throws {
        var builder = GraphBuilder(name: "deep")
        var x = builder.input("x", .quantized([1, 64, 56, 56], .uint8, scale: 1 / 255, zeroPoint: 0))
        for layer in 0..<20 {
            let w = builder.constant("w\(layer)", Tensor(shape: [64, 64, 3, 3], elementType: .int8, codes: [Int32](repeating: 1, count: 64 * 64 * 9),
                                                          quantization: QuantizationParameters(scale: 0.01)))
            x = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv\(layer)",
                                 outputTypes: [.quantized([1, 64, 56, 56], .uint8, scale: 0.5, zeroPoint: 0)])
        }
        builder.output(x)
        let compiler = try SIMDTestSupport.compiler()
        let program = try compiler.compile(try builder.build(), for: SIMDTestSupport.target("x86-avx2-haswell-i7-4770"))
        let estimator = CostEstimator(compiler: compiler, catalog: SIMDTestSupport.catalog)
        let cost = try estimator.estimate(program)
        #expect(cost.latencySeconds > 0 && cost.steps.count == 20)
        #expect(cost.steps.allSatisfy { $0.seconds > 0 })
    }

    // MARK: - Helpers

    /// A depthwise 3×3 conv, 32 channels at 8 × 8, on the Zen 3 target runs as MLAS's depthwise
    /// kernel with channels in the lanes: 256-bit vectors hold 16 int16 channels, so 2 blocks; a tap
    /// is 10 vector instructions at 4 per cycle (2.5) against 2 × 16 B of loads at 96 B/cycle; a
    /// block's epilogue is 2 permutes (0.5) against 2 × 32 B of stores at 32 B/cycle (2). 64 pixels
    /// over 2 cores: 32 × 2 blocks × (9 × 2.5 + 2) = 1568 cycles, a third of the GEMM form's.
    @Test func depthwiseConvolutionRunsChannelsInLanes() throws {
        let target = SIMDTestSupport.target("x86-avx2-zen3-epyc-kvm")
        let kernel = try Self.convolution(channels: 32, size: 8, groups: 32, target: target)
        let model = SIMDCycleModel(target: target)
        let gemm = try #require(kernel as? SIMDConvolutionKernel)
        #expect(gemm.loopNest.isDepthwise)
        let cost = model.cost(of: kernel, counts: kernel.countActions())
        #expect(cost.computeCycles == 1568)
        let asGEMM = model.gemmCost(gemm.loopNest, scheme: try #require(model.scheme), counts: kernel.countActions()).cost
        #expect(asGEMM.computeCycles > 3 * cost.computeCycles)
        // A grouped conv with several channels per group stays a GEMM.
        let grouped = try #require(try Self.convolution(channels: 32, size: 8, groups: 8, target: target) as? SIMDConvolutionKernel)
        #expect(!grouped.loopNest.isDepthwise)
    }

    static func convolution(channels: Int, size: Int, groups: Int, target: TargetDescription) throws -> any TargetKernel {
        var builder = GraphBuilder(name: "conv")
        let x = builder.input("x", .quantized([1, channels, size, size], .uint8, scale: 1 / 255, zeroPoint: 0))
        let perGroup = channels / groups
        let w = builder.constant("w", Tensor(shape: [channels, perGroup, 3, 3], elementType: .int8,
                                             codes: (0..<channels * perGroup * 9).map { Int32($0 % 201) - 100 },
                                             quantization: QuantizationParameters(scale: 0.01)))
        let y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1], groups: groups)), [x, w], name: "conv",
                                 outputTypes: [.quantized([1, channels, size, size], .uint8, scale: 0.5, zeroPoint: 0)])
        builder.output(y)
        let program = try SIMDTestSupport.compiler().compile(try builder.build(), for: target)
        return program.kernelSteps[0].kernel
    }

    /// A copy of a built-in target with every memory level's bandwidth multiplied.
    static func scaledBandwidth(_ target: TargetDescription, by factor: Double) throws -> TargetDescription {
        let url = URL(fileURLWithPath: target.file)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var levels = json["memory"] as! [[String: Any]]
        for index in levels.indices {
            for key in ["readBytesPerCycle", "writeBytesPerCycle"] {
                var field = levels[index][key] as! [String: Any]
                field["value"] = (field["value"] as! Double) * factor
                levels[index][key] = field
            }
        }
        json["memory"] = levels
        let data = try JSONSerialization.data(withJSONObject: json)
        return try TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: Array(data), file: "scaled.json")
    }
}
