import KilnCompiler
import KilnIR
import KilnTargets

/// The CPU SIMD family (`"family": "simd"`): Arm NEON (`sdot`, `smlal`, `vmlal.s8`) and x86
/// (AVX2 `vpmaddubsw`, AVX-512 VNNI `vpdpbusd`) int8 GEMM micro-kernels with vector
/// elementwise, pooling, data-movement and (de)quantize kernels.
///
/// Adaptation: requantization switched to a rule the target implements, and int8 MAC nodes
/// marked with saturating pair sums where the instruction saturates them (AVX2). Everything
/// else the kernels compute exactly as the target-neutral reference does.
public struct SIMDBackend: Backend {
    /// Creates the backend.
    public init() {}
    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `simd`.
    public var family: String { "simd" }
    /// The `simd` section schema.
    public var targetSchema: any TargetFamilySchema { SIMDFamily() }

    /// Requantization rule selection, then saturating pair-sum marking.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [
            SelectRequantizationRulePass(target: target, log: options.log),          // rules the kernels implement
            MarkSaturatingPairSumsPass(scheme: SIMDDotProductScheme(target: target), log: options.log), // vpmaddubsw semantics
        ]
    }

    /// ``SIMDCycleModel``: micro-kernel instruction mix, tiling, cache traffic and cores.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        SIMDCycleModel(target: target)
    }

    /// The lowering table of the target's micro-kernel (empty when no instruction has one: every
    /// node then runs on the host with that reason).
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        guard let scheme = SIMDDotProductScheme(target: target) else { return [] }
        return SIMDLoweringPattern.patterns(scheme: scheme)
    }
}
