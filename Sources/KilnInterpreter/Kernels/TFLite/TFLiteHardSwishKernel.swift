import KilnIR
import KilnNumerics

/// TFLite's 8-bit HARD_SWISH (`reference_ops::HardSwish` with the parameters of
/// `activations.cc` `HardSwishPrepare`), in 16-bit fixed point.
///
/// The input, less its zero point, is moved to a "high-resolution" scale (`· 2^7`). The output
/// multiplier `float(inputScale / 128 / outputScale)` and the "relu-ish" multiplier
/// `float(inputScale / 128 / (3 / 32768))` are quantized with `QuantizeMultiplier` and rounded
/// to 16-bit mantissas. The relu-ish value (the input rescaled so that 3.0 is 32768, saturated,
/// then mapped from `[−1, 1]` to `[0, 1]`) multiplies the input on the output scale with a
/// truncating doubling high multiply; a rounding right shift, the output zero point and
/// saturation finish.
enum TFLiteHardSwishKernel {
    static func execute(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's hardSwish needs integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let highResolutionScale = (1 / Float(128)) * input.scale
        let outputMultiplier = try TFLiteArithmetic.multiplier(Double(highResolutionScale / output.scale))
        let reluishMultiplier = try TFLiteArithmetic.multiplier(Double(highResolutionScale / (3 / Float(32768))))
        guard outputMultiplier.shift <= 0 else {
            throw KernelError("TFLite's hardSwish needs inputScale / 128 ≤ outputScale (output multiplier exponent \(outputMultiplier.shift))")
        }
        let outputMantissa = downscale(outputMultiplier.quantizedMultiplier)
        let reluishMantissa = downscale(reluishMultiplier.quantizedMultiplier)
        let reluishExponent = reluishMultiplier.shift
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let result = codes.map { code -> Int32 in
            let highResolution = Int16(truncatingIfNeeded: (code &- input.zeroPoint) &* 128)
            let onOutputScale = roundingDoublingHighMultiply(highResolution, outputMantissa)
            var reluish = highResolution
            if reluishExponent > 0 { reluish = saturatingShiftLeft(reluish, reluishExponent - 1) }
            reluish = roundingDoublingHighMultiply(reluish, reluishMantissa)
            if reluishExponent > 0 { reluish = saturatingShiftLeft(reluish, 1) }
            if reluishExponent < 0 {
                reluish = Int16(FixedPointMath.roundingDivideByPowerOfTwo(Int32(reluish), exponent: -reluishExponent))
            }
            reluish = Int16((Int32(reluish) + (1 << 15)) >> 1)
            let preshift = doublingHighMultiply(reluish, onOutputScale)
            let shifted = FixedPointMath.roundingDivideByPowerOfTwo(Int32(preshift), exponent: -outputMultiplier.shift)
            let value = Int32(Int16(truncatingIfNeeded: shifted &+ output.zeroPoint))
            return min(max(value, bounds.lowerBound), bounds.upperBound)
        }
        return Tensor(type: outputType, storage: .int32(result))
    }

    /// `DownScaleInt32ToInt16Multiplier`: the Q31 mantissa rounded to Q15 (saturating).
    static func downscale(_ multiplier: Int32) -> Int16 {
        multiplier >= Int32.max - (1 << 15) ? Int16.max : Int16((multiplier + (1 << 15)) >> 16)
    }

    /// gemmlowp's 16-bit `SaturatingRoundingDoublingHighMul`: `(a·b + nudge) / 2^15`, truncated
    /// toward zero, where the nudge is `2^14` for non-negative products and `1 − 2^14` otherwise.
    static func roundingDoublingHighMultiply(_ a: Int16, _ b: Int16) -> Int16 {
        if a == Int16.min && b == Int16.min { return Int16.max }
        let product = Int32(a) * Int32(b)
        let nudge: Int32 = product >= 0 ? 1 << 14 : 1 - (1 << 14)
        return Int16((product + nudge) / (1 << 15))
    }

    /// TFLite's `SaturatingDoublingHighMul` (16-bit): `a·b / 2^15` truncated toward zero.
    static func doublingHighMultiply(_ a: Int16, _ b: Int16) -> Int16 {
        if a == Int16.min && b == Int16.min { return Int16.max }
        return Int16((Int32(a) * Int32(b)) / (1 << 15))
    }

    /// `SaturatingLeftShift` (16-bit): `value · 2^amount` saturated to `Int16`.
    static func saturatingShiftLeft(_ value: Int16, _ amount: Int) -> Int16 {
        Int16(clamping: Int64(value) << Int64(min(amount, 40)))
    }
}
