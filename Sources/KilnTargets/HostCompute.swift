import KilnJSON

/// What a target's general-purpose core does per cycle when it runs graph nodes through its
/// software stack's generic kernels: the nodes no accelerator kernel covers (host fallback) run
/// at these rates, float work at the core's float rates, never at an integer dot-product peak.
///
/// The section is common to every family: a CPU or MCU target that runs its own fallback nodes
/// declares it, and so does a target named as another target's `host`. Rates are per core;
/// the cost of a node spreads over the target's `cores`, its dispatch does not.
public struct HostCompute: Sendable, Hashable {
    /// Float32 multiply-accumulates one core completes per cycle (vector lanes × FMA pipes, or
    /// one over the issue interval of a scalar FPU's multiply-accumulate).
    public let floatMultiplyAccumulatesPerCycle: Sourced<Double>
    /// Float32 elementwise operations (add, compare, max) one core completes per cycle.
    public let floatOperationsPerCycle: Sourced<Double>
    /// Integer multiply-accumulates of 8-bit operands one core completes per cycle in the
    /// stack's generic (non-accelerated) kernels.
    public let integerMultiplyAccumulatesPerCycle: Sourced<Double>
    /// Integer elementwise operations (32-bit lanes: add, compare, shift) one core completes per
    /// cycle.
    public let integerOperationsPerCycle: Sourced<Double>
    /// Fixed cycles the stack spends to dispatch one operator (interpreter or session overhead,
    /// argument checks, output allocation), or nil when the target does not give it.
    public let operatorDispatchCycles: Sourced<Double>?

    /// The schema of the `hostCompute` object.
    public static let schema = TargetSchemaSection(path: "hostCompute", fields: [
        .cost("floatMultiplyAccumulatesPerCycle", "sourced number > 0", "Float32 MACs one core completes per cycle (vector lanes × FMA pipes; a scalar FPU: 1 / issue interval of its MAC).").plausible(0.001...4096),
        .cost("floatOperationsPerCycle", "sourced number > 0", "Float32 elementwise operations (add, compare, max) one core completes per cycle.").plausible(0.001...4096),
        .cost("integerMultiplyAccumulatesPerCycle", "sourced number > 0", "8-bit integer MACs one core completes per cycle in the stack's generic kernels.").plausible(0.001...65536),
        .cost("integerOperationsPerCycle", "sourced number > 0", "Integer elementwise operations (32-bit lanes) one core completes per cycle.").plausible(0.001...4096),
        .cost("operatorDispatchCycles", "sourced number ≥ 0", required: false, "Fixed cycles the software stack spends dispatching one operator (absent: not modelled).").plausible(0...1e9),
    ])

    /// Creates the section from its rates.
    public init(floatMultiplyAccumulatesPerCycle: Sourced<Double>, floatOperationsPerCycle: Sourced<Double>,
                integerMultiplyAccumulatesPerCycle: Sourced<Double>, integerOperationsPerCycle: Sourced<Double>,
                operatorDispatchCycles: Sourced<Double>?) {
        self.floatMultiplyAccumulatesPerCycle = floatMultiplyAccumulatesPerCycle
        self.floatOperationsPerCycle = floatOperationsPerCycle
        self.integerMultiplyAccumulatesPerCycle = integerMultiplyAccumulatesPerCycle
        self.integerOperationsPerCycle = integerOperationsPerCycle
        self.operatorDispatchCycles = operatorDispatchCycles
    }

    /// Decodes the `hostCompute` object, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let floatMACs = reader.sourcedNumber("floatMultiplyAccumulatesPerCycle", .positive)
        let floatOperations = reader.sourcedNumber("floatOperationsPerCycle", .positive)
        let integerMACs = reader.sourcedNumber("integerMultiplyAccumulatesPerCycle", .positive)
        let integerOperations = reader.sourcedNumber("integerOperationsPerCycle", .positive)
        let dispatch = reader.contains("operatorDispatchCycles") ? reader.sourcedNumber("operatorDispatchCycles", .nonNegative) : nil
        guard let floatMACs, let floatOperations, let integerMACs, let integerOperations,
              reader.contains("operatorDispatchCycles") == (dispatch != nil) else { return nil }
        self.init(floatMultiplyAccumulatesPerCycle: floatMACs, floatOperationsPerCycle: floatOperations,
                  integerMultiplyAccumulatesPerCycle: integerMACs, integerOperationsPerCycle: integerOperations,
                  operatorDispatchCycles: dispatch)
    }
}
