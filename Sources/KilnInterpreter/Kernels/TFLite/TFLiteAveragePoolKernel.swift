import KilnIR
import KilnNumerics

/// TFLite's 8-bit AVERAGE_POOL_2D (`reference_integer_ops::AveragePool`) over NCHW data.
///
/// The raw codes of the window positions inside the input are summed (padding is not counted
/// and the zero point is not subtracted: input and output share their parameters); the sum is
/// divided by the number of those positions rounding half away from zero
/// (`(sum ± count/2) / count`, truncating), then saturated to the output type.
public enum TFLiteAveragePoolKernel {
    /// One output code: `sum` (of `count > 0` raw codes) divided by `count` rounding half away
    /// from zero as C computes `(sum ± count/2) / count`, then clamped to `bounds`. Public so
    /// that a backend's pooling kernels compute exactly these codes (CMSIS-NN's `arm_avgpool_s8`
    /// divides the same way).
    @inline(__always)
    public static func average(sum: Int32, count: Int32, bounds: ClosedRange<Int32>) -> Int32 {
        let average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count
        return min(max(average, bounds.lowerBound), bounds.upperBound)
    }

    static func execute(_ attributes: Pooling, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let input = x.codes else { throw KernelError("TFLite's averagePool needs integer input") }
        let geometry = WindowGeometry(input: x.shape, kernel: (attributes.kernel[0], attributes.kernel[1]),
                                      strides: attributes.strides, dilations: attributes.dilations,
                                      pads: attributes.pads, output: outputType.shape)
        let plane = geometry.height * geometry.width
        let outputPlane = geometry.outputHeight * geometry.outputWidth
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        var output = [Int32](repeating: 0, count: geometry.batch * geometry.channels * outputPlane)
        for p in 0 ..< geometry.batch * geometry.channels {
            for oy in 0..<geometry.outputHeight {
                for ox in 0..<geometry.outputWidth {
                    var sum: Int32 = 0, count: Int32 = 0
                    geometry.forEachTap(oy, ox) { _, _, y, xx in
                        sum &+= input[p * plane + y * geometry.width + xx]
                        count += 1
                    }
                    guard count > 0 else { throw KernelError("an average-pooling window lies entirely in the padding") }
                    output[p * outputPlane + oy * geometry.outputWidth + ox] = average(sum: sum, count: count, bounds: bounds)
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }
}
