/// ONNX Runtime's `QLinearAveragePool` on 8-bit codes (onnxruntime 1.32,
/// `onnxruntime/contrib_ops/cpu/quantization/qlinear_pool.cc`), which ORT also fuses
/// `DequantizeLinear → AveragePool → QuantizeLinear` into.
///
/// When the kernel covers the whole image without padding ORT runs its global-average kernel
/// (`MlasQLinearGlobalAveragePoolNchw`): the int32 sum of `code − zX` times the float32
/// multiplier `sX / (sY · count)`, rounded half to even, plus `zY` (Kiln's float-scale rule,
/// ``FloatScaleRequantizer``). Any other window takes a float path: each code is dequantized in
/// float32 as `sX · (q − zX)`, the window's values are summed in float32 row by row, left to right,
/// from 0, the sum is divided by the count (the taps inside the image, or the whole kernel with
/// `count_include_pad`), then `nearbyintf(mean / sY + zY)` (round half to even after adding the
/// zero point) is saturated to the code range. The two differ on a few window sums
/// (`Tests/Fixtures/ort-qlinear/avgpool_tie_*`).
public struct ONNXRuntimeQLinearAveragePool: Sendable, Hashable {
    let inputScale: Float
    let inputZeroPoint: Int32
    let outputScale: Float
    let outputZeroPoint: Int32
    let minimumCode: Int32
    let maximumCode: Int32

    /// Prepares the kernel from per-tensor parameters and the output code range.
    public init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32,
                minimumCode: Int32, maximumCode: Int32) {
        self.inputScale = inputScale
        self.inputZeroPoint = inputZeroPoint
        self.outputScale = outputScale
        self.outputZeroPoint = outputZeroPoint
        self.minimumCode = minimumCode
        self.maximumCode = maximumCode
    }

    /// Whether ORT runs this window on its float path: 8-bit codes in and out, and a kernel that
    /// is not the whole spatial image or has padding (otherwise the global kernel runs).
    public static func takesFloatPath(kernel: [Int], spatialShape: [Int], pads: [Int], inputBits: Int, outputBits: Int) -> Bool {
        inputBits == 8 && outputBits == 8 && (kernel != spatialShape || pads.contains { $0 != 0 })
    }

    /// One code dequantized as ORT's `dequantize_array` does: `sX · (q − zX)` in float32.
    @inline(__always)
    public func dequantized(_ code: Int32) -> Float {
        inputScale * Float(code &- inputZeroPoint)
    }

    /// The output code of a window whose ``dequantized(_:)`` values were summed in float32 in
    /// ORT's order, averaged over `count` values.
    @inline(__always)
    public func code(sum: Float, count: Int) -> Int32 {
        let mean = sum / Float(count)
        let rounded = (mean / outputScale + Float(outputZeroPoint)).rounded(.toNearestOrEven)
        let bounded = Swift.min(Swift.max(rounded, Float(minimumCode)), Float(maximumCode))
        return bounded.isNaN ? minimumCode : Int32(bounded)
    }
}
