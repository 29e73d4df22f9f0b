import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnBackends

/// Hand-checked integers: saturating pair sums with padding and zero points (AVX2), exact
/// int32 (VNNI, SDOT), and the −128 weight case of the widening Arm kernels.
@Suite struct SIMDKernelArithmeticTests {
    /// A 3×3 conv, one channel, pad 1, u8 input (zp 3) all 255, weights all 127, int32 output.
    static func paddedConvolution() throws -> Graph {
        var builder = GraphBuilder(name: "padded-conv")
        let x = builder.input("x", .quantized([1, 1, 3, 3], .uint8, scale: 1, zeroPoint: 3))
        let w = builder.constant("w", Tensor(shape: [1, 1, 3, 3], elementType: .int8, codes: [Int32](repeating: 127, count: 9),
                                             quantization: QuantizationParameters(scale: 1)))
        let y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv",
                                 outputTypes: [TensorType(shape: [1, 1, 3, 3], elementType: .int32)])
        builder.output(y)
        return try builder.build()
    }

    /// dense [1, 2] · [2, 1]: u8 x (zp 10) = (255, 255), int8 w = (127, 127), bias 5, int32 output.
    static func pairDense(weights: [Int32] = [127, 127], inputZero: Int32 = 10) throws -> Graph {
        var builder = GraphBuilder(name: "pair-dense")
        let x = builder.input("x", .quantized([1, 2], .uint8, scale: 1, zeroPoint: inputZero))
        let w = builder.constant("w", Tensor(shape: [2, 1], elementType: .int8, codes: weights, quantization: QuantizationParameters(scale: 1)))
        let b = builder.constant("b", Tensor(shape: [1], elementType: .int32, codes: [5]))
        let y = try builder.node(.dense, [x, w, b], name: "fc", outputTypes: [TensorType(shape: [1, 1], elementType: .int32)])
        builder.output(y)
        return try builder.build()
    }

    /// Compiles for `target`, runs reference and simulator, returns both outputs' codes and the program.
    static func run(_ graph: Graph, on target: String, input: [Int32]) throws -> (reference: [Int32], simulated: [Int32], program: TargetProgram) {
        let program = try SIMDTestSupport.compiler().compile(graph, for: SIMDTestSupport.target(target))
        let type = program.graph.types[program.graph.inputs[0]]!
        let feed = [program.graph.inputs[0]: Tensor(type: type, storage: .int32(input))]
        let reference = try ReferenceInterpreter(graph: program.graph).run(feed)[0].codes!
        let simulated = try FunctionalSimulator(program: program).run(feed).outputs[0].codes!
        return (reference, simulated, program)
    }

    @Test func avx2SaturatesPairSumsBeforeZeroPointCorrection() throws {
        let result = try Self.run(Self.paddedConvolution(), on: "x86-avx2-haswell-i7-4770", input: [Int32](repeating: 255, count: 9))
        // Pairs over (ky, kx): (k0,k1) (k2,k3) (k4,k5) (k6,k7) (k8,–); padded taps hold zu = 3.
        // (0,0): 762 + 762 + SSAT(64770) + (381 + 32385) + 32385 = 99442, − zu·Σs (3·1143) → 96013.
        // (0,1): 762 + 32766 + 32767 + 32767 + 32385 − 3429 = 128018; (1,0): 32766·2 + 32767 + 32766 + 32385 − 3429 = 160021.
        // (2,1): 3 · 32767 + 762 + 381 − 3429 = 96015: the pairing order makes the edges asymmetric.
        // Centre: 4 · 32767 + 32385 − 3429 = 160024.
        #expect(result.program.graph.nodes[0].accumulation == .pairwiseSaturatingInt16)
        #expect(result.reference == [96013, 128018, 96013, 160021, 160024, 128018, 96013, 96015, 96013])
        #expect(result.simulated == result.reference)
    }

    @Test func vnniAndSdotAccumulateExactly() throws {
        for target in ["x86-avx512-vnni-xeon-gold-6248", "cortex-a76-bcm2712", "cortex-a72-rpi4"] {
            let result = try Self.run(Self.paddedConvolution(), on: target, input: [Int32](repeating: 255, count: 9))
            // (255 − 3) · 127 per inside tap: 4, 6 or 9 taps.
            #expect(result.reference == [128016, 192024, 128016, 192024, 288036, 192024, 128016, 192024, 128016], "\(target)")
            #expect(result.simulated == result.reference, "\(target)")
            #expect(result.program.graph.nodes[0].accumulation == .wrappingInt32)
        }
    }

    @Test func densePairSaturationWithInputZeroPoint() throws {
        let avx2 = try Self.run(Self.pairDense(), on: "x86-avx2-haswell-i7-4770", input: [255, 255])
        // 5 + SSAT(255·127 + 255·127) − 10·254 = 5 + 32767 − 2540.
        #expect(avx2.reference == [30232])
        #expect(avx2.simulated == [30232])
        let vnni = try Self.run(Self.pairDense(), on: "x86-avx512-vnni-xeon-gold-6248", input: [255, 255])
        #expect(vnni.simulated == [5 + 2 * 245 * 127])
        #expect(vnni.reference == vnni.simulated)
    }

    @Test func wideningArmKernelsDoNotPairMinus128Weights() throws {
        // (0 − 128)·(−128) twice: s8 pair sum 32768 would wrap in an int16 lane, so the kernel widens singly.
        for target in ["cortex-a72-rpi4", "cortex-a9-zynq7000-ps"] {
            let result = try Self.run(Self.pairDense(weights: [-128, -128], inputZero: 128), on: target, input: [0, 0])
            #expect(result.simulated == [5 + 32768], "\(target)")
            #expect(result.reference == result.simulated)
            let counts = result.program.kernelSteps[0].kernel.countActions()
            // One 4×4 (A64) or 2×4 (A32) tile, one depth step, every product widened on its own.
            #expect(counts.instructions[Instruction("smlal2")] == nil && counts.instructions[Instruction("vmlal.s8")] == nil, "\(target): \(counts.instructions)")
            #expect(counts.instructions[Instruction("smull2")] == 16 || counts.instructions[Instruction("vmull.s8")] == 16, "\(target): \(counts.instructions)")
        }
    }

    @Test func operandEncodingsFlipTheSignBit() throws {
        let sdot = try #require(SIMDDotProductScheme(target: SIMDTestSupport.target("cortex-a76-bcm2712")))
        let vnni = try #require(SIMDDotProductScheme(target: SIMDTestSupport.target("x86-avx512-vnni-xeon-gold-6248")))
        #expect(Int8OperandEncoding(scheme: sdot, first: .uint8, second: .int8) == Int8OperandEncoding(firstOffsetForTest: -128, secondOffset: 0))
        #expect(Int8OperandEncoding(scheme: vnni, first: .int8, second: .uint8) == Int8OperandEncoding(firstOffsetForTest: 128, secondOffset: -128))
        #expect(Int8OperandEncoding(scheme: vnni, first: .int4, second: .int8) == nil)
    }

    @Test func gemmSaturatesOnlyThePairs() {
        // One row, K = 3: a = (200, 200, 200), s = (100, 100, −100): pair (0,1) = 40000 → 32767, then −20000.
        let weights = Int8GEMM.PackedWeights(depth: 3, columns: 1, firstZero: 0, signedZeros: [0], bias: { _ in 0 }) { k, _ in k == 2 ? -100 : 100 }
        var a: [Int16] = [200, 200, 200, 0]
        var output: [Int32] = [0]
        a.withUnsafeMutableBufferPointer { a in
            Int8GEMM.multiply(rows: 1, a: a.baseAddress!, weights: weights, saturatingPairs: true, output: &output)
        }
        #expect(output == [12767])
        a.withUnsafeMutableBufferPointer { a in
            Int8GEMM.multiply(rows: 1, a: a.baseAddress!, weights: weights, saturatingPairs: false, output: &output)
        }
        #expect(output == [20000])
    }

    /// The simulator's GEMM (pair layout, 4 × 8 register tile, int16 products) against a scalar
    /// reference, with row and column counts off the tile and K off the depth step, both modes.
    @Test(arguments: [(1, 1, 3), (5, 9, 7), (13, 40, 64), (4, 16, 576)])
    func gemmEqualsScalarReference(rows: Int, columns: Int, depth: Int) {
        var random = SystemRandomNumberGenerator()
        let weightCodes = (0..<depth * columns).map { _ in Int32.random(in: -128...127, using: &random) }
        let zeros = (0..<columns).map { _ in Int32.random(in: -3...3, using: &random) }
        let bias = (0..<columns).map { _ in Int32.random(in: -1000...1000, using: &random) }
        let za: Int32 = 7
        let weights = Int8GEMM.PackedWeights(depth: depth, columns: columns, firstZero: za, signedZeros: zeros, bias: { bias[$0] }) { k, n in weightCodes[k * columns + n] }
        let padded = weights.paddedDepth
        var a = [Int16](repeating: 0, count: rows * padded)
        for m in 0..<rows { for k in 0..<depth { a[m * padded + k] = Int16.random(in: 0...255, using: &random) } }
        for saturating in [false, true] {
            var output = [Int32](repeating: 0, count: rows * columns)
            Int8GEMM.multiply(rows: rows, a: a, weights: weights, saturatingPairs: saturating, output: &output)
            var expected = [Int32](repeating: 0, count: rows * columns)
            for m in 0..<rows {
                for n in 0..<columns {
                    var raw: Int32 = 0, sumA: Int32 = 0, sumW: Int32 = 0
                    for k in stride(from: 0, to: padded, by: 2) {
                        func product(_ k: Int) -> Int32 { k < depth ? Int32(a[m * padded + k]) * weightCodes[k * columns + n] : 0 }
                        let pair = product(k) + product(k + 1)
                        raw &+= saturating ? min(max(pair, -32768), 32767) : pair
                    }
                    for k in 0..<depth { sumA += Int32(a[m * padded + k]); sumW += weightCodes[k * columns + n] }
                    expected[m * columns + n] = raw &+ bias[n] &- za &* sumW &+ Int32(depth) &* za &* zeros[n] &- zeros[n] &* sumA
                }
            }
            #expect(output == expected, "saturating: \(saturating)")
        }
    }
}

extension Int8OperandEncoding {
    init(firstOffsetForTest: Int32, secondOffset: Int32) {
        self = unsafeBitCast((firstOffsetForTest, secondOffset), to: Int8OperandEncoding.self)
    }
}
