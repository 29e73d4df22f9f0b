import Testing
@testable import KilnBackends
import KilnCompiler
import KilnJSON
import KilnTargets

/// BNN-PYNQ's recorded 10,000-image CIFAR-10 run (`Xilinx/BNN-PYNQ`
/// `notebooks/CNV-QNN_Cifar10_Testset.ipynb`, CNV-W1A1: "1092898.03 microseconds, 109.29 usec per
/// image") beside Kiln's accelerator rate at the published folding. The notebook ran on the
/// Ultra96 (AArch64 addresses in its outputs; `docs/backends/fpga.md`), whose block design clocks
/// the accelerator from `pl_clk2` at 299.9997 MHz (`bnn/bitstreams/ultra96/cnvW1A1-ultra96.tcl`,
/// `PSU__CRL_APB__PL2_REF_CTRL__ACT_FREQMHZ`). Its timer brackets the accelerator call alone
/// (`bnn/src/library/host/foldedmv-offload.cpp`: the buffer copies are `TRANSFER_EXCL`), so the
/// accelerator rate is the one to compare. The PYNQ-Z1 description stands in for the fabric: the
/// interval of a folding does not depend on the device, only the clock does.
@Suite struct BNNPYNQMeasurementTests {
    /// The Ultra96 accelerator clock of BNN-PYNQ's block design, in MHz.
    static let ultra96ClockMegahertz = 299.9997
    /// The recorded CNV-W1A1 time per image over 10,000 images, in seconds.
    static let measuredCNVSecondsPerImage = 109.29e-6

    /// The PYNQ-Z1 dataflow description with its fabric clock replaced by the Ultra96's.
    static func fabric(clockMegahertz: Double) throws -> TargetDescription {
        let target = try #require(BuiltInTargets.catalog.target(named: DataflowFoldingFileTests.pynq))
        var document = try #require(target.document.objectValue)
        document["clockMegahertz"] = .object(JSONObject([("value", .number(clockMegahertz)),
                                                         ("source", .string("BNN-PYNQ bnn/bitstreams/ultra96/cnvW1A1-ultra96.tcl: pl_clk2"))]))
        return try BuiltInTargets.catalog.loader.decode(.object(document), file: target.file)
    }

    @Test func cnvW1A1AtThePublishedFoldingMatchesTheRecordedUltra96Run() throws {
        let graph = try BinarizedNetworkModels.cnv()
        let settings = try DataflowFoldingFileTests.settings("examples/finn/cnv-w1a1_folding_config.json")
        let target = try Self.fabric(clockMegahertz: Self.ultra96ClockMegahertz)
        let compiler = DataflowFoldingFileTests.compiler
        let program = try compiler.compile(graph, for: target, options: CompileOptions(layerSettings: settings))
        let cost = try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program)
        #expect(cost.acceleratorTiming.intervalCycles == 32768)
        let rate = try #require(cost.acceleratorInferencesPerSecond)
        // 32,768 cycles at 299.9997 MHz: 109.227 µs per image, 0.06 % under the recorded 109.29 µs
        // (one call's register writes and done poll spread over 10,000 images).
        let error = (1 / rate) / Self.measuredCNVSecondsPerImage - 1
        #expect(error < 0 && error > -0.001, "error \(error)")
    }
}
