import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// A kernel made only of given loops, to cost hand-written instruction sequences.
private struct LoopKernel: TargetKernel, DSPScheduledKernel {
    let body: [DSPLoop]
    var name: String { "loops" }
    var nodes: [Node] { [] }
    var inputs: [String] { [] }
    var outputs: [String] { [] }
    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] { [] }
    func countActions() -> ActionCounts { ActionCounts() }
    func listing() -> [String] { [] }
    func loops() -> [DSPLoop] { body }
}

/// The DSP cycle model: hand-checked issue timings of the emitted loops, and whole-program
/// properties (bandwidth, energy, simulator counts, speed).
@Suite struct DSPCycleModelTests {
    typealias I = DSPInstruction

    static func issue(_ target: String) throws -> DSPIssueModel {
        DSPIssueModel(section: try #require(try DSPFixtures.target(target).section(DSPSection.self)))
    }

    /// The q7 SMLAD inner loop as the listing shows it (4 MACs).
    static let macBody = [I("ldr", "w"), I("sxtb16"), I("sxtb16"), I("ldr", "x"), I("ldr", "x"), I("smlad"), I("smlad")]

    // MARK: Cortex-M4 (single issue, TRM timings)

    @Test func cortexM4PipelinesNeighbouringLoadsAndChargesTakenBranches() throws {
        let m4 = try Self.issue("stm32l4r5-cortex-m4")
        // TRM §3.3.2: "LDR R0,[R1]; LDR R1,[R2]: normally three cycles total"; LDR then STR likewise.
        #expect(m4.cycles(of: [I("ldr", "sram"), I("ldr", "sram")], waits: true) == 3)
        #expect(m4.cycles(of: [I("ldr", "sram"), I("str", "sram")], waits: true) == 3)
        #expect(m4.cycles(of: [I("str", "sram"), I("ldr", "sram")], waits: true) == 3)
        // ldr 2, sxtb16 1, sxtb16 1, ldr 2, ldr 1 (pipelined), smlad 1, smlad 1 = 9; subs 1, bne 1 + P = 2.
        #expect(m4.steadyCycles(of: Self.macBody, waits: true) == 9)
        #expect(m4.steadyCycles(of: Self.macBody + DSPLoop.control, waits: true) == 12)
        // 8 entries of 6 iterations: the last iteration of each entry falls through (1 cycle, not 2).
        let loop = DSPLoop(name: "mac", body: Self.macBody, iterations: 6, entries: 8, loopControl: true)
        #expect(m4.cycles(of: loop, waits: true) == 8 * (6 * 12 - 1))
        #expect(m4.cycles(of: loop, waits: true, withControl: false) == 8 * 6 * 9)
    }

    @Test func cortexM4FlashWaitStatesStallEveryAccess() throws {
        let m4 = try Self.issue("stm32l4r5-cortex-m4")
        // 5 wait states at 120 MHz (RM0432): a first load 2 + 5, a pipelined one 1 + 5.
        #expect(m4.cycles(of: [I("ldr", "flash")], waits: true) == 7)
        #expect(m4.cycles(of: [I("ldr", "flash"), I("ldr", "flash")], waits: true) == 13)
        #expect(m4.cycles(of: [I("ldr", "flash")], waits: false) == 2)

        let model = DSPCycleModel(target: try DSPFixtures.target("stm32l4r5-cortex-m4"))
        let kernel = LoopKernel(body: [DSPLoop(name: "weights", body: [I("ldr", "flash")], iterations: 10, entries: 1, loopControl: false)])
        let cost = model.cost(of: kernel, counts: ActionCounts())
        #expect(cost.computeCycles == 10)
        #expect(cost.memoryStallCycles == 50)
        #expect(cost.overheadCycles == 0)
        #expect(cost.bound == .memory)
    }

    // MARK: Cortex-M7 (dual issue, LLVM pairing rules)

    @Test func cortexM7PairsOnlyWhatItsPipesAllow() throws {
        let m7 = try Self.issue("stm32h743-cortex-m7")
        #expect(m7.cycles(of: [I("ldr", "dtcm"), I("ldr", "dtcm")], waits: true) == 1)  // two load pipes
        #expect(m7.cycles(of: [I("str", "dtcm"), I("str", "dtcm")], waits: true) == 2)  // one store pipe
        #expect(m7.cycles(of: [I("ldr", "dtcm"), I("str", "dtcm")], waits: true) == 1)
        #expect(m7.cycles(of: [I("smlad"), I("smlad")], waits: true) == 2)              // one MAC pipe
        #expect(m7.cycles(of: [I("add"), I("add")], waits: true) == 1)                  // two ALUs
        #expect(m7.cycles(of: [I("sxtb16"), I("add")], waits: true) == 1)              // SIMD first, then anything
        #expect(m7.cycles(of: [I("add"), I("sxtb16")], waits: true) == 2)              // SIMD never second
        #expect(m7.cycles(of: [I("sxtb16"), I("sxtb16")], waits: true) == 2)
        #expect(m7.cycles(of: [I("bne"), I("add")], waits: true) == 2)                  // a taken branch ends the group
        #expect(m7.cycles(of: [I("vmul.f32"), I("vcvtr.s32.f32")], waits: true) == 2)  // one FPU pipe
    }

    @Test func cortexM7InnerLoopTakesSixCyclesPerFourMACs() throws {
        let m7 = try Self.issue("stm32h743-cortex-m7")
        // {ldr w} {sxtb16} {sxtb16, ldr x} {ldr x, smlad} {smlad, subs} {bne}
        #expect(m7.steadyCycles(of: Self.macBody + DSPLoop.control, waits: true) == 6)
        // Without loop control the next iteration's ldr w pairs with the last smlad:
        // {ldr w} {sxtb16} {sxtb16, ldr x} {ldr x, smlad} {smlad, ldr w'} … = 4 per iteration.
        #expect(m7.steadyCycles(of: Self.macBody, waits: true) == 4)
        let loop = DSPLoop(name: "mac", body: Self.macBody, iterations: 6, entries: 8, loopControl: true)
        #expect(m7.cycles(of: loop, waits: true) == 8 * 6 * 6)  // takenBranchCycles 1: falling through saves nothing
    }

    // MARK: a whole kernel, by hand

    /// The 2×2-image, 3×3-kernel, pad-1 convolution of the arithmetic tests (1 → 2 channels,
    /// depth 9, 4 positions, bias, shift 3, no relu) on the Cortex-M4.
    @Test func smladConvolutionKernelCostByHand() throws {
        let graph = try DSPKernelArithmeticTests.convolutionGraph(fusedRelu: false)
        let target = try DSPFixtures.target("stm32l4r5-cortex-m4")
        guard case .lowered(let kernel) = SMLADMultiplyAccumulatePattern(root: .conv2d).match(nodeAt: 0, in: LoweringContext(graph: graph, target: target)) else {
            Issue.record("rejected"); return
        }
        let cost = DSPCycleModel(target: target).cost(of: kernel, counts: kernel.countActions())
        // im2col: 4 columns × 3 quads of {ldr 2, sxtb16, sxtb16, pkhbt, pkhbt, str, str} = 8, + subs 1, bne 2:
        //   compute 4·3·8 = 96, with control 4·(3·11 − 1) = 128.
        // mac: 8 outputs × 2 quads of 9, + 3 control: compute 144, with control 8·(2·12 − 1) = 184.
        // channel: 4 columns × 2 outputs of {ldr bias 2, add, ldrsb 2, ldrsh 1, smlabb, asr, ssat, strb} = 10,
        //   + 3 control: compute 80, with control 4·(2·13 − 1) = 100.
        // column: 4 × {subs, bne}: 4·3 − 1 = 11, all overhead.
        // The weights are in flash (5 wait states): mac 16 weight `ldr`, channel 8 bias `ldr` and 8 `ldrsb`.
        let compute: Double = 96 + 144 + 80
        let overhead: Double = 32 + 40 + 20 + 11
        #expect(cost.computeCycles == compute)
        #expect(cost.overheadCycles == overhead)
        #expect(cost.memoryStallCycles == 32 * 5)
        #expect(cost.bound == .compute)
    }

    // MARK: whole programs

    /// Every mnemonic the DSP kernels emit has an issue class (none falls back to a guess).
    @Test(arguments: DSPFixtures.targetNames)
    func everyEmittedInstructionIsClassified(target: String) throws {
        let compiler = try DSPFixtures.compiler()
        for name in DSPFixtures.modelNames {
            let program = try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.target(target))
            for step in program.kernelSteps where step.placement == .accelerator {
                let kernel = try #require(step.kernel as? any DSPScheduledKernel, "\(step.kernel.name) has no loops")
                for loop in kernel.loops() {
                    for instruction in loop.fullBody {
                        #expect(DSPInstructionClass.of(instruction.mnemonic) != nil, "\(step.kernel.name): \(instruction.mnemonic)")
                        if DSPInstructionClass.of(instruction.mnemonic)?.accessesMemory == true {
                            #expect(instruction.memory != nil, "\(step.kernel.name): \(instruction.mnemonic) names no level")
                        }
                    }
                }
                #expect(DSPLoop.instructionCounts(kernel.loops()) == step.kernel.countActions().instructions)
            }
        }
    }

    /// The functional simulator's counts and the cost-only counts give identical cycles and energy.
    @Test(arguments: DSPFixtures.targetNames)
    func simulatedCountsAndCostOnlyCountsGiveTheSameEstimate(target: String) throws {
        let compiler = try DSPFixtures.compiler()
        let estimator = CostEstimator(compiler: compiler, catalog: DSPFixtures.catalog)
        for name in DSPFixtures.modelNames {
            let program = try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.target(target))
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
            let simulated = try estimator.estimate(program, stepCounts: run.stepCounts)
            let costOnly = try estimator.estimate(program)
            #expect(simulated.latencySeconds == costOnly.latencySeconds, "\(name)")
            #expect(simulated.energy == costOnly.energy, "\(name)")
            for (a, b) in zip(simulated.steps, costOnly.steps) { #expect(a.cost == b.cost, "\(name): \(a.layer)") }
        }
    }

    /// The energy breakdown's parts sum to its total, and the steps' energies plus static energy
    /// to the program's.
    @Test(arguments: DSPFixtures.targetNames)
    func energyBreakdownSumsToTheTotal(target: String) throws {
        let compiler = try DSPFixtures.compiler()
        let estimator = CostEstimator(compiler: compiler, catalog: DSPFixtures.catalog)
        for name in DSPFixtures.modelNames {
            let cost = try estimator.estimate(try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.target(target)))
            let e = cost.energy
            #expect(abs(e.compute + e.onChipMemory + e.offChipMemory + e.staticEnergy + e.hostLink - e.total) <= 1e-15 * max(1, e.total))
            let steps = cost.steps.reduce(0.0) { $0 + $1.energy.total }
            #expect(abs(steps + e.staticEnergy - e.total) <= 1e-12 * e.total, "\(name)")
            #expect(e.total > 0)
        }
    }

    /// A copy of a built-in target with every memory level's bandwidth scaled by `factor` and its
    /// wait states replaced by `waitStates` (nil keeps them).
    static func variant(of name: String, bandwidth factor: Double, waitStates: Int? = nil, weightsInFlash: Bool = false) throws -> TargetDescription {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../targets/\(name).json").standardized
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var levels = try #require(document["memory"] as? [[String: Any]])
        for index in levels.indices {
            for key in ["readBytesPerCycle", "writeBytesPerCycle"] {
                var field = try #require(levels[index][key] as? [String: Any])
                field["value"] = try #require(field["value"] as? Double) * factor
                levels[index][key] = field
            }
            if weightsInFlash, levels[index]["name"] as? String != "flash" { levels[index]["holdsWeights"] = false }
        }
        document["memory"] = levels
        if let waitStates {
            var dsp = try #require(document["dsp"] as? [String: Any])
            var entries = try #require(dsp["waitStates"] as? [[String: Any]])
            for index in entries.indices { entries[index]["cycles"] = ["value": waitStates, "source": "test"] }
            dsp["waitStates"] = entries
            document["dsp"] = dsp
        }
        let data = try JSONSerialization.data(withJSONObject: document)
        return try TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: Array(data), file: "\(name)-variant.json")
    }

    /// More bandwidth never increases cycles; fewer wait states never increase them either.
    @Test(arguments: DSPFixtures.targetNames)
    func moreBandwidthOrFewerWaitStatesNeverIncreaseCycles(target: String) throws {
        let compiler = try DSPFixtures.compiler()
        let estimator = CostEstimator(compiler: compiler, catalog: DSPFixtures.catalog)
        for name in DSPFixtures.modelNames {
            var previous = Double.infinity
            for factor in [1.0 / 64, 1.0 / 8, 1, 8] {
                let variant = try Self.variant(of: target, bandwidth: factor, weightsInFlash: true)
                let latency = try estimator.estimate(compiler.compile(DSPFixtures.model(name), for: variant)).latencySeconds
                #expect(latency <= previous, "\(name) at bandwidth ×\(factor)")
                previous = latency
            }
            var slower = Double.infinity
            for waits in [9, 3, 0] {
                let variant = try Self.variant(of: target, bandwidth: 1, waitStates: waits, weightsInFlash: true)
                let latency = try estimator.estimate(compiler.compile(DSPFixtures.model(name), for: variant)).latencySeconds
                #expect(latency <= slower, "\(name) at \(waits) wait states")
                slower = latency
            }
        }
    }

    /// A whole-network estimate is closed-form over trip counts: a ~90 M-MAC network is costed
    /// without running its loops (`kiln bench` measures how fast), and its cycles are at least its
    /// MACs over the dual-MAC peak.
    @Test func wholeNetworkCyclesAreAtLeastMACsOverPeak() throws {
        var builder = GraphBuilder(name: "wide")
        var x = builder.input("x", DSPKernelArithmeticTests.q7([1, 32, 56, 56], fractionBits: 4))
        for layer in 0..<3 {
            let w = builder.constant("w\(layer)", Tensor(shape: [32, 32, 3, 3], elementType: .q7, codes: [Int32](repeating: 1, count: 32 * 32 * 9),
                                                      quantization: QuantizationParameters(scales: [Float](repeating: 0.125, count: 32), zeroPoints: [Int32](repeating: 0, count: 32), axis: 0)))
            x = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv\(layer)",
                                 outputTypes: [DSPKernelArithmeticTests.q7([1, 32, 56, 56], fractionBits: 4)], requantization: .powerOfTwoShift)
        }
        builder.output(x)
        let graph = try builder.build()
        let target = try DSPFixtures.target("stm32h743-cortex-m7")
        let model = DSPCycleModel(target: target)
        var kernels: [any TargetKernel] = []
        for index in graph.nodes.indices {
            guard case .lowered(let kernel) = SMLADMultiplyAccumulatePattern(root: .conv2d).match(nodeAt: index, in: LoweringContext(graph: graph, target: target)) else {
                Issue.record("rejected"); return
            }
            kernels.append(kernel)
        }
        var cycles = 0.0
        for kernel in kernels { cycles += model.cost(of: kernel, counts: kernel.countActions()).totalCycles }
        #expect(cycles > 3 * 32 * 32 * 9 * 56 * 56 / 2)  // at least the MACs over the peak of 2 per cycle
    }
}
