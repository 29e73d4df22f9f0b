import Testing
import KilnHostKernels
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// The interpreter's routes through `KilnHostKernels` (every level this CPU has) against their
/// Swift definitions.
@Suite struct HostKernelRouteTests {
    /// Every ``WideningDotProductGEMM`` route against the dot products written out in Int64 and
    /// wrapped to int32: operands at the ±32767 limit (pair sums near 2³¹), wrapping initial
    /// values, edge blocks in rows and columns, both output layouts, one to three threads.
    @Test func everyGEMMRouteEqualsTheDotProducts() {
        var random = FastKernelTests.Random(state: 17)
        for (rows, columns, depth) in [(1, 1, 1), (5, 17, 18), (9, 33, 40), (130, 41, 300), (64, 16, 2)] {
            let padded = WideningDotProductGEMM.paddedDepth(depth)
            var a = WideningDotProductGEMM.Operand(count: rows, depth: padded)
            var b = WideningDotProductGEMM.Operand(count: columns, depth: padded)
            for r in 0..<rows { for k in 0..<depth { a.values[r * padded + k] = Int16(random.next(0...3) == 0 ? 32767 : random.next(-32767...32767)) } }
            for c in 0..<columns { for k in 0..<depth { b.values[c * padded + k] = Int16(random.next(0...3) == 0 ? -32767 : random.next(-32767...32767)) } }
            let initials = (0..<columns).map { _ in Int32(random.next(-2_000_000_000...2_000_000_000)) }
            var expected = [Int32](repeating: 0, count: rows * columns)
            for r in 0..<rows {
                for c in 0..<columns {
                    var sum = Int64(initials[c])
                    for k in 0..<depth { sum += Int64(a.values[r * padded + k]) * Int64(b.values[c * padded + k]) }
                    expected[r * columns + c] = Int32(truncatingIfNeeded: sum)
                }
            }
            for route in WideningDotProductGEMM.Route.available {
                for threads in [1, 2, 3] {
                    for transposed in [false, true] {
                        let layout = transposed ? WideningDotProductGEMM.OutputLayout(rowStride: 1, columnStride: rows)
                            : WideningDotProductGEMM.OutputLayout(rowStride: columns, columnStride: 1)
                        var output = [Int32](repeating: -1, count: rows * columns)
                        output.withUnsafeMutableBufferPointer { output in
                            WideningDotProductGEMM.multiply(a, b, initial: { initials[$0] }, into: output.baseAddress!, layout: layout,
                                                            threads: threads, route: route)
                        }
                        let read = (0..<rows * columns).map { i in output[(i % columns) * layout.columnStride + (i / columns) * layout.rowStride] }
                        #expect(read == expected, "\(rows)×\(columns)×\(depth), \(route), \(threads) threads, transposed \(transposed)")
                    }
                }
            }
        }
    }

    /// The vector float-scale requantization against ``Requantizer/apply(_:channel:)`` per
    /// element: uint8 / int8 / int16 outputs, per-channel scales, accumulators on rounding ties,
    /// near the saturation bounds and at ±2³¹, runs of every length up to 40 (masked tails).
    @Test func vectorRequantizationEqualsTheScalarRule() throws {
        var random = FastKernelTests.Random(state: 29)
        for (elementType, zero) in [(ElementType.uint8, Int32(131)), (.int8, -5), (.int16, 300)] {
            let scales: [Float] = [0.0123, 0.5, 0.00071]
            let input = TensorType(shape: [1, 3, 1, 1], elementType: .int32, quantization: QuantizationParameters(scale: 0.02))
            let weight = TensorType(shape: [3, 1, 1, 1], elementType: .int8, quantization: QuantizationParameters(scales: scales, zeroPoints: [0, 0, 0], axis: 0))
            let output = TensorType(shape: [1, 3, 1, 1], elementType: elementType, quantization: QuantizationParameters(scale: 0.1, zeroPoint: zero))
            let requantizer = try Requantizer(rule: .floatScale, input: input, weight: weight, output: output, channels: 3)
            for channel in 0..<3 {
                let multiplier = (Float(0.02) * scales[channel]) / Float(0.1)
                for count in 0...40 {
                    let values: [Int32] = (0..<count).map { i in
                        switch random.next(0...4) {
                        case 0: Int32(((Float(i) + 0.5) / multiplier).rounded())   // ties after scaling
                        case 1: Int32(random.next(-40000...40000))
                        case 2: i % 2 == 0 ? Int32.max : Int32.min
                        default: Int32(random.next(-2_000_000_000...2_000_000_000))
                        }
                    }
                    let expected = values.map { requantizer.apply($0, channel: channel) }
                    for level in HostVectorKernels.levels {
                        var result = values + [777]
                        result.withUnsafeMutableBufferPointer { buffer in
                            requantizer.apply(channel: channel, count: count, from: buffer.baseAddress!, stride: 1,
                                              into: buffer.baseAddress!, stride: 1, hostLevel: level)
                        }
                        #expect(Array(result.prefix(count)) == expected, "\(elementType), channel \(channel), \(count) values, level \(level.rawValue)")
                        #expect(result.last == 777)
                    }
                }
            }
        }
    }

    /// The depthwise kernel's host route against its Swift loop: strides 1–3, dilation,
    /// asymmetric padding, channel multipliers, widths around the vector width, wrapping values.
    @Test func depthwiseHostRouteEqualsTheSwiftLoop() {
        var random = FastKernelTests.Random(state: 41)
        for _ in 0..<60 {
            let channels = random.next(1...3), multiplier = random.next(1...2)
            let height = random.next(1...7), width = random.next(1...37)
            let kernel = (random.next(1...3), random.next(1...3))
            let strides = [random.next(1...2), random.next(1...3)], dilations = [random.next(1...2), random.next(1...2)]
            let pads = (0..<4).map { _ in random.next(0...2) }
            let outputHeight = (height + pads[0] + pads[2] - dilations[0] * (kernel.0 - 1) - 1)
            let outputWidth = (width + pads[1] + pads[3] - dilations[1] * (kernel.1 - 1) - 1)
            guard outputHeight >= 0, outputWidth >= 0 else { continue }
            let outputs = channels * multiplier
            let geometry = WindowGeometry(input: [1, channels, height, width], kernel: kernel, strides: strides, dilations: dilations, pads: pads,
                                          output: [1, outputs, outputHeight / strides[0] + 1, outputWidth / strides[1] + 1])
            let wide = { (random: inout FastKernelTests.Random) -> Int32 in
                random.next(0...3) == 0 ? Int32(random.next(-2_000_000_000...2_000_000_000)) : Int32(random.next(-255...255))
            }
            let input = (0..<channels * height * width).map { _ in wide(&random) }
            let weights = (0..<outputs * kernel.0 * kernel.1).map { _ in wide(&random) }
            let biases = (0..<outputs).map { _ in wide(&random) }
            let count = outputs * geometry.outputHeight * geometry.outputWidth
            var expected = [Int32](repeating: 0, count: count)
            expected.withUnsafeMutableBufferPointer {
                DepthwiseConvolution.accumulate(input, weights: weights, biases: biases, geometry: geometry, outputChannels: outputs,
                                                into: $0.baseAddress!, threads: 1, hostLevel: KILN_PAIR_GEMM_NONE)
            }
            for level in HostVectorKernels.levels {
                var result = [Int32](repeating: -1, count: count)
                result.withUnsafeMutableBufferPointer {
                    DepthwiseConvolution.accumulate(input, weights: weights, biases: biases, geometry: geometry, outputChannels: outputs,
                                                    into: $0.baseAddress!, threads: 2, hostLevel: level)
                }
                #expect(result == expected, "\(geometry), level \(level.rawValue)")
            }
        }
    }
}
