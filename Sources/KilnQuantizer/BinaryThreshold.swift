/// The integer threshold that replaces `sign(acc · s_x · s_w[c] + b[c])` after an integer
/// convolution or dense layer, so that a binarized layer needs no float arithmetic.
///
/// For a positive accumulator scale `α = s_x · s_w[c]`, `acc · α + b ≥ 0 ⟺ acc ≥ −b / α`, and for an
/// integer `acc` that is `acc ≥ T` with `T = ⌈−b / α⌉`. Equality gives `sign(0) = +1` on both sides,
/// so the rewrite is exact. A negative `α` is the same channel with its weights negated (the
/// accumulator negated) and scale `|α|`.
public struct BinaryThreshold: Sendable, Hashable {
    /// The threshold `T`: the sign is +1 exactly when the (possibly negated) accumulator is at least `T`.
    public let threshold: Int32
    /// Whether the channel's weights must be negated (the accumulator scale was negative).
    public let negatesWeights: Bool

    /// Derives the threshold of one channel.
    ///
    /// - Parameters:
    ///   - bias: the channel's real bias `b`.
    ///   - accumulatorScale: the real value of one accumulator step, `α = s_x · s_w[c]`.
    ///   - accumulatorBound: the largest |acc| the layer can produce; the threshold is clamped to
    ///     `−(bound + 1)...(bound + 1)`, which keeps the comparison exact and `acc − T` inside int32.
    public init(bias: Double, accumulatorScale: Double, accumulatorBound: Int64) {
        let bound = Swift.min(Swift.max(accumulatorBound, 0), Int64(Int32.max) / 2) + 1
        negatesWeights = accumulatorScale < 0
        let scale = abs(accumulatorScale)
        let exact: Double
        if scale == 0 || !scale.isFinite {
            // The accumulator does not matter: the sign is that of the bias alone.
            exact = bias >= 0 ? -Double(bound) : Double(bound)
        } else if bias.isNaN {
            exact = -Double(bound)
        } else {
            exact = (-bias / scale).rounded(.up)
        }
        threshold = Int32(Swift.min(Swift.max(exact, -Double(bound)), Double(bound)))
    }
}
