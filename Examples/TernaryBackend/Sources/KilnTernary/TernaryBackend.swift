import KilnCompiler
import KilnIR
import KilnTargets

/// The ternary-weight family (`ternary`): weights in {−1, 0, +1} with a per-channel scale, int8
/// activations, adder trees that skip zero weights. Ops outside the table (softmax, float
/// matmul, residual add, ...) run on the target's host.
public struct TernaryBackend: Backend {
    /// Creates the backend.
    public init() {}

    /// ``BackendAPI/version``: the API this backend was written against.
    public var apiVersion: Int { BackendAPI.version }
    /// `"ternary"`.
    public var family: String { "ternary" }
    /// The `ternary` section's schema.
    public var targetSchema: any TargetFamilySchema { TernaryFamily() }

    /// The numeric adaptation: int8 weights become ternary (logged per layer).
    public func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass] {
        [TernarizeWeightsPass(log: options.log)]
    }

    /// The lowering table, tried in order for each node: each kernel's constructor matches.
    public func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern] {
        [
            KernelPattern("adder-tree-conv2d", root: .conv2d, kernel: TernaryConvolutionKernel.self),  // (+ relu)
            KernelPattern("adder-tree-dense", root: .dense, kernel: TernaryDenseKernel.self),          // (+ relu)
            KernelPattern("comparators-max-pool", root: .maxPool, kernel: MaxPoolKernel.self),
            ViewKernel.pattern(.flatten),  // Kiln's shared view kernel: nothing moves
            ViewKernel.pattern(.reshape),
        ]
    }

    /// ``TernaryCycleModel`` (the roofline for a target without a `ternary` section).
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        TernaryCycleModel(target: target) ?? RooflineCycleModel(target: target)
    }
}
