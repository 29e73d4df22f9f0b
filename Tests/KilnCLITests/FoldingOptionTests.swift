import Foundation
import Testing
import KilnJSON
@testable import KilnCLI

/// `--folding FILE` on simulate and compare, and the two throughputs side by side.
@Suite struct FoldingOptionTests {
    static let tfc = repositoryRoot.appendingPathComponent("Tests/Fixtures/qonnx/tfc_w1a1.onnx").path
    static let folding = repositoryRoot.appendingPathComponent("examples/finn/tfc-w1a1_folding_config.json").path

    @Test func simulateTakesThePublishedFoldingAndReportsBothThroughputs() throws {
        let result = runKiln(["simulate", Self.tfc, "--target", "pynq-z1-zynq7020-finn", "--folding", Self.folding, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        // finn-examples' TFC-W1A1 folding: every hidden layer's MVAU takes 64 cycles per row, and
        // the fixture's input holds 4 rows; at 100 MHz the accelerator alone runs 100e6 / 256
        // inferences per second.
        #expect(report["acceleratorInferencesPerSecond"]?.doubleValue == 100e6 / 256)
        let endToEnd = try #require(report["inferencesPerSecond"]?.doubleValue)
        #expect(endToEnd < 100e6 / 256)   // host steps and transfers come on top
    }

    @Test func compareCarriesTheAcceleratorThroughputColumn() throws {
        let result = runKiln(["compare", Self.tfc, "--targets", "pynq-z1-zynq7020-finn,cortex-a76-bcm2712", "--folding", Self.folding, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let rows = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue?["rows"]?.arrayValue)
        let fpga = try #require(rows.first { $0.objectValue?["target"]?.stringValue == "pynq-z1-zynq7020-finn" }?.objectValue)
        #expect(fpga["acceleratorInferencesPerSecond"]?.doubleValue == 100e6 / 256)
    }

    @Test func aFoldingThatDoesNotDivideIsALocatedErrorWithExitCode1() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-folding.json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"MVAU_hls_0": {"PE": 16, "SIMD": 50}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let result = runKiln(["compile", Self.tfc, "--target", "pynq-z1-zynq7020-finn", "--folding", file])
        #expect(result.code == .inputError)
        #expect(result.error.contains("\(file): error: at MVAU_hls_0.SIMD: SIMD 50 does not fit"))
    }
}
