import KilnNumerics
import KilnTargets

/// Which integer arithmetic a DSP target's software stack computes, chosen by the rules its
/// target description lists in `numerics.requantization`.
enum DSPArithmetic: Sendable, Hashable {
    /// TFLite Micro with CMSIS-NN's s8 kernels: TFLite's int8 arithmetic, multiplier + shift
    /// requantization. Used when the target lists `fixedPointMultiplier`.
    case cmsisNNs8
    /// CMSIS-NN's legacy q7 kernels (2018): power-of-two scales, shift requantization. Used only
    /// when the target lists `powerOfTwoShift` and not `fixedPointMultiplier`.
    case q7PowerOfTwo

    /// The arithmetic of `target`.
    init(target: TargetDescription) {
        self = target.numerics.requantization.contains(.fixedPointMultiplier) ? .cmsisNNs8 : .q7PowerOfTwo
    }
}
