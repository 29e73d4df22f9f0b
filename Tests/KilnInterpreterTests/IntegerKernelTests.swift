import Testing
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// Hand-checked cases: every expected value below is worked out in the comment beside it.
@Suite struct IntegerKernelTests {
    @Test func integerConvolutionSubtractsZeroPointsAndAccumulates() throws {
        var builder = GraphBuilder(name: "convinteger")
        let x = builder.input("x", .quantized([1, 1, 3, 3], .uint8, scale: 1, zeroPoint: 1))
        let w = builder.constant("w", Tensor(shape: [1, 1, 2, 2], elementType: .int8, codes: [1, 2, 3, 4],
                                             quantization: QuantizationParameters(scale: 1)))
        builder.output(try builder.node(.conv2d(Convolution()), [x, w], name: "conv"))
        let graph = try builder.build()
        let input = Tensor(shape: [1, 1, 3, 3], elementType: .uint8, codes: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let output = try ReferenceInterpreter(graph: graph).run(["x": input])[0]
        // x − 1 = [0 1 2; 3 4 5; 6 7 8]; windows · [1 2; 3 4]:
        // 0+2+9+16 = 27, 1+4+12+20 = 37, 3+8+18+28 = 57, 4+10+21+32 = 67.
        #expect(output.codes == [27, 37, 57, 67])
        #expect(output.type.elementType == .int32)
    }

    @Test func depthwiseConvolutionRequantizesPerChannelHalfToEven() throws {
        var builder = GraphBuilder(name: "depthwise")
        let x = builder.input("x", .quantized([1, 2, 3, 3], .int8, scale: 0.5))
        let w = builder.constant("w", Tensor(shape: [2, 1, 3, 3], elementType: .int8, codes: [Int32](repeating: 1, count: 18),
                                             quantization: QuantizationParameters(scales: [1, 0.5], zeroPoints: [0, 0], axis: 0)))
        builder.output(try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1], groups: 2)), [x, w], name: "dw",
                                        outputTypes: [.quantized([1, 2, 3, 3], .int8, scale: 1)]))
        let graph = try builder.build()
        let input = Tensor(shape: [1, 2, 3, 3], elementType: .int8, codes: [Int32](repeating: 2, count: 9) + [Int32](repeating: 3, count: 9))
        let output = try ReferenceInterpreter(graph: graph).run(["x": input])[0]
        // Channel 0: multiplier 0.5·1/1 = 0.5; corner 4 taps·2 = 8 → 4, edge 12 → 6, centre 18 → 9.
        // Channel 1: multiplier 0.5·0.5/1 = 0.25; corner 12 → 3, edge 18 → 4.5 → 4 (half to even),
        // centre 27 → 6.75 → 7.
        #expect(output.codes == [4, 6, 4, 6, 9, 6, 4, 6, 4,
                                 3, 4, 3, 4, 7, 4, 3, 4, 3])
    }

    @Test func integerMatmulWithZeroPoints() throws {
        var builder = GraphBuilder(name: "matmulinteger")
        let a = builder.input("a", .quantized([2, 2], .uint8, scale: 1, zeroPoint: 1))
        let b = builder.constant("b", Tensor(shape: [2, 2], elementType: .int8, codes: [5, 6, 7, 8],
                                             quantization: QuantizationParameters(scale: 1)))
        builder.output(try builder.node(.matmul, [a, b], name: "mm"))
        let output = try ReferenceInterpreter(graph: try builder.build())
            .run(["a": Tensor(shape: [2, 2], elementType: .uint8, codes: [1, 2, 3, 4])])[0]
        // [[0 1][2 3]] · [[5 6][7 8]] = [[7 8][31 36]].
        #expect(output.codes == [7, 8, 31, 36])
    }

    @Test func poolingOnCodes() throws {
        var builder = GraphBuilder(name: "pool")
        let x = builder.input("x", .quantized([1, 1, 4, 4], .uint8, scale: 0.25))
        let window = Pooling(kernel: [2, 2], strides: [2, 2])
        builder.output(try builder.node(.maxPool(window), [x], name: "max"))
        builder.output(try builder.node(.averagePool(window), [x], name: "average"))
        let input = Tensor(shape: [1, 1, 4, 4], elementType: .uint8, codes: (0..<16).map(Int32.init))
        let outputs = try ReferenceInterpreter(graph: try builder.build()).run(["x": input])
        #expect(outputs[0].codes == [5, 7, 13, 15])
        // Means 2.5, 4.5, 10.5, 12.5 round half to even: 2, 4, 10, 12.
        #expect(outputs[1].codes == [2, 4, 10, 12])
    }

    @Test func batchRunSplitsAndStacksSamples() throws {
        var builder = GraphBuilder(name: "dense")
        let x = builder.input("x", .float32([1, 2]))
        let w = builder.constant("w", Tensor(shape: [2, 2], floats: [1, 2, 3, 4]))
        let b = builder.constant("b", Tensor(shape: [2], floats: [0.5, -0.5]))
        builder.output(try builder.node(.dense, [x, w, b], name: "fc"))
        let interpreter = try ReferenceInterpreter(graph: try builder.build())
        let batch = Tensor(shape: [3, 2], floats: [1, 0, 0, 1, 1, 1])
        let output = try interpreter.runBatch(["x": batch], threads: 2)[0]
        // [1 0]·W = [1 2], [0 1]·W = [3 4], [1 1]·W = [4 6]; plus bias [0.5 −0.5].
        #expect(output.shape == [3, 2])
        #expect(output.floats == [1.5, 1.5, 3.5, 3.5, 4.5, 5.5])
    }

    @Test func wrongInputShapeNamesTheTensor() throws {
        var builder = GraphBuilder(name: "relu")
        builder.output(try builder.node(.relu, [builder.input("x", .float32([1, 4]))], name: "r"))
        let interpreter = try ReferenceInterpreter(graph: try builder.build())
        #expect(throws: (any Error).self) { try interpreter.run(["x": Tensor(shape: [1, 3], floats: [1, 2, 3])]) }
        do {
            _ = try interpreter.run(["x": Tensor(shape: [1, 3], floats: [1, 2, 3])])
        } catch {
            #expect(error.description == "error: at tensor 'x': expected shape [1, 4], got [1, 3]")
        }
    }
}
