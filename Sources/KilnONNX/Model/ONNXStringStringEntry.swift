import KilnDiagnostics

/// A key-value pair of strings (`StringStringEntryProto`): metadata and external-data keys.
public struct ONNXStringStringEntry: Sendable, Hashable, ProtobufDecodable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Creates an entry.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Decodes a `StringStringEntryProto`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        key = ""
        value = ""
        while let tag = try reader.readTag(in: "StringStringEntryProto") {
            switch tag.fieldNumber {
            case 1: key = try reader.readString(tag, field: "StringStringEntryProto.key")
            case 2: value = try reader.readString(tag, field: "StringStringEntryProto.value")
            default: try reader.skipField(tag, in: "StringStringEntryProto")
            }
        }
    }
}
