import KilnIR
import KilnNumerics

/// compare, logical, maximum and minimum with NumPy broadcasting.
///
/// Comparisons read numbers exactly (float32 as float32, integers as int64). maximum / minimum
/// on integers compare codes, which needs both operands to share the output's quantization
/// (then the code order is the real order); on float32 a NaN operand gives NaN (ONNX Max / Min).
enum ComparisonKernels {
    static func compare(_ comparison: Comparison, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let count = Shape.elementCount(outputType.shape) ?? 0
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        func test<Element: Comparable>(_ x: [Element], _ y: [Element]) -> [Int32] {
            (0..<count).map { index in
                let p = x[left.sourceOffset(index)], q = y[right.sourceOffset(index)]
                let result: Bool
                switch comparison {
                case .equal: result = p == q
                case .less: result = p < q
                case .lessOrEqual: result = p <= q
                case .greater: result = p > q
                case .greaterOrEqual: result = p >= q
                }
                return result ? 1 : 0
            }
        }
        if let x = a.floats, let y = b.floats { return Tensor(type: outputType, storage: .int32(test(x, y))) }
        guard let x = a.integers, let y = b.integers, !a.type.elementType.isFloat, !b.type.elementType.isFloat else {
            throw KernelError("compare needs two float32 or two integer operands")
        }
        guard a.type.quantization == b.type.quantization else { throw KernelError("compare needs operands with the same quantization") }
        return Tensor(type: outputType, storage: .int32(test(x, y)))
    }

    static func logical(_ operation: LogicalOperation, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let x = a.codes, let y = b.codes else { throw KernelError("logical operations need bool operands") }
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        let output = (0 ..< (Shape.elementCount(outputType.shape) ?? 0)).map { index -> Int32 in
            let p = x[left.sourceOffset(index)] != 0, q = y[right.sourceOffset(index)] != 0
            switch operation {
            case .and: return p && q ? 1 : 0
            case .or: return p || q ? 1 : 0
            case .xor: return p != q ? 1 : 0
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// maximum (`largest`) or minimum.
    static func extremum(largest: Bool, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let count = Shape.elementCount(outputType.shape) ?? 0
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        if let x = a.floats, let y = b.floats {
            return Tensor(type: outputType, storage: .float32((0..<count).map { index in
                let p = x[left.sourceOffset(index)], q = y[right.sourceOffset(index)]
                if p.isNaN || q.isNaN { return .nan }
                return largest ? Swift.max(p, q) : Swift.min(p, q)
            }))
        }
        guard a.type.quantization == outputType.quantization, b.type.quantization == outputType.quantization else {
            throw KernelError("integer \(largest ? "maximum" : "minimum") needs both operands in the output's quantization")
        }
        func pick<Element: Comparable>(_ x: [Element], _ y: [Element]) -> [Element] {
            (0..<count).map { index in
                let p = x[left.sourceOffset(index)], q = y[right.sourceOffset(index)]
                return largest ? Swift.max(p, q) : Swift.min(p, q)
            }
        }
        switch (a.storage, b.storage) {
        case (.int32(let x), .int32(let y)): return Tensor(type: outputType, storage: .int32(pick(x, y)))
        case (.int64(let x), .int64(let y)): return Tensor(type: outputType, storage: .int64(pick(x, y)))
        default: throw KernelError("maximum / minimum need operands of the same storage")
        }
    }
}
