import KilnIR

/// Why a lowering pattern (or the kernel it builds) does not apply; the message appears in the
/// compile report when the node falls back to the host.
public struct LoweringRejection: Error, Sendable {
    /// The reason.
    public let message: String

    /// Creates a rejection.
    public init(_ message: String) {
        self.message = message
    }
}

/// A kernel whose initializer is its lowering pattern: it builds the kernel for the node at an
/// index (and the nodes it fuses) or throws a ``LoweringRejection`` saying why not.
public protocol MatchingKernel: TargetKernel {
    /// Builds the kernel for the node at `index` of `context.graph`.
    /// - Throws: ``LoweringRejection`` with the reason the node does not fit the kernel.
    init(nodeAt index: Int, in context: LoweringContext) throws(LoweringRejection)
}

/// A row of a lowering table whose kernel's constructor does the matching: it builds the kernel
/// for the node (and the nodes it fuses) or throws a ``LoweringRejection`` saying why not.
public struct KernelPattern: LoweringPattern {
    /// A short name for reports (`adder-tree-conv2d`).
    public let name: String
    /// The operator the pattern starts from.
    public let root: OperatorKind
    /// Builds the kernel for the node at an index of the context's graph.
    public let makeKernel: @Sendable (Int, LoweringContext) throws(LoweringRejection) -> any TargetKernel

    /// Creates a row.
    public init(_ name: String, root: OperatorKind,
                makeKernel: @escaping @Sendable (Int, LoweringContext) throws(LoweringRejection) -> any TargetKernel) {
        self.name = name
        self.root = root
        self.makeKernel = makeKernel
    }

    /// A row that builds a `Kernel` with its matching initializer.
    public init<Kernel: MatchingKernel>(_ name: String, root: OperatorKind, kernel: Kernel.Type) {
        self.init(name, root: root) { index, context throws(LoweringRejection) in try Kernel(nodeAt: index, in: context) }
    }

    /// The kernel, or the constructor's reason.
    public func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        do {
            return .lowered(try makeKernel(index, context))
        } catch {
            return .rejected(error.message)
        }
    }
}
