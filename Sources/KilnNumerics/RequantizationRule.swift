/// How an integer accumulator is scaled back to a narrow output code.
///
/// Each rule is exact and named; `docs/numerics.md` states its rounding and saturation
/// behaviour. The rule is a property of the node that requantizes (see `Node.requantization`
/// in KilnIR), so that a graph imported from ONNX Runtime and a graph adapted for fixed-point
/// hardware can say precisely which arithmetic they mean.
public enum RequantizationRule: String, Sendable, Hashable, CaseIterable, Codable {
    /// ONNX Runtime's QLinearConv / QLinearMatMul behaviour: the int32 accumulator is converted
    /// to float32, multiplied by the float32 multiplier `(inputScale · weightScale) / outputScale`,
    /// rounded half to even, the output zero point is added, and the result saturated.
    case floatScale
    /// gemmlowp / TFLite / CMSIS-NN: a Q31 multiplier and a shift; saturating rounding doubling
    /// high multiply, then a rounding divide by a power of two.
    case fixedPointMultiplier
    /// Fixed-point processors: an arithmetic shift right by a power of two with round-half-up,
    /// then saturation.
    case powerOfTwoShift
}
