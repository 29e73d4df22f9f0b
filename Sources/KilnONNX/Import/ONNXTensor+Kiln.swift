import KilnDiagnostics
import KilnIR
import KilnNumerics

extension ONNXDataType {
    /// The Kiln element type that holds values of this ONNX type, or nil if Kiln's numerics
    /// have no equivalent (float8 / float4 / float6, complex, string, wide unsigned types).
    ///
    /// float16, bfloat16 and double become float32 (their values are widened or rounded once);
    /// 2-, 4-, 8-, 16- and 32-bit integers become ``ElementType/integer(bits:signed:)``.
    public var kilnElementType: ElementType? {
        switch self {
        case .float, .float16, .bfloat16, .double: .float32
        case .int8: .int8
        case .uint8: .uint8
        case .int16: .int16
        case .uint16: .uint16
        case .int32: .int32
        case .int4: .int4
        case .uint4: .uint4
        case .int2: .integer(bits: 2, signed: true)
        case .uint2: .integer(bits: 2, signed: false)
        case .int64: .int64
        case .bool: .bool
        default: nil
        }
    }

    /// Why Kiln cannot represent this type (for error messages).
    var unsupportedReason: String {
        switch self {
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1, .float6e2m3, .float6e3m2:
            "\(self) is a small float format outside Kiln's integer / float32 numerics"
        default:
            "\(self) tensors are not supported by Kiln"
        }
    }
}

extension ONNXTensor {
    /// Converts the tensor to a Kiln ``Tensor``.
    ///
    /// Float formats become float32 (float16 / bfloat16 exactly, double rounded once); integers
    /// of at most 32 bits become integer codes; int64 stays int64; uint32 / uint64 become int64
    /// when every value fits. Small float formats (float8, float4) are rejected.
    /// - Parameter shape: the shape to give the tensor (defaults to ``dims``); its element
    ///   count must equal the tensor's.
    /// - Throws: ``DiagnosticError`` naming the tensor if its type is unsupported or its
    ///   payload does not decode.
    public func kilnTensor(shape: [Int]? = nil) throws(DiagnosticError) -> Tensor {
        let values = try values()
        var dimensions: [Int] = []
        for dim in dims {
            guard dim >= 0, dim <= Int64(Int32.max) else { throw tensorError("dimension \(dim) is out of range") }
            dimensions.append(Int(dim))
        }
        let target = shape ?? dimensions
        guard Shape.elementCount(target) == values.count else {
            throw tensorError("\(values.count) elements do not fill shape \(target)")
        }
        guard let elementType = dataType.kilnElementType else { throw tensorError(dataType.unsupportedReason) }
        switch values {
        case .float(let floats): return Tensor(shape: target, floats: floats)
        case .double(let doubles): return Tensor(shape: target, floats: doubles.map { Float($0) })
        case .int64(let integers): return Tensor(shape: target, int64s: integers)
        case .uint32(let integers): return Tensor(shape: target, int64s: integers.map { Int64($0) })
        case .uint64(let integers):
            guard integers.allSatisfy({ $0 <= UInt64(Int64.max) }) else { throw tensorError("uint64 value does not fit int64") }
            return Tensor(shape: target, int64s: integers.map { Int64($0) })
        case .string: throw tensorError("string tensors are not supported")
        // Narrow integers straight to int32 codes (weights are most of a model's bytes; the
        // `integerValues` route would widen them to Int64 first): the same values.
        case .int8(let integers): return Tensor(shape: target, elementType: elementType, codes: integers.map { Int32($0) })
        case .uint8(let integers): return Tensor(shape: target, elementType: elementType, codes: integers.map { Int32($0) })
        case .int16(let integers): return Tensor(shape: target, elementType: elementType, codes: integers.map { Int32($0) })
        case .uint16(let integers): return Tensor(shape: target, elementType: elementType, codes: integers.map { Int32($0) })
        case .int32(let integers): return Tensor(shape: target, elementType: elementType, codes: integers)
        default:
            guard let integers = values.integerValues else { throw tensorError("\(dataType) tensors are not supported") }
            return Tensor(shape: target, elementType: elementType, codes: integers.map { Int32(truncatingIfNeeded: $0) })
        }
    }
}
