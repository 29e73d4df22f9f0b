import KilnIR
import KilnNumerics

/// The prepared arithmetic of TFLite's quantized ADD, SUB and MUL on one pair of codes
/// (`reference_integer_ops::Add`/`Mul`, `reference_ops::Sub` with the parameters of `add.cc`,
/// `sub.cc` and `mul.cc`; CMSIS-NN's `arm_elementwise_add_s8` / `arm_elementwise_mul_s8` take the
/// same parameters and compute the same codes).
///
/// ADD / SUB: both inputs, offset by their zero points, are shifted left by 20 bits and scaled
/// by `scale_i / (2 · max(scale_1, scale_2))`; the sum (or difference) is scaled by
/// `2 · max(scale_1, scale_2) / (2^20 · outputScale)`, offset by the output zero point and
/// saturated. MUL: the product of the offset inputs is scaled by `scale_1 · scale_2 / outputScale`.
/// Every scaling is `MultiplyByQuantizedMultiplier` with a multiplier from `QuantizeMultiplier`.
/// Public so that a backend's kernels compute exactly these codes.
public struct TFLiteElementwiseArithmetic: Sendable, Hashable {
    /// The left shift ADD and SUB apply to both offset inputs (`add.cc`: 20 for 8-bit inputs).
    public static let leftShift = 20
    /// add, sub or mul.
    public let kind: OperatorKind
    /// The zero points of the two inputs and the output.
    public let firstZeroPoint: Int32, secondZeroPoint: Int32, outputZeroPoint: Int32
    /// ADD / SUB: the two input multipliers; MUL: unused (the output multiplier alone scales).
    public let firstMultiplier: FixedPointMultiplier, secondMultiplier: FixedPointMultiplier
    /// The multiplier of the sum, difference or product.
    public let outputMultiplier: FixedPointMultiplier
    /// The output type's code range.
    public let bounds: ClosedRange<Int32>

    /// Prepares the multipliers as TFLite's `Prepare` does.
    /// - Throws: ``KernelError`` when an operand is not per-tensor quantized, the kind is not
    ///   add / sub / mul, or a multiplier cannot be represented.
    public init(_ kind: OperatorKind, first: TensorType, second: TensorType, output: TensorType) throws(KernelError) {
        guard [.add, .sub, .mul].contains(kind) else { throw KernelError("TFLite has no elementwise arithmetic for \(kind.rawValue)") }
        let a = try TFLiteArithmetic.parameters(first, "first input")
        let b = try TFLiteArithmetic.parameters(second, "second input")
        let y = try TFLiteArithmetic.parameters(output, "output")
        self.kind = kind
        (firstZeroPoint, secondZeroPoint, outputZeroPoint) = (a.zeroPoint, b.zeroPoint, y.zeroPoint)
        bounds = TFLiteArithmetic.range(output.elementType)
        if kind == .mul {
            outputMultiplier = try TFLiteArithmetic.multiplier(Double(a.scale * b.scale / y.scale))
            (firstMultiplier, secondMultiplier) = (outputMultiplier, outputMultiplier)
            return
        }
        let twiceMaximum = Double(2 * max(a.scale, b.scale))
        firstMultiplier = try TFLiteArithmetic.multiplier(Double(a.scale) / twiceMaximum)
        secondMultiplier = try TFLiteArithmetic.multiplier(Double(b.scale) / twiceMaximum)
        outputMultiplier = try TFLiteArithmetic.multiplier(twiceMaximum / Double(Float(1 << Self.leftShift) * y.scale))
    }

    /// The output code of one pair of input codes.
    @inline(__always)
    public func apply(_ x: Int32, _ y: Int32) -> Int32 {
        let raw: Int32
        if kind == .mul {
            raw = (x &- firstZeroPoint) &* (y &- secondZeroPoint)
        } else {
            let scaledP = firstMultiplier.apply((x &- firstZeroPoint) &<< Self.leftShift)
            let scaledQ = secondMultiplier.apply((y &- secondZeroPoint) &<< Self.leftShift)
            raw = kind == .sub ? scaledP &- scaledQ : scaledP &+ scaledQ
        }
        let value = Int64(outputMultiplier.apply(raw)) + Int64(outputZeroPoint)
        return Int32(min(max(value, Int64(bounds.lowerBound)), Int64(bounds.upperBound)))
    }
}

/// TFLite's quantized ADD, SUB and MUL with NumPy broadcasting (``TFLiteElementwiseArithmetic``
/// per element).
enum TFLiteArithmeticKernel {
    static func execute(_ kind: OperatorKind, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let x = a.codes, let y = b.codes else { throw KernelError("TFLite's \(kind.rawValue) needs integer operands") }
        let arithmetic = try TFLiteElementwiseArithmetic(kind, first: a.type, second: b.type, output: outputType)
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        let count = Shape.elementCount(outputType.shape) ?? 0
        var result = [Int32](repeating: 0, count: count)
        for index in 0..<count {
            result[index] = arithmetic.apply(x[left.sourceOffset(index)], y[right.sourceOffset(index)])
        }
        return Tensor(type: outputType, storage: .int32(result))
    }
}
