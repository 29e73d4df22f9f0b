/// FINN-style multi-threshold activation: the output is the number of thresholds reached plus an offset.
///
/// For channel `c`, `out = offset + |{ t ∈ thresholds[c] : x ≥ t }|`. A threshold equal to `x`
/// counts as reached. With `n` thresholds per channel the output spans `offset...offset + n`.
public struct MultiThresholdActivation: Sendable, Hashable {
    /// The thresholds of each channel, each list sorted ascending (one list for per-tensor use).
    public let thresholds: [[Int64]]
    /// Added to the count (e.g. `−2^(bits−1)` for a signed output).
    public let offset: Int64

    /// Creates the activation.
    ///
    /// - Parameters:
    ///   - thresholds: one ascending list per channel (or a single list shared by all channels);
    ///     every channel must have the same number of thresholds.
    ///   - offset: added to each count.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for unsorted, ragged or empty input.
    public init(thresholds: [[Int64]], offset: Int64 = 0) throws {
        guard let first = thresholds.first else { throw NumericsError.invalidArgument("no threshold channels") }
        for (channel, list) in thresholds.enumerated() {
            guard list.count == first.count else {
                throw NumericsError.invalidArgument("channel \(channel) has \(list.count) thresholds, expected \(first.count)")
            }
            guard zip(list, list.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw NumericsError.invalidArgument("thresholds of channel \(channel) are not sorted ascending")
            }
        }
        guard offset.addingReportingOverflow(Int64(first.count)).overflow == false else {
            throw NumericsError.invalidArgument("offset \(offset) overflows")
        }
        self.thresholds = thresholds
        self.offset = offset
    }

    /// The number of thresholds per channel.
    public var thresholdCount: Int { thresholds[0].count }

    /// Applies the activation to one value of `channel` (use channel 0 for a shared list).
    ///
    /// - Parameters:
    ///   - value: the accumulator.
    ///   - channel: the channel index; reduced modulo the channel count, so it never traps.
    @inlinable
    public func apply(_ value: Int64, channel: Int = 0) -> Int64 {
        let list = thresholds[((channel % thresholds.count) + thresholds.count) % thresholds.count]
        // Binary search for the number of thresholds ≤ value.
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return offset + Int64(low)
    }
}
