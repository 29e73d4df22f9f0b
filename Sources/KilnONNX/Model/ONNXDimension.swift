import KilnDiagnostics

/// One dimension of a tensor shape annotation (`TensorShapeProto.Dimension`).
public enum ONNXDimension: Sendable, Hashable, ProtobufDecodable, CustomStringConvertible {
    /// A known size (`dim_value`).
    case value(Int64)
    /// A named symbolic size (`dim_param`), such as `N` or `batch`.
    case param(String)
    /// Neither a size nor a name was given.
    case unknown

    /// Decodes a `TensorShapeProto.Dimension`; if both fields appear, the last one wins (it is a oneof).
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        self = .unknown
        while let tag = try reader.readTag(in: "TensorShapeProto.Dimension") {
            switch tag.fieldNumber {
            case 1: self = .value(try reader.readInt64(tag, field: "TensorShapeProto.Dimension.dim_value"))
            case 2: self = .param(try reader.readString(tag, field: "TensorShapeProto.Dimension.dim_param"))
            default: try reader.skipField(tag, in: "TensorShapeProto.Dimension")
            }
        }
    }

    /// The size as written in ONNX test tables: `3`, `N`, or `?`.
    public var description: String {
        switch self {
        case .value(let size): "\(size)"
        case .param(let name): name
        case .unknown: "?"
        }
    }
}
