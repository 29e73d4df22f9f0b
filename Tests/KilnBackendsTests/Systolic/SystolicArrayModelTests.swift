import Foundation
import KilnBackends
import KilnDiagnostics
import Testing

/// Kiln's closed-form model against SCALE-Sim v3's own reports (`Tests/Fixtures/scalesim`).
@Suite struct SystolicArrayModelTests {
    /// Compute cycles, mapping efficiency, compute utilization and SRAM counts equal SCALE-Sim's
    /// for every layer of every run; stalls, total cycles, overall utilization and every DRAM
    /// number equal it wherever the model says it is exact.
    @Test func matchesEveryScaleSimFixture() throws {
        let runs = try ScaleSimFixtureRun.all()
        #expect(runs.count == 108)
        var exactLayers = 0
        for run in runs {
            let model = SystolicArrayModel(configuration: run.configuration)
            let estimates = try model.estimate(run.layers)
            try #require(estimates.count == run.compute.count, "\(run.name)")
            for (index, estimate) in estimates.enumerated() {
                let compute = run.compute[index], detail = run.detailed[index]
                let context = Comment(rawValue: "\(run.name) layer \(index)")
                let stall = Int(compute[3])!
                #expect(Int(compute[2])! - stall == estimate.totalCycles - estimate.stallCycles, context)
                #expect(compute[5] == estimate.mappingEfficiencyPercent.description, context)
                #expect(compute[6] == estimate.computeUtilizationPercent.description, context)
                #expect(Int(detail[3])! == estimate.ifmapSramReads, context)
                #expect(Int(detail[6])! == estimate.filterSramReads, context)
                #expect(Int(detail[9])! == estimate.ofmapSramWrites, context)
                guard estimate.isMemoryModelExact else { continue }
                #expect(Int(detail[18])! == estimate.ofmapDramWrites, context)
                exactLayers += 1
                #expect(Int(compute[1])! == estimate.totalCyclesIncludingPrefetch, context)
                #expect(Int(compute[2])! == estimate.totalCycles, context)
                #expect(stall == estimate.stallCycles, context)
                #expect(compute[4] == estimate.overallUtilizationPercent.description, context)
                #expect(Int(detail[12])! == estimate.ifmapDramReads, context)
                #expect(Int(detail[15])! == estimate.filterDramReads, context)
                #expect(Int(Double(detail[10])!) == estimate.ifmapDramCycles.lowerBound, context)
                #expect(Int(Double(detail[11])!) == estimate.ifmapDramCycles.upperBound, context)
                #expect(Int(Double(detail[13])!) == estimate.filterDramCycles.lowerBound, context)
                #expect(Int(Double(detail[14])!) == estimate.filterDramCycles.upperBound, context)
                #expect(Int(Double(detail[16])!) == estimate.ofmapDramCycles.lowerBound, context)
                #expect(Int(Double(detail[17])!) == estimate.ofmapDramCycles.upperBound, context)
            }
        }
        #expect(exactLayers > 0)
    }

    /// Where every layer of a run is in the exact regime, the rendered report equals SCALE-Sim's
    /// `COMPUTE_REPORT.csv` byte for byte.
    @Test func computeReportIsByteIdentical() throws {
        var compared = 0
        for run in try ScaleSimFixtureRun.all() {
            let estimates = try SystolicArrayModel(configuration: run.configuration).estimate(run.layers)
            guard estimates.allSatisfy(\.isMemoryModelExact) else { continue }
            #expect(SystolicComputeReport().render(estimates) == run.computeReport, "\(run.name)")
            compared += 1
        }
        #expect(compared >= 70)
    }

    /// The validation table of `docs/cost-models.md`, per array, SRAM size and bandwidth mode
    /// (summed over os, ws and is): every count below is what the SCALE-Sim fixtures give, and the
    /// test prints the rows in the document's layout (`swift test --filter validationTable`).
    @Test func validationTable() throws {
        struct Row: Equatable { var layers = 0, computeMatch = 0, exact = 0, stallMatch = 0, stallLayers = 0, stallError = 0, stallTotal = 0 }
        var rows: [String: Row] = [:]
        for run in try ScaleSimFixtureRun.all() {
            let group = String(run.name.split(separator: "__")[1].split(separator: "_").enumerated()
                .filter { $0.offset != 1 }.map { String($0.element) }.joined(separator: " "))
            let estimates = try SystolicArrayModel(configuration: run.configuration).estimate(run.layers)
            for (index, estimate) in estimates.enumerated() {
                let compute = run.compute[index]
                let stall = Int(compute[3])!
                var row = rows[group, default: Row()]
                row.layers += 1
                if estimate.isMemoryModelExact { row.exact += 1 }
                if Int(compute[2])! - stall == estimate.totalCycles - estimate.stallCycles,
                   compute[5] == estimate.mappingEfficiencyPercent.description,
                   compute[6] == estimate.computeUtilizationPercent.description { row.computeMatch += 1 }
                if stall > 0 || estimate.stallCycles > 0 { row.stallLayers += 1 }
                if stall == estimate.stallCycles { row.stallMatch += 1 }
                row.stallError += abs(stall - estimate.stallCycles)
                row.stallTotal += stall
                rows[group] = row
            }
        }
        for (group, row) in rows.sorted(by: { $0.key < $1.key }) {
            print("| \(group) | \(row.layers) | \(row.computeMatch) | \(row.exact) | \(row.stallMatch) | \(row.stallLayers) | \(row.stallError) / \(row.stallTotal) |")
        }
        let allExact = Row(layers: 51, computeMatch: 51, exact: 51, stallMatch: 51)
        #expect(rows == [
            "a8x8s16 calc": allExact, "a8x8s16 user10": allExact, "a8x8s16 user2": allExact,
            "a32x32s64 calc": allExact, "a32x32s64 user10": allExact, "a32x32s64 user2": allExact,
            // 1 KiB SRAMs: cycles stay exact, DRAM counts differ once an operand overflows the active half.
            "a8x8s1 calc": Row(layers: 51, computeMatch: 51, exact: 31, stallMatch: 51),
            "a8x8s1 user10": Row(layers: 51, computeMatch: 51, exact: 20, stallMatch: 45, stallLayers: 6, stallError: 1150, stallTotal: 1150),
            "a8x8s1 user2": Row(layers: 51, computeMatch: 51, exact: 20, stallMatch: 31, stallLayers: 20, stallError: 16235, stallTotal: 16974),
        ])
    }

    /// More DRAM bandwidth never increases cycles.
    @Test(arguments: [SystolicArrayConfiguration.Dataflow.os, .ws, .is])
    func moreBandwidthNeverIncreasesCycles(dataflow: SystolicArrayConfiguration.Dataflow) throws {
        let layers = [SystolicLayer(name: "c", ifmapHeight: 28, ifmapWidth: 28, filterHeight: 3, filterWidth: 3,
                                    channels: 32, filterCount: 64, strideHeight: 1, strideWidth: 1),
                      .gemm(name: "g", m: 300, n: 70, k: 500)]
        for layer in layers {
            var previous = Int.max
            for bandwidth in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 1000] {
                let configuration = SystolicArrayConfiguration(rows: 16, columns: 16, dataflow: dataflow, ifmapSramKibibytes: 4,
                                                               filterSramKibibytes: 4, ofmapSramKibibytes: 4,
                                                               userBandwidth: .init(wordsPerCycle: bandwidth))
                let estimate = try SystolicArrayModel(configuration: configuration).estimate(layer)
                #expect(estimate.totalCycles <= previous, "\(layer.name) at \(bandwidth) words/cycle")
                previous = estimate.totalCycles
            }
        }
    }

    /// SCALE-Sim rounds a partial last window up: a 10×10 input, 3×3 filter, stride 2 has a 5×5
    /// output (floor would give 4×4).
    @Test func outputSizeRoundsUp() {
        let layer = SystolicLayer(name: "s", ifmapHeight: 10, ifmapWidth: 10, filterHeight: 3, filterWidth: 3,
                                  channels: 1, filterCount: 1, strideHeight: 2, strideWidth: 2)
        #expect(layer.ofmapHeight == 5 && layer.ofmapWidth == 5)
    }

    /// Bad sizes are diagnostics naming the layer, never traps.
    @Test func rejectsBadSizes() {
        let model = SystolicArrayModel(configuration: .init(rows: 8, columns: 8, dataflow: .ws, ifmapSramKibibytes: 16,
                                                            filterSramKibibytes: 16, ofmapSramKibibytes: 16))
        let bad = [SystolicLayer(name: "zero", ifmapHeight: 0, ifmapWidth: 4, filterHeight: 1, filterWidth: 1,
                                 channels: 1, filterCount: 1, strideHeight: 1, strideWidth: 1),
                   SystolicLayer(name: "big-filter", ifmapHeight: 2, ifmapWidth: 2, filterHeight: 3, filterWidth: 1,
                                 channels: 1, filterCount: 1, strideHeight: 1, strideWidth: 1),
                   SystolicLayer(name: "huge", ifmapHeight: 1 << 20, ifmapWidth: 1 << 20, filterHeight: 1 << 20,
                                 filterWidth: 1 << 20, channels: 1 << 20, filterCount: 1 << 20, strideHeight: 1, strideWidth: 1)]
        for layer in bad {
            do {
                _ = try model.estimate(layer)
                Issue.record("expected an error for \(layer.name)")
            } catch {
                #expect(error.diagnostics.first?.location.place == "layer '\(layer.name)'")
            }
        }
        let noRows = SystolicArrayModel(configuration: .init(rows: 0, columns: 8, dataflow: .os, ifmapSramKibibytes: 1,
                                                             filterSramKibibytes: 1, ofmapSramKibibytes: 1))
        #expect(throws: DiagnosticError.self) { try noRows.estimate(.gemm(name: "g", m: 2, n: 2, k: 2)) }
    }
}
