import Testing
@testable import KilnBackends
import KilnCompiler
import KilnTargets

/// FIFO depths from a folding file and the stalls of shallow FIFOs (``StreamPipeline``).
@Suite struct StreamPipelineTests {
    /// Two matrix–vector units: the first SF 2 × NF 4 (reads 2 words in its first fold, writes a
    /// word every 2 iterations), the second SF 4 × NF 2 (reads the 4 words in its first fold).
    static let toy = [
        StreamEngine(name: "mvau", iterations: 8, read: .leading(span: 2, period: 8), write: .trailing(period: 2)),
        StreamEngine(name: "mvau", iterations: 8, read: .leading(span: 4, period: 8), write: .trailing(period: 4)),
    ]

    @Test func aDeepFIFOKeepsTheSlowestEnginesInterval() throws {
        // By hand: the first unit writes at cycles 1, 3, 5, 7, 9, ...; the second reads them the
        // cycle after, computes 4 more iterations and finishes at 13, 21, 29, ...: 8 cycles apart.
        let timing = try #require(StreamPipeline(engines: Self.toy, depths: [nil]).simulate())
        #expect(timing.intervalCycles == 8)
        #expect(timing.firstLatencyCycles == 13)
    }

    @Test func aTwoWordFIFOStallsTheProducerOneCyclePerInference() throws {
        // By hand: the second unit finishes its first inference at cycle 13 as above; meanwhile the
        // first has written 2 words of the second inference (cycles 9 and 11) and fills the FIFO, so
        // its write at cycle 13 waits one cycle for the second unit's read. From then on every
        // inference repeats that: 9 cycles apart (13, 22, 31, ...).
        let timing = try #require(StreamPipeline(engines: Self.toy, depths: [2]).simulate())
        #expect(timing.intervalCycles == 9)
        #expect(timing.firstLatencyCycles == 13)
    }

    @Test func widthConvertersFollowFINNHLSLib() {
        // 32 words of 32 bits into 128 words of 8 bits: read every 4th iteration, write every one.
        let narrow = StreamEngine.widthConverter(input: 32, output: 128)
        #expect(narrow.iterations == 128 && narrow.inputWords == 32 && narrow.outputWords == 128)
        // 4 words of 16 bits into 1 word of 64 bits.
        let wide = StreamEngine.widthConverter(input: 4, output: 1)
        #expect(wide.iterations == 4 && wide.inputWords == 4 && wide.outputWords == 1)
        let odd = StreamEngine.widthConverter(input: 16, output: 49)
        #expect(odd.inputWords == 16 && odd.outputWords == 49)
    }

    @Test func deepFIFOsFromAFoldingFileReproduceFINNsIntervalForCNV() throws {
        // CNV-W1A1 at the published folding, every MVAU's FIFOs a million words deep: the
        // simulated chain gives FINN's max(get_exp_cycles) exactly.
        let graph = try BinarizedNetworkModels.cnv()
        let plan = try DataflowFoldingFileTests.plan(graph, try DataflowFoldingFileTests.settings("examples/finn/cnv-w1a1_folding_config.json"))
        let deep = DataflowFoldingPlan(stages: plan.entries.map(\.stage), dataflow: try Self.pynqDataflow(),
                                       fixed: Dictionary(uniqueKeysWithValues: plan.entries.enumerated().map { ($0.offset, $0.element.folding) }),
                                       fifos: Dictionary(uniqueKeysWithValues: plan.entries.indices.map { ($0, StreamFIFODepths(input: 1 << 20, output: 1 << 20)) }))
        let timing = try #require(deep.fifoTiming)
        #expect(timing.intervalCycles == 32768)
        #expect(plan.intervalCycles == 32768)
    }

    static func pynqDataflow() throws -> DataflowSection {
        let target = try #require(BuiltInTargets.catalog.target(named: DataflowFoldingFileTests.pynq))
        return try #require(target.section(DataflowSection.self))
    }

    @Test func bnnPYNQsLFCWithItsShallowFIFOs() throws {
        // BNN-PYNQ's LFC-W1A1 (config.h foldings, top.cpp FIFO depths 512/PE = 16, 8, 16 and the
        // width converter's depth-2 stream in front of the last layer): FINN's formula gives 512
        // cycles, the recorded Ultra96 run 840 per image (2.80 µs at 299.9997 MHz).
        let graph = try BinarizedNetworkModels.lfcAsBNNPYNQBuildsIt()
        let settings = try DataflowFoldingFileTests.settings("examples/finn/bnn-pynq-lfc-w1a1-ultra96.json")
        let plan = try DataflowFoldingFileTests.plan(graph, settings)
        #expect(plan.intervalCycles == 512)
        let pipeline = try #require(DataflowFoldingPlan.streamPipeline(of: plan.entries))
        #expect(pipeline.engines.map(\.name) == ["mvau", "mvau", "mvau", "dwc", "mvau"])
        #expect(pipeline.depths == [16, 8, 16, 2])
        let timing = try #require(plan.fifoTiming)
        // Not tuned: the simulation gives 723 cycles (2.41 µs, −14 %) and 1,783 for the first image.
        #expect(timing.intervalCycles == 723)
        #expect(timing.firstLatencyCycles == 1783)
    }

    @Test func fifoDepthsAreCheckedWhereTheyAreWritten() throws {
        let failure = try DataflowFoldingFileTests.failure(#"{"MVAU_hls_0": {"PE": 1, "outFIFODepths": [0]}}"#)
        #expect(failure.message.contains("FIFO depth"))
        #expect(failure.location.place == "MVAU_hls_0.outFIFODepths[0]")
        let list = try DataflowFoldingFileTests.failure(#"{"MVAU_hls_0": {"inFIFODepths": [2, 2]}}"#)
        #expect(list.message.contains("list of one depth"))
    }
}
