import KilnNumerics

/// The elements of a tensor, in row-major order.
///
/// Integer types of up to 32 bits (int8, uint8, int4, binary ±1, Q15, bool, ...) are all held
/// widened to `Int32`; the tensor's ``TensorType/elementType`` says which codes are legal.
public enum TensorStorage: Sendable, Hashable {
    /// Float32 elements.
    case float32([Float])
    /// Integer codes of at most 32 bits.
    case int32([Int32])
    /// 64-bit integers (shapes, indices, labels).
    case int64([Int64])

    /// The number of elements.
    public var count: Int {
        switch self {
        case .float32(let values): values.count
        case .int32(let values): values.count
        case .int64(let values): values.count
        }
    }

    /// How the elements are stored.
    public var kind: StorageKind {
        switch self {
        case .float32: .float32
        case .int32: .int32
        case .int64: .int64
        }
    }
}

/// A value with a type and its elements: constants (weights, biases, thresholds) in a graph,
/// and inputs and outputs of the interpreter and simulators.
public struct Tensor: Sendable, Hashable {
    /// The tensor's type; its shape's element count equals the storage's count.
    public var type: TensorType
    /// The elements, row-major.
    public var storage: TensorStorage

    /// Creates a tensor; the storage kind must match the element type and the count the shape.
    public init(type: TensorType, storage: TensorStorage) {
        precondition(storage.kind == type.elementType.storage, "storage \(storage.kind) does not hold \(type.elementType.name)")
        precondition(Shape.elementCount(type.shape) == storage.count, "\(storage.count) elements do not fill shape \(type.shape)")
        self.type = type
        self.storage = storage
    }

    /// A float32 tensor.
    public init(shape: [Int], floats: [Float]) {
        self.init(type: .float32(shape), storage: .float32(floats))
    }

    /// An integer tensor of the given element type (codes widened to Int32).
    public init(shape: [Int], elementType: ElementType, codes: [Int32], quantization: QuantizationParameters? = nil) {
        self.init(type: TensorType(shape: shape, elementType: elementType, quantization: quantization),
                  storage: .int32(codes))
    }

    /// An int64 tensor.
    public init(shape: [Int], int64s: [Int64]) {
        self.init(type: TensorType(shape: shape, elementType: .int64), storage: .int64(int64s))
    }

    /// The shape.
    public var shape: [Int] { type.shape }

    /// The number of elements.
    public var count: Int { storage.count }

    /// The elements as float32, or nil if the tensor holds integers.
    public var floats: [Float]? {
        if case .float32(let values) = storage { return values }
        return nil
    }

    /// The integer codes, or nil if the tensor holds floats or int64.
    public var codes: [Int32]? {
        if case .int32(let values) = storage { return values }
        return nil
    }

    /// The int64 elements, or nil for other storage.
    public var int64s: [Int64]? {
        if case .int64(let values) = storage { return values }
        return nil
    }

    /// Every element converted to `Double` (integers exactly), whatever the storage.
    public var doubles: [Double] {
        switch storage {
        case .float32(let values): values.map(Double.init)
        case .int32(let values): values.map(Double.init)
        case .int64(let values): values.map(Double.init)
        }
    }

    /// Every element converted to `Int64` (floats truncated toward zero; NaN and out-of-range
    /// values give nil), whatever the storage.
    public var integers: [Int64]? {
        switch storage {
        case .int32(let values): return values.map(Int64.init)
        case .int64(let values): return values
        case .float32(let values):
            var result = [Int64]()
            result.reserveCapacity(values.count)
            for value in values {
                guard let exact = Int64(exactly: value.rounded(.towardZero)) else { return nil }
                result.append(exact)
            }
            return result
        }
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ shape: [Int]) -> Tensor {
        Tensor(type: type.withShape(shape), storage: storage)
    }
}
