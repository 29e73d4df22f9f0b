import Foundation
import Testing
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// The reference interpreter's main operators on hand-sized inputs. Every expected value is
/// worked out in the comment beside it from the semantics in `docs/numerics.md` (ONNX Runtime's
/// QLinear* operators, TFLite's fixed-point requantization).
@Suite struct ReferenceOperatorTests {
    /// Runs a one-output graph built by `build` on `inputs`.
    static func run(_ inputs: [String: Tensor], _ build: (inout GraphBuilder) throws -> String) throws -> Tensor {
        var builder = GraphBuilder(name: "case")
        builder.output(try build(&builder))
        return try ReferenceInterpreter(graph: try builder.build()).run(inputs)[0]
    }

    /// Grouped convolution with padding 1 and stride 2: a 3×3 input padded to 5×5 gives 2×2
    /// windows at padded (0,0), (0,2), (2,0), (2,2). The input zero point is 1, so the codes are
    /// the values plus 1 and padding contributes 0.
    @Test func convolutionWithPaddingStrideAndGroups() throws {
        let x = Tensor(shape: [1, 2, 3, 3], elementType: .uint8, codes: (2...10).map(Int32.init) + [Int32](repeating: 2, count: 9))
        let output = try Self.run(["x": x]) { builder in
            let input = builder.input("x", .quantized([1, 2, 3, 3], .uint8, scale: 1, zeroPoint: 1))
            let w = builder.constant("w", Tensor(shape: [2, 1, 2, 2], elementType: .int8, codes: [1, 0, 0, 1, 1, 1, 1, 1],
                                                 quantization: QuantizationParameters(scale: 1)))
            return try builder.node(.conv2d(Convolution(strides: [2, 2], pads: [1, 1, 1, 1], groups: 2)), [input, w], name: "conv")
        }
        // Group 0, x = [1 2 3; 4 5 6; 7 8 9], w = [1 0; 0 1]: a window's value is
        // padded(r, c) + padded(r+1, c+1) → 0+1, 0+3, 0+7, 5+9.
        // Group 1, x all 1, w all 1: the real taps per window → 1, 2, 2, 4.
        #expect(output.shape == [1, 2, 2, 2])
        #expect(output.codes == [1, 3, 7, 14, 1, 2, 2, 4])
    }

    /// A quantized dense layer, float-scale rule: multiplier 0.5 · 1 / 1 = 0.5 in float32.
    @Test func denseRequantizesHalfToEvenAndSaturates() throws {
        let output = try Self.run(["x": Tensor(shape: [1, 2], elementType: .uint8, codes: [1, 2])]) { builder in
            let x = builder.input("x", .quantized([1, 2], .uint8, scale: 0.5))
            let w = builder.constant("w", Tensor(shape: [2, 3], elementType: .int8, codes: [1, 3, -10, 2, 2, -10],
                                                 quantization: QuantizationParameters(scale: 1)))
            return try builder.node(.dense, [x, w], name: "fc", outputTypes: [.quantized([1, 3], .uint8, scale: 1)])
        }
        // acc = [1·1 + 2·2, 1·3 + 2·2, −10 − 20] = [5, 7, −30]; × 0.5 = 2.5 → 2, 3.5 → 4 (ties to
        // even), −15 → saturates to 0.
        #expect(output.codes == [2, 4, 0])
    }

    /// `requantize` from scale 1 to scale 2 (multiplier 0.5) under both rules: float scale
    /// rounds ties to even; TFLite's fixed-point multiplier (M = 2^30, shift 0) rounds the
    /// doubling high multiply with ties toward +∞.
    @Test(arguments: [(RequantizationRule.floatScale, [Int32]([0, 2, 2, 0, -2])),
                      (RequantizationRule.fixedPointMultiplier, [Int32]([1, 2, 3, 0, -1]))])
    func requantizeTies(rule: RequantizationRule, expected: [Int32]) throws {
        let output = try Self.run(["x": Tensor(shape: [5], elementType: .int8, codes: [1, 3, 5, -1, -3])]) { builder in
            let x = builder.input("x", .quantized([5], .int8, scale: 1))
            return try builder.node(.requantize, [x], name: "rq", outputTypes: [.quantized([5], .int8, scale: 2)], requantization: rule)
        }
        // Halves: 0.5, 1.5, 2.5, −0.5, −1.5.
        #expect(output.codes == expected)
    }

    /// Quantized add (QLinearAdd as ONNX Runtime's AVX2 kernel computes it): the zero points folded
    /// into one constant `k = zC − (rA·zA + rB·zB)`, then `fma(a, rA, fma(b, rB, k))` rounded half to
    /// even. Where the real sum divided by sC is a tie before zC is added, ORT rounds after adding it.
    @Test func quantizedAdd() throws {
        let inputs = ["a": Tensor(shape: [4], elementType: .uint8, codes: [10, 13, 0, 255]),
                      "b": Tensor(shape: [4], elementType: .uint8, codes: [2, 6, 255, 255])]
        let output = try Self.run(inputs) { builder in
            let a = builder.input("a", .quantized([4], .uint8, scale: 0.5, zeroPoint: 10))
            let b = builder.input("b", .quantized([4], .uint8, scale: 0.25))
            return try builder.node(.add, [a, b], name: "add", outputTypes: [.quantized([4], .uint8, scale: 0.5, zeroPoint: 5)])
        }
        // rA = 0.5 / 0.5 = 1, rB = 0.25 / 0.5 = 0.5, k = 5 − (1·10 + 0.5·0) = −5;
        // a + 0.5·b − 5 = [6, 11, 122.5 → 122, 372.5 → 372 → 255]. Dequantize-add-quantize would give
        // 117.5 → 118, + 5 = 123 for the third element.
        #expect(output.codes == [6, 11, 122, 255])
    }

    /// Quantized mul (QLinearMul): products of the dequantized operands, quantized to the output.
    @Test func quantizedMul() throws {
        let inputs = ["a": Tensor(shape: [4], elementType: .int8, codes: [3, -3, 127, 1]),
                      "b": Tensor(shape: [4], elementType: .int8, codes: [1, 3, 127, 1])]
        let output = try Self.run(inputs) { builder in
            let a = builder.input("a", .quantized([4], .int8, scale: 0.5))
            let b = builder.input("b", .quantized([4], .int8, scale: 0.5))
            return try builder.node(.mul, [a, b], name: "mul", outputTypes: [.quantized([4], .int8, scale: 0.5)])
        }
        // [1.5·0.5, −1.5·1.5, 63.5·63.5, 0.5·0.5] = [0.75, −2.25, 4032.25, 0.25]; / 0.5 =
        // [1.5 → 2, −4.5 → −4, 8064.5 → 127 (saturated), 0.5 → 0].
        #expect(output.codes == [2, -4, 127, 0])
    }

    /// Average pooling 2×2, stride 1, padding at the bottom and right: the divisor counts padded
    /// taps only with `countIncludePad`.
    @Test(arguments: [(false, [Int32]([2, 3, 4, 4])), (true, [Int32]([2, 2, 2, 1]))])
    func averagePoolCountIncludePad(includePad: Bool, expected: [Int32]) throws {
        let output = try Self.run(["x": Tensor(shape: [1, 1, 2, 2], elementType: .uint8, codes: [1, 2, 3, 4])]) { builder in
            let x = builder.input("x", .quantized([1, 1, 2, 2], .uint8, scale: 1))
            let window = Pooling(kernel: [2, 2], pads: [0, 0, 1, 1], countIncludePad: includePad)
            return try builder.node(.averagePool(window), [x], name: "avg", outputTypes: [.quantized([1, 1, 2, 2], .uint8, scale: 1)])
        }
        // Windows: [1 2; 3 4] sum 10 of 4 real taps; [2 _; 4 _] 6 of 2; [3 4; _ _] 7 of 2; [4 _; _ _] 4 of 1.
        // Real counts: 2.5 → 2, 3, 3.5 → 4, 4. Counting padding (4 each): 2.5 → 2, 1.5 → 2, 1.75 → 2, 1.
        #expect(output.codes == expected)
    }

    /// Max pooling keeps codes; a window entirely in padding gives the zero point.
    @Test func maxPoolWindowInPaddingIsTheZeroPoint() throws {
        let output = try Self.run(["x": Tensor(shape: [1, 1, 2, 2], elementType: .uint8, codes: [1, 9, 3, 4])]) { builder in
            let x = builder.input("x", .quantized([1, 1, 2, 2], .uint8, scale: 1, zeroPoint: 7))
            return try builder.node(.maxPool(Pooling(kernel: [1, 1], strides: [2, 2], pads: [0, 0, 2, 2])), [x], name: "max")
        }
        // Padded to 4×4, 1×1 windows at (0,0), (0,2), (2,0), (2,2): code 1, then three windows
        // entirely in padding → 7.
        #expect(output.codes == [1, 7, 7, 7])
    }

    /// Concatenation requantizes an input whose parameters differ from the output's.
    @Test func concatRequantizesOtherParameters() throws {
        let inputs = ["a": Tensor(shape: [1, 2], elementType: .uint8, codes: [4, 5]),
                      "b": Tensor(shape: [1, 2], elementType: .uint8, codes: [4, 5])]
        let output = try Self.run(inputs) { builder in
            let a = builder.input("a", .quantized([1, 2], .uint8, scale: 1))
            let b = builder.input("b", .quantized([1, 2], .uint8, scale: 0.5))
            return try builder.node(.concat(axis: 1), [a, b], name: "cat", outputTypes: [.quantized([1, 4], .uint8, scale: 1)])
        }
        // a keeps its codes; b = [2, 2.5] → [2, 2] (2.5 ties to even).
        #expect(output.codes == [4, 5, 2, 2])
    }

    /// Float softmax along the last axis: equal logits share the mass evenly; [0, ln 3] gives
    /// [1/4, 3/4] up to float32 rounding of ln 3 and of the result.
    @Test func softmaxFloat() throws {
        let output = try Self.run(["x": Tensor(shape: [2, 2], floats: [5, 5, 0, Float(log(3.0))])]) { builder in
            try builder.node(.softmax(axis: 1), [builder.input("x", .float32([2, 2]))], name: "softmax")
        }
        let values = try #require(output.floats)
        #expect(values[0] == 0.5 && values[1] == 0.5)
        #expect(abs(values[2] - 0.25) <= 1e-7 && abs(values[3] - 0.75) <= 1e-7)
    }

    /// relu and clip on codes: relu clamps at the zero point; clip's bounds are quantized with
    /// the output's parameters (−1 / 0.5 = −2, 2 / 0.5 = 4).
    @Test func reluAndClipOnCodes() throws {
        let relu = try Self.run(["x": Tensor(shape: [4], elementType: .uint8, codes: [0, 127, 128, 200])]) { builder in
            try builder.node(.relu, [builder.input("x", .quantized([4], .uint8, scale: 0.1, zeroPoint: 128))], name: "relu")
        }
        #expect(relu.codes == [128, 128, 128, 200])
        let clip = try Self.run(["x": Tensor(shape: [6], elementType: .int8, codes: [-10, -2, 0, 3, 4, 100])]) { builder in
            try builder.node(.clip(minimum: -1, maximum: 2), [builder.input("x", .quantized([6], .int8, scale: 0.5))], name: "clip")
        }
        #expect(clip.codes == [-2, -2, 0, 3, 4, 4])
    }

    /// Data movement is exact on codes: transposing [1, 2, 3] by (0, 2, 1) reads column-wise;
    /// reshape keeps the order.
    @Test func transposeAndReshapeOnCodes() throws {
        let x = Tensor(shape: [1, 2, 3], elementType: .int8, codes: [0, 1, 2, 3, 4, 5])
        let transposed = try Self.run(["x": x]) { builder in
            try builder.node(.transpose(permutation: [0, 2, 1]), [builder.input("x", .quantized([1, 2, 3], .int8, scale: 1))], name: "t")
        }
        // [[0 1 2] [3 4 5]]ᵀ = [[0 3] [1 4] [2 5]].
        #expect(transposed.shape == [1, 3, 2])
        #expect(transposed.codes == [0, 3, 1, 4, 2, 5])
        let reshaped = try Self.run(["x": x]) { builder in
            try builder.node(.reshape(shape: [3, 2]), [builder.input("x", .quantized([1, 2, 3], .int8, scale: 1))], name: "r")
        }
        #expect(reshaped.shape == [3, 2])
        #expect(reshaped.codes == [0, 1, 2, 3, 4, 5])
    }
}
