import KilnIR
import KilnNumerics

/// conv2d: float32, and integer with zero points, int32 wrapping accumulation and requantization.
enum ConvolutionKernel {
    static func execute(_ attributes: Convolution, _ x: Tensor, _ w: Tensor, _ bias: Tensor?,
                        _ outputType: TensorType, rule: RequantizationRule,
                        accumulation: Accumulation = .wrappingInt32) throws(KernelError) -> Tensor {
        let geometry = WindowGeometry(input: x.shape, kernel: (w.shape[2], w.shape[3]), strides: attributes.strides,
                                      dilations: attributes.dilations, pads: attributes.pads, output: outputType.shape)
        let outputChannels = w.shape[0]
        let channelsPerGroup = w.shape[1]
        let outputsPerGroup = outputChannels / attributes.groups
        let plane = geometry.height * geometry.width
        let outputPlane = geometry.outputHeight * geometry.outputWidth
        let kernelSize = geometry.kernelHeight * geometry.kernelWidth

        if let input = x.floats, let weights = w.floats {
            let biasValues = bias?.floats
            var output = [Float](repeating: 0, count: geometry.batch * outputChannels * outputPlane)
            for n in 0..<geometry.batch {
                for o in 0..<outputChannels {
                    let group = o / outputsPerGroup
                    for oy in 0..<geometry.outputHeight {
                        for ox in 0..<geometry.outputWidth {
                            var sum: Float = biasValues?[o] ?? 0
                            geometry.forEachTap(oy, ox) { ky, kx, y, xx in
                                for c in 0..<channelsPerGroup {
                                    let inputChannel = group * channelsPerGroup + c
                                    sum += input[(n * geometry.channels + inputChannel) * plane + y * geometry.width + xx]
                                        * weights[(o * channelsPerGroup + c) * kernelSize + ky * geometry.kernelWidth + kx]
                                }
                            }
                            output[(n * outputChannels + o) * outputPlane + oy * geometry.outputWidth + ox] = sum
                        }
                    }
                }
            }
            return Tensor(type: outputType, storage: .float32(output))
        }

        guard let input = x.codes, let weights = w.codes else { throw KernelError("conv2d needs float32 or integer operands") }
        let inputZero = x.type.quantization?.zeroPoint(at: 0) ?? 0
        let weightZero = (0..<outputChannels).map { w.type.quantization?.zeroPoint(at: $0) ?? 0 }
        let biasCodes = bias?.codes
        let requantizer = try Requantizer(rule: rule, input: x.type, weight: w.type, output: outputType, channels: outputChannels)
        var output = [Int32](repeating: 0, count: geometry.batch * outputChannels * outputPlane)
        if accumulation == .pairwiseSaturatingInt16 {
            // Reduction over the (ky, kx, c) window of the group, channels fastest; padded
            // positions hold the unsigned zero point.
            let encoding = try PairwiseSaturatingAccumulation.Encoding(first: x.type.elementType, second: w.type.elementType)
            let zu = inputZero &+ encoding.unsignedOffset
            let depth = kernelSize * channelsPerGroup
            var window = [Int32](repeating: 0, count: depth)
            for n in 0..<geometry.batch {
                for o in 0..<outputChannels {
                    let group = o / outputsPerGroup
                    let zs = weightZero[o] &- encoding.signedOffset
                    for oy in 0..<geometry.outputHeight {
                        for ox in 0..<geometry.outputWidth {
                            for ky in 0..<geometry.kernelHeight {
                                let y = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                                for kx in 0..<geometry.kernelWidth {
                                    let xx = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                                    let inside = y >= 0 && y < geometry.height && xx >= 0 && xx < geometry.width
                                    for c in 0..<channelsPerGroup {
                                        window[(ky * geometry.kernelWidth + kx) * channelsPerGroup + c] = inside
                                            ? input[(n * geometry.channels + group * channelsPerGroup + c) * plane + y * geometry.width + xx] &+ encoding.unsignedOffset
                                            : zu
                                    }
                                }
                            }
                            let sum = PairwiseSaturatingAccumulation.sum(count: depth, unsignedZero: zu, signedZero: zs, { window[$0] }) { k in
                                let c = k % channelsPerGroup, tap = k / channelsPerGroup
                                return weights[(o * channelsPerGroup + c) * kernelSize + tap] &- encoding.signedOffset
                            }
                            output[(n * outputChannels + o) * outputPlane + oy * geometry.outputWidth + ox] =
                                requantizer.apply((biasCodes?[o] ?? 0) &+ sum, channel: o)
                        }
                    }
                }
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        input.withUnsafeBufferPointer { input in
            weights.withUnsafeBufferPointer { weights in
                for n in 0..<geometry.batch {
                    for o in 0..<outputChannels {
                        let group = o / outputsPerGroup
                        let zeroW = weightZero[o]
                        for oy in 0..<geometry.outputHeight {
                            for ox in 0..<geometry.outputWidth {
                                var accumulator: Int32 = biasCodes?[o] ?? 0
                                geometry.forEachTap(oy, ox) { ky, kx, y, xx in
                                    for c in 0..<channelsPerGroup {
                                        let inputChannel = group * channelsPerGroup + c
                                        let a = input[(n * geometry.channels + inputChannel) * plane + y * geometry.width + xx] &- inputZero
                                        let b = weights[(o * channelsPerGroup + c) * kernelSize + ky * geometry.kernelWidth + kx] &- zeroW
                                        accumulator = accumulator &+ a &* b
                                    }
                                }
                                output[(n * outputChannels + o) * outputPlane + oy * geometry.outputWidth + ox] =
                                    requantizer.apply(accumulator, channel: o)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }
}
