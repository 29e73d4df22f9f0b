import Foundation
@testable import KilnBackends
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnTargets
import Testing

/// The dataflow cycle model, the folding plan and the fit check.
@Suite struct DataflowCostModelTests {
    static let pynq = "pynq-z1-zynq7020-finn"
    /// Host steps run on the host target's (simd) backend.
    static let estimator = CostEstimator(compiler: Compiler(registry: try! BuiltInBackends.registry()), catalog: FPGATestSupport.catalog)

    /// The built-in target with `edit` applied to its JSON.
    static func editedTarget(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> TargetDescription {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("targets/\(name).json")
        var document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&document)
        let bytes = try JSONSerialization.data(withJSONObject: document)
        return try TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: [UInt8](bytes), file: "\(name)-edited.json")
    }

    static func scaleValue(_ object: inout [String: Any], _ key: String, by factor: Double) {
        var field = object[key] as! [String: Any]
        if let value = field["value"] as? Int { field["value"] = Int(Double(value) * factor) } else { field["value"] = (field["value"] as! Double) * factor }
        object[key] = field
    }

    // MARK: Hand-checked formulas

    @Test func matrixVectorEstimateByHand() {
        // MW 9, MH 8, PE 1, SIMD 1, 26×26 pixels, u4 × i4 → u4.
        let e = MatrixVectorEstimate(matrixWidth: 9, matrixHeight: 8, processingElements: 1, simdLanes: 1, vectors: 676,
                                     inputBits: 4, inputSigned: false, weightBits: 4, outputBits: 4)
        #expect(e.cycles == 8 * 9 * 676)                       // 48672
        // mult 1·(2⌈8/6⌉−1)·8 = 24, adder 8·(2−1) = 8, acc ⌈log2 9 + 7 + log2(1+2^−α) + 1⌉ = 12
        #expect(e.lookupTables == Int(300 + 1.1 * (24 + 8 + 12)))  // 348
        #expect(e.blockRam18k == 1)                            // ω = 72 words × 4 bits: ⌈72/4096⌉·⌈4/4⌉
        #expect(e.dspSlices == 0 && e.ultraRams == 0)
        var dsp = e
        dsp.multipliers = .dspSlices
        #expect(dsp.dspSlices == 1 && dsp.lookupTables == Int(300 + 1.1 * (8 + 12)))
    }

    @Test func slidingWindowEstimateByHand() {
        // 1 channel, 28×28 → 26×26, 3×3 stride 1, SIMD 1, 4-bit: buffer (2·28 + 2 + 1) = 59 words.
        let e = SlidingWindowEstimate(channels: 1, inputHeight: 28, inputWidth: 28, outputHeight: 26, outputWidth: 26,
                                      kernelHeight: 3, kernelWidth: 3, simdLanes: 1, bits: 4, depthwise: false)
        #expect(e.bufferDepth == 59)
        #expect(e.cycles == 59 + 26 * max(26 * 9, 28))         // 6143
        #expect(e.resources == FabricResources(lookupTables: 300 + 4 * 2))
    }

    @Test func thresholdingAndPoolEstimatesByHand() {
        let t = ThresholdingEstimate(channels: 16, processingElements: 4, steps: 15, vectors: 36, inputBits: 8, thresholdBits: 9)
        #expect(t.cycles == 36 * 4)
        #expect(t.resources.lookupTables == 8 * 4 + 4 * 9 * 15 * 1)  // comparators + LUTRAM (TMEM 4 ≤ 64)
        #expect(PoolEstimate(channels: 8, processingElements: 2, windowElements: 4, outputPixels: 16).cycles == 8 * 4 / 2 * 16)
        #expect(GlobalAccumulatingPoolEstimate(channels: 8, processingElements: 2, vectors: 49).cycles == 49 * 4 + 4)
    }

    // MARK: The model on compiled programs

    @Test func kernelCostIsTheSlowestEngineAndFill() throws {
        let target = FPGATestSupport.target(Self.pynq)
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("cnn-padded-strided"), for: target)
        let model = DataflowBackend().cycleModel(for: target)
        var costs: [KernelCost] = []
        for step in program.kernelSteps where step.placement == .accelerator {
            let cost = model.cost(of: step.kernel, counts: step.kernel.countActions())
            let stage = try #require(DataflowStage(step.kernel))
            let engines = stage.engines((step.kernel as? MatrixVectorActivationUnit)?.folding ?? .unfolded)
            if step.kernel is MatrixVectorActivationUnit {
                #expect(cost.computeCycles == Double(engines.map(\.cycles).max() ?? 0))
                #expect(cost.totalCycles == Double(engines.reduce(0) { $0 + $1.cycles }))
                #expect(engines.contains { $0.name == "mvau" })
            }
            #expect(cost.memoryStallCycles == 0 && cost.bound == .compute)
            costs.append(cost)
        }
        let timing = model.timing(of: costs)
        #expect(timing.intervalCycles == costs.map(\.computeCycles).max())
        #expect(timing.latencyCycles == costs.reduce(0) { $0 + $1.totalCycles })
        #expect(timing.intervalCycles < timing.latencyCycles)
    }

    @Test func theMatrixEngineUsesTheFoldingFormula() throws {
        let target = FPGATestSupport.target(Self.pynq)
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model("mlp"), for: target)
        for step in program.kernelSteps {
            guard let unit = step.kernel as? MatrixVectorActivationUnit else { continue }
            let mvau = try #require(DataflowStage(unit)?.engines(unit.folding).first { $0.name == "mvau" })
            let f = unit.folding
            #expect(mvau.cycles == unit.countActions().instructions[.cycles(of: "mvau")])
            #expect(unit.outputChannels % f.processingElements == 0 && unit.window.windowLength % f.simdLanes == 0)
        }
    }

    @Test func foldingBalancesThePipelineWithinTheBudget() throws {
        let target = FPGATestSupport.target(Self.pynq)
        let graph = try FPGATestSupport.compiler.adapt(FPGATestSupport.model("cnn-padded-strided"), for: target)
        let plan = try #require(try DataflowBackend().plan(for: graph, target: target, options: CompileOptions()) as? DataflowFoldingPlan)
        #expect(plan.fits)
        let budget = DataflowFoldingPlan.budget(of: target.section(DataflowSection.self)!)
        #expect(budget == FabricResources(lookupTables: 53200, blockRam18k: 280, ultraRams: 0, dspSlices: 220))
        // Unfolded, the first conv alone takes (8·27)·144 cycles; the plan is far below that.
        #expect(plan.intervalCycles < 8 * 27 * 144 / 4)
        // A tighter LUT budget gives a slower but fitting pipeline.
        let small = try Self.editedTarget(Self.pynq) { document in
            var dataflow = document["dataflow"] as! [String: Any]
            Self.scaleValue(&dataflow, "lookupTables", by: 0.1)
            document["dataflow"] = dataflow
        }
        let tight = try #require(try DataflowBackend().plan(for: graph, target: small, options: CompileOptions()) as? DataflowFoldingPlan)
        #expect(tight.fits && tight.resources.lookupTables <= 5320)
        #expect(tight.intervalCycles > plan.intervalCycles)
    }

    @Test func aDesignThatDoesNotFitIsACompileErrorNamingTheBudget() throws {
        let small = try Self.editedTarget(Self.pynq) { document in
            var dataflow = document["dataflow"] as! [String: Any]
            Self.scaleValue(&dataflow, "lookupTables", by: 0.01)
            document["dataflow"] = dataflow
        }
        do {
            _ = try FPGATestSupport.compiler.compile(FPGATestSupport.model("cnn-padded-strided"), for: small)
            Issue.record("compiled into 532 LUTs")
        } catch {
            let message = error.diagnostics.map(\.message).joined()
            #expect(message.contains("does not fit") && message.contains("LUT") && message.contains("> 532"))
            #expect(message.contains("'conv1'") || message.contains("'conv2'"))
            #expect(error.diagnostics.first?.location.place == "dataflow")
        }
    }

    // MARK: Properties

    @Test(arguments: ["mlp", "cnn-padded-strided", "depthwise-separable", "residual"])
    func moreBandwidthNeverIncreasesCycles(model: String) throws {
        let target = FPGATestSupport.target(Self.pynq)
        let fast = try Self.editedTarget(Self.pynq) { document in
            var levels = document["memory"] as! [[String: Any]]
            for index in levels.indices {
                Self.scaleValue(&levels[index], "readBytesPerCycle", by: 4)
                Self.scaleValue(&levels[index], "writeBytesPerCycle", by: 4)
            }
            document["memory"] = levels
            var host = document["host"] as! [String: Any]
            Self.scaleValue(&host, "bandwidthMegabytesPerSecond", by: 4)
            document["host"] = host
        }
        let estimator = Self.estimator
        let graph = FPGATestSupport.model(model)
        let slow = try estimator.estimate(FPGATestSupport.compiler.compile(graph, for: target))
        let quick = try estimator.estimate(FPGATestSupport.compiler.compile(graph, for: fast))
        #expect(quick.acceleratorTiming.latencyCycles <= slow.acceleratorTiming.latencyCycles)
        #expect(quick.acceleratorTiming.intervalCycles <= slow.acceleratorTiming.intervalCycles)
        #expect(quick.latencySeconds <= slow.latencySeconds)
    }

    @Test(arguments: ["mlp", "cnn-padded-strided", "depthwise-separable", "residual"])
    func simulatedAndCostOnlyCountsGiveTheSameEstimate(model: String) throws {
        let target = FPGATestSupport.target(Self.pynq)
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model(model), for: target)
        let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
        let estimator = Self.estimator
        let simulated = try estimator.estimate(program, stepCounts: run.stepCounts)
        let costOnly = try estimator.estimate(program)
        #expect(simulated.acceleratorTiming == costOnly.acceleratorTiming)
        #expect(simulated.latencySeconds == costOnly.latencySeconds)
        #expect(simulated.energy == costOnly.energy)
        #expect(zip(simulated.steps, costOnly.steps).allSatisfy { $0.cost == $1.cost })
        // The energy breakdown sums to the total.
        let e = costOnly.energy
        #expect(abs(e.total - (e.compute + e.onChipMemory + e.offChipMemory + e.staticEnergy + e.hostLink)) <= 1e-18)
        var steps = EnergyBreakdown()
        for step in costOnly.steps { steps.add(step.energy) }
        #expect(abs(steps.total + e.staticEnergy - e.total) <= 1e-12 * max(e.total, 1e-30))
    }
}
