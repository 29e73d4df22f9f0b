/// The elements of a ``NumPyArray`` in C (row-major) order, held in their own type so that
/// nothing is lost between reading a file and writing it back.
public enum NumPyStorage: Sendable, Equatable {
    /// `|b1` elements.
    case bool([Bool])
    /// `|i1` elements.
    case int8([Int8])
    /// `|u1` elements.
    case uint8([UInt8])
    /// `<i2` elements.
    case int16([Int16])
    /// `<u2` elements.
    case uint16([UInt16])
    /// `<i4` elements.
    case int32([Int32])
    /// `<u4` elements.
    case uint32([UInt32])
    /// `<i8` elements.
    case int64([Int64])
    /// `<f4` elements.
    case float32([Float])
    /// `<f8` elements.
    case float64([Double])

    /// The element type of the stored values.
    public var dtype: NumPyDType {
        switch self {
        case .bool: .bool
        case .int8: .int8
        case .uint8: .uint8
        case .int16: .int16
        case .uint16: .uint16
        case .int32: .int32
        case .uint32: .uint32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The number of elements.
    public var count: Int {
        switch self {
        case .bool(let values): values.count
        case .int8(let values): values.count
        case .uint8(let values): values.count
        case .int16(let values): values.count
        case .uint16(let values): values.count
        case .int32(let values): values.count
        case .uint32(let values): values.count
        case .int64(let values): values.count
        case .float32(let values): values.count
        case .float64(let values): values.count
        }
    }

    /// Whether two storages hold the same type and the same bit patterns. Unlike `==`, NaN equals
    /// NaN with the same payload and `-0.0` differs from `0.0`: the comparison for round trips.
    public func isBitwiseIdentical(to other: NumPyStorage) -> Bool {
        switch (self, other) {
        case (.float32(let a), .float32(let b)): a.map(\.bitPattern) == b.map(\.bitPattern)
        case (.float64(let a), .float64(let b)): a.map(\.bitPattern) == b.map(\.bitPattern)
        default: self == other
        }
    }
}
