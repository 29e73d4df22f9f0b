/// The element types Kiln reads from and writes to NumPy `.npy` files.
///
/// A `.npy` header names its element type with a descriptor such as `<f4` (byte order, kind,
/// size in bytes). Every case here can be read in little-endian (`<`), big-endian (`>`) and
/// native (`=`, `|` or no order character) byte order; Kiln always writes little-endian.
/// Complex numbers, strings, Python objects, datetimes, half floats, `uint64` and structured
/// (record) types are not supported.
public enum NumPyDType: String, Sendable, Hashable, CaseIterable {
    /// `|b1`: NumPy `bool`, one byte holding 0 or 1.
    case bool
    /// `|i1`: `int8`.
    case int8
    /// `|u1`: `uint8`.
    case uint8
    /// `<i2`: `int16`.
    case int16
    /// `<u2`: `uint16`.
    case uint16
    /// `<i4`: `int32`.
    case int32
    /// `<u4`: `uint32`.
    case uint32
    /// `<i8`: `int64`.
    case int64
    /// `<f4`: `float32`.
    case float32
    /// `<f8`: `float64`.
    case float64

    /// The size of one element in bytes.
    public var itemSize: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .float64: 8
        }
    }

    /// The kind and size part of the descriptor, without byte order: `b1`, `i1`, `f4`, ...
    public var typeCode: String {
        switch self {
        case .bool: "b1"
        case .int8: "i1"
        case .uint8: "u1"
        case .int16: "i2"
        case .uint16: "u2"
        case .int32: "i4"
        case .uint32: "u4"
        case .int64: "i8"
        case .float32: "f4"
        case .float64: "f8"
        }
    }

    /// The descriptor NumPy writes for this type in little-endian order: `|b1`, `|i1`, `|u1`
    /// (one byte, so no byte order) and `<i2`, `<f4`, ... for the others.
    public var littleEndianDescriptor: String {
        (itemSize == 1 ? "|" : "<") + typeCode
    }

    /// The name of the Kiln element type (`ElementType(name:)` in KilnNumerics) that holds
    /// this type's values without loss: `f32`, `i8`, `u8`, `i16`, `u16`, `i32`, `i64`, `bool`.
    /// `nil` for `float64` and `uint32`, which Kiln tensors cannot hold exactly; convert them with
    /// ``NumPyArray/floatValues()`` or ``NumPyArray/int64Values()``.
    public var kilnElementTypeName: String? {
        switch self {
        case .bool: "bool"
        case .int8: "i8"
        case .uint8: "u8"
        case .int16: "i16"
        case .uint16: "u16"
        case .int32: "i32"
        case .int64: "i64"
        case .float32: "f32"
        case .uint32, .float64: nil
        }
    }

    /// The descriptors Kiln reads, for error messages: `|b1, |i1, |u1, <i2, ...`.
    static var supportedDescriptorList: String {
        allCases.map(\.littleEndianDescriptor).joined(separator: ", ")
    }
}
