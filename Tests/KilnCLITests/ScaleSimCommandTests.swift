import Foundation
import Testing
@testable import KilnCLI

/// `kiln simulate TOPOLOGY.csv --target CONFIG.cfg --format scalesim` against SCALE-Sim v3's own
/// COMPUTE_REPORT.csv (Tests/Fixtures/scalesim, made by tools/scalesim/generate_fixtures.py):
/// byte-identical wherever every operand fits its SRAM (the 16 KiB and 64 KiB arrays, all
/// dataflows and bandwidth modes).
@Suite struct ScaleSimCommandTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/scalesim")

    static func cases() -> [String] {
        let configs = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("configs").path)) ?? []
        let fitting = configs.filter { $0.hasPrefix("a32x32s64") || $0.hasPrefix("a8x8s16") }.sorted()
        return ["depthwise", "small_convs", "strided", "gemm"].flatMap { topology in
            fitting.map { "\(topology)__\($0.replacingOccurrences(of: ".cfg", with: ""))" }
        }
    }

    @Test(arguments: cases())
    func computeReportEqualsScaleSim(_ name: String) throws {
        let parts = name.components(separatedBy: "__")
        var arguments = ["simulate", Self.fixtures.appendingPathComponent("topologies/\(parts[0]).csv").path,
                         "--target", Self.fixtures.appendingPathComponent("configs/\(parts[1]).cfg").path, "--format", "scalesim"]
        if parts[0] == "gemm" { arguments += ["--topology-format", "gemm"] }
        let result = runKiln(arguments)
        #expect(result.code == .success, "\(result.error)")
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("reports/\(name)/COMPUTE_REPORT.csv"), encoding: .utf8)
        #expect(result.output == expected)
    }

    @Test func casesCoverTheIssueGrid() {
        // ≥ 3 topologies (incl. depthwise and stride-2 round-up) × {os, ws, is} × 2 array sizes.
        #expect(Self.cases().count >= 4 * 3 * 2)
    }

    @Test func topologyNeedsASystolicTarget() {
        let result = runKiln(["simulate", Self.fixtures.appendingPathComponent("topologies/strided.csv").path,
                              "--target", "cortex-a55-rk3568", "--format", "scalesim"])
        #expect(result.code == .inputError)
        #expect(result.error.contains("needs a systolic-array target"))
    }
}
