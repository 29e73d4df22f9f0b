import Testing
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// The interpreter's fast integer routes (``WideningDotProductGEMM``, ``DepthwiseConvolution``)
/// against its plain loop, on random shapes with padding, stride, dilation, groups, zero points
/// and per-channel scales, with one thread and with several (results must not depend on the
/// thread count).
@Suite struct FastKernelTests {
    /// SplitMix64, so that every run draws the same cases.
    struct Random {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
        mutating func codes(_ count: Int, _ range: ClosedRange<Int>) -> [Int32] { (0..<count).map { _ in Int32(next(range)) } }
    }

    /// One random convolution; nil when the drawn window does not fit the drawn input.
    static func convolutionCase(_ random: inout Random, elementType: ElementType, requantized: Bool)
        -> (Convolution, Tensor, Tensor, Tensor, TensorType)? {
        let channelsPerGroup = random.next(1...4), outputsPerGroup = random.next(1...4)
        let groups = random.next(1...3)
        let channels = channelsPerGroup * groups, outputs = outputsPerGroup * groups
        let batch = random.next(1...2), height = random.next(1...9), width = random.next(1...9)
        let kernelHeight = random.next(1...3), kernelWidth = random.next(1...3)
        let attributes = Convolution(strides: [random.next(1...2), random.next(1...3)], dilations: [random.next(1...2), random.next(1...2)],
                                     pads: (0..<4).map { _ in random.next(0...2) }, groups: groups)
        let outputHeight = (height + attributes.pads[0] + attributes.pads[2] - attributes.dilations[0] * (kernelHeight - 1) - 1)
        let outputWidth = (width + attributes.pads[1] + attributes.pads[3] - attributes.dilations[1] * (kernelWidth - 1) - 1)
        guard outputHeight >= 0, outputWidth >= 0 else { return nil }
        let outputShape = [batch, outputs, outputHeight / attributes.strides[0] + 1, outputWidth / attributes.strides[1] + 1]
        let bounds = elementType == .int8 ? -128...127 : elementType == .uint8 ? 0...255 : -40000...40000
        let inputType = TensorType(shape: [batch, channels, height, width], elementType: elementType,
                                   quantization: QuantizationParameters(scale: 0.1, zeroPoint: Int32(random.next(bounds.clamped(to: -100...100)))))
        let x = Tensor(type: inputType, storage: .int32(random.codes(batch * channels * height * width, bounds)))
        let weightQuantization = QuantizationParameters(scales: (0..<outputs).map { _ in Float(random.next(1...20)) / 100 },
                                                        zeroPoints: random.codes(outputs, -3...3), axis: 0)
        let w = Tensor(shape: [outputs, channelsPerGroup, kernelHeight, kernelWidth], elementType: .int8,
                       codes: random.codes(outputs * channelsPerGroup * kernelHeight * kernelWidth, -128...127), quantization: weightQuantization)
        let bias = Tensor(shape: [outputs], elementType: .int32, codes: random.codes(outputs, -5000...5000))
        let outputType = requantized ? TensorType.quantized(outputShape, .int8, scale: 0.3, zeroPoint: 4)
                                     : TensorType(shape: outputShape, elementType: .int32)
        return (attributes, x, w, bias, outputType)
    }

    @Test(arguments: [ElementType.int8, .uint8, .int32])
    func randomConvolutionsEqualThePlainLoop(elementType: ElementType) throws {
        var random = Random(state: UInt64(elementType.bitWidth) &* 977 &+ (elementType.isSigned ? 1 : 0))
        var checked = 0
        while checked < 60 {
            let depthwise = checked % 3 == 0
            guard var (attributes, x, w, bias, outputType) = Self.convolutionCase(&random, elementType: elementType,
                                                                                requantized: checked % 2 == 0) else { continue }
            if depthwise {
                // One input channel per group: the direct depthwise route.
                attributes.groups = x.shape[1]
                let outputs = x.shape[1] * random.next(1...2)
                w = Tensor(shape: [outputs, 1, w.shape[2], w.shape[3]], elementType: .int8, codes: random.codes(outputs * w.shape[2] * w.shape[3], -128...127),
                           quantization: QuantizationParameters(scales: (0..<outputs).map { _ in Float(random.next(1...20)) / 100 },
                                                                zeroPoints: random.codes(outputs, -3...3), axis: 0))
                bias = Tensor(shape: [outputs], elementType: .int32, codes: random.codes(outputs, -5000...5000))
                outputType = TensorType(shape: [outputType.shape[0], outputs] + outputType.shape[2...], elementType: outputType.elementType,
                                        quantization: outputType.quantization)
            }
            let plain = try ConvolutionKernel.execute(attributes, x, w, bias, outputType, rule: .floatScale, path: .plain)
            for threads in [1, 3] {
                let fast = try ConvolutionKernel.execute(attributes, x, w, bias, outputType, rule: .floatScale, threads: threads)
                #expect(fast.codes == plain.codes, "case \(checked): \(attributes) x \(x.shape) w \(w.shape), \(threads) threads")
            }
            checked += 1
        }
    }

    /// Layers big enough to be split over threads, incl. int32 inputs whose sums wrap.
    @Test func largeLayersAreThreadCountIndependent() throws {
        var random = Random(state: 42)
        let cases: [(Convolution, [Int], [Int], ClosedRange<Int>, ElementType)] = [
            (Convolution(pads: [1, 1, 1, 1]), [1, 32, 16, 16], [40, 32, 3, 3], -128...127, .int8),
            (Convolution(pads: [1, 1, 1, 1], groups: 64), [1, 64, 33, 33], [64, 1, 3, 3], -128...127, .int8),
            (Convolution(strides: [2, 2], pads: [0, 1, 1, 0], groups: 64), [1, 64, 40, 40], [64, 1, 3, 3], Int(Int32.min)...Int(Int32.max), .int32),
        ]
        for (attributes, inputShape, weightShape, bounds, elementType) in cases {
            let x = Tensor(shape: inputShape, elementType: elementType, codes: random.codes(inputShape.reduce(1, *), bounds),
                           quantization: QuantizationParameters(scale: 0.1, zeroPoint: 3))
            let w = Tensor(shape: weightShape, elementType: .int8, codes: random.codes(weightShape.reduce(1, *), -128...127),
                           quantization: QuantizationParameters(scale: 0.05))
            let size = (inputShape[2] + attributes.pads[0] + attributes.pads[2] - 3) / attributes.strides[0] + 1
            let outputType = TensorType(shape: [1, weightShape[0], size, size], elementType: .int32)
            let plain = try ConvolutionKernel.execute(attributes, x, w, nil, outputType, rule: .floatScale, path: .plain)
            for threads in [1, 2, 5] {
                let fast = try ConvolutionKernel.execute(attributes, x, w, nil, outputType, rule: .floatScale, threads: threads)
                #expect(fast.codes == plain.codes, "\(inputShape) × \(weightShape), \(threads) threads")
            }
        }
    }

    @Test func randomDenseAndMatmulEqualThePlainLoop() throws {
        var random = Random(state: 7)
        for index in 0..<40 {
            let rows = random.next(1...9), depth = random.next(1...70), columns = random.next(1...11)
            let left = index % 4 == 3 ? ElementType.int16 : .uint8
            let bounds = left == .int16 ? -32768...32767 : 0...255
            let a = Tensor(shape: [rows, depth], elementType: left, codes: random.codes(rows * depth, bounds),
                           quantization: QuantizationParameters(scale: 0.1, zeroPoint: Int32(random.next(0...255))))
            let b = Tensor(shape: [depth, columns], elementType: .int8, codes: random.codes(depth * columns, -128...127),
                           quantization: QuantizationParameters(scales: (0..<columns).map { _ in Float(random.next(1...9)) / 50 },
                                                                zeroPoints: random.codes(columns, -2...2), axis: 1))
            let bias = Tensor(shape: [columns], elementType: .int32, codes: random.codes(columns, -900...900))
            let outputType = index % 2 == 0 ? TensorType.quantized([rows, columns], .uint8, scale: 0.7, zeroPoint: 128)
                                            : TensorType(shape: [rows, columns], elementType: .int32)
            let plainDense = try MatrixKernels.dense(a, b, bias, outputType, rule: .fixedPointMultiplier, path: .plain)
            let plainProduct = try MatrixKernels.matmul(a, b, outputType, rule: .fixedPointMultiplier, path: .plain)
            for threads in [1, 3] {
                let dense = try MatrixKernels.dense(a, b, bias, outputType, rule: .fixedPointMultiplier, threads: threads)
                let product = try MatrixKernels.matmul(a, b, outputType, rule: .fixedPointMultiplier, threads: threads)
                #expect(dense.codes == plainDense.codes, "dense \(rows)×\(depth)×\(columns)")
                #expect(product.codes == plainProduct.codes, "matmul \(rows)×\(depth)×\(columns)")
            }
        }
    }
}
