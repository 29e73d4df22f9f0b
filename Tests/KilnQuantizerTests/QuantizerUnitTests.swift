import Foundation
import Testing
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnDiagnostics
import KilnNumerics
@testable import KilnQuantizer

/// Exact checks of the pieces of post-training quantization, with hand-computed values.
@Suite struct QuantizerUnitTests {
    @Test func biasRoundsHalfToEvenAtInputTimesWeightScale() throws {
        // sx = 0.5, sw = [0.25, 1]: bias scales 0.125 and 0.5 (exact in float32).
        let weights = Tensor(shape: [2, 1], elementType: .int8, codes: [1, 1],
                             quantization: QuantizationParameters(scales: [0.25, 1], zeroPoints: [0, 0], axis: 0))
        let bias = WeightQuantizer.bias(Tensor(shape: [2], floats: [0.3125, 1.25]), inputScale: 0.5, weights: weights)
        // 0.3125 / 0.125 = 2.5 → 2 (ties to even); 1.25 / 0.5 = 2.5 → 2.
        #expect(bias.codes == [2, 2])
        #expect(bias.type.quantization == QuantizationParameters(scales: [0.125, 0.5], zeroPoints: [0, 0], axis: 0))
        let odd = WeightQuantizer.bias(Tensor(shape: [2], floats: [0.4375, -1.75]), inputScale: 0.5, weights: weights)
        // 3.5 → 4; −3.5 → −4.
        #expect(odd.codes == [4, -4])
        #expect(WeightQuantizer.roundedCode(1e12) == Int32.max && WeightQuantizer.roundedCode(.nan) == 0)
    }

    @Test func thresholdMakesSignExactForIntegerAccumulators() {
        // α = 0.5, b = 1.2: sign(0.5·acc + 1.2) ≥ 0 ⟺ acc ≥ −2.4 ⟺ acc ≥ −2.
        #expect(BinaryThreshold(bias: 1.2, accumulatorScale: 0.5, accumulatorBound: 100).threshold == -2)
        // b = −1.5, α = 0.5: acc ≥ 3 exactly (0.5·3 − 1.5 = 0 → sign +1).
        #expect(BinaryThreshold(bias: -1.5, accumulatorScale: 0.5, accumulatorBound: 100).threshold == 3)
        // Negative scale: the channel's weights are negated, α becomes 0.5: threshold 3, negated.
        let negative = BinaryThreshold(bias: -1.5, accumulatorScale: -0.5, accumulatorBound: 100)
        #expect(negative.threshold == 3 && negative.negatesWeights)
        // Brute force: for every accumulator, the threshold agrees with the float sign.
        for (bias, scale) in [(0.37, 0.011), (-2.9, 0.3), (5.0, 0.25), (-0.001, 0.004)] {
            let threshold = BinaryThreshold(bias: bias, accumulatorScale: scale, accumulatorBound: 1000).threshold
            for acc in -1000...1000 {
                #expect((Double(acc) * scale + bias >= 0) == (acc >= threshold), "acc \(acc) bias \(bias) scale \(scale)")
            }
        }
        // Clamped just outside the reachable accumulators; a zero scale follows the bias.
        #expect(BinaryThreshold(bias: 1e9, accumulatorScale: 1e-3, accumulatorBound: 10).threshold == -11)
        #expect(BinaryThreshold(bias: -1, accumulatorScale: 0, accumulatorBound: 10).threshold == 11)
    }

    @Test func binaryWeightsTakeTheMagnitudeAsAPositiveScale() throws {
        // Channel 0: ±0.5; channel 1: ±1·(−2) (a negative folded factor) gives codes sign(w), scale 2.
        let weights = Tensor(shape: [2, 1, 1, 2], floats: [0.5, -0.5, -2, 2])
        let binary = try #require(WeightQuantizer.binaryWeights(weights, channelAxis: 0))
        #expect(binary.type.elementType == .binary)
        #expect(binary.codes == [1, -1, -1, 1])
        #expect(binary.type.quantization?.scales == [0.5, 2])
        #expect(WeightQuantizer.binaryWeights(Tensor(shape: [1, 2], floats: [0.5, 0.25]), channelAxis: 0) == nil)
        #expect(WeightQuantizer.binaryWeights(Tensor(shape: [1, 2], floats: [0.5, 0]), channelAxis: 0) == nil)
    }

    @Test func perChannelAndPerTensorScales() throws {
        let weights = Tensor(shape: [2, 2], floats: [1.27, -0.5, 0.254, 0.1])
        let perChannel = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: 0, bits: 8)
        #expect(perChannel.type.quantization?.scales == [Float(1.27 / 127), Float(0.254 / 127)])
        #expect(perChannel.codes == [127, -50, 127, 50])
        let perTensor = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: nil, bits: 8)
        #expect(perTensor.type.quantization == QuantizationParameters(scale: Float(1.27 / 127)))
        #expect(perTensor.codes == [127, -50, 25, 10])
        // Dense weights [K, N] are per column (axis 1); 4 bits give ±7.
        let columns = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: 1, bits: 4)
        #expect(columns.type.quantization?.scales == [Float(1.27 / 7), Float(0.5 / 7)])
        #expect(columns.codes == [7, -7, 1, 1])
    }

    /// x → dense → relu → dense: the relu folds into the first dense's zero point (the lowest code).
    static func tinyMLP() throws -> Graph {
        var builder = GraphBuilder(name: "tiny")
        let x = builder.input("x", .float32([1, 4]))
        let h = try builder.node(.dense, [x, builder.constant("w1", Tensor(shape: [4, 3], floats: (0..<12).map { Float($0 % 5) * 0.1 - 0.2 })),
                                          builder.constant("b1", Tensor(shape: [3], floats: [0.1, -0.3, 0.05]))], name: "fc1")
        let r = try builder.node(.relu, [h], name: "relu1")
        let y = try builder.node(.dense, [r, builder.constant("w2", Tensor(shape: [3, 2], floats: [0.5, -0.25, 0.75, 1, -1, 0.5]))],
                                 name: "fc2", outputs: ["y"])
        builder.output(y)
        return try builder.build()
    }

    static func calibration() -> [String: Tensor] {
        ["x": Tensor(shape: [8, 4], floats: (0..<32).map { Float(($0 * 7) % 11) / 10 - 0.3 })]
    }

    @Test func reluFoldsIntoTheZeroPoint() throws {
        let result = try PostTrainingQuantizer().quantize(Self.tinyMLP(), calibration: Self.calibration())
        #expect(result.graph.nodes.map(\.kind) == [.quantize, .dense, .dense, .dequantize])
        let hidden = try #require(result.graph.types["relu1"])
        #expect(hidden.elementType == .uint8 && hidden.quantization?.zeroPoints == [0])
        #expect(result.layers.first?.fusedActivation == .relu)
        #expect(result.graph.outputs == ["y"] && result.graph.types["y"]?.elementType == .float32)
        // Symmetric activations: int8 with zero point 0, so relu stays as a clamp on codes.
        var options = QuantizationOptions()
        options.symmetricActivations = true
        let symmetric = try PostTrainingQuantizer(options: options).quantize(Self.tinyMLP(), calibration: Self.calibration())
        #expect(symmetric.graph.nodes.map(\.kind) == [.quantize, .dense, .relu, .dense, .dequantize])
        #expect(symmetric.graph.types["fc1"]?.elementType == .int8)
    }

    @Test func quantizedGraphRoundTripsThroughTheModelFile() throws {
        let result = try PostTrainingQuantizer().quantize(Self.tinyMLP(), calibration: Self.calibration())
        let decoded = try KilnModelFile.decode(Array(KilnModelFile.encode(result.graph).utf8), file: "tiny.json")
        #expect(decoded == result.graph)
        let sample = ["x": Tensor(shape: [1, 4], floats: [0.1, 0.5, -0.2, 0.7])]
        #expect(try ReferenceInterpreter(graph: decoded).run(sample) == (try ReferenceInterpreter(graph: result.graph).run(sample)))
    }

    @Test func pruningReachesTheExactSparsity() throws {
        // 12 + 6 weights, none near zero: ⌊0.5·12⌋ = 6 and ⌊0.5·6⌋ = 3 zeros, also as codes.
        var builder = GraphBuilder(name: "prune")
        let x = builder.input("x", .float32([1, 4]))
        let h = try builder.node(.dense, [x, builder.constant("w1", Tensor(shape: [4, 3], floats: (1...12).map { Float($0) * ($0 % 2 == 0 ? 1 : -1) }))], name: "fc1")
        let y = try builder.node(.dense, [h, builder.constant("w2", Tensor(shape: [3, 2], floats: [3, -1, 4, -1, 5, -9]))], name: "fc2")
        builder.output(y)
        let graph = try builder.build()
        let pruned = try PruneWeightsPass(pruning: WeightPruning(sparsity: 0.5)).run(on: graph)
        #expect(pruned.constants["w1"]?.floats == [0, 0, 0, 0, 0, 0, -7, 8, -9, 10, -11, 12])
        #expect(pruned.constants["w2"]?.floats == [0, 0, 4, 0, 5, -9])
        let options = QuantizationOptions(pruning: WeightPruning(sparsity: 0.5))
        let result = try PostTrainingQuantizer(options: options)
            .quantize(graph, calibration: ["x": Tensor(shape: [2, 4], floats: [1, 2, 3, 4, -1, 0.5, 2, 1])])
        #expect(result.layers.map(\.weightSparsity) == [0.5, 0.5])
        // Output channels: ⌊0.5·3⌋ = 1 column of w1 (the smallest L2 norm: column 0, |1,4,7,10|).
        let structured = try PruneWeightsPass(pruning: WeightPruning(sparsity: 0.5, granularity: .outputChannels)).run(on: graph)
        #expect(structured.constants["w1"]?.floats == [0, 2, -3, 0, -5, 6, 0, 8, -9, 0, -11, 12])
    }

    @Test func invalidOptionsAndCalibrationAreFindings() throws {
        for options in [QuantizationOptions(weightBits: 1), QuantizationOptions(activationBits: 9),
                        QuantizationOptions(pruning: WeightPruning(sparsity: 1.5))] {
            #expect(throws: DiagnosticError.self) { try PostTrainingQuantizer(options: options).quantize(Self.tinyMLP(), calibration: Self.calibration()) }
        }
        do {
            _ = try PostTrainingQuantizer().quantize(Self.tinyMLP(), calibration: ["x": Tensor(shape: [8, 5], floats: Array(repeating: 0, count: 40))])
            Issue.record("a wrong calibration shape must fail")
        } catch {
            #expect("\(error)".contains("tensor 'x'") && "\(error)".contains("expected [N, 4]"))
        }
        #expect(throws: DiagnosticError.self) { try PostTrainingQuantizer().quantize(Self.tinyMLP(), calibration: [:]) }
    }

    @Test func signalToNoiseAccumulatorMatchesErrorMetrics() throws {
        let reference: [Float] = [1, -2, 3, 0.5, 4], approximation: [Float] = [1.1, -2, 2.9, 0.5, 3.5]
        var accumulator = ErrorAccumulator()
        accumulator.add(reference: Array(reference[..<2]), approximation: Array(approximation[..<2]))
        accumulator.add(reference: Array(reference[2...]), approximation: Array(approximation[2...]))
        let metrics = try ErrorMetrics(reference: reference, approximation: approximation)
        #expect(abs(accumulator.decibels - metrics.signalToQuantizationNoiseRatio) < 1e-9)
    }
}
