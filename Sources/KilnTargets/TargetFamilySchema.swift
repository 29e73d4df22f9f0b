import KilnJSON
import KilnNumerics

/// The decoder and schema of one accelerator family's section (a built-in backend's or one added
/// by a plugin package).
///
/// A target file names its family in `"family"` and carries a section with the same key. The
/// loader decodes the common part itself and hands the family section to the schema registered
/// for that name. Families are passed to ``TargetLoader`` as a list of values; there is no
/// global registry: a tool takes them from its backend registry.
public protocol TargetFamilySchema: Sendable {
    /// The family name, which is also the key of its section.
    var name: String { get }
    /// One line saying what the family models.
    var summary: String { get }
    /// The schema of the family section and of its nested objects. Paths start with ``name``
    /// (`NAME`, `NAME.instructions[]`); the first section is the family section itself.
    var sections: [TargetSchemaSection] { get }
    /// The actions the family's kernels count besides MACs, ALU operations and memory traffic;
    /// each target of the family must price every one in `energy.actions[]`.
    var actionKinds: [ActionKind] { get }

    /// Decodes and validates the family section.
    /// - Parameters:
    ///   - reader: a reader for the family section, using the first of ``sections``.
    ///   - common: the parts of the common section that decoded, for cross-field checks.
    /// - Returns: the typed section, or nil after recording findings in `reader.context`.
    func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)?
}

extension TargetFamilySchema {
    /// No actions of the family's own.
    public var actionKinds: [ActionKind] { [] }
}

/// A decoded, validated family section.
public protocol TargetFamilySection: Sendable {
    /// Peak operations per cycle of one core or instance (a multiply-accumulate counts as two
    /// operations; a family's own actions count their ``ActionKind/operations``).
    var peakOperationsPerCycle: Double { get }
    /// Label / value lines shown by `kiln targets show`, in order.
    var details: [(label: String, value: String)] { get }
}

/// The parts of a target's common section that decoded, given to family decoders for
/// cross-field checks. A part that failed to decode is nil (its findings are already recorded).
public struct TargetCommonPart: Sendable {
    /// The target's numerics.
    public var numerics: TargetNumerics?
    /// The target's memory levels.
    public var memory: [MemoryLevel]?
    /// The core clock in MHz.
    public var clockMegahertz: Double?

    /// Creates a common part.
    public init(numerics: TargetNumerics? = nil, memory: [MemoryLevel]? = nil, clockMegahertz: Double? = nil) {
        self.numerics = numerics
        self.memory = memory
        self.clockMegahertz = clockMegahertz
    }

    /// Records an error at `path` for each format in `formats` that `numerics.storageFormats` lacks.
    /// - Parameter what: how the message names the user of the format (`instruction 'sdot'`).
    public func checkFormats(_ formats: [ElementType], declaredBy what: String, at path: JSONPath, context: JSONDecodingContext) {
        guard let storage = numerics?.storageFormats else { return }
        for (index, format) in formats.enumerated() where !storage.contains(format) {
            context.error("\(what) uses '\(format.name)', which numerics.storageFormats lacks (it has \(storage.map(\.name).joined(separator: ", ")))",
                          at: path.appending(index: index))
        }
    }
}
