import KilnDiagnostics

/// The type of a value in an ONNX graph (`TypeProto`).
///
/// Kiln imports tensors only; the other kinds are decoded so that an importer can name them
/// in an error message.
public indirect enum ONNXType: Sendable, Hashable, ProtobufDecodable {
    /// A dense tensor.
    case tensor(ONNXTensorType)
    /// A sparse tensor.
    case sparseTensor(ONNXTensorType)
    /// A sequence of values of the element type (if given).
    case sequence(ONNXType?)
    /// An optional value of the element type (if given).
    case optional(ONNXType?)
    /// A map from a key type to a value type (if given).
    case map(key: ONNXDataType, value: ONNXType?)
    /// An opaque type named by a domain and a name.
    case opaque(domain: String, name: String)
    /// No type was given.
    case undefined

    /// Decodes a `TypeProto`; if several kinds appear, the last one wins (it is a oneof).
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        self = .undefined
        while let tag = try reader.readTag(in: "TypeProto") {
            switch tag.fieldNumber {
            case 1: self = .tensor(try reader.readMessage(tag, field: "TypeProto.tensor_type"))
            case 8: self = .sparseTensor(try reader.readMessage(tag, field: "TypeProto.sparse_tensor_type"))
            case 4:
                self = .sequence(try Self.readElementType(&reader, tag, message: "TypeProto.Sequence"))
            case 9:
                self = .optional(try Self.readElementType(&reader, tag, message: "TypeProto.Optional"))
            case 5:
                try reader.expect(tag, .lengthDelimited, field: "TypeProto.map_type")
                var nested = try reader.readMessage(field: "TypeProto.map_type")
                var key = ONNXDataType.undefined
                var value: ONNXType?
                while let inner = try nested.readTag(in: "TypeProto.Map") {
                    switch inner.fieldNumber {
                    case 1:
                        let raw = try nested.readInt32(inner, field: "TypeProto.Map.key_type")
                        key = ONNXDataType(rawValue: raw) ?? .undefined
                    case 2: value = try nested.readMessage(inner, field: "TypeProto.Map.value_type")
                    default: try nested.skipField(inner, in: "TypeProto.Map")
                    }
                }
                self = .map(key: key, value: value)
            case 7:
                try reader.expect(tag, .lengthDelimited, field: "TypeProto.opaque_type")
                var nested = try reader.readMessage(field: "TypeProto.opaque_type")
                var domain = "", name = ""
                while let inner = try nested.readTag(in: "TypeProto.Opaque") {
                    switch inner.fieldNumber {
                    case 1: domain = try nested.readString(inner, field: "TypeProto.Opaque.domain")
                    case 2: name = try nested.readString(inner, field: "TypeProto.Opaque.name")
                    default: try nested.skipField(inner, in: "TypeProto.Opaque")
                    }
                }
                self = .opaque(domain: domain, name: name)
            default: try reader.skipField(tag, in: "TypeProto")
            }
        }
    }

    /// Reads a `TypeProto.Sequence` or `TypeProto.Optional`: a message whose field 1 is the element type.
    private static func readElementType(
        _ reader: inout ProtobufReader, _ tag: ProtobufTag, message: String
    ) throws(DiagnosticError) -> ONNXType? {
        try reader.expect(tag, .lengthDelimited, field: message)
        var nested = try reader.readMessage(field: message)
        var element: ONNXType?
        while let inner = try nested.readTag(in: message) {
            if inner.fieldNumber == 1 {
                element = try nested.readMessage(inner, field: "\(message).elem_type")
            } else {
                try nested.skipField(inner, in: message)
            }
        }
        return element
    }

    /// The tensor type, if this is a dense tensor.
    public var tensorType: ONNXTensorType? {
        if case .tensor(let type) = self { return type }
        return nil
    }
}
