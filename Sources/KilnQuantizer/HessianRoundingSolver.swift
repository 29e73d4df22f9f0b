/// Kiln's GPTQ-style weight update (Frantar et al., "GPTQ: Accurate Post-Training Quantization
/// for Generative Pre-trained Transformers", ICLR 2023, Algorithm 1, without its lazy batching,
/// which changes speed, not results): the weights of one output channel are quantized one
/// input at a time, and each quantization error is compensated by updating the weights not yet
/// quantized, in proportion to the inverse Hessian `H⁻¹` of the layer's reconstruction error
/// `‖(W − Q) X‖²`, `H = 2 X Xᵀ` (``GramAccumulation``; the factor 2 cancels).
///
/// With `U` the upper Cholesky factor of `H⁻¹` (`H⁻¹ = Uᵀ U`), input k's error
/// `e = (w_k − s q_k) / U_kk` updates `w_j −= e U_kj` for every j > k. `U` is found without
/// inverting `H` twice: `H = V Vᵀ` with `V = U⁻¹` upper triangular is the Cholesky factorization
/// of `H` with rows and columns in reverse order, and `U` is its triangular inverse.
///
/// As GPTQ does, `H` is damped by 1 % of its mean diagonal (the paper's `percdamp = 0.01`), which
/// also makes inputs that are always zero harmless.
struct HessianRoundingSolver {
    /// The damping added to `H`'s diagonal, as a fraction of its mean diagonal (GPTQ's default).
    static let dampingFraction = 0.01

    /// `U`, `[K · K]` row-major, upper triangular.
    let factor: [Double]
    /// K.
    let size: Int

    /// The solver of a layer whose inputs have Gram matrix `gram` (`[K · K]` row-major), or nil
    /// when every input is zero (nothing to compensate) or the damped matrix is not positive
    /// definite in Double precision.
    init?(gram: [Double], size: Int) {
        let mean = (0 ..< size).reduce(0.0) { $0 + gram[$1 * size + $1] } / Double(size)
        guard mean > 0, mean.isFinite else { return nil }
        // R = P H P (P reverses the order), damped; its lower Cholesky factor L gives V = P L P.
        var lower = [Double](repeating: 0, count: size * size)
        for row in 0 ..< size {
            for column in 0 ... row {
                var sum = gram[(size - 1 - row) * size + (size - 1 - column)]
                if row == column { sum += Self.dampingFraction * mean }
                for k in 0 ..< column { sum -= lower[row * size + k] * lower[column * size + k] }
                if row == column {
                    guard sum > 0 else { return nil }
                    lower[row * size + row] = sum.squareRoot()
                } else {
                    lower[row * size + column] = sum / lower[column * size + column]
                }
            }
        }
        // U = V⁻¹ = P L⁻¹ P: invert L by forward substitution, then reverse.
        var inverse = [Double](repeating: 0, count: size * size)
        for column in 0 ..< size {
            inverse[column * size + column] = 1 / lower[column * size + column]
            for row in column + 1 ..< size {
                var sum = 0.0
                for k in column ..< row { sum -= lower[row * size + k] * inverse[k * size + column] }
                inverse[row * size + column] = sum / lower[row * size + row]
            }
        }
        var factor = [Double](repeating: 0, count: size * size)
        for row in 0 ..< size {
            for column in row ..< size { factor[row * size + column] = inverse[(size - 1 - row) * size + (size - 1 - column)] }
        }
        self.factor = factor
        self.size = size
    }

    /// The codes of one output channel, input by input in the order of the Gram matrix.
    ///
    /// - Parameters:
    ///   - weights: the channel's K float weights.
    ///   - codes: their round-to-nearest codes; weights marked `fixed` keep theirs.
    ///   - scale: the channel's scale.
    ///   - maximumCode: the largest code magnitude.
    ///   - fixed: weights that must keep their code (the largest of the scale's slice, so the
    ///     scale does not move); their error is compensated like any other.
    /// - Returns: the codes: each the nearest code (ties away from zero, clamped to
    ///   `±maximumCode`) to its weight after the updates of the inputs before it.
    func quantize(weights: [Float], codes: [Int32], scale: Float, maximumCode: Int32, fixed: [Bool]) -> [Int32] {
        var values = weights.map(Double.init)
        var result = codes
        let step = Double(scale)
        for k in 0 ..< size {
            if !fixed[k] {
                result[k] = Int32(max(-Double(maximumCode), min(Double(maximumCode), (values[k] / step).rounded(.toNearestOrAwayFromZero))))
            }
            let error = (values[k] - Double(result[k]) * step) / factor[k * size + k]
            for j in k + 1 ..< size { values[j] -= error * factor[k * size + j] }
        }
        return result
    }
}
