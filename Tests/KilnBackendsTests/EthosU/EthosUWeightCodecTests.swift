import Foundation
import Testing
import KilnIR
import KilnTFLite
@testable import KilnBackends

/// Kiln's Ethos-U weight encoders against Vela 5.2's own, on every convolution, depthwise
/// convolution and fully connected layer of the fixture models: the Python core's codec
/// (`mlw_codec.reorder_encode`, called by `tools/vela/weight_streams.py` with several OFM block
/// depths, both traversals and a depth slice) and the default core's (`ml_encode_ethosu_stream`
/// of `ethosu/regor`, called by `tools/vela/regor_weight_streams.py` on the same sweep and on each
/// layer as Vela's default core compiles it for each of the six configurations). Every stream
/// must be the same, byte for byte (length and CRC-32 of each stream; the whole stream of one
/// layer per model).
@Suite struct EthosUWeightCodecTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let models = ["kws_ref_model": "mlperf", "pretrainedResnet_quant": "mlperf", "vww_96_int8": "mlperf",
                         "ad01_int8": "mlperf", "mobilenet_v2_035_96": "mobilenet"]

    /// The weighted layers of a model, in graph order, as the Ethos-U lowering reads them.
    static func layers(_ model: String) throws -> [EthosUWeights] {
        let url = fixtures.appendingPathComponent("tflite/\(models[model]!)/\(model).tflite")
        let graph = try TFLiteImporter().importGraph(contentsOf: url)
        return graph.nodes.compactMap { node -> EthosUWeights? in
            switch node.operation {
            case .conv2d(let convolution):
                EthosUPassMapping.velaWeights(node, in: graph, depthwise: convolution.groups > 1, hasScales: true)
            case .dense: EthosUPassMapping.velaWeights(node, in: graph, depthwise: false, hasScales: true)
            default: nil
            }
        }
    }

    /// The IEEE CRC-32 (zlib's `crc32`).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func stream(_ weights: EthosUWeights, _ row: [String: String]) -> [UInt8] {
        let channels = Int(row["ofm_start"]!)!..<Int(row["ofm_end"]!)!
        let reordered = weights.reorder(channels: channels, ofmBlockDepth: Int(row["block_depth"]!)!, partKernel: row["part_kernel"] == "1",
                                        ifmMicroDepth: 8, ofmMicroDepth: 8, subKernelHeight: 8, subKernelWidth: 8)
        return EthosUWeightCodec.encode(reordered, core: .python)
    }

    /// The rows of a fixture CSV as dictionaries by column.
    static func rows(_ file: String) throws -> [[String: String]] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("vela/weights/\(file)"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// An integer column of a fixture row.
    static func int(_ row: [String: String], _ column: String) throws -> Int {
        try #require(row[column].flatMap { Int($0) }, "column \(column) of \(row)")
    }

    /// The Kiln target of each configuration `tools/vela/run_vela.py` names.
    static let targets = ["ethos-u55-32": "ethos-u55-32-corstone300", "ethos-u55-64": "ethos-u55-64-corstone300",
                          "ethos-u55-128": "ethos-u55-128-corstone300", "ethos-u55-256": "ethos-u55-256-corstone300",
                          "ethos-u65-256": "ethos-u65-256", "ethos-u65-512": "ethos-u65-512"]

    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"])
    func streamsEqualVelasCodec(model: String) throws {
        let rows = try Self.rows("\(model).csv")
        try Self.compareStreams(model, rows: rows, hexFile: "\(model).first.hex") { weights, row in Self.stream(weights, row) }
    }

    /// One core's stream of a `.regor.csv` row, encoded by Kiln's default-core encoder.
    static func regorStream(_ weights: EthosUWeights, _ row: [String: String]) throws -> [UInt8] {
        let channels = try int(row, "ofm_start")..<int(row, "ofm_end")
        let cores = try int(row, "cores"), core = try int(row, "core")
        let own = weights.coreWeights(channels, core: core, cores: cores)
        let blockDepth = EthosUWeights.coreBlockDepth(try int(row, "block_depth"), core: core, cores: cores)
        let reordered = own.reorder(channels: 0..<own.outputDepth, ofmBlockDepth: blockDepth, partKernel: row["part_kernel"] == "1",
                                    ifmMicroDepth: 8, ofmMicroDepth: try int(row, "ofm_micro_depth"),
                                    subKernelHeight: 8, subKernelWidth: 8)
        return EthosUWeightCodec.encode(reordered, core: .regor)
    }

    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"])
    func streamsEqualTheDefaultCoresEncoder(model: String) throws {
        let rows = try Self.rows("\(model).regor.csv")
        #expect(Set(rows.map { $0["configuration"] ?? "" }).count == 7, "\(model): the sweep and six configurations")
        try Self.compareStreams(model, rows: rows, hexFile: "\(model).regor.first.hex", encode: Self.regorStream)
    }

    /// Every fixture row's stream (`encode`) against its length and CRC-32, and the first stream
    /// as long as `hexFile` against its bytes. The weighted layers are numbered by Vela's
    /// operator indices in the order the rows first list them (the sweep's, where there is one).
    static func compareStreams(_ model: String, rows: [[String: String]], hexFile: String,
                               encode: (EthosUWeights, [String: String]) throws -> [UInt8]) throws {
        let layers = try Self.layers(model)
        // Vela's operators in order are Kiln's weighted nodes in order; the shapes must agree.
        var operators: [String] = []
        for row in rows where row["configuration"] ?? "sweep" == "sweep" && operators.last != row["operator"] {
            operators.append(row["operator"]!)
        }
        try #require(operators.count == layers.count, "\(model): \(operators.count) Vela layers, \(layers.count) Kiln layers")
        let hex = try String(contentsOf: fixtures.appendingPathComponent("vela/weights/\(hexFile)"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var comparedWhole = false, mismatches = 0
        for row in rows {
            let layer = try #require(operators.firstIndex(of: row["operator"]!))
            let weights = layers[layer]
            let shape = [weights.outputDepth, weights.height, weights.width, weights.inputDepth].map(String.init).joined(separator: "x")
            #expect(shape == row["shape"], "\(model) operator \(row["operator"]!): shape \(shape)")
            let bytes = try encode(weights, row)
            let ok = bytes.count == Int(row["bytes"]!) && crc32(bytes) == UInt32(row["crc32"]!)
            if !ok { mismatches += 1 }
            #expect(ok, "\(model) \(row): Kiln \(bytes.count) bytes")
            if !comparedWhole, bytes.count * 2 == hex.count {
                #expect(bytes.map { String(format: "%02x", $0) }.joined() == hex, "\(model): the whole stream")
                comparedWhole = true
            }
        }
        #expect(comparedWhole, "\(model): the hex stream was compared")
        #expect(mismatches == 0)
    }

    /// A synthetic stream of `tools/vela/regor_codec_cases.py`: `count` values of `kind` from a
    /// 64-bit linear congruential generator (Knuth's MMIX constants) started at `seed`.
    static func syntheticStream(_ kind: String, seed: UInt64, count: Int) -> [Int16] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Int(state >> 33)
            let segments = ["sparse", "uniform", "palette", "runs"]
            switch kind == "segments" ? segments[(i / 700) % 4] : kind {
            case "sparse": return r % 8 < 6 ? 0 : Int16((r >> 3) % 15 - 7)
            case "constant": return 5
            case "uniform": return Int16(r % 511 - 255)
            case "palette": return [-3, 0, 7, 12, -40][r % 5]
            case "isolated": return i % 2 == 1 ? 0 : Int16(r % 5 + 1)
            case "runs": return r % 1000 < 3 ? Int16((r >> 10) % 255 + 1) : 0
            case "fivefold": return i % 6 == 0 ? 3 : 0
            case "runswitch": return (i / 2000) % 2 == 1 || i % 31 == 0 ? Int16(r % 100 + 1) : 0
            case "half": return i % 2 == 0 ? Int16((i / 2) % 32 + 1) : Int16((40 + r % 200) * ((r >> 8) & 1 == 1 ? -1 : 1))
            default: return 0  // zeros
            }
        }
    }

    /// The default core's encoder on the corners real layers may miss (all zeros, one value, a
    /// small palette, the full range, isolated zeros, zeros exactly 5× the next value, a palette
    /// covering exactly half, long zero runs, runs of 30 zeros and of none by turns, switching
    /// segments; 1 to
    /// 140,000 values, past one 128 Ki section and the 32,767-value slice), against
    /// `ml_encode_ethosu_stream` itself.
    @Test func syntheticStreamsEqualTheDefaultCoresEncoder() throws {
        let rows = try Self.rows("synthetic.regor.csv")
        #expect(rows.count == 88)
        for row in rows {
            let values = Self.syntheticStream(row["kind"]!, seed: UInt64(try Self.int(row, "seed")), count: try Self.int(row, "count"))
            let bytes = EthosUWeightCodec.encode(values, core: .regor)
            #expect(bytes.count == Int(row["bytes"]!) && Self.crc32(bytes) == UInt32(row["crc32"]!), "\(row): Kiln \(bytes.count) bytes")
        }
    }

    /// What the cost model charges per layer: Kiln's `encodedBytes` for the built-in target
    /// (default core, the target's micro-blocks and cores) over the depth slices Vela's default core
    /// cut, against the layer's figures in Vela's debug database: the largest slice against
    /// `weight_max_range_bytes` (every core's scale records and stream), the sum against
    /// `weight_total_bytes` (the streams alone) plus the scale records (10 bytes per channel, each
    /// core's padded to 16 bytes).
    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"])
    func layerTotalsEqualVelasDebugDatabase(model: String) throws {
        let layers = try Self.layers(model)
        let operators = try Self.rows("\(model).regor.csv").filter { $0["configuration"] == "sweep" }.map { $0["operator"]! }
        let order = operators.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        for row in try Self.rows("\(model).regor-layers.csv") {
            let name = try #require(Self.targets[row["configuration"]!])
            let target = try #require(BuiltInTargets.catalog.target(named: name))
            let section = try #require(target.section(EthosUSection.self))
            #expect(section.core == .regor)
            let layer = try #require(order.firstIndex(of: row["operator"]!))
            let weights = layers[layer]
            let slices = row["depth_slices"]!.split(separator: "|").compactMap { Int($0) }
            var kiln = 0, largest = 0, scales = 0
            for (start, end) in zip(slices, slices.dropFirst()) {
                let bytes = weights.encodedBytes(channels: start..<end, ofmBlockDepth: try Self.int(row, "block_depth"),
                                                 partKernel: row["part_kernel"] == "1", section: section, dilationHeight: 1, dilationWidth: 1)
                kiln += bytes
                largest = max(largest, bytes)
                let cores = min(section.cores.value, end - start)
                for core in 0..<cores { scales += roundUp(10 * ((end - start + cores - 1 - core) / cores), 16) }
            }
            let vela = try Self.int(row, "weight_total_bytes"), velaLargest = try Self.int(row, "weight_max_range_bytes")
            #expect(kiln == scales + vela, "\(model) \(row): Kiln \(kiln - scales) bytes of weights")
            #expect(largest == velaLargest, "\(model) \(row): Kiln's largest slice \(largest) bytes")
        }
    }
}
