import Testing
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// Hand-checked arithmetic of the XNOR kernels: packing across word boundaries, masking of the
/// last word, the padding correction for every padding mode, integer thresholds, OR pooling,
/// and the int8 unit's exact int32 accumulation.
@Suite struct XNORKernelArithmeticTests {
    static func facts(_ target: String, padding: XNORSection.Padding? = nil, wordBits: Int? = nil) -> XNORTargetFacts {
        var facts = XNORTargetFacts(XNORTestSupport.target(target))!
        if let padding { facts.padding = padding }
        if let wordBits { facts.wordBits = wordBits }
        return facts
    }

    static func run(_ kernel: any TargetKernel, _ inputs: [Tensor]) throws -> [Int32] {
        var counts = ActionCounts()
        return try kernel.execute(inputs, counts: &counts)[0].codes!
    }

    // MARK: packing

    @Test func packingPutsElementZeroInBitZeroAndMasksTheLastWord() {
        let packing = BinaryWordPacking(wordBits: 8)
        var words = [UInt64](repeating: 0xFF, count: 2)
        let codes: [Int32] = [1, -1, -1, 1, 1, 1, -1, -1, 1, -1, 1]
        words.withUnsafeMutableBufferPointer { packing.pack(count: codes.count, into: $0, at: 0) { codes[$0] } }
        #expect(words == [0b0011_1001, 0b101])   // 11 bits: the 5 high bits of word 1 are 0
        #expect(BinaryWordPacking.mask(3) == 0b111)
        #expect(BinaryWordPacking.mask(64) == UInt64.max)
    }

    @Test func dotIsKMinusTwicePopcountOfXor() {
        // a = +1 +1 −1 +1, w = +1 −1 −1 −1: products +1 −1 +1 −1 = 0.
        let a: [UInt64] = [0b1011], w: [UInt64] = [0b0001]
        #expect(BinaryWordPacking.dot(a, w, words: 1, count: 4) == 0)
        #expect(BinaryWordPacking.dot(a, a, words: 1, count: 4) == 4)
    }

    // MARK: binary dense

    /// K = 70 spans two 64-bit words (6 valid bits in the second) or three 32-bit words.
    @Test(arguments: [64, 32, 8])
    func binaryDenseAcrossWordBoundaries(wordBits: Int) throws {
        var builder = GraphBuilder(name: "dense")
        let x = builder.input("x", TensorType(shape: [1, 70], elementType: .binary))
        // Column 0 all +1; column 1: −1 at k = 0, 1, 2 and at k = 69 (the masked word's last bit).
        var weights = [Int32](repeating: 1, count: 70 * 2)
        for k in [0, 1, 2, 69] { weights[k * 2 + 1] = -1 }
        let w = builder.constant("w", Tensor(shape: [70, 2], elementType: .binary, codes: weights))
        builder.output(try builder.node(.dense, [x, w], name: "fc"))
        let graph = try builder.build()
        let kernel = try XNORPopcountDenseKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts("bnn-array-45nm", wordBits: wordBits))
        var input = [Int32](repeating: 1, count: 70)
        input[69] = -1
        // Column 0: 69 − 1 = 68. Column 1: agreements at k = 3...68 (66) and k = 69 (both −1): 67 − 3 = 64.
        let output = try Self.run(kernel, [Tensor(shape: [1, 70], elementType: .binary, codes: input), graph.constants["w"]!])
        #expect(output == [68, 64])
    }

    // MARK: binary conv and padding

    /// 1 channel, 2×2 input of +1, 3×3 weights of +1, pad 1: every output sees 4 real taps and 5
    /// padded ones. Zero padding gives 4; uncorrected −1 padding would give −1, +1 padding 9.
    @Test(arguments: [XNORSection.Padding.minusOne, .plusOne, .zeroCorrected])
    func paddingCorrectionGivesZeroPadding(padding: XNORSection.Padding) throws {
        var builder = GraphBuilder(name: "pad")
        let x = builder.input("x", TensorType(shape: [1, 1, 2, 2], elementType: .binary))
        let w = builder.constant("w", Tensor(shape: [1, 1, 3, 3], elementType: .binary, codes: [Int32](repeating: 1, count: 9)))
        builder.output(try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv"))
        let graph = try builder.build()
        let kernel = try XNORPopcountConvolutionKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts("bnn-array-45nm", padding: padding))
        let output = try Self.run(kernel, [Tensor(shape: [1, 1, 2, 2], elementType: .binary, codes: [1, 1, 1, 1]), graph.constants["w"]!])
        #expect(output == [4, 4, 4, 4])
        #expect(kernel.countActions().instructions[.paddingCorrection] == 4)
    }

    /// Mixed signs: input [[+1, −1], [−1, +1]], weights with a −1 centre and a −1 in the
    /// padded top-left corner. Output (0,0) by hand over the 4 real taps (centre, right,
    /// below, diagonal): (+1)(−1) + (−1)(+1) + (−1)(+1) + (+1)(+1) = −2.
    @Test func mixedSignsWithPaddingMatchTheHandValueAndTheReference() throws {
        var builder = GraphBuilder(name: "pad")
        let x = builder.input("x", TensorType(shape: [1, 1, 2, 2], elementType: .binary))
        let w = builder.constant("w", Tensor(shape: [1, 1, 3, 3], elementType: .binary, codes: [-1, 1, 1, 1, -1, 1, 1, 1, 1]))
        builder.output(try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv"))
        let graph = try builder.build()
        let input = Tensor(shape: [1, 1, 2, 2], elementType: .binary, codes: [1, -1, -1, 1])
        for target in XNORTestSupport.targetNames {
            let kernel = try XNORPopcountConvolutionKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts(target))
            let output = try Self.run(kernel, [input, graph.constants["w"]!])
            #expect(output[0] == -2)
            #expect(output == (try ReferenceInterpreter(graph: graph).run(["x": input])[0].codes!))
        }
    }

    // MARK: thresholds

    @Test func thresholdsBecomeIntegersByCeiling() {
        let thresholds = BinaryOutputStage.IntegerThresholds(table: [2.5, -3, .nan, -.infinity], rows: 1, perRow: 4, offset: -1)
        #expect(thresholds.values == [3, -3, Int64.max, Int64.min])
        let stage = BinaryOutputStage.threshold(thresholds)
        // 3 reaches 2.5, −3 and −∞: −1 + 3 = 2. 2 reaches −3 and −∞: 1. −4 reaches −∞ only: 0.
        #expect(stage.apply(3, channel: 0) == 2)
        #expect(stage.apply(2, channel: 0) == 1)
        #expect(stage.apply(-4, channel: 0) == 0)
        #expect(BinaryOutputStage.sign.apply(0, channel: 0) == 1)
        #expect(BinaryOutputStage.sign.apply(-1, channel: 0) == -1)
    }

    /// A binary conv fused with a per-channel threshold: dot ≥ T exactly at the boundary.
    @Test func fusedThresholdCountsAtTheBoundary() throws {
        var builder = GraphBuilder(name: "threshold")
        let x = builder.input("x", TensorType(shape: [1, 3, 1, 1], elementType: .binary))
        let w = builder.constant("w", Tensor(shape: [2, 3, 1, 1], elementType: .binary, codes: [1, 1, 1, 1, -1, 1]))
        let conv = try builder.node(.conv2d(Convolution()), [x, w], name: "conv")
        let t = builder.constant("t", Tensor(shape: [2, 1], elementType: .int32, codes: [3, 2]))
        builder.output(try builder.node(.multiThreshold(MultiThreshold(offset: 0)), [conv, t], name: "threshold",
                                        outputTypes: [TensorType(shape: [1, 2, 1, 1], elementType: .int8)]))
        let graph = try builder.build()
        let kernel = try XNORPopcountConvolutionKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts("larq-rpi4-cortex-a72"))
        #expect(kernel.nodes.map(\.name) == ["conv", "threshold"])
        // x = +1 +1 +1: dots 3 (≥ 3 → 1) and 1 (< 2 → 0).
        let output = try Self.run(kernel, [Tensor(shape: [1, 3, 1, 1], elementType: .binary, codes: [1, 1, 1]), graph.constants["w"]!])
        #expect(output == [1, 0])
    }

    // MARK: pooling

    @Test func orPoolingIsMaxOfPlusMinusOne() throws {
        var builder = GraphBuilder(name: "pool")
        let x = builder.input("x", TensorType(shape: [1, 2, 2, 2], elementType: .binary))
        builder.output(try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [x], name: "pool"))
        let graph = try builder.build()
        let kernel = try BinaryMaxPoolKernel(nodeAt: 0, in: graph, facts: Self.facts("bnn-array-45nm"))
        let output = try Self.run(kernel, [Tensor(shape: [1, 2, 2, 2], elementType: .binary, codes: [-1, -1, -1, -1, -1, 1, -1, -1])])
        #expect(output == [-1, 1])
    }

    // MARK: int8 unit

    /// x = [1 2; 3 4] (i8, zero point 0), w = [1 −1; 2 0], bias 10: 1 − 2 + 6 + 0 + 10 = 15.
    /// With x zero point 1: (0·1) + (1·−1) + (2·2) + 0 + 10 = 13.
    @Test(arguments: [(Int32(0), Int32(15)), (Int32(1), Int32(13))])
    func int8ConvolutionAccumulatesExactly(zeroPoint: Int32, expected: Int32) throws {
        var builder = GraphBuilder(name: "int8")
        let x = builder.input("x", TensorType(shape: [1, 1, 2, 2], elementType: .int8, quantization: QuantizationParameters(scale: 1, zeroPoint: zeroPoint)))
        let w = builder.constant("w", Tensor(shape: [1, 1, 2, 2], elementType: .int8, codes: [1, -1, 2, 0], quantization: QuantizationParameters(scale: 1)))
        let b = builder.constant("b", Tensor(shape: [1], elementType: .int32, codes: [10]))
        builder.output(try builder.node(.conv2d(Convolution()), [x, w, b], name: "conv"))
        let graph = try builder.build()
        let kernel = try Int8ConvolutionKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts("larq-rpi4-cortex-a72"))
        let output = try Self.run(kernel, [Tensor(shape: [1, 1, 2, 2], elementType: .int8, codes: [1, 2, 3, 4]), graph.constants["w"]!, graph.constants["b"]!])
        #expect(output == [expected])
        #expect(kernel.countActions().multiplyAccumulates[MultiplyAccumulateKind(.int8, .int8)] == 4)
    }

    /// The largest int8 products over a long reduction stay exact in int32 (no 16-bit wrap):
    /// 300 × (−128 − 127)·(−128) = 9 792 000.
    @Test func int8DenseIsExactInInt32() throws {
        var builder = GraphBuilder(name: "int8")
        let x = builder.input("x", TensorType(shape: [1, 300], elementType: .int8, quantization: QuantizationParameters(scale: 1, zeroPoint: 127)))
        let w = builder.constant("w", Tensor(shape: [300, 1], elementType: .int8, codes: [Int32](repeating: -128, count: 300), quantization: QuantizationParameters(scale: 1)))
        builder.output(try builder.node(.dense, [x, w], name: "fc"))
        let graph = try builder.build()
        let kernel = try Int8DenseKernel(nodeAt: 0, in: XNORTestSupport.context(graph), facts: Self.facts("bnn-array-45nm"))
        let output = try Self.run(kernel, [Tensor(shape: [1, 300], elementType: .int8, codes: [Int32](repeating: -128, count: 300)), graph.constants["w"]!])
        #expect(output == [9_792_000])
    }
}
