import KilnTargets

extension TargetDescription {
    /// The nearest memory level that holds weights (where action counts charge weight reads).
    var weightLevelName: String { memory.first(where: \.holdsWeights)?.name ?? memory.first?.name ?? "memory" }
    /// The nearest memory level that holds activations (where streams and feature maps are charged).
    var activationLevelName: String { memory.first(where: \.holdsActivations)?.name ?? memory.first?.name ?? "memory" }
}
