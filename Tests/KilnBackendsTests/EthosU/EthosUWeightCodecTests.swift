import Foundation
import Testing
import KilnIR
import KilnTFLite
@testable import KilnBackends

/// Kiln's Ethos-U weight encoder against Vela 5.2's own codec (`mlw_codec.reorder_encode`, called
/// by `tools/vela/weight_streams.py` on every convolution, depthwise convolution and fully
/// connected layer of the fixture models, with several OFM block depths, both traversals and a
/// depth slice): every stream must be the same, byte for byte (length and CRC-32 of each
/// stream; the whole stream of one layer per model).
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
        return EthosUWeightCodec.encode(reordered)
    }

    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8", "mobilenet_v2_035_96"])
    func streamsEqualVelasCodec(model: String) throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("vela/weights/\(model).csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = try #require(lines.first)
        let rows = lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
        let layers = try Self.layers(model)
        // Vela's operators in order are Kiln's weighted nodes in order; the shapes must agree.
        var operators: [String] = []
        for row in rows where operators.last != row["operator"] { operators.append(row["operator"]!) }
        try #require(operators.count == layers.count, "\(model): \(operators.count) Vela layers, \(layers.count) Kiln layers")
        let hex = try String(contentsOf: Self.fixtures.appendingPathComponent("vela/weights/\(model).first.hex"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var comparedWhole = false, mismatches = 0
        for row in rows {
            let weights = layers[operators.firstIndex(of: row["operator"]!)!]
            let shape = [weights.outputDepth, weights.height, weights.width, weights.inputDepth].map(String.init).joined(separator: "x")
            #expect(shape == row["shape"], "\(model) operator \(row["operator"]!): shape \(shape)")
            let bytes = Self.stream(weights, row)
            let ok = bytes.count == Int(row["bytes"]!) && Self.crc32(bytes) == UInt32(row["crc32"]!)
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
}
