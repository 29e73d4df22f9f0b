import KilnIR
import KilnNumerics

/// Power-of-two scales for Q7 / Q15 codes: the `Qm.n` reading of an 8- or 16-bit code, where the
/// scale `2^−n` lives in the value's quantization parameters and the element type names the
/// storage (`q7` for CMSIS `q7_t`, `q15` for `q15_t`).
enum PowerOfTwoFormat {
    /// The fraction bits `n` of the finest power-of-two scale whose largest code still covers
    /// `maximumMagnitude`: `maximumCode · 2^−n ≥ maximumMagnitude`. A zero or non-finite
    /// magnitude gives the type's own fraction bits (7 or 15).
    static func fractionBits(covering maximumMagnitude: Double, in type: ElementType) -> Int {
        let largest = Double(type.maximumCode)
        guard maximumMagnitude > 0, maximumMagnitude.isFinite else { return type.bitWidth - 1 }
        var bits = Int((largest / maximumMagnitude).exponent)
        // Guard against log rounding at exact powers of two.
        while largest * scale(bits) < maximumMagnitude { bits -= 1 }
        while largest * scale(bits + 1) >= maximumMagnitude { bits += 1 }
        return min(max(bits, -100), 100)
    }

    /// `2^−bits` as a double (exact).
    static func scale(_ bits: Int) -> Double { Double(sign: .plus, exponent: -bits, significand: 1) }

    /// `2^-n` for n ≥ 0, `2^m` for a scale above 1 (listings and logs).
    static func scaleText(_ bits: Int) -> String { bits >= 0 ? "2^-\(bits)" : "2^\(-bits)" }

    /// The fraction bits of a power-of-two scale, or nil if `scale` is not exactly `2^−n`.
    static func fractionBits(ofScale scale: Float) -> Int? {
        guard scale > 0, scale.isFinite, scale.significand == 1 else { return nil }
        return -Int(scale.exponent)
    }

    /// The largest real magnitude a quantized type can represent: `max(|lo|, |hi|)` with
    /// `lo = (minCode − zp)·s`, `hi = (maxCode − zp)·s` (the largest over per-axis scales).
    static func realMagnitude(of type: TensorType) -> Double {
        guard let quantization = type.quantization else { return Double(max(-type.elementType.minimumCode, type.elementType.maximumCode)) }
        var magnitude = 0.0
        for index in quantization.scales.indices {
            let scale = Double(quantization.scales[index]), zero = Int64(quantization.zeroPoints[min(index, quantization.zeroPoints.count - 1)])
            magnitude = max(magnitude, abs(Double(type.elementType.minimumCode - zero) * scale), abs(Double(type.elementType.maximumCode - zero) * scale))
        }
        return magnitude
    }

    /// Whether the type's real range starts at exactly 0 (an unsigned activation whose zero point
    /// is its smallest code: ONNX Runtime's quantizer fuses a relu into such outputs).
    static func clampsAtZero(_ type: TensorType) -> Bool {
        guard let quantization = type.quantization, quantization.isPerTensor else { return false }
        return Int64(quantization.zeroPoints[0]) == type.elementType.minimumCode
    }

    /// Whether a type holds Q7 / Q15 codes with a per-tensor power-of-two scale and zero point 0.
    static func isPowerOfTwoActivation(_ type: TensorType) -> Bool {
        guard type.elementType == .q7 || type.elementType == .q15, let quantization = type.quantization,
              quantization.isPerTensor, quantization.zeroPoints[0] == 0 else { return false }
        return fractionBits(ofScale: quantization.scales[0]) != nil
    }
}
