import KilnJSON

/// The result of one grid point of a sweep: the varied values and the estimate, or the
/// finding that stopped it.
struct SweepRow: Equatable {
    /// The grid index (0-based, row-major over the `--vary` lists).
    var index: Int
    /// The value of each parameter, in `--vary` order.
    var values: [JSONValue]
    /// Seconds per inference.
    var latencySeconds: Double?
    /// Inferences per second in steady state.
    var inferencesPerSecond: Double?
    /// Joules per inference.
    var energyJoules: Double?
    /// Useful operations over peak in the accelerator's time (0…1).
    var utilization: Double?
    /// What dominates the latency (`compute`, `memory`, ...).
    var bound: String?
    /// The resource figure (``BackendRegistry/resourceFigure(for:)``).
    var resource: Double?
    /// Top-1 accuracy (0…1), when labels were given.
    var top1: Double?
    /// Why the point has no estimate (an invalid target value, a model that does not fit).
    var failure: String?
    /// Whether the point is on the Pareto front of the rows it was computed with.
    var pareto = false

    /// Whether the point has an estimate.
    var succeeded: Bool { failure == nil && latencySeconds != nil && energyJoules != nil }

    /// The coordinates the front minimizes: latency, energy, resource, and −top-1 when
    /// `withAccuracy`.
    func objectives(withAccuracy: Bool) -> [Double] {
        var point = [latencySeconds ?? .nan, energyJoules ?? .nan, resource ?? .nan]
        if withAccuracy { point.append(-(top1 ?? .nan)) }
        return point
    }
}
