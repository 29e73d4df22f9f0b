/// A nondecreasing map from a binary32 input to an integer code, as QONNX's `Quant` and `Trunc`
/// compute it for one channel, and the thresholds that reproduce it exactly.
///
/// Every QONNX quantizer with constant parameters is a step function of its input: each binary32
/// operation in it (division by a positive scale, adding a zero point, clamping, any rounding
/// mode) is nondecreasing. So the code of `x` is `minimumCode + #{k : x ≥ t_k}` where `t_k` is
/// the smallest binary32 value whose code reaches `minimumCode + k`. Kiln finds each `t_k` by
/// bisection over the ordered binary32 values, evaluating the step function with the same
/// binary32 operations the `qonnx` executor performs, so the thresholds are exact by construction
/// (this is also how FINN represents quantized activations: as a MultiThreshold).
struct QONNXStepFunction {
    /// The code of an input (an integral binary32 value; NaN inputs are not modelled).
    let code: (Float) -> Float
    /// The smallest code (the code of −∞).
    let minimumCode: Int
    /// The largest code (the code of +∞).
    let maximumCode: Int

    /// QONNX `Quant` for one channel: `clamp(x / scale + zeroPoint)` rounded with `rounding`
    /// (qonnx clamps before it rounds; both are binary32).
    static func quant(scale: Float, zeroPoint: Float, range: ClosedRange<Int>, rounding: QONNXRounding) -> QONNXStepFunction {
        let low = Float(range.lowerBound), high = Float(range.upperBound)
        return QONNXStepFunction(code: { x in
            var y = x / scale + zeroPoint
            if y > high { y = high }
            if y < low { y = low }
            return rounding.apply(y)
        }, minimumCode: range.lowerBound, maximumCode: range.upperBound)
    }

    /// QONNX `Trunc` (version 2): `round(x / scale + zeroPoint)` (ties to even), divided by
    /// `truncationScale`, clamped to `range`, rounded with `rounding`.
    static func trunc(scale: Float, zeroPoint: Float, truncationScale: Float, range: ClosedRange<Int>,
                      rounding: QONNXRounding) -> QONNXStepFunction {
        let low = Float(range.lowerBound), high = Float(range.upperBound)
        return QONNXStepFunction(code: { x in
            var y = (x / scale + zeroPoint).rounded(.toNearestOrEven) / truncationScale
            if y > high { y = high }
            if y < low { y = low }
            return rounding.apply(y)
        }, minimumCode: range.lowerBound, maximumCode: range.upperBound)
    }

    /// The thresholds `t_1 ... t_n` (`n = maximumCode − minimumCode`), ascending: `t_k` is the
    /// smallest binary32 value whose code is at least `minimumCode + k`.
    func thresholds() -> [Float] {
        (1...max(1, maximumCode - minimumCode)).map { step in
            let wanted = Float(minimumCode + step)
            // Bisection over the ordered keys of binary32 values from −∞ to +∞.
            var low = Self.key(-.infinity), high = Self.key(.infinity)
            while low < high {
                let middle = low + (high - low) / 2
                if code(Self.value(middle)) >= wanted { high = middle } else { low = middle + 1 }
            }
            return Self.value(low)
        }
    }

    /// A key that orders binary32 values as numbers (−0 and +0 share 0).
    static func key(_ x: Float) -> Int64 {
        x.sign == .minus ? -Int64(x.bitPattern & 0x7FFF_FFFF) : Int64(x.bitPattern)
    }

    /// The binary32 value of a key.
    static func value(_ key: Int64) -> Float {
        key >= 0 ? Float(bitPattern: UInt32(key)) : Float(bitPattern: UInt32(-key) | 0x8000_0000)
    }
}
