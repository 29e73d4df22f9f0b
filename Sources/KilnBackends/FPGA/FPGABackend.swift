import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// The `fpga` family: FINN-style streaming dataflow designs and SCALE-Sim-style systolic arrays.
///
/// One backend serves both architectures; the target's `fpga.architecture` picks the numeric
/// adaptation and the pattern table:
///
/// * **dataflow** — ``StreamliningPass`` re-quantizes every layer to low-bit weights and
///   activations and turns each requantization into an int32 accumulator followed by a
///   `multiThreshold`; the patterns build one engine per layer (sliding-window generator +
///   matrix-vector-activation unit with PE × SIMD folding, thresholding, streaming pools).
/// * **systolic** — ``SystolicNumericsPass`` keeps the int8 graph and makes sure every
///   requantization uses a rule the array's output path implements; conv2d, dense and matmul
///   run as GEMM tiles on the rows × columns array with the configured dataflow.
public struct FPGABackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `"fpga"`.
    public var family: String { "fpga" }
    /// The `fpga` section schema from KilnTargets.
    public var targetSchema: any TargetFamilySchema { FPGAFamily() }

    /// Streamlining for dataflow designs, requantization-rule checking for systolic arrays.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        switch target.fpga?.architecture {
        case .dataflow:
            return [
                StreamliningPass(target: target, options: options),  // low-bit weights/activations, requantization → thresholds
                DataflowFitPass(target: target, options: options),    // folding under the fabric budget, or "does not fit"
            ]
        case .systolic:
            return [SystolicNumericsPass(target: target, options: options)]
        case nil:
            return [MissingFPGASectionPass(target: target)]
        }
    }

    /// FINN's cycle model for dataflow designs; the roofline model for systolic arrays (until
    /// they have their own).
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        switch target.fpga?.architecture {
        case .dataflow: return DataflowCycleModel(target: target)
        case .systolic: return SystolicCycleModel(target: target)
        default: return RooflineCycleModel(target: target)
        }
    }

    /// The dataflow engines or the systolic GEMM patterns, by architecture.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        switch target.fpga?.architecture {
        case .dataflow:
            return Self.dataflowPatterns(plans: DataflowFoldingPlans())
        case .systolic:
            return [
                SystolicGEMMPattern(root: .conv2d),
                SystolicGEMMPattern(root: .dense),
                SystolicGEMMPattern(root: .matmul),
            ]
        case nil:
            return []
        }
    }
}

extension FPGABackend {
    /// The dataflow pattern table; `plans` supplies each engine's folding (nil: unfolded, used
    /// while the folding plan itself is made).
    static func dataflowPatterns(plans: DataflowFoldingPlans?) -> [any LoweringPattern] {
        [
            MatrixVectorActivationPattern(root: .conv2d, plans: plans),  // sliding window + MVAU (+ fused thresholds)
            MatrixVectorActivationPattern(root: .dense, plans: plans),   // MVAU over a 1×1 "window" per row
            ThresholdingPattern(root: .multiThreshold, plans: plans),    // a thresholding unit on its own
            ThresholdingPattern(root: .sign, plans: plans),              // sign = one threshold at the zero point
            StreamingMaxPoolPattern(plans: plans),                       // max pool on codes
            AccumulatingPoolPattern(plans: plans),                       // global average = sum + thresholds
            AddStreamsPattern(plans: plans),                             // quantized add as a LUT ROM
            StreamRelabelPattern(root: .flatten),                        // no data movement
            StreamRelabelPattern(root: .reshape),
        ]
    }
}

/// Fails compilation of a target of the `fpga` family whose description has no typed `fpga`
/// section (only possible for a hand-built ``TargetDescription``).
struct MissingFPGASectionPass: GraphPass {
    let target: TargetDescription
    var name: String { "fpga-check-section" }
    var summary: String { "Fails when the target has no fpga section" }
    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        throw DiagnosticError(.error("target '\(target.name)' has no typed fpga section (architecture dataflow or systolic)", file: target.file, place: "fpga"))
    }
}
