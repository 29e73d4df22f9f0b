import KilnIR
import KilnTargets

/// Which memory level a DSP kernel's weights and activations are counted in: the levels the
/// compiler's memory planner chooses (weights in the first level that holds weights and has room
/// for all of the graph's constants; activations in the first level that holds activations).
///
/// This mirrors the planner's rule without its liveness arena, so it is an approximation when the
/// activation peak does not fit the first activation level.
struct DSPMemoryMap: Sendable, Hashable {
    /// The level weights and biases are read from.
    let weightLevel: String
    /// The level activations (and the im2col buffer) are read from and written to.
    let activationLevel: String

    /// The map for a graph on a target.
    init(target: TargetDescription, graph: Graph) {
        let weightBytes = graph.constants.values.reduce(0) { total, tensor in
            total + ((Shape.elementCount(tensor.shape) ?? 0) * tensor.type.elementType.bitWidth + 7) / 8
        }
        let weights = target.memory.first { $0.holdsWeights && $0.sizeBytes.value >= weightBytes } ?? target.memory.first { $0.holdsWeights }
        let activations = target.memory.first { $0.holdsActivations }
        weightLevel = weights?.name ?? target.memory.first?.name ?? "memory"
        activationLevel = activations?.name ?? weightLevel
    }

    /// A map with explicit levels (tests).
    init(weightLevel: String, activationLevel: String) {
        self.weightLevel = weightLevel
        self.activationLevel = activationLevel
    }
}
