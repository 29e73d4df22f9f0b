import KilnIR
import KilnNumerics

/// TFLite's 8-bit RSQRT (`elementwise.cc` `RsqrtEvalQuantized` with `SetRsqrtOutputMultiplier`).
///
/// `v = q − zx` (negative `v` is an error, as in TFLite; `v = 0` gives the largest code);
/// `(m, s) = GetInvSqrtQuantizedMultiplierExp(v)` — a five-step Newton–Raphson iteration for
/// `1/√v` in gemmlowp fixed point with 3 integer bits (`common.h`); then
/// `d = MBQM(1, m, s + 20)` and `y = sat(MBQM(d, m_o, s_o − 20) + zy)` with
/// `(m_o, s_o) = QuantizeMultiplier(1 / (sqrtf(sx) · sy))`.
enum TFLiteRsqrtKernel {
    static func execute(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's rsqrt needs integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let outputMultiplier = try TFLiteArithmetic.multiplier(1 / Double(input.scale.squareRoot() * output.scale))
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        var result = [Int32](repeating: 0, count: codes.count)
        for (index, code) in codes.enumerated() {
            let value = code &- input.zeroPoint
            guard value >= 0 else { throw KernelError("rsqrt of a negative value (code \(code), zero point \(input.zeroPoint))") }
            if value == 0 { result[index] = bounds.upperBound; continue }
            let (mantissa, shift) = inverseSquareRoot(value)
            let data = try scaled(1, mantissa, shift + 20)
            let scaledOutput = try scaled(data, outputMultiplier.quantizedMultiplier, outputMultiplier.shift - 20)
            result[index] = Int32(min(max(Int64(scaledOutput) + Int64(output.zeroPoint), Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
        }
        return Tensor(type: outputType, storage: .int32(result))
    }

    /// `MultiplyByQuantizedMultiplier(x, m, s)` for a mantissa and shift given as parts.
    private static func scaled(_ x: Int32, _ mantissa: Int32, _ shift: Int) throws(KernelError) -> Int32 {
        do { return try FixedPointMultiplier(quantizedMultiplier: mantissa, shift: shift).apply(x) } catch {
            throw KernelError("rsqrt multiplier out of range: \(error)")
        }
    }

    /// `GetInvSqrtQuantizedMultiplierExp(v, reverse_shift: −1)`: `1/√v` as a Q31 mantissa and a
    /// left shift.
    static func inverseSquareRoot(_ input: Int32) -> (mantissa: Int32, shift: Int) {
        guard input > 1 else { return (Int32.max, 0) }
        var value = input, shift = 11
        while value >= 1 << 29 { value /= 4; shift += 1 }
        let leftShiftBitPairs = (UInt32(value).leadingZeroBitCount - 1) / 2 - 1
        shift -= leftShiftBitPairs
        value <<= Int32(2 * leftShiftBitPairs)
        // Q3.28 fixed point (gemmlowp FixedPoint<int32_t, 3>).
        let high = FixedPointMath.saturatingRoundingDoublingHighMultiply
        func rescale(_ raw: Int32, by exponent: Int) -> Int32 { Int32(clamping: Int64(raw) << Int64(exponent)) }
        let halfInput = FixedPointMath.roundingDivideByPowerOfTwo(value >> 1, exponent: 1)
        let halfThree: Int32 = (1 << 28) + (1 << 27)
        var x: Int32 = 1 << 28
        for _ in 0..<5 {
            let cube = rescale(high(high(x, x), x), by: 6)
            x = rescale(high(halfThree, x) &- high(halfInput, cube), by: 3)
        }
        x = high(x, 1_518_500_250)
        if shift < 0 {
            x <<= Int32(-shift)
            shift = 0
        }
        return (x, -shift)
    }
}
