import KilnIR
import KilnTargets

/// A compiled model: the target-numerics graph and the steps that run it on one target.
public struct TargetProgram: Sendable {
    /// Where legalization put a kernel, and why when not on the accelerator (the cost of a step
    /// names the resource it occupies instead, ``ProgramCost/Resource``, which adds the host link).
    public enum Placement: Sendable, Hashable {
        /// On the accelerator.
        case accelerator
        /// On the host, with the reason the accelerator cannot run it.
        case host(reason: String)
    }

    /// One kernel invocation.
    public struct KernelStep: Sendable {
        /// The kernel: a family's lowering of the step's nodes, or a ``HostKernel`` on the host.
        public var kernel: any TargetKernel
        /// Where it runs.
        public var placement: Placement
    }

    /// A copy of a value across the host link.
    public struct Transfer: Sendable, Hashable {
        /// The value moved.
        public var value: String
        /// Its size in bytes.
        public var bytes: Int
        /// Whether it goes to the host (else back to the accelerator).
        public var toHost: Bool
    }

    /// One step of the program.
    public enum Step: Sendable {
        /// Run a kernel.
        case kernel(KernelStep)
        /// Move a value over the host link.
        case transfer(Transfer)
    }

    /// Where a value lives on the accelerator.
    public struct Buffer: Sendable, Hashable {
        /// The name of the graph value moved.
        public var value: String
        /// The memory level's name.
        public var level: String
        /// The byte offset in the level's arena.
        public var offset: Int
        /// The size in bytes.
        public var bytes: Int
        /// Whether it holds a constant (weights) rather than an activation.
        public var isConstant: Bool
    }

    /// The target the program runs on.
    public var target: TargetDescription
    /// The graph after numeric adaptation: the reference for functional simulation.
    public var graph: Graph
    /// The steps, in execution order.
    public var steps: [Step]
    /// The accelerator buffers, in address order per level.
    public var buffers: [Buffer]
    /// The peak bytes in use per memory level (activations at their liveness peak plus weights).
    public var peakBytesPerLevel: [String: Int]
    /// The bytes of the weights (constants) the accelerator reads.
    public var weightBytes: Int
    /// The activation arena's peak in bytes (liveness-based).
    public var peakActivationBytes: Int
    /// What the passes changed and why.
    public var notes: [CompileLog.Entry]
    /// The plan the family made for ``graph`` (``Backend/plan(for:target:options:)``), which
    /// lowering used and the cycle model reads.
    public var plan: (any Sendable)?

    /// The kernel steps alone.
    public var kernelSteps: [KernelStep] {
        steps.compactMap { if case .kernel(let step) = $0 { step } else { nil } }
    }

    /// The number of graph nodes that run on the host.
    public var hostNodeCount: Int {
        kernelSteps.filter { $0.placement != .accelerator }.reduce(0) { $0 + $1.kernel.nodes.count }
    }
}
