/// Magnitude pruning applied to the weights of every multiply-accumulate layer before quantization.
public struct WeightPruning: Sendable, Hashable {
    /// Which weights are zeroed together.
    public enum Granularity: String, Sendable, Hashable, CaseIterable {
        /// Individual weights of smallest magnitude, per layer.
        case unstructured
        /// Whole output channels of smallest L2 norm, per layer.
        case outputChannels
    }

    /// The fraction of each layer's weights (or output channels) to zero, in `0...1`.
    public var sparsity: Double
    /// Which weights are zeroed together.
    public var granularity: Granularity

    /// Creates a pruning configuration; ``QuantizationOptions/validate()`` checks the sparsity.
    public init(sparsity: Double, granularity: Granularity = .unstructured) {
        self.sparsity = sparsity
        self.granularity = granularity
    }
}
