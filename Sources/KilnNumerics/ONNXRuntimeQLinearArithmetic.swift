/// ONNX Runtime's quantized elementwise add and multiply on 8-bit codes, as its MLAS kernels
/// compute them on x86-64 (onnxruntime 1.32; `onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp`
/// for `QLinearAdd`, the SSE2 branch of `onnxruntime/core/mlas/lib/qlmul.cpp` for `QLinearMul`).
///
/// Both kernels fold the scales into float32 ratios and convert with `cvtps2dq` (round half to
/// even), then saturate to 16 and 8 bits. The add folds every zero point into one float32
/// constant `k = zC − (rA·zA + rB·zB)` with `rA = sA/sC`, `rB = sB/sC` and computes
/// `fma(a, rA, fma(b, rB, k))` on the raw codes; when one operand is a single value over the
/// span ORT processes (a broadcast scalar), ORT passes it as the second operand and folds it into
/// the constant first (`k' = k + b·rB`, then `fma(a, rA, k')`). The multiply computes the exact
/// integer product `p = (a − zA)(b − zB)` and `float(p)·((sA·sB)/sC) + zC` (a multiply and an add,
/// no FMA). Both differ from `quantize(dequantize(a) ⊕ dequantize(b))` on a few code pairs.
public struct ONNXRuntimeQLinearArithmetic: Sendable, Hashable {
    /// Which ORT kernel.
    public enum Operation: Sendable, Hashable {
        /// `QLinearAdd` (MLAS AVX2 kernel).
        case add
        /// `QLinearMul` (MLAS SSE2 kernel).
        case multiply
    }

    /// Which ORT kernel this is.
    public let operation: Operation
    /// Add: `sA/sC`; multiply: `(sA·sB)/sC`.
    let ratioA: Float
    /// Add: `sB/sC`.
    let ratioB: Float
    /// Add: `zC − (rA·zA + rB·zB)`; multiply: `zC`.
    let constant: Float
    let zeroPointA: Int32
    let zeroPointB: Int32
    let minimumCode: Int32
    let maximumCode: Int32

    /// Prepares the kernel's constants from per-tensor parameters (float32 scales, integer zero
    /// points) and the output code range.
    public init(_ operation: Operation, scaleA: Float, zeroPointA: Int32, scaleB: Float, zeroPointB: Int32,
                scaleC: Float, zeroPointC: Int32, minimumCode: Int32, maximumCode: Int32) {
        self.operation = operation
        self.zeroPointA = zeroPointA
        self.zeroPointB = zeroPointB
        self.minimumCode = minimumCode
        self.maximumCode = maximumCode
        switch operation {
        case .add:
            ratioA = scaleA / scaleC
            ratioB = scaleB / scaleC
            let folded = ratioA * Float(zeroPointA) + ratioB * Float(zeroPointB)
            constant = Float(zeroPointC) - folded
        case .multiply:
            ratioA = scaleA * scaleB / scaleC
            ratioB = 0
            constant = Float(zeroPointC)
        }
    }

    /// The output code for codes `a` and `b` when both vary over ORT's span.
    @inline(__always)
    public func code(_ a: Int32, _ b: Int32) -> Int32 {
        switch operation {
        case .add: return saturate(constant.addingProduct(Float(b), ratioB).addingProduct(Float(a), ratioA))
        case .multiply: return saturate(product(a, b))
        }
    }

    /// The output code when `scalar` (the operand at position `scalarPosition`, 0 for A, 1 for B)
    /// is a single value over ORT's span and `element` varies.
    @inline(__always)
    public func code(element: Int32, scalar: Int32, scalarPosition: Int) -> Int32 {
        switch operation {
        case .add:
            let (elementRatio, scalarRatio) = scalarPosition == 0 ? (ratioB, ratioA) : (ratioA, ratioB)
            let folded = constant + Float(scalar) * scalarRatio
            return saturate(folded.addingProduct(Float(element), elementRatio))
        case .multiply:
            return saturate(scalarPosition == 0 ? product(scalar, element) : product(element, scalar))
        }
    }

    /// The output codes of two operands of the same shape (one span; a one-element span takes the
    /// AVX2 kernel's `LengthA == 1` path, which folds A into the constant).
    public func codes(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        if a.count == 1 && b.count == 1 { return [code(element: b[0], scalar: a[0], scalarPosition: 0)] }
        return zip(a, b).map { code($0, $1) }
    }

    @inline(__always)
    private func product(_ a: Int32, _ b: Int32) -> Float {
        let exact = (Int64(a) - Int64(zeroPointA)) * (Int64(b) - Int64(zeroPointB))
        return Float(exact) * ratioA + constant
    }

    /// `cvtps2dq` (round half to even; NaN and values outside int32 give `Int32.min`), then
    /// saturation to the code range (ORT's `packs` / `packus` steps).
    @inline(__always)
    private func saturate(_ value: Float) -> Int32 {
        let rounded = value.rounded(.toNearestOrEven)
        let integer = rounded.isNaN || rounded < -2_147_483_648 || rounded >= 2_147_483_648 ? Int64(Int32.min) : Int64(rounded)
        return Int32(Swift.min(Swift.max(integer, Int64(minimumCode)), Int64(maximumCode)))
    }
}
