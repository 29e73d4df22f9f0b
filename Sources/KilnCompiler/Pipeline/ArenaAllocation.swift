/// Offsets in one arena for values that are live over ranges of steps, found the way Vela's
/// tensor allocator finds them (`ethosu/vela/hillclimb_allocation.py`, `regor/compiler/hillclimb_allocator.cpp`):
/// a first solution places each value at the lowest offset free over its lifetime, the values taken
/// most urgent first (the largest total live at any step of its lifetime), then the longest lived,
/// the earliest, the largest; then, while the arena's end is above the lower bound (the largest
/// total live at one step), the search swaps the order of two values that decided where the
/// bottleneck (the value ending highest) went — the bottleneck, the values live beside it, and the
/// values each of them was placed directly on top of — and keeps a swap that lowers the end.
/// Vela draws the pair at random (``ArenaSearch/velaHillClimb(alignment:)`` reproduces that draw
/// exactly, ``ArenaHillClimb``); the default, ``ArenaSearch/orderedSwaps``, tries the pairs in order
/// and keeps the first that helps (stopping when none does, or after `attemptLimit` placements),
/// so a plan reaches the bound in few placements without a generator.
struct ArenaAllocation {
    /// A value's bytes and the steps (both inclusive) where it is live.
    struct LiveRange {
        let bytes: Int
        let first: Int
        let last: Int
        func overlaps(_ other: LiveRange) -> Bool { first <= other.last && other.first <= last }
    }

    /// Each range's offset, in the order of `ranges`, and the arena's end, found by `search`.
    static func allocate(_ ranges: [LiveRange], search: ArenaSearch) -> (offsets: [Int], end: Int) {
        switch search {
        case .orderedSwaps: allocate(ranges)
        case .velaHillClimb: ArenaHillClimb.allocate(ranges, alignment: search.alignment)
        }
    }

    /// Each range's offset, in the order of `ranges`, and the arena's end (``ArenaSearch/orderedSwaps``).
    static func allocate(_ ranges: [LiveRange], attemptLimit: Int = 1_000) -> (offsets: [Int], end: Int) {
        guard !ranges.isEmpty else { return ([], 0) }
        let steps = ranges.map(\.last).max()! + 1
        var liveAt = [Int](repeating: 0, count: steps)
        for range in ranges { for step in range.first...range.last { liveAt[step] += range.bytes } }
        let lowerBound = liveAt.max()!
        let neighbours = ranges.indices.map { index in ranges.indices.filter { $0 != index && ranges[$0].overlaps(ranges[index]) } }
        let priority = ranges.indices.map { index -> (Int, Int, Int, Int, Int) in
            let range = ranges[index]
            return (-liveAt[range.first...range.last].max()!, range.first - range.last, range.first, -range.bytes, index)
        }
        var order = ranges.indices.sorted { priority[$0] < priority[$1] }
        var best = place(ranges, in: order, neighbours: neighbours)
        var attempts = 0
        search: while best.end > lowerBound {
            // The positions in the order of the values that decided where the bottleneck went.
            let bottleneck = ranges.indices.max { (best.offsets[$0] + ranges[$0].bytes, $1) < (best.offsets[$1] + ranges[$1].bytes, $0) }!
            var turns = Set<Int>()
            for start in [bottleneck] + neighbours[bottleneck] {
                var index: Int? = start
                while let current = index, turns.insert(best.turns[current]).inserted { index = best.predecessors[current] }
            }
            let candidates = turns.sorted()
            for (position, first) in candidates.enumerated() {
                for second in candidates[(position + 1)...] {
                    attempts += 1
                    guard attempts <= attemptLimit else { break search }
                    order.swapAt(first, second)
                    let attempt = place(ranges, in: order, neighbours: neighbours)
                    if attempt.end < best.end { best = attempt; continue search }
                    order.swapAt(first, second)
                }
            }
            break
        }
        return (best.offsets, best.end)
    }

    /// Places the ranges in `order`, each at the lowest offset free of the neighbours placed before
    /// it; records each range's turn and the neighbour it sits directly on (nil at offset 0).
    private static func place(_ ranges: [LiveRange], in order: [Int], neighbours: [[Int]])
        -> (offsets: [Int], end: Int, turns: [Int], predecessors: [Int?]) {
        var offsets = [Int](repeating: -1, count: ranges.count)
        var turns = [Int](repeating: 0, count: ranges.count)
        var predecessors = [Int?](repeating: nil, count: ranges.count)
        var end = 0
        for (turn, index) in order.enumerated() {
            let size = ranges[index].bytes
            let placed = neighbours[index].filter { offsets[$0] >= 0 }.sorted { offsets[$0] < offsets[$1] }
            var offset = 0
            var predecessor: Int?
            for other in placed where offset + size > offsets[other] && offsets[other] + ranges[other].bytes > offset {
                predecessor = other
                offset = offsets[other] + ranges[other].bytes
            }
            offsets[index] = offset
            turns[index] = turn
            predecessors[index] = predecessor
            end = max(end, offset + size)
        }
        return (offsets, end, turns, predecessors)
    }
}

/// How the memory plan searches for the activation arena's offsets (``Backend/arenaSearch(for:)``).
/// Both start from Vela's first solution and swap the order of values that decided where the
/// value ending highest went; they differ in which swaps they try and when they stop.
public enum ArenaSearch: Sendable, Hashable {
    /// Swaps tried in order, the first that lowers the end kept, until the end is the most bytes
    /// live at one step or no swap helps (at most 1,000 placements): fast, and the bound on the
    /// graphs Kiln plans. The default.
    case orderedSwaps
    /// Arm Vela 5.2's tensor allocator exactly: sizes rounded up to `alignment` (> 0) bytes, swaps
    /// drawn by `std::mt19937` with its default seed, up to 99,999 placements (``ArenaHillClimb``),
    /// so a plan ends where Vela's ends when the live ranges are Vela's.
    case velaHillClimb(alignment: Int)

    /// The bytes each size is rounded up to (1: none; an alignment below 1 counts as 1).
    var alignment: Int {
        switch self {
        case .orderedSwaps: 1
        case .velaHillClimb(let alignment): max(alignment, 1)
        }
    }
}
