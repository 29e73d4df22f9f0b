import Testing
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// The bit-plane route for convolutions whose centered codes are −1, 0 or +1
/// (``TernaryConvolution``) against the plain loop, on random shapes with padding, stride,
/// dilation and groups: binary ±1 inputs, and int8 inputs and weights within one code of their
/// zero points.
@Suite struct TernaryConvolutionTests {
    @Test func bitPlaneDotProductsEqualThePlainLoop() throws {
        var random = FastKernelTests.Random(state: 0x7E4A)
        var checked = 0
        while checked < 60 {
            guard case (let attributes, var x, var w, let bias, let outputType)? = FastKernelTests.convolutionCase(&random, elementType: .int8,
                                                                                            requantized: checked % 2 == 0) else { continue }
            let depth = w.shape[1] * w.shape[2] * w.shape[3]
            if checked % 3 == 0 {
                // Binary ±1 activations and weights, as a binarized network's hidden layers.
                let unit = QuantizationParameters(scale: 1, zeroPoint: 0)
                x = Tensor(shape: x.shape, elementType: .binary, codes: random.codes(x.count, 0...1).map { $0 * 2 - 1 }, quantization: unit)
                w = Tensor(shape: w.shape, elementType: .binary, codes: random.codes(w.count, 0...1).map { $0 * 2 - 1 }, quantization: unit)
            } else {
                // int8 codes within one of the zero points: centered values −1, 0, +1.
                let zero = x.type.quantization?.zeroPoint(at: 0) ?? 0
                x = Tensor(type: x.type, storage: .int32(random.codes(x.count, -1...1).map { $0 + zero }))
                let weightZeros = (0..<w.shape[0]).map { w.type.quantization?.zeroPoint(at: $0) ?? 0 }
                w = Tensor(type: w.type, storage: .int32((0..<w.count).map { Int32(random.next(-1...1)) + weightZeros[$0 / depth] }))
            }
            let plain = try ConvolutionKernel.execute(attributes, x, w, bias, outputType, rule: .floatScale, path: .plain)
            let fast = try ConvolutionKernel.execute(attributes, x, w, bias, outputType, rule: .floatScale)
            #expect(fast.codes == plain.codes, "case \(checked): \(attributes) x \(x.shape) w \(w.shape)")
            checked += 1
        }
    }

    /// Rows longer than one word, with every sign pattern: the packed dot product equals the sum.
    @Test func packedRowsAcrossWordBoundaries() {
        var random = FastKernelTests.Random(state: 99)
        for depth in [1, 63, 64, 65, 130, 577] {
            let a = random.codes(depth, -1...1), b = random.codes(depth, -1...1)
            let expected = zip(a, b).reduce(0) { $0 + Int($1.0 * $1.1) }
            let rowsA = a.withUnsafeBufferPointer { TernaryConvolution.BitRows($0.baseAddress!, count: 1, depth: depth) }
            let rowsB = b.withUnsafeBufferPointer { TernaryConvolution.BitRows($0.baseAddress!, count: 1, depth: depth) }
            let sum = rowsA.nonzero.withUnsafeBufferPointer { nonzeroA in
                rowsA.negative.withUnsafeBufferPointer { negativeA in
                    rowsB.nonzero.withUnsafeBufferPointer { nonzeroB in
                        rowsB.negative.withUnsafeBufferPointer { negativeB in
                            TernaryConvolution.dot((nonzeroA.baseAddress!, negativeA.baseAddress!), row: 0,
                                                   (nonzeroB.baseAddress!, negativeB.baseAddress!), row: 0, words: rowsA.words)
                        }
                    }
                }
            }
            #expect(sum == expected, "depth \(depth)")
        }
        #expect(TernaryConvolution.fits([-1, 0, 1, 1]) && !TernaryConvolution.fits([0, 2]) && !TernaryConvolution.fits([-2]))
    }
}
