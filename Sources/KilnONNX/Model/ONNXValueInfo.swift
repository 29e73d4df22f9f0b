import KilnDiagnostics

/// A named value with its type (`ValueInfoProto`): a graph input, output or annotation.
public struct ONNXValueInfo: Sendable, Hashable, ProtobufDecodable {
    /// The value's name.
    public var name: String
    /// The value's type, or `nil` if none was given.
    public var type: ONNXType?
    /// Human-readable documentation.
    public var docString: String

    /// Creates a value description.
    public init(name: String, type: ONNXType?, docString: String = "") {
        self.name = name
        self.type = type
        self.docString = docString
    }

    /// Decodes a `ValueInfoProto`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        name = ""
        type = nil
        docString = ""
        while let tag = try reader.readTag(in: "ValueInfoProto") {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "ValueInfoProto.name")
            case 2: type = try reader.readMessage(tag, field: "ValueInfoProto.type")
            case 3: docString = try reader.readString(tag, field: "ValueInfoProto.doc_string")
            default: try reader.skipField(tag, in: "ValueInfoProto")
            }
        }
    }
}
