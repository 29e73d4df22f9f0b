/// A two's-complement accumulator of a given width (e.g. 32, 40 or 64 bits) that wraps or
/// saturates on overflow and counts how often that happened.
///
/// Each ``add(_:)`` or ``multiplyAdd(_:_:)`` computes the exact (up to 128-bit) result first;
/// if it lies outside `minimum...maximum` the operation counts as one overflow and the value
/// is wrapped modulo `2^bitWidth` or clamped, depending on ``overflow``.
public struct Accumulator: Sendable, Hashable {
    /// The width in bits, `2...64`.
    public let bitWidth: Int
    /// What happens when a result does not fit.
    public let overflow: OverflowBehavior
    /// The smallest representable value, `−2^(bitWidth−1)`.
    public let minimum: Int64
    /// The largest representable value, `2^(bitWidth−1) − 1`.
    public let maximum: Int64
    /// The current value, always within `minimum...maximum`.
    public private(set) var value: Int64 = 0
    /// How many operations produced a result outside the range since creation or ``reset()``.
    public private(set) var overflowCount = 0

    /// Creates a zero accumulator.
    ///
    /// - Parameters:
    ///   - bitWidth: the width in bits, `2...64`.
    ///   - overflow: ``OverflowBehavior/wrap`` (default, like hardware MAC units) or ``OverflowBehavior/saturate``.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a width outside `2...64`.
    public init(bitWidth: Int, overflow: OverflowBehavior = .wrap) throws {
        guard (2...64).contains(bitWidth) else { throw NumericsError.invalidArgument("accumulator width \(bitWidth) is outside 2...64") }
        self.bitWidth = bitWidth
        self.overflow = overflow
        self.minimum = bitWidth == 64 ? Int64.min : -(Int64(1) << (bitWidth - 1))
        self.maximum = bitWidth == 64 ? Int64.max : (Int64(1) << (bitWidth - 1)) - 1
    }

    /// Adds `addend`.
    public mutating func add(_ addend: Int64) {
        accumulate(high: addend >> 63, low: UInt64(bitPattern: addend))
    }

    /// Adds the exact product `a · b` (a multiply–accumulate).
    public mutating func multiplyAdd(_ a: Int64, _ b: Int64) {
        let product = a.multipliedFullWidth(by: b)
        accumulate(high: product.high, low: product.low)
    }

    /// Sets the value and the overflow count back to zero.
    public mutating func reset() {
        value = 0
        overflowCount = 0
    }

    /// Adds a 128-bit two's-complement operand (`high:low`) to the value, exactly.
    private mutating func accumulate(high: Int64, low: UInt64) {
        let (sumLow, carry) = UInt64(bitPattern: value).addingReportingOverflow(low)
        // |value| < 2^63 and |operand| ≤ 2^126, so the 128-bit sum cannot overflow.
        let sumHigh = (value >> 63) &+ high &+ (carry ? 1 : 0)
        let truncated = Int64(bitPattern: sumLow)
        let fitsInt64 = sumHigh == truncated >> 63
        if fitsInt64, truncated >= minimum, truncated <= maximum {
            value = truncated
            return
        }
        overflowCount += 1
        switch overflow {
        case .wrap: value = FixedPointKernels.wrap(truncated, toBits: bitWidth)
        case .saturate: value = sumHigh < 0 ? minimum : maximum
        }
    }
}
