/// A streaming fixed-point FIR filter with CMSIS-DSP semantics (`arm_fir_q15`, `arm_fir_q7`, `arm_fir_fast_q15`).
///
/// `y[n] = SSAT((Σ_{k=0}^{N−1} coefficients[k] · x[n − N + 1 + k]) >> shift)`, where the
/// coefficients are stored **time-reversed** as in CMSIS-DSP (`coefficients[N − 1]` multiplies
/// the newest sample) and samples before the first block are zero. Unlike the portable CMSIS
/// Q15 loop, every tap is used for any `N ≥ 1` (CMSIS silently drops the last of an odd count).
public struct FIRFilter<Element: FixedWidthInteger & SignedInteger & Sendable>: Sendable {
    /// The taps in time-reversed order.
    public let coefficients: [Element]
    /// Accumulator width and output narrowing.
    public let options: FixedPointKernels.Options
    /// The last `N − 1` input samples, oldest first.
    public private(set) var state: [Element]
    let accumulatorBits: Int
    let shift: Int

    /// Creates a filter with a zero state.
    ///
    /// - Parameters:
    ///   - coefficients: N ≥ 1 taps, time-reversed (CMSIS-DSP `pCoeffs` order).
    ///   - options: accumulator and output options (default: 64-bit accumulator, saturating, shift by the fraction bits).
    /// - Throws: ``NumericsError`` for no taps or bad options.
    public init(coefficients: [Element], options: FixedPointKernels.Options = .init()) throws {
        guard !coefficients.isEmpty else { throw NumericsError.invalidArgument("a FIR filter needs at least one tap") }
        (accumulatorBits, shift) = try options.validated(for: Element.self)
        self.coefficients = coefficients
        self.options = options
        self.state = [Element](repeating: 0, count: coefficients.count - 1)
    }

    /// Filters one block, continuing from the state left by the previous block.
    ///
    /// - Parameter input: the new samples.
    /// - Returns: one output per input sample.
    public mutating func process(_ input: [Element]) -> [Element] {
        let history = state + input
        let taps = coefficients.count
        var output = [Element](repeating: 0, count: input.count)
        for n in input.indices {
            var sum: Int64 = 0
            for k in 0..<taps { sum &+= Int64(coefficients[k]) &* Int64(history[n + k]) }
            output[n] = FixedPointKernels.narrow(FixedPointKernels.wrap(sum, toBits: accumulatorBits),
                                                 shift: shift, overflow: options.outputOverflow)
        }
        state = Array(history.suffix(taps - 1))
        return output
    }

    /// Clears the state to zeros.
    public mutating func reset() {
        state = [Element](repeating: 0, count: coefficients.count - 1)
    }
}
