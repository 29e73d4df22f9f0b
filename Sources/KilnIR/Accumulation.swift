/// How an integer conv2d / dense / matmul sums its products before requantization.
///
/// The default, ``wrappingInt32``, is the target-neutral semantics: the exact sum of
/// `(x − zx)·(w − zw)` plus the bias in a two's-complement 32-bit accumulator. A target whose
/// multiply instruction narrows intermediate sums states that here, so the reference
/// interpreter computes what the hardware computes (see `docs/numerics.md`, "Accumulation").
public enum Accumulation: String, Sendable, Hashable, CaseIterable {
    /// `acc = bias + Σ_k (x_k − zx)(w_k − zw)`, wrapping at 32 bits.
    case wrappingInt32
    /// x86 `vpmaddubsw` then `vpmaddwd` with ones: both operands are 8-bit. The first (the
    /// activation, or matmul's left operand) is taken as unsigned `u = x + 128` if it is signed
    /// (else `u = x`), the second (the weight, or matmul's right operand) as signed
    /// `s = w − 128` if it is unsigned (else `s = w`); zero points move with them (`zu`, `zs`).
    /// Over the reduction axis `k = 0..<K` (conv2d: the flattened `(ky, kx, c)` window of one
    /// group, channels fastest, padded positions holding `zu`; dense / matmul: the depth axis):
    ///
    ///     acc = bias + Σ_p SSAT16(u_2p·s_2p + u_2p+1·s_2p+1) − zs·Σ_k u_k − zu·Σ_k s_k + K·zu·zs
    ///
    /// in wrapping 32-bit arithmetic, where an odd `K` pairs its last element with `u = s = 0`.
    /// Saturation acts on the raw pair sums, before the zero-point correction, as the
    /// instruction does; without saturation the formula equals ``wrappingInt32``.
    case pairwiseSaturatingInt16
}
