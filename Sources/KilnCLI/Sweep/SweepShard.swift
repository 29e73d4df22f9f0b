/// One part of a sweep split for an array job (`--shard K/N`): shard K of N takes the grid
/// points whose index is K − 1 modulo N (round-robin), so every point is in exactly one
/// shard and the shards have nearly equal sizes.
struct SweepShard: Hashable {
    /// Which shard, from 1 to ``count``.
    let number: Int
    /// How many shards.
    let count: Int

    /// Parses `K/N`.
    /// - Throws: ``UsageError`` unless K and N are integers with 1 ≤ K ≤ N.
    init(parsing text: String) throws(UsageError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let number = Int(parts[0]), let count = Int(parts[1]) else {
            throw UsageError("--shard must be K/N with whole numbers, like --shard 2/8; got '\(text)'")
        }
        guard count >= 1, count <= 1_000_000 else {
            throw UsageError("--shard \(text): N must be from 1 to 1000000")
        }
        guard number >= 1, number <= count else {
            throw UsageError("--shard \(text): K must be from 1 to \(count) (shards are numbered from 1)")
        }
        self.number = number
        self.count = count
    }

    /// Creates shard `number` of `count` (1 ≤ number ≤ count).
    init(number: Int, count: Int) {
        self.number = number
        self.count = count
    }

    /// Whether grid point `index` belongs to this shard.
    func contains(_ index: Int) -> Bool { index % count == number - 1 }

    /// The grid indices of this shard in a grid of `size` points, in increasing order.
    func indices(inGridOf size: Int) -> StrideTo<Int> { stride(from: number - 1, to: size, by: count) }
}
