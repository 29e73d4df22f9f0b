import Testing
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnQuantizer

/// Weights-only quantization of the shipped digits CNNs, measured with the reference interpreter on
/// the 540-image test split against the float model and against full integer quantization.
@Suite struct WeightsOnlyQuantizationTests {
    static func run(_ name: String, _ format: WeightOnlyFormat, perChannel: Bool = true) throws -> (float: Int, quantized: Int, result: QuantizationResult) {
        var options = QuantizationOptions(perChannelWeights: perChannel)
        options.weightsOnly = format
        return try DigitsQuantizationTests.quantize(name, options)
    }

    /// On the CNN, FP16 and BF16 weights lose at most one image against float and FP8 (per-channel
    /// scale onto the largest finite value) at most one point; every layer's SQNR orders by mantissa
    /// bits (E5M2 2 < E4M3 3 < BF16 7 < FP16 10).
    @Test func floatWeightFormatsOnTheCNN() throws {
        let allowedLoss = ["f8e5m2": 5, "f8e4m3": 5, "bf16": 1, "f16": 1]
        var sqnr: [[Double]] = []
        for name in ["f8e5m2", "f8e4m3", "bf16", "f16"] {
            let (float, quantized, result) = try Self.run("cnn", try #require(WeightOnlyFormat(name: name)))
            print("cnn weights-only \(name): \(quantized)/540 (float \(float)/540)")
            #expect(quantized >= float - allowedLoss[name]!, "\(name)")
            #expect(!result.layers.isEmpty && result.layers.allSatisfy { $0.form == .weightsOnly })
            for layer in result.layers {
                #expect(layer.weightType?.elementType == ElementType(name: name))
                #expect(layer.outputType.elementType == .float32)
            }
            // Every weight is a constant of the format feeding a dequantize; activations stay float.
            #expect(result.graph.nodes.filter { $0.kind == .dequantize }.count == result.layers.count)
            sqnr.append(result.layers.map(\.signalToQuantizationNoiseRatio))
        }
        for layer in sqnr[0].indices {
            #expect(sqnr[0][layer] > 15 && sqnr[0][layer] < sqnr[1][layer] && sqnr[1][layer] < sqnr[2][layer]
                        && sqnr[2][layer] < sqnr[3][layer], "layer \(layer): \(sqnr.map { $0[layer] })")
        }
    }

    /// Weight-only int4 loses less than full int4 (weights and activations) on the depthwise CNN.
    @Test func weightsOnlyInt4BeatsFullInt4() throws {
        let weightsOnly = try Self.run("dscnn_residual", .integer(bits: 4))
        let full = try DigitsQuantizationTests.quantize("dscnn_residual", QuantizationOptions(weightBits: 4, activationBits: 4))
        print("dscnn_residual int4 weights-only \(weightsOnly.quantized)/540, full int4 \(full.quantized)/540, float \(full.float)/540")
        #expect(weightsOnly.quantized > full.quantized)
    }

    /// On the MLP: residual 4-bit (two 4-bit codes) beats one 4-bit code and ternary beats binary
    /// on every layer's SQNR; the codes are what the formats allow, and the residual weight the
    /// interpreter computes is exactly `s₁ q₁ + s₂ q₂` in float32.
    @Test func residualTernaryAndBinaryWeights() throws {
        var sqnr: [String: [Double]] = [:]
        var graphs: [String: Graph] = [:]
        for name in ["i4", "r4", "bin", "ternary"] {
            let (_, _, result) = try Self.run("mlp", try #require(WeightOnlyFormat(name: name)))
            sqnr[name] = result.layers.map(\.signalToQuantizationNoiseRatio)
            graphs[name] = result.graph
        }
        for layer in sqnr["i4"]!.indices {
            #expect(sqnr["r4"]![layer] > sqnr["i4"]![layer] + 10)
            #expect(sqnr["ternary"]![layer] > sqnr["bin"]![layer])
        }
        let ternaryCodes = graphs["ternary"]!.constants.values.filter { $0.type.elementType == .integer(bits: 2, signed: true) }
        #expect(ternaryCodes.count == 2 && ternaryCodes.allSatisfy { Set($0.codes!).isSubset(of: [-1, 0, 1]) && Set($0.codes!).contains(0) })
        #expect(graphs["bin"]!.constants.values.filter { $0.type.elementType == .binary }.count == 2)

        let residual = graphs["r4"]!
        let sum = try #require(residual.nodes.first { $0.kind == .add })
        let first = residual.constants[sum.inputs[0].replacingOccurrences(of: "_real", with: "")]!
        let second = residual.constants[sum.inputs[1].replacingOccurrences(of: "_real", with: "")]!
        var probe = residual
        probe.outputs = [sum.outputs[0]]
        let weight = try ReferenceInterpreter(graph: probe).run(Dictionary(uniqueKeysWithValues: residual.inputs.map {
            ($0, Tensor(shape: residual.types[$0]!.shape, floats: [Float](repeating: 0, count: residual.types[$0]!.shape.reduce(1, *))))
        }))[0]
        #expect(weight.floats == zip(first.realValues, second.realValues).map { $0 + $1 })
    }
}
