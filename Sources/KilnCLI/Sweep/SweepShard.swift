import Foundation

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

    /// The shard an array job's environment assigns when `--shard` is not given, or nil outside
    /// an array job (docs/scale-out.md):
    /// - Slurm job array: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` + 1 of
    ///   `SLURM_ARRAY_TASK_COUNT` (the array must have step 1, as `--array=0-7` or `1-8`).
    /// - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` + 1 of `JOB_COMPLETIONS`, a variable the
    ///   manifest sets to `spec.completions` (Kubernetes exports the index, not the count).
    /// - Throws: ``UsageError`` naming the variable when one is set but the set is incomplete or
    ///   not a whole number in range.
    static func fromEnvironment(_ environment: [String: String]) throws(UsageError) -> (shard: SweepShard, source: String)? {
        func integer(_ name: String) throws(UsageError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw UsageError("\(name)=\(text) is not a whole number (kiln takes its shard from it when --shard is not given)")
            }
            return value
        }
        func shard(index: Int, count: Int, _ source: String) throws(UsageError) -> (shard: SweepShard, source: String) {
            guard count >= 1, count <= 1_000_000, index >= 0, index < count else {
                throw UsageError("\(source) gives shard \(index + 1) of \(count); it must be from 1 to \(count) (with 1 ≤ count ≤ 1000000)")
            }
            return (SweepShard(number: index + 1, count: count), source)
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            guard let count = try integer("SLURM_ARRAY_TASK_COUNT") else {
                throw UsageError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; run in a Slurm job array or give --shard K/N")
            }
            if let step = try integer("SLURM_ARRAY_TASK_STEP"), step != 1 {
                throw UsageError("SLURM_ARRAY_TASK_STEP=\(step): the job array must be contiguous (like --array=0-\(count - 1)), or give --shard K/N")
            }
            let first = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            return try shard(index: task - first, count: count, "SLURM_ARRAY_TASK_ID=\(task) (min \(first), count \(count))")
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count = try integer("JOB_COMPLETIONS") else {
                throw UsageError("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not; set it to the Job's spec.completions in the manifest, or give --shard K/N")
            }
            return try shard(index: index, count: count, "JOB_COMPLETION_INDEX=\(index) of JOB_COMPLETIONS=\(count)")
        }
        return nil
    }

    /// Whether grid point `index` belongs to this shard.
    func contains(_ index: Int) -> Bool { index % count == number - 1 }

    /// The grid indices of this shard in a grid of `size` points, in increasing order.
    func indices(inGridOf size: Int) -> StrideTo<Int> { stride(from: number - 1, to: size, by: count) }
}
