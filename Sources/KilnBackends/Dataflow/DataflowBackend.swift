import KilnCompiler
import KilnIR
import KilnTargets

/// The `dataflow` family: FINN-style streaming dataflow designs on FPGA fabric.
///
/// ``StreamliningPass`` re-quantizes every layer to low-bit weights and activations and turns
/// each requantization into an int32 accumulator followed by a `multiThreshold`; the patterns
/// build one engine per layer (sliding-window generator + matrix-vector-activation unit with
/// PE × SIMD folding, thresholding, streaming pools), costed by FINN's cycle estimates.
public struct DataflowBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `"dataflow"`.
    public var family: String { "dataflow" }
    /// The `dataflow` section schema.
    public var targetSchema: any TargetFamilySchema { DataflowFamily() }

    /// Streamlining, then the folding plan under the fabric budget.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [
            StreamliningPass(target: target, options: options),  // low-bit weights/activations, requantization → thresholds
            DataflowFitPass(target: target, options: options),    // folding under the fabric budget, or "does not fit"
        ]
    }

    /// FINN's cycle model.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        DataflowCycleModel(target: target)
    }

    /// The dataflow engines.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        Self.patterns(plans: DataflowFoldingPlans())
    }

    /// The DSP slices of the fabric budget.
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure? {
        target.section(DataflowSection.self).map { ResourceFigure(name: "dspSlices", unit: "DSP", value: Double($0.dspSlices.value)) }
    }
}

extension DataflowBackend {
    /// The pattern table; `plans` supplies each engine's folding (nil: unfolded, used while the
    /// folding plan itself is made).
    static func patterns(plans: DataflowFoldingPlans?) -> [any LoweringPattern] {
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
