import Foundation
import Testing
import KilnModelIO
@testable import KilnCLI

/// The `ethosU` targets against Vela 5.2 itself (`Tests/Fixtures/vela`, made by
/// `tools/vela/run_vela.py`) and against TFLite's reference kernels (`Tests/Fixtures/tflite`).
@Suite struct EthosUVelaTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// Kiln target → Vela configuration folder, and the NPU clock of both (vela.ini `core_clock`).
    static let configurations = [("ethos-u55-32-corstone300", "ethos-u55-32", 500e6), ("ethos-u55-64-corstone300", "ethos-u55-64", 500e6), ("ethos-u55-128-corstone300", "ethos-u55-128", 500e6),
                                 ("ethos-u55-256-corstone300", "ethos-u55-256", 500e6), ("ethos-u65-256", "ethos-u65-256", 1e9),
                                 ("ethos-u65-512", "ethos-u65-512", 1e9)]
    /// The four MLPerf Tiny models and a MobileNetV2 (`tools/vela/make_mobilenet_v2.py`).
    static let models = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "mobilenet_v2_035_96"]

    /// The `.tflite` fixture (without extension) of a model.
    static func modelBase(_ model: String) -> String {
        fixtures.appendingPathComponent(model.hasPrefix("mobilenet") ? "tflite/mobilenet/\(model)" : "tflite/mlperf/\(model)").path
    }

    static func velaSummary(_ configuration: String, _ model: String) throws -> [String: String] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("vela/\(configuration)/\(model).summary.csv"), encoding: .utf8)
        return Dictionary(text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ",", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }, uniquingKeysWith: { first, _ in first })
    }

    static func simulate(_ model: String, on target: String) throws -> [String: Any] {
        let result = runKiln(["simulate", modelBase(model) + ".tflite", "--target", target, "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
    }

    /// A copy of a built-in target that follows Vela's Python core (`"velaCore": "python"`), in a
    /// temporary file; the caller removes it.
    static func pythonCoreTarget(_ target: String) throws -> URL {
        let file = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("targets/\(target).json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var section = try #require(object["ethosU"] as? [String: Any])
        section["velaCore"] = "python"
        object["ethosU"] = section
        object["name"] = "\(target)-python-core"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(target)-python-\(UUID()).json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        return url
    }

    /// Kiln's total cycles against Vela's `cycles_total`, on every model and configuration: the
    /// built-in targets (Vela's default core) within ±3 % of `vela MODEL` (the issue asks ±10 %;
    /// measured −2.7 … +0.0 %, the −2.7 % being kws's softmax on the U65-512),
    /// with the layers above 1 % of the total ranked as Vela's per-layer CSV ranks them
    /// (``layersOutOfOrder(_:against:)``), and the same targets with `"velaCore": "python"` within
    /// ±4 % of `vela --debug-force-legacy-core` (measured −3.9 … +0.0 %; equal pass by pass: `EthosUPassEstimateTests`;
    /// weight streams byte for byte: `EthosUWeightCodecTests`); memory per area by ``checkMemory(_:model:vela:)``.
    @Test(arguments: configurations)
    func totalCyclesFollowVela(configuration: (String, String, Double)) throws {
        let (target, vela, clock) = configuration
        let python = try Self.pythonCoreTarget(target)
        defer { try? FileManager.default.removeItem(at: python) }
        for model in Self.models {
            let expected = try #require(Double(try Self.velaSummary(vela, model)["cycles_total"] ?? ""))
            let pythonCore = try #require(Double(try Self.velaSummary(vela + "-legacy", model)["cycles_total"] ?? ""))
            let simulated = try Self.simulate(model, on: target)
            let cycles = try #require(simulated["latencySeconds"] as? Double) * clock
            let pythonCycles = try #require(try Self.simulate(model, on: python.path)["latencySeconds"] as? Double) * clock
            // Operators on the host: as many as Vela places on the CPU (none for these models).
            let cpu = try String(contentsOf: Self.fixtures.appendingPathComponent("vela/\(vela)/\(model).cpu.txt"), encoding: .utf8)
            #expect(simulated["hostOps"] as? Int == cpu.split(separator: "\n").count, "\(model) on \(target)")
            let error = cycles / expected - 1, pythonError = pythonCycles / pythonCore - 1
            print("\(model) on \(target): Kiln \(Int(cycles)) cycles, Vela \(Int(expected)) (\(String(format: "%+.1f", error * 100)) %); "
                  + "Python core: Kiln \(Int(pythonCycles)), Vela \(Int(pythonCore)) (\(String(format: "%+.1f", pythonError * 100)) %)")
            #expect(abs(pythonError) <= 0.04, "\(model) on \(target): \(pythonError) against the Python core")
            #expect(abs(error) <= 0.03, "\(model) on \(target): \(error)")
            try Self.checkMemory(simulated, model: model, vela: vela)
            let (outOfOrder, _) = try Self.layersOutOfOrder(simulated, against: "vela/\(vela)/\(model).layers.csv")
            #expect(outOfOrder.isEmpty, "\(model) on \(target): layers out of order \(outOfOrder)")
        }
    }

    /// The NPU's outputs equal TFLite's kernels, code for code (reference kernels; builtin
    /// kernels without delegates for MobileNetV2, whose reference resolver aborts), on every
    /// Ethos-U target: each compiles its own program (block configurations, weight staging,
    /// memory plan), whose outputs must not depend on them.
    @Test(arguments: models)
    func outputsEqualTFLiteReferenceKernels(model: String) throws {
        let base = Self.modelBase(model)
        let expected = try NumPyReader.read(contentsOf: base + ".output.npy")
        for target in Self.configurations.map(\.0) + ["himax-we2-ethos-u55-64"] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ethosu-\(UUID()).npy").path
            defer { try? FileManager.default.removeItem(atPath: output) }
            let result = runKiln(["simulate", base + ".tflite", "--target", target, "--input", base + ".input.npy", "--output", output])
            #expect(result.code == .success, "\(model) on \(target): \(result.error)")
            let written = try NumPyReader.read(contentsOf: output)
            #expect(written.shape == expected.shape, "\(model) on \(target)")
            #expect(written.storage.isBitwiseIdentical(to: expected.storage), "\(model) on \(target)")
        }
    }

    /// LOGISTIC and TANH on the NPU are Vela's 256-entry tables (`tools/vela/lut_tables.py`:
    /// Vela's own `convert_tanh_sigmoid_to_lut`); every input code gives the table's output code.
    @Test(arguments: ["logistic", "tanh"])
    func lookupTableActivationsEqualVelasTable(model: String) throws {
        let lut = Self.fixtures.appendingPathComponent("vela/lut")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-ethosu-lut-\(UUID()).npy").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["simulate", Self.fixtures.appendingPathComponent("tflite/ops/\(model).tflite").path, "--target", "ethos-u55-128-corstone300",
                              "--input", lut.appendingPathComponent("all_int8_codes.npy").path, "--output", output])
        #expect(result.code == .success, "\(result.error)")
        #expect(!result.output.contains("host:"), "the activation runs on the NPU")
        let written = try NumPyReader.read(contentsOf: output).doubleValues().map { Int($0) }
        let table = try String(contentsOf: lut.appendingPathComponent("\(model).csv"), encoding: .utf8).split(separator: "\n")
            .map { Int($0.split(separator: ",")[1])! }
        #expect(written == table)
    }

    /// Operators Vela's Python core runs on the NPU and Kiln runs on the host: Kiln has no NPU
    /// pass for them (it says so in the compile report), so it is pessimistic there.
    static let hostOnlyInKiln: [String: String] = [
        "batch_matmul": "BATCH_MATMUL is on the CPU in Vela too; Kiln also moves the transpose of its adjoint operand there",
        "resize_bilinear_align_corners": "no NPU pass for RESIZE_BILINEAR",
        "rsqrt": "no NPU pass for RSQRT (Vela: a lookup table)",
        "squared_difference": "no NPU pass for SQUARED_DIFFERENCE (Vela: a sequence of elementwise passes)",
    ]

    /// On every TFLite operator fixture, Kiln puts as many operators on the host as Vela's Python
    /// core (whose operator checks Kiln follows) puts on the CPU, except ``hostOnlyInKiln``.
    @Test func hostPlacementsOnOperatorFixturesMatchVela() throws {
        let ops = Self.fixtures.appendingPathComponent("tflite/ops")
        let models = try FileManager.default.contentsOfDirectory(atPath: ops.path).filter { $0.hasSuffix(".tflite") }.sorted()
        #expect(models.count >= 40)
        for file in models {
            let model = String(file.dropLast(".tflite".count))
            let cpu = try String(contentsOf: Self.fixtures.appendingPathComponent("vela/ethos-u55-128-legacy/\(model).cpu.txt"), encoding: .utf8)
            let result = runKiln(["simulate", ops.appendingPathComponent(file).path, "--target", "ethos-u55-128-corstone300", "--format", "json"])
            #expect(result.code == .success, "\(model): \(result.error)")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let hostOps = try #require(json?["hostOps"] as? Int, "\(model)")
            let velaCPU = cpu.split(separator: "\n").count
            if Self.hostOnlyInKiln[model] != nil {
                #expect(hostOps > velaCPU, "\(model): Kiln \(hostOps), Vela \(velaCPU)")
            } else {
                #expect(hostOps == velaCPU, "\(model): Kiln \(hostOps) on the host, Vela \(velaCPU) on the CPU")
            }
        }
    }

    /// On every TFLite operator fixture Kiln runs wholly on the NPU, its flash equals Vela's
    /// default core's "Off-chip Flash used" to the byte (U55-128): the constants Vela's lowering
    /// adds to single operators (a MEAN's unit kernel and multiplier, a softmax's tables, scalars
    /// and zeros of a 2-D and a 4-D output, an activation's lookup table, PAD's border of padding
    /// values, ``EthosUPassMapping/addedConstants(for:in:weightStreamBytes:)``) and constant
    /// elementwise operands at their aligned size.
    @Test func operatorFixtureFlashIsVelas() throws {
        let ops = Self.fixtures.appendingPathComponent("tflite/ops")
        var checked: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: ops.path).filter({ $0.hasSuffix(".tflite") }).sorted() {
            let model = String(file.dropLast(".tflite".count))
            let result = runKiln(["simulate", ops.appendingPathComponent(file).path, "--target", "ethos-u55-128-corstone300", "--format", "json"])
            #expect(result.code == .success, "\(model): \(result.error)")
            let simulated = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            guard simulated["hostOps"] as? Int == 0 else { continue }  // a host operator's constants are the host's
            let levels = try #require(simulated["memoryByLevel"] as? [[String: Any]])
            let flash = levels.first { $0["level"] as? String == "flash" }?["peakBytes"] as? Int ?? 0
            let vela = try #require(Double(try Self.velaSummary("ethos-u55-128", model)["off_chip_flash_memory_used"] ?? "")) * 1024
            #expect(flash == Int(vela), "\(model): flash \(flash) against Vela's \(Int(vela)) bytes")
            checked.append(model)
        }
        #expect(checked.count >= 30, "\(checked)")
        #expect(["hard_swish", "mean_spatial", "pad", "softmax", "softmax_4d", "quantize_requantize"].allSatisfy(checked.contains))
    }

    /// Per layer (convolutions, depthwise convolutions, fully connected layers, in order) on
    /// U55-128: the built-in target against the per-layer CSV of Vela's default core, and the
    /// target with `"velaCore": "python"` against the Python core's. On every model, every pair of
    /// layers above 1 % of the total whose Vela cycles differ by more than 10 % is ordered the same
    /// way, and the median per-layer error is under 1 %.
    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"])
    func perLayerCyclesFollowVela(model: String) throws {
        let python = try Self.pythonCoreTarget("ethos-u55-128-corstone300")
        defer { try? FileManager.default.removeItem(at: python) }
        for (target, core) in [("ethos-u55-128-corstone300", "ethos-u55-128"), (python.path, "ethos-u55-128-legacy")] {
            let (outOfOrder, errors) = try Self.layersOutOfOrder(try Self.simulate(model, on: target), against: "vela/\(core)/\(model).layers.csv")
            #expect(outOfOrder.isEmpty, "\(model) \(core): layers out of order \(outOfOrder)")
            print("\(model) vs \(core): \(errors.count) layers above 1 %, median error \(String(format: "%.1f", 100 * errors[errors.count / 2])) %, largest \(String(format: "%.1f", 100 * (errors.last ?? 0))) %")
            #expect(errors[errors.count / 2] < 0.01, "\(model) \(core): median per-layer error \(errors[errors.count / 2])")
        }
    }

    /// The convolution-like layers (and MEANs) of a `kiln simulate` JSON report against Vela's
    /// per-layer CSV (`file` under the fixtures): the pairs of layers above 1 % of Vela's total,
    /// whose Vela cycles differ by more than 10 %, that Kiln orders the other way, and each such
    /// layer's relative error, sorted.
    static func layersOutOfOrder(_ simulated: [String: Any], against file: String) throws -> (outOfOrder: [(Int, Int)], errors: [Double]) {
        let layers = try #require(simulated["layers"] as? [[String: Any]])
        let kiln = layers.filter { ($0["kernel"] as? String).map { ["ethos-u.conv2d", "ethos-u.dense", "ethos-u.mean"].contains(where: $0.hasPrefix) } ?? false }
            .map { layer in ["computeCycles", "memoryStallCycles", "overheadCycles"].reduce(0.0) { total, key in total + (layer[key] as? Double ?? 0) } }
        let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let kind = try #require(header.firstIndex(of: "NNG Operator")), cycles = try #require(header.firstIndex(of: "Op Cycles"))
        let rows = lines.dropFirst().filter { $0.count == header.count }
        let total = rows.compactMap { Double($0[cycles]) }.reduce(0, +)
        let vela = rows.filter { ["Conv2DBias", "DepthwiseConv2DBias", "FullyConnected", "Conv2D", "DepthwiseConv2D"].contains($0[kind]) }
            .compactMap { Double($0[cycles]) }
        try #require(vela.count == kiln.count, "\(file): \(vela.count) Vela layers, \(kiln.count) Kiln layers")
        let big = vela.indices.filter { vela[$0] > 0.01 * total }
        let outOfOrder = big.flatMap { i in big.filter { j in vela[i] > 1.1 * vela[j] && !(kiln[i] > kiln[j]) }.map { (i, $0) } }
        return (outOfOrder, big.map { abs(kiln[$0] / vela[$0] - 1) }.sorted())
    }

    /// `kiln compare` shows memory per area as Vela does ("SRAM used", "Off-chip Flash used"):
    /// per row, the on-chip and off-chip columns are the per-level peaks of `kiln simulate` summed
    /// by the target's `onChip` flag, and `memoryByLevel` lists the same peaks. Kiln's SRAM peak
    /// on vww is the activation arena with the weight buffers (74,480 bytes, Vela's "Total SRAM used"); its flash
    /// holds the weights as Vela's encoded streams (``checkMemory(_:model:vela:)``).
    @Test func compareShowsMemoryPerAreaAsSimulateDoes() throws {
        let result = runKiln(["compare", Self.modelBase("vww_96_int8") + ".tflite",
                              "--targets", "ethos-u55-128-corstone300,stm32h743-cortex-m7", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            let target = try #require(row["target"] as? String)
            let simulated = try Self.simulate("vww_96_int8", on: target)
            let levels = try #require(simulated["memoryByLevel"] as? [[String: Any]])
            let onChipNames = try Self.onChipLevels(of: target)
            var onChip = 0, offChip = 0, listed: [String] = []
            for level in levels {
                let name = try #require(level["level"] as? String), peak = try #require(level["peakBytes"] as? Int)
                if onChipNames.contains(name) { onChip += peak } else { offChip += peak }
                listed.append("\(name)=\(peak)")
            }
            #expect(row["onChipBytes"] as? Int == onChip, "\(target)")
            #expect(row["offChipBytes"] as? Int == offChip, "\(target)")
            #expect(row["memoryByLevel"] as? String == listed.joined(separator: ";"), "\(target)")
            #expect(onChip > 0)
        }
    }

    /// Kiln's memory per area against Vela's summary, on one model and configuration: the flash
    /// (U55) or DRAM (U65) its memory plan uses against "Off-chip Flash used" / "DRAM used"
    /// (`off_chip_flash_memory_used`, `dram_memory_used`, KiB with every digit, so bytes) to the
    /// byte (on all 30 pairs): weights placed at the size of the streams the default core encodes
    /// (one per depth slice where it stages them; ``TargetKernel/storedConstantBytes``), the
    /// constants its lowering adds (MEAN's unit kernel and multiplier, softmax's tables and
    /// scalars; ``TargetKernel/addedConstantBytes``), each rounded up to 16 bytes; and its SRAM
    /// peak against "Total SRAM used"
    /// (`sram_memory_used`) to the byte (on all 30 pairs). The SRAM peak is the activation
    /// arena with Vela's live ranges (NHCWB16 feature maps at their depth rounded up to 16,
    /// ``TargetKernel/storedOutputBytes``; views and in-place elementwise outputs sharing their
    /// input's buffer; each staged pass's weight buffers, ``TargetKernel/workingBuffers``, the
    /// first filled during the previous pass's hand-over) placed by Vela's allocator
    /// (``ArenaSearch/velaHillClimb(alignment:)``).
    static func checkMemory(_ simulated: [String: Any], model: String, vela: String) throws {
        let summary = try velaSummary(vela, model)
        let offChip = vela.hasPrefix("ethos-u65") ? ("dram", "dram_memory_used") : ("flash", "off_chip_flash_memory_used")
        let levels = try #require(simulated["memoryByLevel"] as? [[String: Any]])
        func peak(_ level: String) -> Double { Double(levels.first { $0["level"] as? String == level }?["peakBytes"] as? Int ?? 0) }
        let flash = try #require(Double(summary[offChip.1] ?? "")) * 1024
        let sram = try #require(Double(summary["sram_memory_used"] ?? "")) * 1024
        let flashError = peak(offChip.0) / flash - 1, sramError = peak("sram") / sram - 1
        print("\(model) on \(vela): \(offChip.0) Kiln \(Int(peak(offChip.0))) bytes, Vela \(Int(flash)) (\(String(format: "%+.2f", 100 * flashError)) %); "
              + "SRAM Kiln \(Int(peak("sram"))), Vela \(Int(sram)) (\(String(format: "%+.2f", 100 * sramError)) %)")
        #expect(flash.rounded() == flash, "\(model) on \(vela): Vela's \(offChip.1) is not a whole number of bytes")
        #expect(Int(peak(offChip.0)) == Int(flash), "\(model) on \(vela): \(offChip.0) \(Int(peak(offChip.0))) against \(Int(flash)) bytes")
        #expect(Int(peak("sram")) == Int(sram), "\(model) on \(vela): SRAM \(Int(peak("sram"))) against \(Int(sram)) bytes")
    }

    /// Every constant Kiln stores in the off-chip area (flash on the U55, DRAM on the U65) has
    /// the size of one Vela's default core stores there, one for one, on every model and
    /// configuration: the read-only allocation `vela --verbose-allocation` prints
    /// (`Tests/Fixtures/vela/read-only`, `tools/vela/read_only_area.py`; each size rounded up to
    /// 16 bytes as Vela lays them out). Each layer's stream (a staged layer's one stream per depth
    /// slice, summed), and the constants Vela's lowering adds: a softmax's exp table, seven scalars
    /// and the zeros of its output's shape, a MEAN's unit kernel and multiplier.
    @Test(arguments: configurations)
    func offChipConstantsAreVelas(configuration: (String, String, Double)) throws {
        let (target, vela, _) = configuration
        let level = vela.hasPrefix("ethos-u65") ? "dram" : "flash"
        for model in Self.models {
            let result = runKiln(["compile", Self.modelBase(model) + ".tflite", "--target", target, "--emit", "json"])
            #expect(result.code == .success, "\(result.error)")
            let program = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
            let buffers = try #require(program["buffers"] as? [[String: Any]])
            let kiln = buffers.filter { $0["level"] as? String == level }.compactMap { $0["bytes"] as? Int }.filter { $0 > 0 }.sorted()
            let fixture = try String(contentsOf: Self.fixtures.appendingPathComponent("vela/read-only/\(vela)-\(model).txt"), encoding: .utf8)
            let stored = try fixture.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("end ") }.map { line in
                let size = try #require(Int(line.split(separator: " ")[1]))
                return (size + 15) / 16 * 16
            }
            #expect(kiln == stored.sorted(), "\(model) on \(vela): Kiln's \(level) constants \(kiln), Vela's \(stored.sorted())")
        }
    }

    /// The names of a built-in target's on-chip memory levels, read from its JSON file.
    static func onChipLevels(of target: String) throws -> Set<String> {
        let file = fixtures.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("targets/\(target).json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let memory = try #require(object["memory"] as? [[String: Any]])
        return Set(memory.compactMap { level in (level["onChip"] as? Bool) == true ? level["name"] as? String : nil })
    }
}

