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

    /// The kernel, or the constructor's reason.
    public func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        do {
            return .lowered(try makeKernel(index, context))
        } catch {
            return .rejected(error.message)
        }
    }
}
