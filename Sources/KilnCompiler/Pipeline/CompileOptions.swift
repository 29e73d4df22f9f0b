import Foundation
import KilnIR
import KilnJSON

/// What the user asked of a compilation.
public struct CompileOptions: Sendable {
    /// Whether nodes the target cannot run may fall back to the host (`--no-host-fallback` turns
    /// this off: every such node becomes an error).
    public var allowHostFallback: Bool
    /// Weight bit width for targets with configurable precision (a family that chooses operand widths), or nil for the
    /// target's default.
    public var weightBits: Int?
    /// Activation bit width for targets with configurable precision, or nil for the default.
    public var activationBits: Int?
    /// Per-layer overrides of ``weightBits`` / ``activationBits``, by node name.
    public var layerBits: [String: (weights: Int, activations: Int)]
    /// Representative inputs (by graph input name, leading dimension = samples) that adaptation
    /// passes may run through the reference interpreter to choose ranges for narrower formats;
    /// nil when the caller has none (passes then derive ranges from the graph's parameters).
    public var calibration: [String: Tensor]?
    /// A user's file of per-layer implementation choices (`--folding FILE`), read by the family
    /// whose plan defines such a file (a dataflow target reads a FINN folding configuration);
    /// nil for the family's own choices.
    public var layerSettings: LayerSettingsFile?
    /// Where passes record what they changed and why (shown in the compile report).
    public let log: CompileLog

    /// Creates options.
    public init(allowHostFallback: Bool = true, weightBits: Int? = nil, activationBits: Int? = nil,
                layerBits: [String: (weights: Int, activations: Int)] = [:], calibration: [String: Tensor]? = nil,
                layerSettings: LayerSettingsFile? = nil, log: CompileLog = CompileLog()) {
        self.allowHostFallback = allowHostFallback
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.layerBits = layerBits
        self.calibration = calibration
        self.layerSettings = layerSettings
        self.log = log
    }
}

/// A parsed JSON file of per-layer implementation choices and the name the user gave it (for
/// located diagnostics). Its shape belongs to the family that reads it.
public struct LayerSettingsFile: Sendable, Hashable {
    /// The file, as the user named it.
    public let file: String
    /// Its contents.
    public let document: JSONValue

    /// Creates the value.
    public init(file: String, document: JSONValue) {
        self.file = file
        self.document = document
    }
}

/// The notes passes write while compiling: what each adaptation changed and why.
public final class CompileLog: @unchecked Sendable {
    /// One note.
    public struct Entry: Sendable, Hashable {
        /// The pass that wrote it.
        public var pass: String
        /// The node it is about, if any.
        public var node: String?
        /// What changed and why.
        public var message: String
    }
    private let lock = NSLock()
    private var storage: [Entry] = []

    /// An empty log.
    public init() {}

    /// Records a note.
    public func note(_ message: String, pass: String, node: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        storage.append(Entry(pass: pass, node: node, message: message))
    }

    /// Every note so far, in order.
    public var entries: [Entry] { lock.lock(); defer { lock.unlock() }; return storage }
}
