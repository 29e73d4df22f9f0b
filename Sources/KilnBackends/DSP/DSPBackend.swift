import KilnCompiler
import KilnIR
import KilnTargets

/// The fixed-point DSP family (`dsp`): Cortex-M4/M7 with the DSP extension and similar cores.
///
/// By default (a target listing `fixedPointMultiplier`) the family computes what TFLite Micro
/// with CMSIS-NN's s8 kernels computes: TFLite's int8 arithmetic, node by node
/// (``TFLiteArithmeticAdaptationPass`` converts ONNX models as the TFLite converter would), with
/// conv2d / depthwise / dense, add / sub / mul, pooling and activation kernels. A target listing
/// only `powerOfTwoShift` gets the legacy q7 stack instead: Q7 (or Q15) codes with power-of-two
/// scales and shift requantization (``FixedPointAdaptationPass``), SMLAD kernels, saturating add,
/// clamps and the float ↔ Q7 edges. Everything else runs on the host partition.
public struct DSPBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `dsp`.
    public var family: String { "dsp" }
    /// The `dsp` section schema.
    public var targetSchema: any TargetFamilySchema { DSPFamily() }

    /// One pass: TFLite's int8 arithmetic (``TFLiteArithmeticAdaptationPass``), or on a legacy
    /// q7 target Q7/Q15 with power-of-two scales (``FixedPointAdaptationPass``).
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        switch DSPArithmetic(target: target) {
        case .cmsisNNs8:
            // i8 activations; ONNX nodes to TFLite's multiplier + shift arithmetic, each change logged.
            [TFLiteArithmeticAdaptationPass(name: "dsp-cmsis-nn-s8", kernels: "CMSIS-NN's s8 kernels", target: target, options: options,
                                            weightFormats: S8MultiplyAccumulatePattern.weightFormats(of: target),
                                            widthHint: " (a target listing only powerOfTwoShift in numerics.requantization has the q7/q15 kernels)")]
        case .q7PowerOfTwo:
            // Q7/Q15 activations and weights, shift requantization, accumulator bounds, explicit relus.
            [FixedPointAdaptationPass(target: target, options: options)]
        }
    }

    /// True: the kernels' codes depend on the graph alone (the stack, Helium, caches and memory
    /// placement only change their cost).
    public var simulatesIndependentlyOfTarget: Bool { true }

    /// The instruction-level model of the emitted loops (see ``DSPCycleModel``).
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        DSPCycleModel(target: target)
    }

    /// The lowering table of the target's arithmetic, one row per root operator.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        switch DSPArithmetic(target: target) {
        case .cmsisNNs8:
            [
                S8MultiplyAccumulatePattern(root: .conv2d),
                S8MultiplyAccumulatePattern(root: .dense),
                S8BinaryLayerPattern(root: .conv2d),
                S8BinaryLayerPattern(root: .dense),
                S8ElementwisePattern(root: .add),
                S8ElementwisePattern(root: .sub),
                S8ElementwisePattern(root: .mul),
                S8PoolPattern(root: .maxPool),
                S8PoolPattern(root: .averagePool),
                S8ActivationPattern(root: .relu),
                S8ActivationPattern(root: .clip),
                S8ActivationPattern(root: .leakyRelu),
                ViewKernel.pattern(.reshape),
                ViewKernel.pattern(.flatten),
                ViewKernel.pattern(.squeeze),
                ViewKernel.pattern(.unsqueeze),
                S8EdgeConversionPattern(root: .quantize),
                S8EdgeConversionPattern(root: .dequantize),
            ]
        case .q7PowerOfTwo:
            q7LoweringPatterns
        }
    }

    /// The legacy q7 table.
    private var q7LoweringPatterns: [any LoweringPattern] {
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
