import KilnDiagnostics
import KilnIR

/// One operation of a target program: a kernel of the target's op set implementing one or more
/// nodes of the target-numerics graph with the target's arithmetic.
///
/// Every kernel must compute exactly what the reference interpreter computes on the nodes it
/// covers (the conformance kit checks this), but with the target's own data layout and
/// instructions: bit-packed words, dual 16-bit MAC pairs, saturating pairwise sums.
public protocol TargetKernel: Sendable {
    /// The kernel's name in the target's vocabulary (`sdot-conv2d`).
    var name: String { get }
    /// The target-numerics graph nodes it implements, in order.
    var nodes: [Node] { get }
    /// The values it reads (graph value names), in the order ``execute(_:counts:)`` receives them.
    var inputs: [String] { get }
    /// The values it writes.
    var outputs: [String] { get }
    /// Runs the kernel on its inputs and adds to `counts` what it tallies while running: every
    /// action when ``countsWhileExecuting`` is true, nothing otherwise (the simulator then adds
    /// ``countActions()`` once).
    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor]
    /// The actions one execution performs, computed from shapes alone (the cost-only path).
    func countActions() -> ActionCounts
    /// Whether ``execute(_:counts:)`` tallies the kernel's actions as it runs (the trip counts of
    /// its loops, the events its data causes), so the conformance kit can compare that tally with
    /// ``countActions()``. False (the default) for a kernel whose actions all follow from shapes
    /// and which counts nothing while running: the simulator takes ``countActions()`` for it.
    var countsWhileExecuting: Bool { get }
    /// Lines of the listing: the loop nest over target operations, annotated.
    func listing() -> [String]
    /// The bytes the target stores for constants the kernel reads, where the target keeps them in
    /// a format of its own (an NPU's compressed weight stream with its scale and bias records; 0
    /// for a constant folded into another's stream). The memory plan places a constant listed here
    /// at this size, any other at its tensor type's size.
    var storedConstantBytes: [String: Int] { get }
    /// Constants the target stores beside the graph's for this kernel, which the graph does not
    /// hold (an NPU's lookup tables, the scalar operands and unit kernels of the passes it lowers
    /// an operator to), by a name unique to the kernel (`<node>/<constant>`), with the bytes each
    /// takes in the constants memory. The memory plan places them with the weights.
    var addedConstantBytes: [String: Int] { get }
    /// Buffers the kernel holds in the activation memory beside its inputs and outputs (an NPU's
    /// weight buffers, DMA'd in from flash or DRAM). The memory plan places them in the
    /// activation arena, live during the kernel's step (``WorkingBuffer`` says when exactly).
    var workingBuffers: [WorkingBuffer] { get }
    /// The bytes the target stores an output in the activation memory, where its layout pads it
    /// beyond the tensor type's size (an NPU's 16-channel bricks). The memory plan places a value
    /// listed here at this size, any other at its tensor type's size.
    var storedOutputBytes: [String: Int] { get }
    /// An input whose buffer the kernel's output occupies, as the device allocates them (nil: the
    /// output has a buffer of its own). The memory plan gives the output that input's buffer.
    var outputBufferReuse: OutputBufferReuse? { get }
}

/// A buffer a kernel holds in the activation memory while it runs (``TargetKernel/workingBuffers``).
///
/// The memory plan gives every step two times (Vela's live-range time indices): the step itself
/// and its hand-over, when the step finishes its last piece of work while the next step's first
/// transfers may already fill that step's buffers. A value is live from the step that writes it
/// to the hand-over of the last step that reads it.
public struct WorkingBuffer: Sendable, Hashable {
    /// Its size.
    public var bytes: Int
    /// Filled during the previous step's hand-over (an NPU prebuffering a pass's first weights
    /// while the previous pass finishes), so live from then.
    public var fillsDuringPreviousStep: Bool
    /// Still held during the step's own hand-over (false: freed before it, as the buffer of a
    /// double-buffered pair not holding the last slice's weights is).
    public var heldThroughHandOver: Bool

    /// A buffer of `bytes`, live from `fillsDuringPreviousStep ? previous hand-over : the step` to
    /// `heldThroughHandOver ? the step's hand-over : the step`.
    public init(bytes: Int, fillsDuringPreviousStep: Bool = false, heldThroughHandOver: Bool = true) {
        self.bytes = bytes
        self.fillsDuringPreviousStep = fillsDuringPreviousStep
        self.heldThroughHandOver = heldThroughHandOver
    }
}

/// How a kernel's output shares an input's buffer (``TargetKernel/outputBufferReuse``).
public enum OutputBufferReuse: Sendable, Equatable {
    /// The output is the input's bytes (a layout change the device does not perform): one
    /// buffer, live as long as either is.
    case view(of: String)
    /// The kernel overwrites an input of the output's size element by element: the output takes
    /// the buffer of the first of these inputs that no later step reads.
    case inPlace(over: [String])
}

extension TargetKernel {
    /// False: the kernel's actions are its ``countActions()``.
    public var countsWhileExecuting: Bool { false }
    /// None: constants are stored at their tensor type's size.
    public var storedConstantBytes: [String: Int] { [:] }
    /// None: the target stores only the graph's constants.
    public var addedConstantBytes: [String: Int] { [:] }
    /// None.
    public var workingBuffers: [WorkingBuffer] { [] }
    /// None: outputs are stored at their tensor type's size.
    public var storedOutputBytes: [String: Int] { [:] }
    /// Nil: the output has a buffer of its own.
    public var outputBufferReuse: OutputBufferReuse? { nil }
}
