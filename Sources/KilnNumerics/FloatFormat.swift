/// A small binary floating-point format whose values are held as bit-pattern codes: the OCP
/// 8-bit formats E4M3 and E5M2, IEEE binary16 and bfloat16.
///
/// Conversions follow the OCP 8-bit Floating Point Specification (OFP8) rev. 1.0 and IEEE 754:
/// encoding rounds to nearest, ties to even, in one step from binary32; decoding is exact.
/// E4M3 has no infinities (its only NaN is `S.1111.111`, its largest value 448); E5M2, binary16 and
/// bfloat16 have IEEE infinities and NaNs. Codes are unsigned bit patterns, `0 ..< 2^bitWidth`.
public enum FloatFormat: String, Sendable, Hashable, CaseIterable {
    /// OCP FP8 E4M3 (ONNX `float8e4m3fn`, ml_dtypes `float8_e4m3fn`): bias 7, largest 448.
    case float8E4M3 = "f8e4m3"
    /// OCP FP8 E5M2 (ONNX `float8e5m2`): bias 15, largest 57344, IEEE infinities.
    case float8E5M2 = "f8e5m2"
    /// IEEE 754 binary16: bias 15, largest 65504.
    case float16 = "f16"
    /// bfloat16, the upper half of a binary32: bias 127.
    case bfloat16 = "bf16"

    /// What happens to a finite value beyond the largest finite code after rounding.
    public enum Overflow: Sendable, Hashable {
        /// Clamp to ±largest finite value, infinities included (OFP8 "saturation mode", ONNX
        /// `QuantizeLinear` with `saturate = 1`).
        case saturate
        /// IEEE behaviour: ±infinity where the format has one, NaN otherwise (E4M3).
        case nonSaturating
    }

    /// Exponent field width in bits.
    public var exponentBits: Int {
        switch self {
        case .float8E4M3: 4
        case .float8E5M2, .float16: 5
        case .bfloat16: 8
        }
    }

    /// Stored mantissa (fraction) width in bits.
    public var mantissaBits: Int {
        switch self {
        case .float8E4M3: 3
        case .float8E5M2: 2
        case .float16: 10
        case .bfloat16: 7
        }
    }

    /// Total width: sign + exponent + mantissa.
    public var bitWidth: Int { 1 + exponentBits + mantissaBits }

    /// The exponent bias.
    public var bias: Int { (1 << (exponentBits - 1)) - 1 }

    /// Whether the all-ones exponent encodes infinity and NaN (IEEE style). E4M3 reuses it for
    /// finite values and keeps only the all-ones mantissa for NaN.
    public var hasInfinity: Bool { self != .float8E4M3 }

    private var exponentMask: UInt32 { (1 << UInt32(exponentBits)) - 1 }
    private var mantissaMask: UInt32 { (1 << UInt32(mantissaBits)) - 1 }
    private var signBit: UInt32 { 1 << UInt32(bitWidth - 1) }

    /// The code of the largest finite positive value.
    public var largestFiniteCode: UInt32 {
        hasInfinity ? ((exponentMask - 1) << UInt32(mantissaBits)) | mantissaMask
                    : (exponentMask << UInt32(mantissaBits)) | (mantissaMask - 1)
    }

    /// The largest finite value (448, 57344, 65504, 3.3895314e38).
    public var largestFinite: Float { decode(largestFiniteCode) }

    /// The value of `code` (its low ``bitWidth`` bits), exactly.
    public func decode(_ code: UInt32) -> Float {
        let negative = code & signBit != 0
        let exponent = (code >> UInt32(mantissaBits)) & exponentMask
        let mantissa = code & mantissaMask
        let magnitude: Float
        if exponent == exponentMask && (hasInfinity || mantissa == mantissaMask) {
            magnitude = hasInfinity && mantissa == 0 ? .infinity : .nan
        } else if exponent == 0 {
            magnitude = Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: Float(mantissa))
        } else {
            magnitude = Float(sign: .plus, exponent: Int(exponent) - bias - mantissaBits,
                              significand: Float((1 << UInt32(mantissaBits)) | mantissa))
        }
        return negative ? -magnitude : magnitude
    }

    /// The code of `value` rounded to nearest, ties to even.
    ///
    /// NaN becomes the format's quiet NaN with the input's sign (`S.1111.111` for E4M3, the top
    /// mantissa bit set for the others); the sign of zero is kept.
    /// - Parameter overflow: what a value beyond the largest finite one becomes.
    public func encode(_ value: Float, overflow: Overflow) -> UInt32 {
        let sign: UInt32 = value.sign == .minus ? signBit : 0
        let exponentField = exponentMask << UInt32(mantissaBits)
        if value.isNaN {
            return sign | exponentField | (hasInfinity ? 1 << UInt32(mantissaBits - 1) : mantissaMask)
        }
        let magnitude = value.magnitude
        if magnitude == 0 { return sign }
        let overflowCode = overflow == .saturate ? largestFiniteCode
                                                 : (hasInfinity ? exponentField : exponentField | mantissaMask)
        if magnitude.isInfinite { return sign | overflowCode }
        // The spacing of codes around `magnitude`: 2^(e − mantissaBits) for normal e, fixed below.
        let smallestNormalExponent = 1 - bias
        let exponent = max(Int(magnitude.exponent), smallestNormalExponent)
        let quantum = Float(sign: .plus, exponent: exponent - mantissaBits, significand: 1)
        // magnitude / quantum is exact (a power-of-two scaling into [0, 2^(mantissaBits+1))).
        let steps = UInt32((magnitude / quantum).rounded(.toNearestOrEven))
        let implicitOne: UInt32 = 1 << UInt32(mantissaBits)
        var code: UInt32
        if steps < implicitOne {
            code = steps  // a subnormal
        } else {
            // Rounding may carry into the exponent field (steps == 2·implicitOne), and a
            // subnormal may round up to the smallest normal (steps == implicitOne): both encode right.
            code = (UInt32(exponent + bias) << UInt32(mantissaBits)) + (steps - implicitOne)
        }
        if code > largestFiniteCode { code = overflowCode }
        return sign | code
    }

    /// Rounds `value` to the nearest value of this format (ties to even): `decode(encode(value))`.
    public func round(_ value: Float, overflow: Overflow) -> Float {
        decode(encode(value, overflow: overflow))
    }
}
