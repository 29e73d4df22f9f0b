import KilnDiagnostics
import KilnIR
import KilnNumerics

extension NumPyArray {
    /// The array as a Kiln tensor: float32 and float64 become f32; integers of up to 32 bits
    /// keep their width (int8 → i8, uint8 → u8, ...); int64 becomes i64; bool becomes bool.
    /// - Throws: ``DiagnosticError`` for float64 values beyond the float32 range and uint32
    ///   values that do not fit in int32.
    public func tensor() throws(DiagnosticError) -> Tensor {
        switch storage {
        case .float32(let values): return Tensor(shape: shape, floats: values)
        case .float64: return Tensor(shape: shape, floats: try floatValues())
        case .int64(let values): return Tensor(shape: shape, int64s: values)
        case .bool(let values): return Tensor(shape: shape, elementType: .bool, codes: values.map { $0 ? 1 : 0 })
        case .int8, .uint8, .int16, .uint16, .int32, .uint32:
            let elementType = dtype.kilnElementTypeName.flatMap(ElementType.init(name:)) ?? .int32
            return Tensor(shape: shape, elementType: elementType, codes: try int32Values())
        }
    }

    /// An array holding a Kiln tensor's elements, in the narrowest NumPy dtype that holds the
    /// tensor's element type (i8 → int8, u8 → uint8, i16 → int16, u16 → uint16, other integer
    /// and fixed-point types → int32, binary ±1 → int8, bool → bool).
    public init(tensor: Tensor) throws(DiagnosticError) {
        switch tensor.storage {
        case .float32(let values):
            try self.init(shape: tensor.shape, storage: .float32(values))
        case .int64(let values):
            try self.init(shape: tensor.shape, storage: .int64(values))
        case .int32(let codes):
            let storage: NumPyStorage
            switch tensor.type.elementType {
            case .bool: storage = .bool(codes.map { $0 != 0 })
            case .binary: storage = .int8(codes.map { Int8(truncatingIfNeeded: $0) })
            case .integer(let bits, true) where bits <= 8: storage = .int8(codes.map { Int8(truncatingIfNeeded: $0) })
            case .integer(let bits, false) where bits <= 8: storage = .uint8(codes.map { UInt8(truncatingIfNeeded: $0) })
            case .integer(let bits, true) where bits <= 16: storage = .int16(codes.map { Int16(truncatingIfNeeded: $0) })
            case .integer(let bits, false) where bits <= 16: storage = .uint16(codes.map { UInt16(truncatingIfNeeded: $0) })
            default: storage = .int32(codes)
            }
            try self.init(shape: tensor.shape, storage: storage)
        }
    }
}
