import KilnCompiler
import KilnIR
import KilnTargets

/// The fixed-point DSP family (`dsp`): Cortex-M4/M7 with the DSP extension and similar cores.
///
/// Adaptation turns the quantized graph into Q7 (or Q15) codes with power-of-two scales and
/// shift requantization (``FixedPointAdaptationPass``); lowering maps conv2d / dense to SMLAD
/// dual-16-bit MAC kernels, pooling, saturating add, clamps and the float ↔ Q7 edges to kernels
/// with the core's own arithmetic. Everything else runs on the host partition.
public struct DSPBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `dsp`.
    public var family: String { "dsp" }
    /// The `dsp` section schema.
    public var targetSchema: any TargetFamilySchema { DSPFamily() }

    /// One pass: Q7/Q15 with power-of-two scales (see ``FixedPointAdaptationPass``).
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [
            // Q7/Q15 activations and weights, shift requantization, accumulator bounds, explicit relus.
            FixedPointAdaptationPass(target: target, options: options),
        ]
    }

    /// The instruction-level model of the emitted loops (see ``DSPCycleModel``).
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        DSPCycleModel(target: target)
    }

    /// The lowering table, one row per root operator.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        [
            SMLADMultiplyAccumulatePattern(root: .conv2d),
            SMLADMultiplyAccumulatePattern(root: .dense),
            FixedPointPoolPattern(root: .maxPool),
            FixedPointPoolPattern(root: .averagePool),
            FixedPointPoolPattern(root: .globalAveragePool),
            FixedPointPoolPattern(root: .globalMaxPool),
            SaturatingAddPattern(),
            ClampPattern(root: .relu),
            ClampPattern(root: .clip),
            ViewKernel.pattern(.reshape),
            ViewKernel.pattern(.flatten),
            EdgeConversionPattern(root: .quantize),
            EdgeConversionPattern(root: .dequantize),
        ]
    }
}
