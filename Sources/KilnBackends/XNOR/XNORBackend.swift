import KilnCompiler
import KilnIR
import KilnTargets

/// The binary XNOR-popcount family (`xnor`): ±1 layers bit-packed on an XNOR + popcount array
/// with integer thresholds, first and last layers on the target's int8 unit.
///
/// Targets: a dedicated BNN array (`bnn-array-45nm`) and bit-packed kernels on a CPU, like
/// Larq Compute Engine (`larq-rpi4-cortex-a72`). The kernels read their parameters (word size,
/// accumulator width, padding mode, lane multiples, memory levels) from the target.
public struct XNORBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``.
    public var apiVersion: Int { BackendAPI.version }
    /// `"xnor"`.
    public var family: String { "xnor" }
    /// The `xnor` section's schema.
    public var targetSchema: any TargetFamilySchema { XNORFamily() }

    /// The numeric adaptation, in order.
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        var passes: [any GraphPass] = [
            // The targets store bin and i8: move u8 activations to i8 (exact).
            SignedActivationsPass(log: options.log),
        ]
        if let section = target.section(XNORSection.self) {
            // Padded ±1 convolutions keep zero padding through a per-tap correction (logged).
            passes.append(BinaryPaddingPass(padding: section.padding, log: options.log))
        }
        return passes
    }

    /// The family's cycle model (``XNORCycleModel``): the array's passes and pipelines, or the
    /// bit-packed kernel's NEON instruction mix on a CPU core; the roofline for a target without
    /// an `xnor` section.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        XNORCycleModel(target: target) ?? RooflineCycleModel(target: target)
    }

    /// The lowering table: ±1 kernels on the XNOR array first, then the int8 unit.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        [
            XNORKernelPattern(name: "xnor-popcount-conv2d", root: .conv2d) { index, context, facts throws(StageError) in  // ±1 × ±1 conv (+ threshold / sign)
                try XNORPopcountConvolutionKernel(nodeAt: index, in: context, facts: facts)
            },
            XNORKernelPattern(name: "int8-unit-conv2d", root: .conv2d) { index, context, facts throws(StageError) in  // i8 conv on the int8 unit (+ clamp / sign)
                try Int8ConvolutionKernel(nodeAt: index, in: context, facts: facts)
            },
            XNORKernelPattern(name: "xnor-popcount-dense", root: .dense) { index, context, facts throws(StageError) in  // ±1 × ±1 dense (+ threshold / sign)
                try XNORPopcountDenseKernel(nodeAt: index, in: context, facts: facts)
            },
            XNORKernelPattern(name: "int8-unit-dense", root: .dense) { index, context, facts throws(StageError) in  // i8 dense on the int8 unit (+ clamp / sign)
                try Int8DenseKernel(nodeAt: index, in: context, facts: facts)
            },
            XNORKernelPattern(name: "threshold-quantize", root: .quantize) { index, context, facts throws(StageError) in  // the model input's quantize (no host round trip)
                try ThresholdQuantizeKernel(nodeAt: index, in: context.graph, facts: facts)
            },
            SignPattern(),                      // standalone binarization
            XNORKernelPattern(name: "threshold-multi-threshold", root: .multiThreshold) { index, context, facts throws(StageError) in  // standalone multi-threshold
                try ThresholdKernel(nodeAt: index, in: context.graph, facts: facts)
            },
            MaxPoolPattern(),                   // OR pooling on ±1, code max on i8
            XNORKernelPattern(name: "int8-global-average-pool", root: .globalAveragePool) { index, context, facts throws(StageError) in  // per-channel mean on the int8 unit
                try Int8GlobalAveragePoolKernel(nodeAt: index, in: context.graph, facts: facts)
            },
            XNORKernelPattern(name: "int8-add", root: .add) { index, context, facts throws(StageError) in  // residual joins (float-scale, as the IR defines)
                try Int8AddKernel(nodeAt: index, in: context.graph, facts: facts)
            },
            ViewKernel.pattern(.flatten),       // views: nothing moves
            ViewKernel.pattern(.reshape),
        ]
    }
}
