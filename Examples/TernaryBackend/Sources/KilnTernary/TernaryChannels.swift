import KilnCompiler

/// Ternary weights as the PEs hold them: for every output channel, the positions of its +1 and
/// −1 weights within the channel's reduction (zero weights are not stored in the schedule).
///
/// A channel's dot product is then additions only:
/// `Σ_k t[k]·(x[k] − zx) = Σ_{t=+1} (x − zx) − Σ_{t=−1} (x − zx)`, in wrapping int32 like the
/// reference's accumulator (wrapping addition is associative, so the order does not matter).
struct TernaryChannels: Sendable {
    /// Reduction positions with weight +1, per channel.
    let plus: [[Int]]
    /// Reduction positions with weight −1, per channel.
    let minus: [[Int]]
    /// The reduction depth of every channel.
    let depth: Int

    /// Reads ternary codes laid out `[channels][depth]` (`transposed`: `[depth][channels]`).
    /// - Throws: a reason when a weight is not −1, 0 or +1.
    init(codes: [Int32], channels: Int, transposed: Bool) throws(LoweringRejection) {
        depth = channels == 0 ? 0 : codes.count / channels
        var plus = [[Int]](repeating: [], count: channels), minus = plus
        for channel in 0..<channels {
            for k in 0..<depth {
                switch codes[transposed ? k * channels + channel : channel * depth + k] {
                case 1: plus[channel].append(k)
                case -1: minus[channel].append(k)
                case 0: break
                case let other: throw LoweringRejection("weight \(other) is not ternary; the ternarize-weights pass makes i2 weights in {−1, 0, +1}")
                }
            }
        }
        self.plus = plus
        self.minus = minus
    }

    /// The number of channels.
    var count: Int { plus.count }

    /// Weight–activation pairs the adder tree sums for `channel`: the non-zero weights with zero
    /// skipping, every weight without.
    func pairs(_ channel: Int, zeroSkipping: Bool) -> Int {
        zeroSkipping ? plus[channel].count + minus[channel].count : depth
    }

    /// The fraction of zero weights, for listings.
    var zeroFraction: Double {
        let nonZero = plus.map(\.count).reduce(0, +) + minus.map(\.count).reduce(0, +)
        return 1 - Double(nonZero) / Double(max(depth * count, 1))
    }
}
