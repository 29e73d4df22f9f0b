import Foundation
import Testing
import KilnJSON
@testable import KilnCLI

/// The shipped table's Ethos-U board rows: the uNPU-Bench authors' Himax WE2 timings of their
/// YOLOv1, ResNet and autoencoder (`j0shmillar/uNPU-Bench` `src/npu/himax/results.txt`, DWT cycles
/// around `Invoke()`), predicted on `himax-we2-ethos-u55-64` from the models rebuilt by
/// `tools/validation/make_npu_bench_models.py`, and Kiln beside Vela 5.2's estimate for the same
/// board configuration (`tools/validation/we2_vela_estimates.json`). The tolerances are the errors
/// measured when the rows were added, rounded up; `docs/cost-models/ethos-u.md` ("Board
/// measurements") gives the mechanisms.
@Suite struct HimaxWE2MeasurementTests {
    static let target = "himax-we2-ethos-u55-64"

    /// The rows' errors by model file name.
    static func errors() throws -> [String: Double] {
        let rows = try ValidateCommandTests.validateShippedRows { $0["target"]?.stringValue == Self.target }
        var errors: [String: Double] = [:]
        for row in rows {
            let model = try #require(row["model"]?.stringValue)
            errors[URL(fileURLWithPath: model).lastPathComponent] = try #require(row["error"]?.doubleValue)
            #expect(row["hostNodes"]?.doubleValue == 0, "\(model) runs a node on the host")
        }
        return errors
    }

    /// YOLOv1 −0.2 %, ResNet +0.0 % (833,657 cycles against 833,615; −13.5 % before the default
    /// core's part-kernel traversal of its 20-channel 3×3 convolutions was modelled), the
    /// autoencoder −72.9 % (Vela −73.0 %: not modelled).
    @Test func predictionsStayWhereTheyWereMeasured() throws {
        let errors = try Self.errors()
        #expect(errors.count == 3)
        let yolo = try #require(errors["yolov1_96.tflite"])
        #expect(abs(yolo) < 0.01, "yolov1_96: \(yolo)")
        let resnet = try #require(errors["resnet.tflite"])
        #expect(abs(resnet) < 0.01, "resnet: \(resnet)")
        let autoencoder = try #require(errors["autoenc.tflite"])
        #expect(autoencoder > -0.735 && autoencoder < -0.72, "autoenc: \(autoencoder)")
    }

    /// Kiln's cycles on the target against Vela 5.2's default core in the same configuration
    /// (Seeed's My_Sys_Cfg with the constants port at the SRAM's figures): YOLOv1 +0.2 %, the
    /// autoencoder +0.5 %, ResNet +0.3 %.
    @Test func kilnBesideVelaOnTheBoardConfiguration() throws {
        let estimates = try JSONParser().parse(try String(contentsOf: repositoryRoot.appendingPathComponent("tools/validation/we2_vela_estimates.json"), encoding: .utf8),
                                               file: "we2_vela_estimates.json")
        let bounds: [String: ClosedRange<Double>] = ["yolov1_96": 0.0 ... 0.005, "autoenc": 0.0 ... 0.01, "resnet": 0.0 ... 0.005]
        for (model, bound) in bounds {
            let vela = try #require(estimates.objectValue?["models"]?.objectValue?[model]?.objectValue?["we2-sram"]?.objectValue?["regor"]?
                .objectValue?["cycles_total"]?.doubleValue)
            let result = runKiln(["simulate", repositoryRoot.appendingPathComponent("Tests/Fixtures/tflite/unpu-bench/\(model).tflite").path,
                                  "--target", Self.target, "--format", "json"])
            #expect(result.code == .success, "\(result.error)")
            let seconds = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue?["latencySeconds"]?.doubleValue)
            let error = seconds * 400e6 / vela - 1
            #expect(bound.contains(error), "\(model): Kiln \(seconds * 400e6) cycles, Vela \(vela): \(error)")
        }
    }
}
