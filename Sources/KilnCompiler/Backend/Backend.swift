import KilnIR
import KilnTargets

/// The version of the backend API described by ``Backend``.
///
/// A backend states the version it was written against in ``Backend/apiVersion``; a registry
/// refuses a backend of another version with a clear message rather than misbehaving. The
/// compatibility policy is in `docs/compatibility.md`.
public enum BackendAPI {
    /// The current version.
    public static let version = 1
}

/// An accelerator family: how Kiln adapts numerics, lowers graphs, executes kernels and costs
/// them for every target of the family.
///
/// The four built-in families (simd, dsp, fpga, xnor) implement this protocol exactly as a
/// plugin does; shared code never asks which family it is working with.
public protocol Backend: Sendable {
    /// The backend API version this backend was written against (``BackendAPI/version``).
    var apiVersion: Int { get }
    /// The family name used in target descriptions (`"family": "dsp"`).
    var family: String { get }
    /// Decodes and validates the family's section of a target description.
    var targetSchema: any TargetFamilySchema { get }
    /// The passes that turn a target-neutral quantized graph into the target-numerics graph,
    /// in order. Each pass records what it changed in the compile report through its notes.
    func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass]
    /// The lowering patterns for the target, tried in order for each node.
    func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern]
    /// The cycle model for the family's kernels on a target.
    func cycleModel(for target: TargetDescription) -> any CycleModel
}

extension Backend {
    /// The roofline model from the target description, for backends without a model of their own.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        RooflineCycleModel(target: target)
    }
}
