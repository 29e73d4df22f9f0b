import KilnIR
import KilnNumerics

/// TFLite's 8-bit RESIZE_BILINEAR (`reference_ops::ResizeBilinearInteger`) over NCHW codes, in
/// 10-bit fixed point: `scale = (2^10·in + out/2) / out` (align corners: `(2^10·(in − 1) +
/// (out − 1)/2) / (out − 1)`), source `s = o·scale` (half-pixel centres: `+ scale/2 − 2^9`),
/// neighbours `max(s / 2^10, 0)` and `min((s + 2^10 − 1) / 2^10, in − 1)` (C division), the
/// four products of codes and 10-bit weights summed in 64 bits and divided by `2^20` rounding
/// half away from zero.
enum TFLiteResizeBilinearKernel {
    static func execute(_ attributes: Resize, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's resize needs integer input") }
        let planes = x.shape[0] * x.shape[1], height = x.shape[2], width = x.shape[3]
        let outputHeight = attributes.size[0], outputWidth = attributes.size[1]
        func scale(_ input: Int, _ output: Int) -> Int64 {
            attributes.alignCorners && output > 1 ? (1024 * Int64(input - 1) + Int64(output - 1) / 2) / Int64(output - 1)
                                                  : (1024 * Int64(input) + Int64(output) / 2) / Int64(output)
        }
        func source(_ o: Int, _ scale: Int64, _ input: Int) -> (value: Int64, low: Int, high: Int) {
            let value = attributes.halfPixelCenters ? Int64(o) * scale + scale / 2 - 512 : Int64(o) * scale
            return (value, Int(max(value / 1024, 0)), Int(min((value + 1023) / 1024, Int64(input - 1))))
        }
        let scaleY = scale(height, outputHeight), scaleX = scale(width, outputWidth)
        var output = [Int32](repeating: 0, count: planes * outputHeight * outputWidth)
        let bits = outputType.elementType.bitWidth, signed = outputType.elementType.isSigned
        for p in 0..<planes {
            for oy in 0..<outputHeight {
                let y = source(oy, scaleY, height)
                let fy = y.value - 1024 * Int64(y.low)
                for ox in 0..<outputWidth {
                    let xs = source(ox, scaleX, width)
                    let fx = xs.value - 1024 * Int64(xs.low)
                    func at(_ row: Int, _ column: Int) -> Int64 { Int64(codes[(p * height + row) * width + column]) }
                    let sum = at(y.low, xs.low) * (1024 - fy) * (1024 - fx) + at(y.high, xs.low) * fy * (1024 - fx)
                        + at(y.low, xs.high) * (1024 - fy) * fx + at(y.high, xs.high) * fy * fx
                    let rounded = (sum + (sum > 0 ? 1 << 19 : -(1 << 19))) / (1 << 20)
                    output[(p * outputHeight + oy) * outputWidth + ox] = Int32(ElementwiseKernels.wrap(rounded, bits: bits, signed: signed))
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }
}
