/// Turns a monotone integer quantizer into the threshold form a FINN thresholding unit
/// implements.
///
/// For a quantizer `q` that is non-decreasing over every int32 accumulator and whose codes lie
/// in `lowest...highest`, the thresholds are `t_k = min { a : q(a) ≥ k }` for
/// `k = lowest + 1 ... highest`. Then for every int32 `a`,
/// `q(a) = lowest + |{ k : a ≥ t_k }|` — exactly the `multiThreshold` semantics with
/// `offset = lowest`. A code that no int32 reaches gets the threshold `2^31` (hence Int64).
enum ThresholdDerivation {
    /// The threshold of a code that no int32 accumulator reaches.
    public static let unreachable = Int64(Int32.max) + 1

    /// The ascending thresholds of `quantizer` over the int32 accumulator range.
    ///
    /// - Parameters:
    ///   - lowest: the smallest code the quantizer returns.
    ///   - highest: the largest code; `highest − lowest` thresholds are returned.
    ///   - quantizer: non-decreasing over `Int32.min...Int32.max`.
    /// - Complexity: O((highest − lowest) · 32) quantizer calls (a binary search per code).
    public static func thresholds(lowest: Int32, highest: Int32, quantizer: (Int32) -> Int32) -> [Int64] {
        guard highest > lowest else { return [] }
        let atMinimum = quantizer(Int32.min), atMaximum = quantizer(Int32.max)
        var thresholds: [Int64] = []
        thresholds.reserveCapacity(Int(highest) - Int(lowest))
        var code = Int64(lowest) + 1
        while code <= Int64(highest) {
            if Int64(atMinimum) >= code {
                thresholds.append(Int64(Int32.min))
            } else if Int64(atMaximum) < code {
                thresholds.append(unreachable)
            } else {
                // Invariant: q(low) < code ≤ q(high).
                var low = Int64(Int32.min), high = Int64(Int32.max)
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if Int64(quantizer(Int32(middle))) >= code { high = middle } else { low = middle }
                }
                thresholds.append(high)
            }
            code += 1
        }
        return thresholds
    }
}
