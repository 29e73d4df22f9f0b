import KilnDiagnostics

/// An operator set a model imports (`OperatorSetIdProto`): a domain and its version.
public struct ONNXOperatorSetID: Sendable, Hashable, ProtobufDecodable {
    /// The operator domain; empty (or `ai.onnx`) is the default ONNX domain.
    public var domain: String
    /// The operator set version.
    public var version: Int64

    /// Creates an operator set import.
    public init(domain: String = "", version: Int64) {
        self.domain = domain
        self.version = version
    }

    /// Decodes an `OperatorSetIdProto`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        domain = ""
        version = 0
        while let tag = try reader.readTag(in: "OperatorSetIdProto") {
            switch tag.fieldNumber {
            case 1: domain = try reader.readString(tag, field: "OperatorSetIdProto.domain")
            case 2: version = try reader.readInt64(tag, field: "OperatorSetIdProto.version")
            default: try reader.skipField(tag, in: "OperatorSetIdProto")
            }
        }
    }
}
