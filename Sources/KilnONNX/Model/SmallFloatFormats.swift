/// Exact conversions of ONNX's small floating-point formats to `Float`.
///
/// Every value of these formats is exactly representable as a binary32, so the conversions
/// are exact, including subnormals, infinities, NaN and the sign of zero.
enum SmallFloatFormats {
    /// IEEE binary16 → binary32, exact (subnormals are normalized, NaN payloads kept).
    @inline(__always)
    static func float16(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        var mantissa = UInt32(bits) & 0x3FF
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent != 0 {
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
        if mantissa == 0 { return Float(bitPattern: sign) }
        // Subnormal: shift the mantissa up until its leading one reaches the implicit bit.
        var normalizedExponent: UInt32 = 113
        while mantissa & 0x400 == 0 {
            mantissa <<= 1
            normalizedExponent -= 1
        }
        return Float(bitPattern: sign | (normalizedExponent << 23) | ((mantissa & 0x3FF) << 13))
    }

    /// bfloat16 → binary32 (the upper half of the binary32 bit pattern).
    @inline(__always)
    static func bfloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// A finite minifloat with `mantissaBits` mantissa bits and exponent `bias`, no specials.
    private static func minifloat(sign: Bool, exponent: Int, mantissa: Int, mantissaBits: Int, bias: Int) -> Float {
        let magnitude: Float
        if exponent == 0 {
            magnitude = Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: Float(mantissa))
        } else {
            magnitude = Float(sign: .plus, exponent: exponent - bias - mantissaBits,
                              significand: Float((1 << mantissaBits) | mantissa))
        }
        return sign ? -magnitude : magnitude
    }

    /// A 256-entry table for an 8-bit format.
    private static func table(_ convert: (UInt8) -> Float) -> [Float] {
        (0 ... 255).map { convert(UInt8($0)) }
    }

    /// float8e4m3fn: bias 7, no infinities, NaN is S.1111.111.
    static let float8e4m3fnTable: [Float] = table { bits in
        if bits & 0x7F == 0x7F { return .nan }
        return minifloat(sign: bits & 0x80 != 0, exponent: Int(bits >> 3) & 0xF, mantissa: Int(bits) & 7, mantissaBits: 3, bias: 7)
    }

    /// float8e4m3fnuz: bias 8, no infinities, no negative zero, NaN is 0x80.
    static let float8e4m3fnuzTable: [Float] = table { bits in
        if bits == 0x80 { return .nan }
        return minifloat(sign: bits & 0x80 != 0, exponent: Int(bits >> 3) & 0xF, mantissa: Int(bits) & 7, mantissaBits: 3, bias: 8)
    }

    /// float8e5m2: bias 15, IEEE-like infinities and NaNs.
    static let float8e5m2Table: [Float] = table { bits in
        // Exactly the upper byte of a binary16.
        float16(UInt16(bits) << 8)
    }

    /// float8e5m2fnuz: bias 16, no infinities, no negative zero, NaN is 0x80.
    static let float8e5m2fnuzTable: [Float] = table { bits in
        if bits == 0x80 { return .nan }
        return minifloat(sign: bits & 0x80 != 0, exponent: Int(bits >> 2) & 0x1F, mantissa: Int(bits) & 3, mantissaBits: 2, bias: 16)
    }

    /// float8e8m0: 2^(bits - 127), NaN is 0xFF.
    static let float8e8m0Table: [Float] = table { bits in
        if bits == 0xFF { return .nan }
        // 2^-127 is a binary32 subnormal, still exact.
        return Float(sign: .plus, exponent: Int(bits) - 127, significand: 1)
    }

    /// float4e2m1: bias 1, no infinities or NaN; indexed by the 4-bit code.
    static let float4e2m1Table: [Float] = (0 ..< 16).map { code in
        minifloat(sign: code & 8 != 0, exponent: (code >> 1) & 3, mantissa: code & 1, mantissaBits: 1, bias: 1)
    }
}
