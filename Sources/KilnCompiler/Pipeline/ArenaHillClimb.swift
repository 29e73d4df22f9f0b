/// Arm Vela's tensor allocator, step for step (`HillClimbAllocator` in Vela 5.2's
/// `ethosu/regor/compiler/hillclimb_allocator.cpp`, Apache-2.0; re-derived, not copied), so that a
/// plan stops where Vela's does: the same live ranges in the same order give the same offsets.
///
/// - Sizes are rounded up to the alignment; the bound is the most bytes live at one time.
/// - Neighbours (ranges live at a common time) are listed in the order Vela finds them: by the
///   first time they are both live, then by index.
/// - The first solution takes the ranges most urgent first (the most bytes live at a time of
///   the range), then the longest lived, the earliest, the largest, the lowest index, each at
///   the lowest offset where it overlaps no neighbour placed before it.
/// - Each iteration swaps two turns of the order among those that decided where the bottleneck
///   (the first range ending highest) went: its own, its neighbours' and, for each, the turns
///   of the neighbours it sits on, down to offset 0. It draws from `std::mt19937` with the
///   default seed: `rng() % 100 < 30` picks the first turn among the ranges not live beside the
///   bottleneck (when there are some), `rng() % n` picks each turn, an equal second pick becomes
///   the last turn. After 25 iterations without improvement it also swaps two turns drawn from
///   every range reachable through neighbours. An order that ends no higher is kept.
/// - The search stops at the bound, after 5,000 iterations without a lower end, or after 99,999.
struct ArenaHillClimb {
    /// Vela's `MAX_ITERATIONS`.
    static let maximumIterations = 99_999
    /// Vela's `MAX_ITERATIONS_STUCK`: iterations without improvement before the wider swap.
    static let iterationsStuck = 25
    /// Vela's `MIN_ITERATIONS_IMPROVE`: iterations without improvement that end the search.
    static let iterationsWithoutImprovement = 5_000
    /// Percent of first picks drawn from the ranges not live beside the bottleneck.
    static let nonNeighbourPercent: UInt32 = 30

    private let first: [Int], last: [Int], sizes: [Int]
    private let neighbours: [[Int]]
    /// Per range, the most bytes live at one time of its range.
    private let urgency: [Int]
    /// The most bytes live at one time: the search's target.
    let bound: Int
    private var state: Placement
    private var random = MersenneTwister()

    /// Where each range went in one pass over an order.
    private struct Placement {
        var offsets: [Int]
        var predecessors: [Int]
        var turns: [Int]
        init(count: Int) {
            offsets = [Int](repeating: -1, count: count)
            predecessors = [Int](repeating: -1, count: count)
            turns = [Int](repeating: 0, count: count)
        }
    }

    /// Each range's offset (in the order of `ranges`) and the arena's end, as Vela allocates them.
    /// `alignment` > 0; the sizes' sum must fit in `Int` (the memory plan checks it).
    static func allocate(_ ranges: [ArenaAllocation.LiveRange], alignment: Int) -> (offsets: [Int], end: Int) {
        guard !ranges.isEmpty else { return ([], 0) }
        var search = ArenaHillClimb(ranges, alignment: alignment)
        let end = search.run()
        return (search.state.offsets, end)
    }

    private init(_ ranges: [ArenaAllocation.LiveRange], alignment: Int) {
        let first = ranges.map(\.first), last = ranges.map(\.last)
        let sizes = ranges.map { ($0.bytes + alignment - 1) / alignment * alignment }
        var liveAt = [[Int]](repeating: [], count: (last.max() ?? 0) + 1)
        for index in ranges.indices { for time in first[index]...last[index] { liveAt[time].append(index) } }
        var neighbours = [[Int]](repeating: [], count: ranges.count)
        var known = Set<Int>()  // index pairs a · count + b, a < b
        for live in liveAt {
            for (position, a) in live.enumerated() {
                for b in live[(position + 1)...] where known.insert(a * ranges.count + b).inserted {
                    neighbours[a].append(b)
                    neighbours[b].append(a)
                }
            }
        }
        let bytesAt = liveAt.map { $0.reduce(0) { $0 + sizes[$1] } }
        (self.first, self.last, self.sizes, self.neighbours) = (first, last, sizes, neighbours)
        urgency = ranges.indices.map { bytesAt[first[$0]...last[$0]].max()! }
        bound = bytesAt.max() ?? 0
        state = Placement(count: ranges.count)
    }

    private mutating func run() -> Int {
        let priority: [(Int, Int, Int, Int, Int)] = first.indices.map { index in
            (-urgency[index], first[index] - last[index], first[index], -sizes[index], index)
        }
        var order = Array(first.indices).sorted { priority[$0] < priority[$1] }
        var best = place(order, above: .max)
        guard best > bound else { return best }
        var bestOrder = order, bestState = state
        var lastImprovement = 0
        for iteration in 0..<Self.maximumIterations {
            swapAroundBottleneck(&order, stuckFor: iteration - lastImprovement)
            let end = place(order, above: best)
            if end <= best {
                if end < best { lastImprovement = iteration }
                best = end
                bestOrder = order
                bestState = state
                if best <= bound { return best }
            } else {
                order = bestOrder
                state = bestState
            }
            if iteration - lastImprovement > Self.iterationsWithoutImprovement { break }
        }
        state = bestState
        return best
    }

    /// Places the ranges in `order`, each at the lowest offset free of the neighbours placed
    /// before it, stopping once the end passes `limit`; returns the end.
    private mutating func place(_ order: [Int], above limit: Int) -> Int {
        for index in state.offsets.indices { state.offsets[index] = -1 }
        var end = 0
        for (turn, index) in order.enumerated() {
            guard end <= limit else { break }
            var offset = 0, predecessor = -1, fits = false
            while !fits {
                fits = true
                for other in neighbours[index] {
                    let start = state.offsets[other]
                    guard start >= 0, start + sizes[other] > offset else { continue }
                    if start < offset + sizes[index] {
                        fits = false
                        offset = start + sizes[other]
                        predecessor = other
                    }
                }
            }
            state.offsets[index] = offset
            state.predecessors[index] = predecessor
            state.turns[index] = turn
            end = max(end, offset + sizes[index])
        }
        return end
    }

    /// Swaps two turns of `order` that decided where the bottleneck went (Vela's `AttemptBottleneckFix`).
    private mutating func swapAroundBottleneck(_ order: inout [Int], stuckFor stuck: Int) {
        var bottleneck = 0
        for index in sizes.indices where state.offsets[index] + sizes[index] > state.offsets[bottleneck] + sizes[bottleneck] {
            bottleneck = index
        }
        var turns = Set<Int>()
        for start in [bottleneck] + neighbours[bottleneck] {
            var index = start
            turns.insert(state.turns[index])
            while state.predecessors[index] >= 0 {
                index = state.predecessors[index]
                turns.insert(state.turns[index])
            }
        }
        var turnList = turns.sorted()
        let apart = turnList.filter { first[order[$0]] > last[bottleneck] || first[bottleneck] > last[order[$0]] }
        var one = random.next() % 100 < Self.nonNeighbourPercent && !apart.isEmpty
            ? apart[random.next(below: apart.count)] : turnList[random.next(below: turnList.count)]
        var two = turnList[random.next(below: turnList.count)]
        if one == two { two = turnList.last! }
        order.swapAt(one, two)
        guard stuck > Self.iterationsStuck else { return }
        // Widen to every range reachable through neighbours, breadth first.
        var visited = Set<Int>()
        var pending = [bottleneck], head = 0
        while head < pending.count {
            let index = pending[head]
            head += 1
            guard visited.insert(index).inserted else { continue }
            for other in neighbours[index] {
                if turns.insert(state.turns[other]).inserted { turnList.append(state.turns[other]) }
                pending.append(other)
            }
        }
        one = turnList[random.next(below: turnList.count)]
        two = turnList[random.next(below: turnList.count)]
        if one == two { two = turnList.last! }
        order.swapAt(one, two)
    }
}
