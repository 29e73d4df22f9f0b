import Foundation
import Testing
import KilnBackends
import KilnEvaluation
import KilnIR
import KilnModelIO
import KilnTargets
@testable import KilnCLI

/// `kiln tune` on the shipped float CNN (examples/digits/cnn.onnx) for a DSP, a dataflow FPGA and
/// a SIMD target: budgets met where the target's formats and cost model allow it, refused with
/// the reason where they do not, different answers where the targets' costs differ, and the
/// same model file for the same seed. Few images and a small search keep it fast.
@Suite struct TuneTests {
    static let digits = repositoryRoot.appendingPathComponent("examples/digits")
    static let source = try! ModelLoader.load(digits.appendingPathComponent("cnn.onnx").path)
    static let catalog = try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    static let evaluation = Evaluation(registry: try! BuiltInBackends.registry(), catalog: catalog)

    /// The first `count` images of a shipped file, as one batch.
    static func images(_ name: String, _ count: Int) -> Tensor {
        let all = try! NumPyReader.read(contentsOf: digits.appendingPathComponent(name).path).tensor()
        let sample = all.shape.dropFirst().reduce(1, *)
        return Tensor(shape: [count] + all.shape.dropFirst(), floats: Array(all.floats![0 ..< count * sample]))
    }
    /// 8 calibration images.
    static let calibration = images("calibration_x_nchw.npy", 8)

    static func tune(_ target: String, _ budget: String, search: PrecisionTuner.Search = .greedy, seed: UInt64 = 0) throws -> PrecisionTuner.Result {
        var tuner = PrecisionTuner(evaluation: evaluation, target: catalog.target(named: target)!, budget: try TuningBudget(parsing: budget),
                                   search: search, seed: seed)
        tuner.populationSize = 4
        tuner.generations = 2
        return try tuner.tune(source, calibration: calibration, data: nil)
    }

    static let widest8 = [PrecisionTuner.LayerWidths](repeating: .init(weights: 8, activations: 8), count: 3)

    /// Half the all-8-bit latency: the SIMD target declares only 8-bit integers, so no
    /// configuration is cheaper; the DSP's i4 weights (CMSIS-NN's s4 kernels) unpack nibbles in the
    /// inner loop and are slower than s8; the FPGA's narrower widths save only a few nanoseconds
    /// because most of its latency is the host link. Each says so, the narrowest configuration it
    /// evaluated is indeed over the budget, and the answer is the cheapest one explored.
    @Test func halfLatencyIsRefusedWithTheReason() throws {
        for target in ["stm32h743-cortex-m7", "cortex-a72-rpi4", "pynq-z1-zynq7020-finn"] {
            let result = try Self.tune(target, "latency=50%")
            #expect(result.layers == ["conv1", "conv2", "logits"])
            let widest = try #require(result.points[0].latencySeconds)
            #expect(result.points[0].widths == Self.widest8)
            #expect(result.limit == widest / 2)
            #expect(!result.metBudget, "\(target)")
            #expect(result.points.allSatisfy { ($0.cost ?? 0) > result.limit }, "\(target)")
            let reason = try #require(result.reason)
            #expect(reason.contains("narrowest formats \(target) declares"), "\(reason)")
            #expect(reason.contains("the answer is the cheapest configuration explored"), "\(reason)")
            let cheapest = result.points.compactMap(\.cost).min()
            #expect(result.points[result.chosen].cost == cheapest)
            switch target {
            case "pynq-z1-zynq7020-finn":
                #expect(result.weightChoices == [8, 4, 2] && result.activationChoices == [8, 4, 2])
                #expect(reason.contains("host kernels and host-link transfers"), "\(reason)")
            case "stm32h743-cortex-m7":
                #expect(result.weightChoices == [8, 4] && result.activationChoices == [8])
                // Every i4 layer costs cycles: the widest configuration is the cheapest.
                #expect(result.chosen == 0)
                #expect(result.points.dropFirst().allSatisfy { ($0.cost ?? 0) > widest })
            default:
                #expect(result.weightChoices == [8] && result.activationChoices == [8])
                #expect(result.points.count == 1)
            }
        }
    }

    /// Half the all-8-bit latency on a dataflow FPGA whose latency is mostly fabric, not host link
    /// (`Tests/Fixtures/tune/fabric_cnn.onnx`, 3×16×16 input, from `tools/tune/make_fabric_cnn.py`):
    /// narrower layers shrink the FINN engines' LUT and BRAM estimates, the folding plan affords
    /// more parallelism, and the greedy search meets the budget, crossing plateaus where no single
    /// step shortens the pipeline; the accuracy (SQNR against float) is reported.
    @Test func halfLatencyMetWhereTheFabricDominates() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/tune")
        let model = try ModelLoader.load(fixtures.appendingPathComponent("fabric_cnn.onnx").path)
        let calibration = try NumPyReader.read(contentsOf: fixtures.appendingPathComponent("fabric_cnn_calibration.npy").path).tensor()
        let tuner = PrecisionTuner(evaluation: Self.evaluation, target: Self.catalog.target(named: "pynq-z1-zynq7020-finn")!,
                                   budget: try TuningBudget(parsing: "latency=50%"), search: .greedy, seed: 0)
        let result = try tuner.tune(model, calibration: calibration, data: nil)
        let widest = result.points[0]
        #expect(widest.widths == [PrecisionTuner.LayerWidths](repeating: .init(weights: 8, activations: 8), count: 4))
        #expect(try #require(widest.hostAndLinkSeconds) < 0.5 * (try #require(widest.latencySeconds)))
        #expect(result.metBudget, "\(result.reason ?? "")")
        let chosen = result.points[result.chosen]
        #expect(try #require(chosen.cost) <= result.limit && result.limit == widest.cost! / 2)
        #expect(chosen.widths != widest.widths)
        #expect(chosen.accuracy != nil && chosen.accuracy! < widest.accuracy!)
    }

    /// Half the all-8-bit memory: the FPGA meets it with narrower layers (and the widths it
    /// chose are what the written model and the compile options carry); the DSP target, whose
    /// narrowest weights are i4 next to 8-bit activations, cannot and falls back to its cheapest
    /// configuration (every layer at i4 weights), so the chosen precisions differ.
    @Test func memoryBudgetChoosesNarrowerLayersWhereTheTargetStoresThem() throws {
        let fpga = try Self.tune("pynq-z1-zynq7020-finn", "memory=50%")
        #expect(fpga.metBudget)
        let chosen = fpga.points[fpga.chosen]
        #expect(try #require(chosen.cost) <= fpga.limit)
        #expect(chosen.widths != Self.widest8)
        // Within the budget, nothing explored is more accurate.
        #expect(fpga.points.filter { ($0.cost ?? .infinity) <= fpga.limit }.allSatisfy { ($0.accuracy ?? -.infinity) <= chosen.accuracy! })
        for (layer, widths) in zip(fpga.layers, chosen.widths) {
            #expect(fpga.layerBits[layer]! == (widths.weights, widths.activations))
            let weights = try #require(fpga.model.nodes.first { $0.name == layer }?.input(1))
            #expect(fpga.model.types[weights]?.elementType == .integer(bits: widths.weights, signed: true))
        }
        let dsp = try Self.tune("stm32h743-cortex-m7", "memory=50%")
        #expect(!dsp.metBudget)
        #expect(dsp.points[dsp.chosen].widths == [PrecisionTuner.LayerWidths](repeating: .init(weights: 4, activations: 8), count: 3))
        #expect(dsp.points[dsp.chosen].widths != chosen.widths)
    }

    /// The evolutionary search is seeded: the same seed explores the same configurations and
    /// gives the same model file byte for byte.
    @Test func sameSeedSameResult() throws {
        let first = try Self.tune("pynq-z1-zynq7020-finn", "memory=50%", search: .evolutionary, seed: 7)
        let second = try Self.tune("pynq-z1-zynq7020-finn", "memory=50%", search: .evolutionary, seed: 7)
        #expect(first.points.map(\.widths) == second.points.map(\.widths))
        #expect(first.points.map(\.cost) == second.points.map(\.cost))
        #expect(first.chosen == second.chosen)
        #expect(KilnModelFile.encode(first.model) == KilnModelFile.encode(second.model))
        #expect(first.metBudget)
    }

    /// A sharded evolutionary search (`--islands 3`, shards 1/2 and 2/2: islands 0 and 2, and 1)
    /// merges into exactly the unsharded run: the same report JSON and the same model file, byte
    /// for byte. A merge missing a shard, one run with other settings and a sharded greedy search
    /// are refused with the reason.
    @Test func shardedSearchMergesToTheUnshardedResult() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tune-shards-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try NumPyWriter.write(try NumPyArray(shape: Self.calibration.shape, storage: .float32(Self.calibration.floats!)), to: path("c.npy"))
        let command = ["tune", Self.digits.appendingPathComponent("cnn.onnx").path, "--target", "pynq-z1-zynq7020-finn",
                       "--calibration", path("c.npy"), "--budget", "memory=50%", "--search", "evolutionary", "--seed", "3",
                       "--islands", "3", "--population", "4", "--generations", "1", "--format", "json"]
        let unsharded = runKiln(command + ["-o", path("model.json")])
        #expect(unsharded.code == .success, "\(unsharded.error)")
        let unshardedModel = try Data(contentsOf: URL(fileURLWithPath: path("model.json")))
        for number in 1...2 {
            let shard = runKiln(command + ["--shard", "\(number)/2"])
            #expect(shard.code == .success, "\(shard.error)")
            try shard.output.write(toFile: path("shard\(number).json"), atomically: true, encoding: .utf8)
        }
        let shard1 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("shard1.json")))) as? [String: Any])
        #expect(shard1["kind"] as? String == "kiln.tune.shard")
        #expect((shard1["explored"] as? [[String: Any]])?.map { $0["island"] as? Int } == [0, 2])
        try FileManager.default.removeItem(atPath: path("model.json"))
        let merged = runKiln(command + ["--merge", path("shard2.json"), "--merge", path("shard1.json"), "-o", path("model.json")])
        #expect(merged.code == .success, "\(merged.error)")
        #expect(merged.output == unsharded.output)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("model.json"))) == unshardedModel)
        let unshardedReport = try #require(try JSONSerialization.jsonObject(with: Data(unsharded.output.utf8)) as? [String: Any])
        #expect(unshardedReport["metBudget"] as? Bool == true)

        let missing = runKiln(command + ["--merge", path("shard1.json")])
        #expect(missing.code != .success && missing.error.contains("shards 2 of 2 are missing"), "\(missing.error)")
        var otherSeed = command
        otherSeed[otherSeed.firstIndex(of: "--seed")! + 1] = "4"
        let mismatch = runKiln(otherSeed + ["--merge", path("shard1.json"), "--merge", path("shard2.json")])
        #expect(mismatch.code != .success && mismatch.error.contains("shard1.json") && mismatch.error.contains("seed 3, this merge with 4"), "\(mismatch.error)")
        let greedy = runKiln(["tune", Self.digits.appendingPathComponent("cnn.onnx").path, "--target", "pynq-z1-zynq7020-finn",
                              "--calibration", path("c.npy"), "--budget", "memory=50%", "--shard", "1/2", "--format", "json"])
        #expect(greedy.code != .success && greedy.error.contains("greedy search has one"), "\(greedy.error)")
    }

    /// Budgets parse with units and percentages; bad ones are refused naming the text.
    @Test func budgets() throws {
        #expect(try TuningBudget(parsing: "latency=2ms") == TuningBudget(metric: .latency, limit: .absolute(2e-3)))
        #expect(try TuningBudget(parsing: "memory=64KiB") == TuningBudget(metric: .memory, limit: .absolute(65536)))
        #expect(try TuningBudget(parsing: "energy=50%") == TuningBudget(metric: .energy, limit: .fractionOfWidest(0.5)))
        for bad in ["latency", "speed=2ms", "latency=-1ms", "latency=fast", "memory=0%"] {
            #expect(throws: (any Error).self, "\(bad)") { try TuningBudget(parsing: bad) }
        }
    }

    /// The command: JSON with kind and the chosen configuration, the model written, CSV with raw
    /// numbers, the HTML chart, usage errors for a missing or malformed budget.
    @Test func command() throws {
        let calibration = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tune-\(UUID()).npy").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tune-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: calibration); try? FileManager.default.removeItem(atPath: output) }
        try NumPyWriter.write(try NumPyArray(shape: Self.calibration.shape, storage: .float32(Self.calibration.floats!)), to: calibration)
        let model = Self.digits.appendingPathComponent("cnn.onnx").path
        let result = runKiln(["tune", model, "--target", "stm32h743-cortex-m7", "--calibration", calibration, "--budget", "latency=1s",
                              "-o", output, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(document["kind"] as? String == "kiln.tune")
        #expect(document["metBudget"] as? Bool == true)
        #expect((document["layers"] as? [String]) == ["conv1", "conv2", "logits"])
        #expect(try KilnModelFile.read(contentsOf: output).nodes.contains { $0.kind == .conv2d })
        let html = output + ".html"
        defer { try? FileManager.default.removeItem(atPath: html) }
        let csv = runKiln(["tune", model, "--target", "cortex-a72-rpi4", "--calibration", calibration, "--budget", "energy=50%",
                           "--format", "csv", "--html", html])
        #expect(csv.code == .success, "\(csv.error)")
        let rows = csv.output.split(separator: "\n")
        #expect(rows.first == "index,widths,energy,latencySeconds,energyJoules,memoryBytes,sqnrDecibels,front,chosen,failure")
        #expect(rows.count == 2 && rows[1].hasPrefix("0,w8a8 w8a8 w8a8,") && rows[1].hasSuffix(",yes,yes,"))
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("<svg"))
        let missing = runKiln(["tune", model, "--target", "stm32h743-cortex-m7", "--calibration", calibration])
        #expect(missing.code != .success && missing.error.contains("--budget"))
        let bad = runKiln(["tune", model, "--target", "stm32h743-cortex-m7", "--calibration", calibration, "--budget", "speed=1"])
        #expect(bad.code != .success && bad.error.contains("budget 'speed=1'"))
    }
}
