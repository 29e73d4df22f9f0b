import Foundation
import KilnDiagnostics
import Testing
import KilnTestSupport
@testable import KilnBackends

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/scalesim")

/// Expects one diagnostic at `place` in `file` whose message contains every fragment.
private func expectFailure<T>(_ place: String?, file: String, _ fragments: [String],
                              sourceLocation: Testing.SourceLocation = #_sourceLocation,
                              _ body: () throws(DiagnosticError) -> T) {
    do {
        _ = try body()
        Issue.record("expected an error at \(place ?? "nil")", sourceLocation: sourceLocation)
    } catch {
        let finding = error.diagnostics.first
        #expect(finding?.location.file == file, sourceLocation: sourceLocation)
        #expect(finding?.location.place == place, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(finding?.message.contains(fragment) == true, "\(finding?.message ?? "")", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct ScaleSimTopologyReaderTests {
    @Test func readsConvTopologyWithDepthwiseExpansion() throws {
        let layers = try ScaleSimTopologyReader().read(contentsOf: fixtures.appendingPathComponent("topologies/depthwise.csv").path)
        #expect(layers.map(\.layer.name) == ["Conv_in", "Conv_DP1Channel_0", "Conv_DP1Channel_1", "Conv_DP1Channel_2",
                                       "Conv_DP1Channel_3", "Conv_PW1"])
        #expect(layers[1].layer.channels == 1 && layers[1].layer.filterCount == 1 && layers[1].line == 3)
        #expect(layers[0].layer.ofmapHeight == 5)  // ceil((10 - 3 + 2) / 2)
    }

    @Test func readsGemmTopologyAsSCALESimMapsIt() throws {
        let layers = try ScaleSimTopologyReader(format: .gemm).read(contentsOf: fixtures.appendingPathComponent("topologies/gemm.csv").path)
        #expect(layers.count == 3)
        let first = layers[0].layer
        let dimensions: [Int] = [first.ifmapHeight, first.ifmapWidth, first.filterHeight, first.filterWidth, first.channels, first.filterCount]
        #expect(dimensions == [20, 30, 1, 30, 1, 12])
    }

    @Test func acceptsRowsWithoutTrailingCommaAndSparsity() throws {
        let text = "h\nA, 4, 4, 2, 2, 1, 3, 2\nB, 4, 4, 2, 2, 1, 3, 1, 2:4,\n\n"
        let layers = try ScaleSimTopologyReader().read(text: text, file: "t.csv")
        #expect(layers.count == 2 && layers[0].layer.strideWidth == 2 && layers[1].sparsityBlock == 4)
        #expect(layers[0].layer.ofmapHeight == 2)
    }

    @Test func rejectsMalformedRows() {
        let reader = ScaleSimTopologyReader()
        expectFailure("line 2, column 3", file: "t.csv", ["IFMAP width", "'x'"]) { () throws(DiagnosticError) in
            try reader.read(text: "h\nA, 4, x, 2, 2, 1, 3, 1,\n", file: "t.csv")
        }
        expectFailure("line 2", file: "t.csv", ["expected 8 columns", "found 3"]) { () throws(DiagnosticError) in
            try reader.read(text: "h\nA, 4, 4,\n", file: "t.csv")
        }
        expectFailure("line 3, column 4", file: "t.csv", ["larger than IFMAP height"]) { () throws(DiagnosticError) in
            try reader.read(text: "h\nA, 4, 4, 2, 2, 1, 3, 1,\nB, 2, 4, 3, 2, 1, 3, 1,\n", file: "t.csv")
        }
        expectFailure("line 2, column 8", file: "t.csv", ["stride"]) { () throws(DiagnosticError) in
            try reader.read(text: "h\nA, 4, 4, 2, 2, 1, 3, 0,\n", file: "t.csv")
        }
        expectFailure("line 2, column 9", file: "t.csv", ["N:M"]) { () throws(DiagnosticError) in
            try reader.read(text: "h\nA, 4, 4, 2, 2, 1, 3, 1, 5:4,\n", file: "t.csv")
        }
        expectFailure("line 2, column 2", file: "t.csv", ["M must be"]) { () throws(DiagnosticError) in
            try ScaleSimTopologyReader(format: .gemm).read(text: "h\nG, 99999999999999999999, 2, 3,\n", file: "t.csv")
        }
        expectFailure(nil, file: "t.csv", ["empty"]) { () throws(DiagnosticError) in try reader.read(text: "\n\n", file: "t.csv") }
        expectFailure(nil, file: "missing.csv", ["cannot read"]) { () throws(DiagnosticError) in
            try reader.read(contentsOf: "/nonexistent/missing.csv", displayName: "missing.csv")
        }
    }
}

@Suite struct ScaleSimConfigReaderTests {
    private let goodConfig = fixtures.appendingPathComponent("configs/a8x8s16_ws_user10.cfg")

    @Test func readsEveryKey() throws {
        let config = try ScaleSimConfigReader().read(contentsOf: goodConfig.path)
        #expect(config.runName == "a8x8s16_ws_user10")
        #expect(config.rows == 8 && config.columns == 8 && config.dataflow == .ws)
        #expect(config.ifmapSramKibibytes == 16 && config.filterOffset == 10_000_000 && config.ofmapOffset == 20_000_000)
        #expect(config.bandwidthWordsPerCycle == [10] && config.interfaceBandwidth == .user && !config.useRamulatorTrace)
        #expect(config.layout?.ifmapSramBankBandwidth == 10 && config.layout?.filterSramBankCount == 1)
        #expect(config.sparsity?.representation == "ellpack_block" && config.sparsity?.randomSeed == 40)
    }

    /// The target JSON is pinned by a golden file that `SystolicTargetTests` (KilnBackendsTests)
    /// loads with `TargetLoader`; re-record with `KILN_RECORD=1`.
    @Test func targetDescriptionMatchesGolden() throws {
        let config = try ScaleSimConfigReader().read(contentsOf: goodConfig.path)
        let json = config.targetDescriptionJSON(sourceFile: "SCALE-Sim config Tests/Fixtures/scalesim/configs/a8x8s16_ws_user10.cfg")
        let golden = GoldenFile(fixtures.appendingPathComponent("targets/scalesim-a8x8s16-ws-user10.json"))
        let outcome = try golden.check(json)
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter ScaleSimConfigReaderTests"))")
    }

    @Test func rejectsMalformedConfigs() throws {
        let reader = ScaleSimConfigReader()
        let good = try String(contentsOf: goodConfig, encoding: .utf8)
        expectFailure("line 6, key ArrayWidth", file: "c.cfg", ["ArrayWidth", "'eight'"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "ArrayWidth:     8", with: "ArrayWidth: eight"), file: "c.cfg")
        }
        expectFailure("line 14", file: "c.cfg", ["dataflow", "twice"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "Bandwidth : 10\n", with: "Dataflow : os\n"), file: "c.cfg")
        }
        expectFailure("line 14", file: "c.cfg", ["unknown key 'bandwith'"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "Bandwidth : 10\n", with: "Bandwith : 10\n"), file: "c.cfg")
        }
        expectFailure("line 13, key Dataflow", file: "c.cfg", ["os, ws or is"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "Dataflow : ws", with: "Dataflow : rs"), file: "c.cfg")
        }
        expectFailure("line 36, key InterfaceBandwidth", file: "c.cfg", ["USER or CALC"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "InterfaceBandwidth: USER", with: "InterfaceBandwidth: FAST"), file: "c.cfg")
        }
        expectFailure("line 4", file: "c.cfg", ["missing key 'ArrayHeight'"]) { () throws(DiagnosticError) in
            try reader.read(text: good.replacingOccurrences(of: "ArrayHeight:    8\n", with: ""), file: "c.cfg")
        }
        expectFailure("line 1", file: "c.cfg", ["before any [section]"]) { () throws(DiagnosticError) in
            try reader.read(text: "ArrayHeight: 8\n", file: "c.cfg")
        }
        expectFailure("line 1", file: "c.cfg", ["unknown section"]) { () throws(DiagnosticError) in
            try reader.read(text: "[gpu]\n", file: "c.cfg")
        }
    }
}
