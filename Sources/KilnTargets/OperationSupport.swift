import KilnIR
import KilnJSON
import KilnNumerics

/// One IR op the accelerator runs, with the formats and limits under which it runs there.
/// Ops not declared, or outside these limits, fall back to the host.
public struct OperationSupport: Sendable, Hashable {
    /// The IR op.
    public let operation: OperatorKind
    /// The element types the op runs at on the accelerator.
    public let formats: [ElementType]
    /// The largest kernel height or width (conv and pooling), if limited.
    public let maxKernelSize: Int?
    /// Channel counts must be a multiple of this, if limited.
    public let channelMultiple: Int?
    /// The largest tensor the op accepts, in elements, if limited.
    public let maxTensorElements: Int?

    /// The Kiln IR op names an op set may declare.
    public static let knownOperations: [String] = OperatorKind.allCases.map(\.rawValue)

    /// The schema of one `ops[]` element.
    public static let schema = TargetSchemaSection(path: "ops[]", fields: [
        TargetField("op", "Kiln IR op name", "The op, e.g. `conv2d`, `dense`, `add`, `multiThreshold`."),
        TargetField("formats", "array of element-type names",
                    "Element types the op runs at on the accelerator; each must be in `numerics.storageFormats`."),
        .optional("maxKernelSize", "integer ≥ 1", "Largest kernel height or width (convolution and pooling).").plausible(1...65536),
        .optional("channelMultiple", "integer ≥ 1", "Channels run in groups of this many; how a family treats a count that is not a multiple (pads it, refuses it) is its own.").plausible(1...65536),
        .optional("maxTensorElements", "integer ≥ 1", "Largest tensor the op accepts, in elements.").plausible(1...0x4_0000_0000_0000),
    ])

    /// Creates an op entry.
    public init(operation: OperatorKind, formats: [ElementType], maxKernelSize: Int? = nil, channelMultiple: Int? = nil,
                maxTensorElements: Int? = nil) {
        self.operation = operation
        self.formats = formats
        self.maxKernelSize = maxKernelSize
        self.channelMultiple = channelMultiple
        self.maxTensorElements = maxTensorElements
    }

    /// Decodes one `ops[]` element, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let given = reader.string("op")
        let kind = given.flatMap(OperatorKind.init(rawValue:))
        if let given, kind == nil {
            var message = "unknown op '\(given)'"
            if let close = closestMatch(to: given, among: OperationSupport.knownOperations) { message += "; did you mean '\(close)'?" }
            reader.error(message, at: "op")
        }
        let formats = reader.formats("formats")
        let kernel = reader.integer("maxKernelSize", in: 1...Int64.max)
        let channels = reader.integer("channelMultiple", in: 1...Int64.max)
        let elements = reader.integer("maxTensorElements", in: 1...Int64.max)
        let limitsOK = (kernel != nil) == reader.contains("maxKernelSize")
            && (channels != nil) == reader.contains("channelMultiple")
            && (elements != nil) == reader.contains("maxTensorElements")
        guard let kind, let formats, limitsOK else { return nil }
        self.init(operation: kind, formats: formats, maxKernelSize: kernel, channelMultiple: channels, maxTensorElements: elements)
    }
}
