import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// The `ethosU` family: Arm Ethos-U55/U65 NPUs beside a Cortex-M host, compiled as Arm's Vela
/// 5.2 compiles int8 TFLite models. A `.tflite` graph keeps its int8 semantics; an ONNX model is
/// converted as the TFLite converter would (``TFLiteArithmeticAdaptationPass``: u8 → i8,
/// multiplier + shift requantization), the way a user brings one to Vela; convolutions, depthwise
/// convolutions, fully connected layers, pooling, elementwise add /
/// sub / mul, lookup-table activations, softmax, spatial mean, concatenation, slices and
/// constant padding become NPU passes under Vela's operator
/// checks, with ReLU-like clamps fused; the rest runs on the host with the reason. Cycles are
/// Vela's performance estimate per pass.
public struct EthosUBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `"ethosU"`.
    public var family: String { "ethosU" }
    /// The `ethosU` section schema.
    public var targetSchema: any TargetFamilySchema { EthosUFamily() }

    /// Two passes: a binarized network's ±1 layers and their sign become int8 operators Vela
    /// runs (``EthosUBinaryLayerPass``); then ONNX nodes take TFLite's int8 arithmetic (Vela
    /// compiles only int8 TFLite models, so an ONNX model reaches the NPU through the TFLite
    /// converter: ``TFLiteArithmeticAdaptationPass``). TFLite nodes pass both unchanged.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [EthosUBinaryLayerPass(target: target, options: options),
         TFLiteArithmeticAdaptationPass(name: "ethos-u-int8", kernels: "the Ethos-U NPU", target: target, options: options,
                                        weightFormats: [.int8])]
    }

    /// One row per operator the NPU runs, then views and the layout transposes (in their input's buffer: Vela has no such tensors).
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        let npu: [OperatorKind] = [.conv2d, .dense, .maxPool, .averagePool, .globalAveragePool, .add, .sub, .mul,
                                   .relu, .clip, .sigmoid, .tanh, .leakyRelu, .hardSwish, .softmax, .mean, .concat, .slice, .pad]
        return npu.map { KernelPattern("npu-\($0.rawValue)", root: $0, kernel: EthosUKernel.self) }
            + [KernelPattern("layout-transpose", root: .transpose, kernel: EthosULayoutKernel.self),
               ViewKernel.pattern(.reshape, sharesInputBuffer: true), ViewKernel.pattern(.flatten, sharesInputBuffer: true),
               ViewKernel.pattern(.squeeze, sharesInputBuffer: true), ViewKernel.pattern(.unsqueeze, sharesInputBuffer: true)]
    }

    /// The NPU cycles of every pass with buffered weights charged in program order (``EthosUPlan``).
    public func plan(for graph: Graph, target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> (any Sendable)? {
        EthosUPlan(graph: graph, target: target)
    }

    /// Vela's tensor allocator for the default core (`HillClimbAllocator`, feature maps and staged
    /// weights aligned to 16 bytes: `NPUTensorAlignment` and the default `cpu_tensor_alignment`),
    /// so the arena ends where Vela's "Total SRAM used" does; Kiln's ordered swaps for the Python
    /// core, whose allocator draws from Python's own generator.
    public func arenaSearch(for target: TargetDescription) -> ArenaSearch {
        target.section(EthosUSection.self)?.core == .python ? .orderedSwaps : .velaHillClimb(alignment: 16)
    }

    /// True: every NPU kernel computes TFLite's reference arithmetic; the MAC array and the
    /// memory system only change its cycles.
    public var simulatesIndependentlyOfTarget: Bool { true }

    /// Vela's per-pass estimate.
    public func cycleModel(for target: TargetDescription) -> any CycleModel { EthosUCycleModel() }

    /// MACs per cycle.
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure? {
        target.section(EthosUSection.self).map { ResourceFigure(name: "macsPerCycle", unit: "MAC/cycle", value: Double($0.macsPerCycle.value)) }
    }
}
