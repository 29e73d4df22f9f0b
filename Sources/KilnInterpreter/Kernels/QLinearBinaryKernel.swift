import KilnIR
import KilnNumerics

/// Quantized add and mul of per-tensor 8-bit codes with ONNX Runtime's arithmetic
/// (``ONNXRuntimeQLinearArithmetic``), including how ORT's broadcaster splits the output into
/// spans: over the innermost output axes that share one broadcasting pattern, an operand that does
/// not vary is a scalar of the span. A one-element span goes through the AVX2 kernel's
/// scalar-first-operand path (`LengthA == 1`), which folds ORT's first argument into the constant.
enum QLinearBinaryKernel {
    /// Whether the quantized `kind` of these types runs ORT's kernel (else: float rule).
    static func applies(_ kind: OperatorKind, _ a: TensorType, _ b: TensorType, _ output: TensorType) -> Bool {
        guard kind == .add || kind == .mul else { return false }
        return [a, b, output].allSatisfy { $0.elementType.bitWidth == 8 && $0.quantization?.isPerTensor == true }
            && a.elementType == output.elementType && b.elementType == output.elementType
    }

    static func execute(_ kind: OperatorKind, _ x: [Int32], _ a: TensorType, _ y: [Int32], _ b: TensorType,
                        _ outputType: TensorType) -> Tensor {
        let qa = a.quantization!, qb = b.quantization!, qc = outputType.quantization!
        let arithmetic = ONNXRuntimeQLinearArithmetic(
            kind == .add ? .add : .multiply, scaleA: qa.scale(at: 0), zeroPointA: qa.zeroPoint(at: 0),
            scaleB: qb.scale(at: 0), zeroPointB: qb.zeroPoint(at: 0), scaleC: qc.scale(at: 0), zeroPointC: qc.zeroPoint(at: 0),
            minimumCode: Int32(clamping: outputType.elementType.minimumCode), maximumCode: Int32(clamping: outputType.elementType.maximumCode))
        let shape = outputType.shape
        let count = Shape.elementCount(shape) ?? 0
        let left = BroadcastIndex(from: a.shape, to: shape), right = BroadcastIndex(from: b.shape, to: shape)
        let pattern = spanPattern(a.shape, b.shape, shape, countA: x.count, countB: y.count)
        var output = [Int32](repeating: 0, count: count)
        for index in 0..<count {
            let p = x[left.sourceOffset(index)], q = y[right.sourceOffset(index)]
            switch pattern {
            case .scalarA: output[index] = arithmetic.code(element: q, scalar: p, scalarPosition: 0)
            case .scalarB: output[index] = arithmetic.code(element: p, scalar: q, scalarPosition: 1)
            case .vectors: output[index] = arithmetic.code(p, q)
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    enum SpanPattern { case scalarA, scalarB, vectors }

    /// ORT's functor choice (A of one element, B of one element, else per span) and the AVX2
    /// kernel's `LengthA == 1` case, as the arithmetic path every element takes.
    static func spanPattern(_ a: [Int], _ b: [Int], _ output: [Int], countA: Int, countB: Int) -> SpanPattern {
        let rank = output.count
        func padded(_ shape: [Int]) -> [Int] { [Int](repeating: 1, count: rank - shape.count) + shape }
        let pa = padded(a), pb = padded(b)
        let axes = (0..<rank).filter { output[$0] > 1 }
        var span = 1
        var first: (Bool, Bool)?
        for axis in axes.reversed() {
            let state = (pa[axis] == 1, pb[axis] == 1)
            if let first, first != state { break }
            first = state
            span *= output[axis]
        }
        // ORT passes the varying operand first; a one-element first operand takes the kernel's
        // scalar-A path, which folds that operand into the constant.
        if countA == 1 { return span == 1 ? .scalarB : .scalarA }
        if countB == 1 || first?.1 == true { return span == 1 ? .scalarA : .scalarB }
        if first?.0 == true { return span == 1 ? .scalarB : .scalarA }
        return span == 1 ? .scalarA : .vectors
    }
}
