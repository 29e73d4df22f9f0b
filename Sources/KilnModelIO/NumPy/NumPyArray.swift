import KilnDiagnostics

/// An n-dimensional array as a NumPy `.npy` file holds it: a shape, an element type and the
/// elements in C (row-major) order.
///
/// This is Kiln's exchange type for input data and labels. It does not depend on the IR: the IR
/// layer builds its tensors from ``shape`` and one of the typed accessors (``floatValues()``,
/// ``int32Values()``, ``int64Values()``), and ``NumPyDType/kilnElementTypeName`` names the
/// matching Kiln element type. Read one with ``NumPyReader`` and write one with ``NumPyWriter``.
public struct NumPyArray: Sendable, Equatable {
    /// The size of each dimension, outermost first; `[]` for a 0-d (scalar) array.
    public let shape: [Int]
    /// The elements in C order; `storage.count` is the product of ``shape``.
    public let storage: NumPyStorage

    /// Creates an array, checking that the shape is valid and matches the number of elements.
    /// - Throws: a ``DiagnosticError`` at place `shape` if a dimension is negative, the element
    ///   count overflows, or the number of elements is not the product of the dimensions.
    public init(shape: [Int], storage: NumPyStorage) throws(DiagnosticError) {
        var product = 1
        for (axis, dimension) in shape.enumerated() {
            guard dimension >= 0 else {
                throw DiagnosticError(.error("dimension \(axis) is \(dimension); dimensions must not be negative",
                                             place: "shape"))
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw DiagnosticError(.error("the shape \(NumPyArray.describe(shape)) has more elements than Int can count",
                                             place: "shape"))
            }
            product = next
        }
        guard product == storage.count else {
            throw DiagnosticError(.error("the shape \(NumPyArray.describe(shape)) needs \(product) elements,"
                                         + " but \(storage.count) were given", place: "shape"))
        }
        self.shape = shape
        self.storage = storage
    }

    /// Creates an array whose shape is already known to match `storage` (checked by the reader).
    init(checkedShape shape: [Int], storage: NumPyStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// The element type.
    public var dtype: NumPyDType { storage.dtype }

    /// The number of elements (1 for a 0-d array).
    public var count: Int { storage.count }

    /// The number of dimensions (0 for a scalar).
    public var rank: Int { shape.count }

    /// The elements as `Float`.
    ///
    /// `float32` is returned as stored. `float64` is rounded to the nearest `Float` (NaN, the
    /// infinities and `-0.0` are kept). Integers and bools are converted when the `Float` holds
    /// them exactly (always for 8- and 16-bit types, up to 2^24 in magnitude for wider ones).
    /// - Throws: a ``DiagnosticError`` at place `data` naming the first element that is finite
    ///   but beyond the `Float` range, or an integer that `Float` cannot hold exactly.
    public func floatValues() throws(DiagnosticError) -> [Float] {
        switch storage {
        case .float32(let values): return values
        case .float64(let values):
            var result = [Float]()
            result.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                let converted = Float(value)
                if value.isFinite && !converted.isFinite {
                    throw elementError(index, value, "beyond the float32 range (±\(Float.greatestFiniteMagnitude))")
                }
                result.append(converted)
            }
            return result
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .int8(let values): return values.map { Float($0) }
        case .uint8(let values): return values.map { Float($0) }
        case .int16(let values): return values.map { Float($0) }
        case .uint16(let values): return values.map { Float($0) }
        case .int32(let values): return try exactFloats(values)
        case .uint32(let values): return try exactFloats(values)
        case .int64(let values): return try exactFloats(values)
        }
    }

    /// The elements as `Double`: floats widened, integers and bools converted exactly.
    /// - Throws: a ``DiagnosticError`` at place `data` for an `int64` beyond 2^53 in magnitude,
    ///   which `Double` cannot hold exactly.
    public func doubleValues() throws(DiagnosticError) -> [Double] {
        switch storage {
        case .float64(let values): return values
        case .float32(let values): return values.map { Double($0) }
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .int8(let values): return values.map { Double($0) }
        case .uint8(let values): return values.map { Double($0) }
        case .int16(let values): return values.map { Double($0) }
        case .uint16(let values): return values.map { Double($0) }
        case .int32(let values): return values.map { Double($0) }
        case .uint32(let values): return values.map { Double($0) }
        case .int64(let values):
            var result = [Double]()
            result.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                guard let converted = Double(exactly: value) else {
                    throw elementError(index, value, "which float64 cannot represent exactly")
                }
                result.append(converted)
            }
            return result
        }
    }

    /// The elements as `Int32`, for integer and bool arrays (bools become 0 and 1).
    /// - Throws: a ``DiagnosticError`` at place `data` for a float array (integers were
    ///   expected), or naming the first `uint32` / `int64` element outside the `Int32` range.
    public func int32Values() throws(DiagnosticError) -> [Int32] {
        switch storage {
        case .int32(let values): return values
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .int8(let values): return values.map { Int32($0) }
        case .uint8(let values): return values.map { Int32($0) }
        case .int16(let values): return values.map { Int32($0) }
        case .uint16(let values): return values.map { Int32($0) }
        case .uint32(let values): return try narrowedToInt32(values)
        case .int64(let values): return try narrowedToInt32(values)
        case .float32, .float64: throw notIntegerError(wanted: "int32")
        }
    }

    /// The elements as `Int64`, for integer and bool arrays (bools become 0 and 1).
    /// - Throws: a ``DiagnosticError`` at place `data` for a float array (integers were expected).
    public func int64Values() throws(DiagnosticError) -> [Int64] {
        switch storage {
        case .int64(let values): return values
        case .bool(let values): return values.map { $0 ? 1 : 0 }
        case .int8(let values): return values.map { Int64($0) }
        case .uint8(let values): return values.map { Int64($0) }
        case .int16(let values): return values.map { Int64($0) }
        case .uint16(let values): return values.map { Int64($0) }
        case .int32(let values): return values.map { Int64($0) }
        case .uint32(let values): return values.map { Int64($0) }
        case .float32, .float64: throw notIntegerError(wanted: "int64")
        }
    }

    // MARK: - Helpers

    private func exactFloats<T: BinaryInteger>(_ values: [T]) throws(DiagnosticError) -> [Float] {
        var result = [Float]()
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard let converted = Float(exactly: value) else {
                throw elementError(index, value, "which float32 cannot represent exactly"
                                   + " (integers beyond ±2^24 lose precision); convert the array explicitly")
            }
            result.append(converted)
        }
        return result
    }

    private func narrowedToInt32<T: BinaryInteger>(_ values: [T]) throws(DiagnosticError) -> [Int32] {
        var result = [Int32]()
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard let converted = Int32(exactly: value) else {
                throw elementError(index, value, "outside the int32 range \(Int32.min)...\(Int32.max)")
            }
            result.append(converted)
        }
        return result
    }

    private func notIntegerError(wanted: String) -> DiagnosticError {
        DiagnosticError(.error("the array holds \(dtype.rawValue) values, but \(wanted) integers are needed;"
                               + " save it with a.astype(np.\(wanted))", place: "data"))
    }

    /// An error about one element, naming its flat position and its index in the shape.
    private func elementError(_ flatIndex: Int, _ value: some CustomStringConvertible,
                              _ problem: String) -> DiagnosticError {
        DiagnosticError(.error("element \(flatIndex) at index \(NumPyArray.describe(multiIndex(of: flatIndex)))"
                               + " is \(value), \(problem)", place: "data"))
    }

    /// The n-dimensional index of the element at `flatIndex` in C order.
    func multiIndex(of flatIndex: Int) -> [Int] {
        var remainder = flatIndex
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return index
    }

    /// A shape or index written like a Python tuple: `()`, `(5,)`, `(2, 3)`.
    static func describe(_ dimensions: [Int]) -> String {
        switch dimensions.count {
        case 0: "()"
        case 1: "(\(dimensions[0]),)"
        default: "(" + dimensions.map(String.init).joined(separator: ", ") + ")"
        }
    }
}
