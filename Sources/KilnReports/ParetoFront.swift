/// The Pareto front (the non-dominated set) of points whose every coordinate is to be
/// minimized.
///
/// A point dominates another when it is no worse in every coordinate and better in at least
/// one. To maximize a quantity (accuracy), negate it before calling. Points with a coordinate
/// that is not finite, or with a different number of coordinates than the first point, are
/// never on the front. Equal points do not dominate each other, so duplicates are all on the
/// front together.
public enum ParetoFront {
    /// Whether `a` dominates `b` (no worse everywhere, better somewhere; minimizing).
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        guard a.count == b.count else { return false }
        var strictlyBetter = false
        for (x, y) in zip(a, b) {
            if x > y { return false }
            if x < y { strictlyBetter = true }
        }
        return strictlyBetter
    }

    /// One flag per point: whether it is on the front.
    /// - Parameter points: the points, each a list of coordinates to minimize.
    /// - Complexity: O(n² · d) for n points of d coordinates.
    public static func membership(of points: [[Double]]) -> [Bool] {
        let dimension = points.first?.count ?? 0
        let valid = points.map { $0.count == dimension && dimension > 0 && $0.allSatisfy(\.isFinite) }
        return points.indices.map { index in
            guard valid[index] else { return false }
            return !points.indices.contains { other in
                other != index && valid[other] && dominates(points[other], points[index])
            }
        }
    }

    /// The indices of the points on the front, in increasing order.
    /// - Parameter points: the points, each a list of coordinates to minimize.
    public static func indices(of points: [[Double]]) -> [Int] {
        membership(of: points).enumerated().filter(\.element).map(\.offset)
    }
}
