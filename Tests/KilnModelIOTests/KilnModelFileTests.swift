import Foundation
import Testing
import KilnDiagnostics
import KilnIR
import KilnNumerics
@testable import KilnModelIO

@Suite struct KilnModelFileTests {
    /// A quantized graph that uses per-axis parameters, attributes of several kinds and every
    /// storage kind.
    static func quantizedGraph() throws -> Graph {
        var builder = GraphBuilder(name: "round-trip")
        let x = builder.input("x", .quantized([1, 2, 5, 5], .uint8, scale: 0.02, zeroPoint: 128))
        let w = builder.constant("w", Tensor(shape: [3, 2, 3, 3], elementType: .int8, codes: (0..<54).map { Int32($0 % 255 - 127) },
                                             quantization: QuantizationParameters(scales: [0.1, 0.2, 0.30000001], zeroPoints: [0, 0, 0], axis: 0)))
        let b = builder.constant("b", Tensor(shape: [3], elementType: .int32, codes: [-5, 0, 70000]))
        let c = try builder.node(.conv2d(Convolution(strides: [2, 1], pads: [1, 1, 1, 1])), [x, w, b], name: "conv",
                                 outputTypes: [.quantized([1, 3, 3, 5], .uint8, scale: 0.05, zeroPoint: 3)],
                                 requantization: .fixedPointMultiplier)
        let r = try builder.node(.relu, [c], name: "relu")
        let p = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [1, 2], ceilMode: true)), [r], name: "pool")
        let d = try builder.node(.dequantize, [p], name: "dq")
        let s = try builder.node(.softmax(axis: -1), [d], name: "softmax")
        let k = try builder.node(.clip(minimum: nil, maximum: 0.125), [s], name: "clip")
        builder.output(k)
        return try builder.build()
    }

    @Test func roundTripsExactly() throws {
        let graph = try Self.quantizedGraph()
        let text = KilnModelFile.encode(graph)
        let decoded = try KilnModelFile.decode(Array(text.utf8), file: "m.json")
        #expect(decoded == graph)
        #expect(KilnModelFile.encode(decoded) == text)
    }

    func findings(_ text: String) -> [String] {
        do {
            _ = try KilnModelFile.decode(Array(text.utf8), file: "m.json")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func malformedFilesNameThePlace() throws {
        let good = KilnModelFile.encode(try Self.quantizedGraph())
        #expect(findings("") .first?.hasPrefix("m.json: error:") == true)
        #expect(findings(good.replacingFirst("\"kilnModel\": 1", with: "\"kilnModel\": 2"))
            == ["m.json: error: at kilnModel: this Kiln reads model format version 1, the file has version 2"])
        #expect(findings(good.replacingFirst("\"op\": \"relu\"", with: "\"op\": \"relux\"")).first?
            .hasPrefix("m.json: error: at nodes[1].op: unknown value 'relux'") == true)
        #expect(findings(good.replacingFirst("\"groups\": 1", with: "\"groups\": 0"))
            == ["m.json: error: at nodes[0].attributes.groups: expected an integer from 1 to 2147483647, got 0"])
        #expect(findings(good.replacingFirst("\"elementType\": \"u8\"", with: "\"elementType\": \"u9x\"")).first
            == "m.json: error: at inputs[0].type.elementType: unknown element type 'u9x'; expected f32, i2…i32, u2…u32, i64, bool, bin or qN / qM.N")
        #expect(findings(good.replacingFirst("\"ceilMode\": true", with: "\"ceilMode\": true, \"ceilmode\": true")).first?
            .contains("at nodes[2].attributes.ceilmode: unknown key 'ceilmode'") == true)
        // A code outside the element type's range.
        #expect(findings(good.replacingFirst("70000", with: "1e99")).first?.contains("at constants[0].values[2]") == true)
        // A graph-level problem after decoding names the node.
        var broken = try Self.quantizedGraph()
        broken.nodes[1].inputs = ["nothing"]
        #expect(findings(KilnModelFile.encode(broken))
            == ["m.json: error: at node 'relu' (relu): input 0 'nothing' is not defined before this node"])
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
