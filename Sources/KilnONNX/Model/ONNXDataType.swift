/// The element type of an ONNX tensor (`TensorProto.DataType`), with ONNX's numbering.
public enum ONNXDataType: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No type given (allowed in type annotations that leave the type open).
    case undefined = 0
    /// IEEE binary32.
    case float = 1
    /// Unsigned 8-bit integer.
    case uint8 = 2
    /// Signed 8-bit integer.
    case int8 = 3
    /// Unsigned 16-bit integer.
    case uint16 = 4
    /// Signed 16-bit integer.
    case int16 = 5
    /// Signed 32-bit integer.
    case int32 = 6
    /// Signed 64-bit integer.
    case int64 = 7
    /// Byte strings (UTF-8 text by convention).
    case string = 8
    /// Boolean.
    case bool = 9
    /// IEEE binary16.
    case float16 = 10
    /// IEEE binary64.
    case double = 11
    /// Unsigned 32-bit integer.
    case uint32 = 12
    /// Unsigned 64-bit integer.
    case uint64 = 13
    /// Two binary32 (real, imaginary).
    case complex64 = 14
    /// Two binary64 (real, imaginary).
    case complex128 = 15
    /// bfloat16: the upper half of a binary32.
    case bfloat16 = 16
    /// 8-bit float, 4 exponent bits, 3 mantissa bits, no infinities, one NaN pattern per sign.
    case float8e4m3fn = 17
    /// 8-bit float, 4 exponent bits, 3 mantissa bits, no infinities, no negative zero.
    case float8e4m3fnuz = 18
    /// 8-bit float, 5 exponent bits, 2 mantissa bits (IEEE-like).
    case float8e5m2 = 19
    /// 8-bit float, 5 exponent bits, 2 mantissa bits, no infinities, no negative zero.
    case float8e5m2fnuz = 20
    /// Unsigned 4-bit integer, two per byte (low nibble first).
    case uint4 = 21
    /// Signed 4-bit integer, two per byte (low nibble first).
    case int4 = 22
    /// 4-bit float, 2 exponent bits, 1 mantissa bit, two per byte (low nibble first).
    case float4e2m1 = 23
    /// 8-bit power of two scale (exponent only, bias 127).
    case float8e8m0 = 24
    /// Unsigned 2-bit integer, four per byte (low bits first).
    case uint2 = 25
    /// Signed 2-bit integer, four per byte (low bits first).
    case int2 = 26
    /// 6-bit float, 2 exponent bits, 3 mantissa bits.
    case float6e2m3 = 27
    /// 6-bit float, 3 exponent bits, 2 mantissa bits.
    case float6e3m2 = 28

    /// The width of one element in bits as stored in `raw_data` (0 for strings and undefined).
    public var bitWidth: Int {
        switch self {
        case .undefined, .string: 0
        case .uint2, .int2: 2
        case .uint4, .int4, .float4e2m1: 4
        case .float6e2m3, .float6e3m2: 6
        case .uint8, .int8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0: 8
        case .uint16, .int16, .float16, .bfloat16: 16
        case .float, .int32, .uint32: 32
        case .int64, .double, .uint64, .complex64: 64
        case .complex128: 128
        }
    }

    /// The name ONNX uses in its documentation and test tables (`float`, `uint8`, `float8e4m3fn`).
    public var description: String {
        switch self {
        case .undefined: "undefined"
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float16: "float16"
        case .double: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bfloat16: "bfloat16"
        case .float8e4m3fn: "float8e4m3fn"
        case .float8e4m3fnuz: "float8e4m3fnuz"
        case .float8e5m2: "float8e5m2"
        case .float8e5m2fnuz: "float8e5m2fnuz"
        case .uint4: "uint4"
        case .int4: "int4"
        case .float4e2m1: "float4e2m1"
        case .float8e8m0: "float8e8m0"
        case .uint2: "uint2"
        case .int2: "int2"
        case .float6e2m3: "float6e2m3"
        case .float6e3m2: "float6e3m2"
        }
    }
}
