import Testing
@testable import KilnBackends
import KilnCompiler
import KilnIR
import KilnTargets

/// BNN-PYNQ's recorded 10,000-image runs (`Xilinx/BNN-PYNQ` notebooks: CNV-W1A1 "1092898.03
/// microseconds, 109.29 usec per image" in `CNV-QNN_Cifar10_Testset.ipynb`, LFC-W1A1 "28040.00
/// microseconds, 2.80 usec per image" in `LFC-QNN_MNIST.ipynb`) beside Kiln's accelerator interval
/// on the `ultra96-zu3eg-finn` target, the board the notebooks ran on (`docs/backends/fpga.md`),
/// with BNN-PYNQ's own foldings and FIFO depths (`examples/finn/bnn-pynq-*-ultra96.json`). Its
/// timer brackets the accelerator call alone, so over 10,000 images the interval is what it
/// measures. These are also rows of `examples/validation/measurements.json`.
@Suite struct BNNPYNQMeasurementTests {
    static let ultra96 = "ultra96-zu3eg-finn"

    static func cost(_ graph: Graph, folding: String) throws -> ProgramCost {
        let settings = try DataflowFoldingFileTests.settings(folding)
        let target = try #require(BuiltInTargets.catalog.target(named: Self.ultra96))
        let compiler = DataflowFoldingFileTests.compiler
        let program = try compiler.compile(graph, for: target, options: CompileOptions(layerSettings: settings))
        return try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program)
    }

    @Test func cnvW1A1AtBNNPYNQsFoldingMatchesTheRecordedUltra96Run() throws {
        let cost = try Self.cost(try BinarizedNetworkModels.cnvAsBNNPYNQBuildsIt(), folding: "examples/finn/bnn-pynq-cnv-w1a1-ultra96.json")
        // The two 32,768-cycle fully connected layers set the interval, with top.cpp's FIFOs too.
        #expect(cost.acceleratorTiming.intervalCycles == 32768)
        let rate = try #require(cost.acceleratorInferencesPerSecond)
        // 32,768 cycles at 299.9997 MHz: 109.227 µs per image, 0.06 % under the recorded 109.29 µs.
        let error = (1 / rate) / 109.2898e-6 - 1
        #expect(error < 0 && error > -0.001, "error \(error)")
    }

    @Test func lfcW1A1WithBNNPYNQsShallowFIFOs() throws {
        let cost = try Self.cost(try BinarizedNetworkModels.lfcAsBNNPYNQBuildsIt(), folding: "examples/finn/bnn-pynq-lfc-w1a1-ultra96.json")
        // FINN's formula says 512 cycles (1.71 µs, −39 %); BNN-PYNQ's FIFOs of 16, 8 and 16 words
        // stall the layers to 723 (2.41 µs): 14 % under the recorded 2.80 µs (841 cycles).
        #expect(cost.acceleratorTiming.intervalCycles == 723)
        #expect(cost.acceleratorTiming.latencyCycles == 1783)
        let rate = try #require(cost.acceleratorInferencesPerSecond)
        let error = (1 / rate) / 2.804e-6 - 1
        #expect(error > -0.15 && error < -0.13, "error \(error)")
    }
}
