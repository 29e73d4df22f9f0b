import KilnDiagnostics
import KilnIR
import KilnTargets

/// The version of the backend API described by ``Backend``.
///
/// A backend states the version it was written against in ``Backend/apiVersion``; a registry
/// refuses a backend of another version with a clear message rather than misbehaving. The
/// compatibility policy is in `docs/compatibility.md`.
public enum BackendAPI {
    /// The current version.
    public static let version = 3
}

/// An accelerator family: how Kiln adapts numerics, lowers graphs, executes kernels and costs
/// them for every target of the family.
///
/// The built-in families implement this protocol exactly as a plugin does; shared code never
/// asks which family it is working with.
public protocol Backend: Sendable {
    /// The backend API version this backend was written against (``BackendAPI/version``).
    var apiVersion: Int { get }
    /// The family name used in target descriptions (`"family": NAME`).
    var family: String { get }
    /// Decodes and validates the family's section of a target description.
    var targetSchema: any TargetFamilySchema { get }
    /// The passes that turn a target-neutral quantized graph into the target-numerics graph,
    /// in order. Each pass records what it changed in the compile report through its notes.
    func adaptationPasses(for target: TargetDescription, options: CompileOptions) -> [any GraphPass]
    /// The lowering patterns for the target, tried in order for each node.
    func loweringPatterns(for target: TargetDescription) -> [any LoweringPattern]
    /// An analysis of the target-numerics graph that lowering and the cycle model share,
    /// computed once per compilation (a folding of every engine, say), or nil.
    /// - Throws: ``DiagnosticError`` when the graph cannot be mapped (a design that does not fit).
    func plan(for graph: Graph, target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> (any Sendable)?
    /// The cycle model for the family's kernels on a target.
    func cycleModel(for target: TargetDescription) -> any CycleModel
    /// The cycle model for a program compiled with `plan` (by default ``cycleModel(for:)``).
    func cycleModel(for target: TargetDescription, plan: (any Sendable)?) -> any CycleModel
    /// The figure a design-space sweep minimizes besides latency and energy, or nil for the
    /// target's on-chip memory bytes.
    func resourceFigure(for target: TargetDescription) -> ResourceFigure?
    /// How the memory plan searches for the activation arena's offsets on a target (by default
    /// ``ArenaSearch/orderedSwaps``; a family reproducing a vendor compiler's allocator picks its search).
    func arenaSearch(for target: TargetDescription) -> ArenaSearch
    /// Workload file formats the family estimates without compiling (`kiln simulate`).
    var workloadFormats: [any WorkloadFormat] { get }
    /// Whether the family's kernels compute the same codes for an equal target-numerics graph on
    /// every target of the family (a target's numbers only price the work, as the Cortex-M
    /// s8 kernels and the Ethos-U's TFLite kernels do). An evaluation then simulates one such
    /// program per graph and data set and gives its outputs to the family's other targets.
    var simulatesIndependentlyOfTarget: Bool { get }
}

extension Backend {
    /// The roofline model from the target description, for backends without a model of their own.
    public func cycleModel(for target: TargetDescription) -> any CycleModel {
        RooflineCycleModel(target: target)
    }

    /// No plan.
    public func plan(for graph: Graph, target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> (any Sendable)? {
        nil
    }

    /// The family's cycle model, which needs no plan.
    public func cycleModel(for target: TargetDescription, plan: (any Sendable)?) -> any CycleModel {
        cycleModel(for: target)
    }

    /// No figure of the family's own: sweeps use on-chip memory bytes.
    public func resourceFigure(for target: TargetDescription) -> ResourceFigure? { nil }

    /// Kiln's ordered swaps.
    public func arenaSearch(for target: TargetDescription) -> ArenaSearch { .orderedSwaps }

    /// No workload formats of the family's own.
    public var workloadFormats: [any WorkloadFormat] { [] }

    /// False: every program is simulated.
    public var simulatesIndependentlyOfTarget: Bool { false }
}
