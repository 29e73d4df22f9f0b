/// Fixed-point DSP kernels (dot product, matrix products, convolution) generic over the storage type.
///
/// Every kernel accumulates exact products in a two's-complement accumulator of
/// `accumulatorBits` bits (64 by default; 32 models CMSIS-DSP's `fast` variants, 40 a DSP
/// accumulator), which wraps on overflow. The output is `acc >> outputShift` (an arithmetic
/// shift, toward −∞, no rounding) narrowed to the storage type by saturation (default) or wrap.
/// With the defaults and `Int16` / `Int8` data these are bit-exact with CMSIS-DSP's portable
/// `arm_*_q15` / `arm_*_q7` kernels (see `docs/numerics.md`).
public enum FixedPointKernels {
    /// The accumulator width and output narrowing used by a kernel.
    public struct Options: Sendable, Hashable {
        /// The accumulator width in bits, `2...64`; the sum wraps modulo `2^accumulatorBits`.
        public var accumulatorBits: Int
        /// The right shift applied to the accumulator (nil: the storage type's fraction bits, 15 for `Int16`).
        public var outputShift: Int?
        /// How the shifted accumulator is narrowed to the storage type.
        public var outputOverflow: OverflowBehavior

        /// Creates options; the defaults are CMSIS-DSP's standard (non-`fast`) kernels.
        public init(accumulatorBits: Int = 64, outputShift: Int? = nil, outputOverflow: OverflowBehavior = .saturate) {
            self.accumulatorBits = accumulatorBits
            self.outputShift = outputShift
            self.outputOverflow = outputOverflow
        }

        /// CMSIS-DSP's `fast` Q15 matrix multiply and convolution: a wrapping 32-bit accumulator
        /// and an output truncated (wrapped) to 16 bits.
        public static let fastWrapping = Options(accumulatorBits: 32, outputOverflow: .wrap)
        /// CMSIS-DSP's `arm_fir_fast_q15`: a wrapping 32-bit accumulator, saturated output.
        public static let fastSaturating = Options(accumulatorBits: 32, outputOverflow: .saturate)

        func validated<T: FixedWidthInteger & SignedInteger>(for _: T.Type) throws -> (bits: Int, shift: Int) {
            guard (2...64).contains(accumulatorBits) else {
                throw NumericsError.invalidArgument("accumulator width \(accumulatorBits) is outside 2...64")
            }
            let shift = outputShift ?? (T.bitWidth - 1)
            guard (0...63).contains(shift) else { throw NumericsError.invalidArgument("output shift \(shift) is outside 0...63") }
            guard T.bitWidth <= 32 else { throw NumericsError.invalidArgument("storage types wider than 32 bits are not supported") }
            return (accumulatorBits, shift)
        }
    }

    /// Wraps a 64-bit sum to `bits` bits (sign-extending), as a narrower two's-complement accumulator would hold it.
    @inlinable
    public static func wrap(_ sum: Int64, toBits bits: Int) -> Int64 {
        let unused = 64 - Swift.min(Swift.max(bits, 1), 64)
        return (sum << unused) >> unused
    }

    /// Narrows an accumulator: `acc >> shift` (toward −∞), then saturate or wrap to `T`.
    @inlinable
    public static func narrow<T: FixedWidthInteger & SignedInteger>(_ accumulator: Int64, shift: Int,
                                                                    overflow: OverflowBehavior) -> T {
        let shifted = accumulator >> Swift.min(Swift.max(shift, 0), 63)
        return overflow == .saturate ? T(clamping: shifted) : T(truncatingIfNeeded: shifted)
    }

    /// The raw dot product `Σ a[i] · b[i]` with no shift and no saturation (`arm_dot_prod_q15`
    /// returns this 34.30 value for Q15, `arm_dot_prod_q7` an 18.14 value for Q7).
    ///
    /// - Parameters:
    ///   - a: the first vector (at most 32-bit elements).
    ///   - b: the second vector, of the same length.
    ///   - accumulatorBits: the accumulator width (default 64); the sum wraps to it.
    /// - Throws: ``NumericsError`` for mismatched lengths or a bad width.
    public static func dotProduct<T: FixedWidthInteger & SignedInteger>(_ a: [T], _ b: [T], accumulatorBits: Int = 64) throws -> Int64 {
        guard a.count == b.count else { throw NumericsError.sizeMismatch(expected: a.count, actual: b.count) }
        let (bits, _) = try Options(accumulatorBits: accumulatorBits).validated(for: T.self)
        var sum: Int64 = 0
        for index in a.indices { sum &+= Int64(a[index]) &* Int64(b[index]) }
        return wrap(sum, toBits: bits)
    }

    /// Matrix product `C = SSAT((A · B) >> shift)`, row-major (`arm_mat_mult_q15` / `_q7` / `_fast_q15`).
    ///
    /// - Parameters:
    ///   - a: `rows × inner` elements.
    ///   - b: `inner × columns` elements.
    ///   - rows: M; inner: K; columns: N (all ≥ 0).
    ///   - options: accumulator width and output narrowing.
    /// - Returns: `rows × columns` elements.
    /// - Throws: ``NumericsError`` when the sizes do not match the dimensions.
    public static func matrixMultiply<T: FixedWidthInteger & SignedInteger>(
        _ a: [T], _ b: [T], rows: Int, inner: Int, columns: Int, options: Options = Options()
    ) throws -> [T] {
        let (bits, shift) = try options.validated(for: T.self)
        try checkCount(a.count, rows, inner)
        try checkCount(b.count, inner, columns)
        var result = [T](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                var sum: Int64 = 0
                for k in 0..<inner { sum &+= Int64(a[row * inner + k]) &* Int64(b[k * columns + column]) }
                result[row * columns + column] = narrow(wrap(sum, toBits: bits), shift: shift, overflow: options.outputOverflow)
            }
        }
        return result
    }

    /// Matrix–vector product `y = SSAT((A · x) >> shift)` (`arm_mat_vec_mult_q15`, with a true
    /// 64-bit accumulator: Kiln does not reproduce the 1.10.3 wheel's int32 pair-sum wrap).
    ///
    /// - Parameters:
    ///   - matrix: `rows × columns` elements, row-major.
    ///   - vector: `columns` elements.
    ///   - rows: the number of rows; columns: the number of columns.
    ///   - options: accumulator width and output narrowing.
    /// - Throws: ``NumericsError`` when the sizes do not match.
    public static func matrixVectorMultiply<T: FixedWidthInteger & SignedInteger>(
        _ matrix: [T], _ vector: [T], rows: Int, columns: Int, options: Options = Options()
    ) throws -> [T] {
        try matrixMultiply(matrix, vector, rows: rows, inner: columns, columns: 1, options: options)
    }

    /// Full linear convolution, `a.count + b.count − 1` outputs:
    /// `y[n] = SSAT((Σ_j a[j] · b[n − j]) >> shift)` (`arm_conv_q15` / `_q7` / `_fast_q15`).
    ///
    /// - Parameters:
    ///   - a: the first sequence.
    ///   - b: the second sequence.
    ///   - options: accumulator width and output narrowing.
    /// - Returns: the convolution, empty if either input is empty.
    /// - Throws: ``NumericsError`` for bad options.
    public static func convolve<T: FixedWidthInteger & SignedInteger>(_ a: [T], _ b: [T], options: Options = Options()) throws -> [T] {
        let (bits, shift) = try options.validated(for: T.self)
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var result = [T](repeating: 0, count: a.count + b.count - 1)
        for n in result.indices {
            var sum: Int64 = 0
            let first = Swift.max(0, n - (b.count - 1))
            let last = Swift.min(n, a.count - 1)
            for j in first...last { sum &+= Int64(a[j]) &* Int64(b[n - j]) }
            result[n] = narrow(wrap(sum, toBits: bits), shift: shift, overflow: options.outputOverflow)
        }
        return result
    }

    static func checkCount(_ count: Int, _ first: Int, _ second: Int) throws {
        guard first >= 0, second >= 0 else { throw NumericsError.invalidArgument("negative matrix dimension \(first)×\(second)") }
        let (product, overflow) = first.multipliedReportingOverflow(by: second)
        guard !overflow, product == count else { throw NumericsError.sizeMismatch(expected: overflow ? Int.max : product, actual: count) }
    }
}
