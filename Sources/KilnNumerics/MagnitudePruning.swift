/// Magnitude pruning of weights, unstructured or by whole channels, reporting the sparsity reached.
public enum MagnitudePruning {
    /// The outcome of pruning.
    public struct Result: Sendable, Hashable {
        /// The weights with pruned entries set to zero.
        public let values: [Float]
        /// `true` where the weight was kept.
        public let mask: [Bool]
        /// The fraction of zeros in ``values`` (including weights that were already zero).
        public let sparsity: Double
    }

    /// The fraction of exact zeros in `values` (0 for an empty array).
    public static func sparsity(of values: [Float]) -> Double {
        values.isEmpty ? 0 : Double(values.count(where: { $0 == 0 })) / Double(values.count)
    }

    /// Zeroes the `floor(target · n)` weights of smallest magnitude (ties: lower index pruned first).
    ///
    /// - Parameters:
    ///   - weights: the weights (NaN counts as largest, never pruned first).
    ///   - target: the fraction to prune, in `0...1`.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a target outside `0...1`.
    public static func unstructured(_ weights: [Float], sparsity target: Double) throws -> Result {
        guard target >= 0, target <= 1 else { throw NumericsError.invalidArgument("sparsity \(target) is outside 0...1") }
        let pruneCount = Int((target * Double(weights.count)).rounded(.down))
        let order = weights.indices.sorted { key(weights[$0], $0) < key(weights[$1], $1) }
        var mask = [Bool](repeating: true, count: weights.count)
        for index in order.prefix(pruneCount) { mask[index] = false }
        return result(weights, mask)
    }

    /// Zeroes whole slices along `axis` (e.g. output channels) with the smallest L2 norm:
    /// `floor(target · channels)` of them (ties: lower channel first).
    ///
    /// - Parameters:
    ///   - weights: the weights, row-major.
    ///   - shape: their shape (element count must match).
    ///   - axis: the channel axis (negative counts from the end).
    ///   - target: the fraction of channels to prune, in `0...1`.
    /// - Throws: ``NumericsError`` for a bad shape, axis or target.
    public static func structured(_ weights: [Float], shape: [Int], axis: Int, sparsity target: Double) throws -> Result {
        guard target >= 0, target <= 1 else { throw NumericsError.invalidArgument("sparsity \(target) is outside 0...1") }
        let resolved = try QuantizationParameters.resolve(axis: axis, rank: shape.count)
        let channels = shape[resolved]
        let indexer = try ChannelIndexer(shape: shape, count: weights.count,
                                         parameters: QuantizationParameters(scales: [Float](repeating: 1, count: Swift.max(channels, 2)),
                                                                            zeroPoints: [Int32](repeating: 0, count: Swift.max(channels, 2)), axis: resolved))
        var norms = [Double](repeating: 0, count: channels)
        for (index, weight) in weights.enumerated() where channels > 1 { norms[indexer.slice(of: index)] += Double(weight) * Double(weight) }
        if channels == 1 { norms[0] = weights.reduce(0) { $0 + Double($1) * Double($1) } }
        let pruneCount = Int((target * Double(channels)).rounded(.down))
        let order = norms.indices.sorted { (norms[$0].isNaN ? .infinity : norms[$0], $0) < (norms[$1].isNaN ? .infinity : norms[$1], $1) }
        var prunedChannels = Set(order.prefix(pruneCount))
        if channels == 1 && pruneCount == 0 { prunedChannels = [] }
        let mask = weights.indices.map { !prunedChannels.contains(channels > 1 ? indexer.slice(of: $0) : 0) }
        return result(weights, mask)
    }

    private static func key(_ weight: Float, _ index: Int) -> (Float, Int) {
        (weight.isNaN ? .infinity : abs(weight), index)
    }

    private static func result(_ weights: [Float], _ mask: [Bool]) -> Result {
        let values = zip(weights, mask).map { $1 ? $0 : 0 }
        return Result(values: values, mask: mask, sparsity: sparsity(of: values))
    }
}
