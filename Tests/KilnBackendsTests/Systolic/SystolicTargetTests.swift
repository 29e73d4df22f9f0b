import Foundation
import KilnBackends
import KilnTargets
import Testing

/// The target JSON that `ScaleSimConfig.targetDescriptionJSON` writes (pinned as a golden file
/// by ScaleSimFilesTests) loads as a `systolic` target, and its array is the `.cfg`'s.
@Suite struct SystolicTargetTests {
    @Test func generatedTargetLoadsAndMatchesTheConfig() throws {
        let url = ScaleSimFixtureRun.root.appendingPathComponent("targets/scalesim-a8x8s16-ws-user10.json")
        let target = try TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: Array(try Data(contentsOf: url)), file: url.lastPathComponent)
        let systolic = try #require(target.section(SystolicSection.self))
        let configuration = SystolicArrayConfiguration(systolic)
        #expect(configuration == SystolicArrayConfiguration(rows: 8, columns: 8, dataflow: .ws, ifmapSramKibibytes: 16,
                                                            filterSramKibibytes: 16, ofmapSramKibibytes: 16,
                                                            userBandwidth: .init(wordsPerCycle: 10)))
        // The same estimates as the fixture run of that configuration.
        let run = try ScaleSimFixtureRun.load("small_convs__a8x8s16_ws_user10")
        let estimates = try SystolicArrayModel(configuration: configuration).estimate(run.layers)
        #expect(SystolicComputeReport().render(estimates) == run.computeReport)
    }
}
