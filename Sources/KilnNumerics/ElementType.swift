/// The element type of a tensor: what its numbers mean, independent of how they are stored.
///
/// Integer types of at most 32 bits are stored widened to `Int32` (see ``StorageKind``);
/// the element type says which values are legal and how arithmetic on them saturates.
public enum ElementType: Sendable, Hashable {
    /// IEEE-754 binary32.
    case float32
    /// 1-bit binary, the values -1 and +1 (stored as -1 / +1, bit-packed only in target programs).
    case binary
    /// A two's-complement or unsigned integer of 2 to 32 bits (`int4`, `uint8`, `int32`, ...).
    case integer(bits: Int, signed: Bool)
    /// 64-bit signed integer: shapes, indices and labels only, never quantized data.
    case int64
    /// Boolean (stored as 0 / 1).
    case bool
    /// Signed fixed point Qm.n: `1 + integerBits + fractionBits` bits in all (Q15 is
    /// `fixedPoint(integerBits: 0, fractionBits: 15)`), value = code / 2^fractionBits.
    case fixedPoint(integerBits: Int, fractionBits: Int)
    /// A small floating-point format (FP8 E4M3 / E5M2, FP16, BF16) held as bit-pattern codes
    /// `0 ..< 2^bits` in `Int32` storage; ``FloatFormat`` converts. Quantized tensors of it have
    /// `real = decode(code) · scale` (zero point 0), as ONNX `DequantizeLinear` on float8.
    case floatingPoint(FloatFormat)

    /// Signed 8-bit integer.
    public static let int8 = ElementType.integer(bits: 8, signed: true)
    /// Unsigned 8-bit integer.
    public static let uint8 = ElementType.integer(bits: 8, signed: false)
    /// Signed 16-bit integer.
    public static let int16 = ElementType.integer(bits: 16, signed: true)
    /// Unsigned 16-bit integer.
    public static let uint16 = ElementType.integer(bits: 16, signed: false)
    /// Signed 32-bit integer.
    public static let int32 = ElementType.integer(bits: 32, signed: true)
    /// Signed 4-bit integer (packed two per byte in target programs).
    public static let int4 = ElementType.integer(bits: 4, signed: true)
    /// Unsigned 4-bit integer (packed two per byte in target programs).
    public static let uint4 = ElementType.integer(bits: 4, signed: false)
    /// Q7 fixed point (1 sign bit, 7 fraction bits).
    public static let q7 = ElementType.fixedPoint(integerBits: 0, fractionBits: 7)
    /// Q15 fixed point (1 sign bit, 15 fraction bits).
    public static let q15 = ElementType.fixedPoint(integerBits: 0, fractionBits: 15)
    /// Q31 fixed point (1 sign bit, 31 fraction bits).
    public static let q31 = ElementType.fixedPoint(integerBits: 0, fractionBits: 31)

    /// Total storage width in bits of one element.
    public var bitWidth: Int {
        switch self {
        case .float32: 32
        case .binary: 1
        case .integer(let bits, _): bits
        case .int64: 64
        case .bool: 1
        case .fixedPoint(let integerBits, let fractionBits): 1 + integerBits + fractionBits
        case .floatingPoint(let format): format.bitWidth
        }
    }

    /// Whether the type holds integer codes that integer arithmetic works on (everything except
    /// `float32` and the small float formats, whose codes are bit patterns).
    public var isInteger: Bool {
        switch self {
        case .float32, .floatingPoint: false
        default: true
        }
    }

    /// The small float format of this type, or nil.
    public var floatFormat: FloatFormat? {
        if case .floatingPoint(let format) = self { return format }
        return nil
    }

    /// Whether the type is a floating-point type.
    public var isFloat: Bool { self == .float32 }

    /// Whether negative codes are allowed.
    public var isSigned: Bool {
        switch self {
        case .float32, .binary, .int64, .fixedPoint, .floatingPoint: true
        case .integer(_, let signed): signed
        case .bool: false
        }
    }

    /// The smallest code, for integer types (`-128` for int8, `-1` for binary); 0 for the bit
    /// patterns of small float formats.
    public var minimumCode: Int64 {
        switch self {
        case .float32: Int64(Int32.min)
        case .binary: -1
        case .bool: 0
        case .int64: Int64.min
        case .integer(let bits, let signed): signed ? -(Int64(1) << (bits - 1)) : 0
        case .fixedPoint: -(Int64(1) << (bitWidth - 1))
        case .floatingPoint: 0
        }
    }

    /// The largest code, for integer types (`127` for int8, `255` for uint8, `1` for binary);
    /// the all-ones bit pattern for small float formats.
    public var maximumCode: Int64 {
        switch self {
        case .float32: Int64(Int32.max)
        case .binary, .bool: 1
        case .int64: Int64.max
        case .integer(let bits, let signed): signed ? (Int64(1) << (bits - 1)) - 1 : (Int64(1) << bits) - 1
        case .fixedPoint: (Int64(1) << (bitWidth - 1)) - 1
        case .floatingPoint(let format): (Int64(1) << format.bitWidth) - 1
        }
    }

    /// Whether `code` is a legal value of this type.
    public func contains(_ code: Int64) -> Bool {
        if self == .binary { return code == -1 || code == 1 }
        return code >= minimumCode && code <= maximumCode
    }

    /// Clamps `value` to this integer type's range (saturation).
    public func saturate(_ value: Int64) -> Int64 {
        Swift.min(Swift.max(value, minimumCode), maximumCode)
    }

    /// How elements of this type are stored in a tensor.
    public var storage: StorageKind {
        switch self {
        case .float32: .float32
        case .int64: .int64
        default: .int32
        }
    }

    /// The short name used in listings, model files and tables: `f32`, `i8`, `u8`, `i4`,
    /// `i32`, `i64`, `bool`, `bin`, `q15`, `q3.12`, `f8e4m3`, `f8e5m2`, `f16`, `bf16`.
    public var name: String {
        switch self {
        case .float32: "f32"
        case .binary: "bin"
        case .int64: "i64"
        case .bool: "bool"
        case .integer(let bits, let signed): "\(signed ? "i" : "u")\(bits)"
        case .fixedPoint(let integerBits, let fractionBits):
            integerBits == 0 ? "q\(fractionBits)" : "q\(integerBits).\(fractionBits)"
        case .floatingPoint(let format): format.rawValue
        }
    }

    /// Parses a name produced by ``name``; returns nil for anything else.
    public init?(name: String) {
        switch name {
        case "f32": self = .float32
        case "bin": self = .binary
        case "i64": self = .int64
        case "bool": self = .bool
        default:
            if let format = FloatFormat(rawValue: name) {
                self = .floatingPoint(format)
            } else if let first = name.first, first == "i" || first == "u",
               let bits = Int(name.dropFirst()), (2...32).contains(bits) {
                self = .integer(bits: bits, signed: first == "i")
            } else if name.first == "q" {
                let parts = name.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
                if parts.count == 1, let fraction = Int(parts[0]), (1...31).contains(fraction) {
                    self = .fixedPoint(integerBits: 0, fractionBits: fraction)
                } else if parts.count == 2, let integer = Int(parts[0]), let fraction = Int(parts[1]),
                          integer >= 0, fraction >= 0, integer + fraction <= 31 {
                    self = .fixedPoint(integerBits: integer, fractionBits: fraction)
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
    }
}

/// How a tensor's elements are held in memory by the interpreter and simulators.
public enum StorageKind: Sendable, Hashable {
    /// `[Float]`.
    case float32
    /// `[Int32]`: every integer, fixed-point, binary and boolean type of at most 32 bits.
    case int32
    /// `[Int64]`.
    case int64
}
