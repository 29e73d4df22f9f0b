/// Kiln's layer-wise rounding optimizer (the AdaRound idea of Nagel et al., ICML 2020, without a
/// training framework): chooses, per weight, rounding down or up on the weight grid to minimise
/// the layer's output reconstruction error on calibration inputs, `Σ_c Δ_cᵀ G Δ_c`, where
/// `Δ_c = s_c · q_c − w_c` is output channel c's weight error and `G = Σ x xᵀ` the Gram matrix
/// of the inputs the channel sees (im2col patches for a conv).
///
/// The objective is an exact quadratic in the codes, so the optimizer is coordinate descent: a
/// weight's code moves to the other neighbour of `w / s` when that lowers the objective by
/// `2 δ (G Δ)_k + δ² G_kk < 0`, `(G Δ)` is updated in O(K), and sweeps repeat until none moves
/// (at most ``maximumSweeps``). Codes stay in `±maximumCode`; weights of the largest magnitude in
/// their scale's slice keep their code, so the scales do not change.
struct LayerRoundingOptimizer {
    /// Sweeps over all weights of a channel at most.
    static let maximumSweeps = 20

    /// The Gram matrix `[K · K]` row-major.
    let gram: [Double]
    /// K.
    let size: Int

    /// Optimized codes of one output channel.
    ///
    /// - Parameters:
    ///   - weights: the channel's K float weights, in the order of the Gram matrix.
    ///   - codes: their round-to-nearest codes (the starting point).
    ///   - scale: the channel's scale.
    ///   - maximumCode: the largest code magnitude.
    ///   - fixed: weights that must keep their code.
    /// - Returns: the optimized codes; the objective never increases.
    func optimize(weights: [Float], codes: [Int32], scale: Float, maximumCode: Int32, fixed: [Bool]) -> [Int32] {
        var codes = codes
        let step = Double(scale)
        let error = (0 ..< size).map { Double(codes[$0]) * step - Double(weights[$0]) }
        var product = (0 ..< size).map { row in (0 ..< size).reduce(0.0) { $0 + gram[row * size + $1] * error[$1] } }
        for _ in 0 ..< Self.maximumSweeps {
            var moved = false
            for k in 0 ..< size where !fixed[k] {
                let ratio = Double(weights[k]) / step
                let down = Int32(ratio.rounded(.down))
                let alternative = codes[k] == down ? down + 1 : down
                guard alternative != codes[k], abs(alternative) <= maximumCode, Double(alternative) != ratio,
                      abs(Double(alternative) - ratio) < 1 else { continue }
                let delta = Double(alternative - codes[k]) * step
                guard 2 * delta * product[k] + delta * delta * gram[k * size + k] < -1e-12 * max(1, abs(product[k])) else { continue }
                codes[k] = alternative
                for row in 0 ..< size { product[row] += delta * gram[row * size + k] }
                moved = true
            }
            if !moved { break }
        }
        return codes
    }
}
