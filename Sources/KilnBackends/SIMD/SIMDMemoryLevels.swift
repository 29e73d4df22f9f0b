import KilnNumerics
import KilnIR
import KilnTargets

/// The memory levels a SIMD kernel's traffic is charged to: the nearest level that may hold
/// weights and the nearest that may hold activations (an approximation of where memory
/// planning puts them; caches above are not modelled per access).
struct SIMDMemoryLevels: Sendable, Hashable {
    /// Where weights (and biases) are read from.
    let weights: String
    /// Where activations are read and written.
    let activations: String

    init(target: TargetDescription) {
        weights = target.memory.first(where: \.holdsWeights)?.name ?? target.memory.first?.name ?? "memory"
        activations = target.memory.first(where: \.holdsActivations)?.name ?? target.memory.first?.name ?? "memory"
    }

    /// Bytes of `count` elements of `type` (sub-byte types rounded up per element).
    static func bytes(_ count: Int, of type: ElementType) -> Int { count * max((type.bitWidth + 7) / 8, 1) }
}
