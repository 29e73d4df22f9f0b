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

    /// Streamlining: low-bit weights and activations, requantization → thresholds.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [StreamliningPass(target: target, options: options)]
    }

    /// FINN's cycle model, each engine at its own folding.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        DataflowCycleModel(target: target, plan: nil)
    }

    /// FINN's cycle model with the folding of the plan the program was lowered with.
    public func cycleModel(for target: TargetDescription, plan: (any Sendable)?) -> any CycleModel {
        DataflowCycleModel(target: target, plan: plan as? DataflowFoldingPlan)
    }

    /// The dataflow engines; each takes its folding from the plan.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        Self.patterns
    }

    /// The DSP slices of the fabric budget.
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure? {
        target.section(DataflowSection.self).map { ResourceFigure(name: "dspSlices", unit: "DSP", value: Double($0.dspSlices.value)) }
    }
}

extension DataflowBackend {
    /// The pattern table; each pattern takes its engine's folding from the context's plan
    /// (unfolded while the plan itself is made).
    static let patterns: [any LoweringPattern] = [
        MatrixVectorActivationPattern(root: .conv2d),   // sliding window + MVAU (+ fused thresholds)
        MatrixVectorActivationPattern(root: .dense),    // MVAU over a 1×1 "window" per row
        ThresholdingPattern(root: .multiThreshold),     // a thresholding unit on its own
        ThresholdingPattern(root: .sign),               // sign = one threshold at the zero point
        StreamingMaxPoolPattern(),                      // max pool on codes
        AccumulatingPoolPattern(),                      // global average = sum + thresholds
        AddStreamsPattern(),                            // quantized add as a LUT ROM
        ViewKernel.pattern(.flatten),                   // a relabelled stream: no data movement
        ViewKernel.pattern(.reshape),
    ]
}
