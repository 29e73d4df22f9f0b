/// The decoded elements of a tensor, in a Swift array of the natural type for its ONNX type.
///
/// Small float formats (float16, bfloat16, float8, float4) are widened to `Float`, exactly;
/// packed 4-bit and 2-bit integers are unpacked to one `Int8` / `UInt8` per element.
public enum ONNXTensorValues: Sendable, Equatable {
    /// float, float16, bfloat16, float8e4m3fn(uz), float8e5m2(fnuz), float8e8m0, float4e2m1.
    case float([Float])
    /// double.
    case double([Double])
    /// int8, int4, int2.
    case int8([Int8])
    /// uint8, uint4, uint2.
    case uint8([UInt8])
    /// int16.
    case int16([Int16])
    /// uint16.
    case uint16([UInt16])
    /// int32.
    case int32([Int32])
    /// uint32.
    case uint32([UInt32])
    /// int64.
    case int64([Int64])
    /// uint64.
    case uint64([UInt64])
    /// bool.
    case bool([Bool])
    /// string (bytes, UTF-8 by convention).
    case string([[UInt8]])

    /// The number of elements.
    public var count: Int {
        switch self {
        case .float(let values): values.count
        case .double(let values): values.count
        case .int8(let values): values.count
        case .uint8(let values): values.count
        case .int16(let values): values.count
        case .uint16(let values): values.count
        case .int32(let values): values.count
        case .uint32(let values): values.count
        case .int64(let values): values.count
        case .uint64(let values): values.count
        case .bool(let values): values.count
        case .string(let values): values.count
        }
    }

    /// The elements converted to `Float` (rounded for wide integers and doubles; bool is 0 / 1),
    /// or `nil` for strings.
    public var floatValues: [Float]? {
        switch self {
        case .float(let values): values
        case .double(let values): values.map { Float($0) }
        case .int8(let values): values.map { Float($0) }
        case .uint8(let values): values.map { Float($0) }
        case .int16(let values): values.map { Float($0) }
        case .uint16(let values): values.map { Float($0) }
        case .int32(let values): values.map { Float($0) }
        case .uint32(let values): values.map { Float($0) }
        case .int64(let values): values.map { Float($0) }
        case .uint64(let values): values.map { Float($0) }
        case .bool(let values): values.map { $0 ? 1 : 0 }
        case .string: nil
        }
    }

    /// The elements as `Int64` for integer and bool tensors (uint64 above `Int64.max` wraps),
    /// or `nil` for float and string tensors.
    public var integerValues: [Int64]? {
        switch self {
        case .float, .double, .string: nil
        case .int8(let values): values.map { Int64($0) }
        case .uint8(let values): values.map { Int64($0) }
        case .int16(let values): values.map { Int64($0) }
        case .uint16(let values): values.map { Int64($0) }
        case .int32(let values): values.map { Int64($0) }
        case .uint32(let values): values.map { Int64($0) }
        case .int64(let values): values
        case .uint64(let values): values.map { Int64(bitPattern: $0) }
        case .bool(let values): values.map { $0 ? 1 : 0 }
        }
    }
}
