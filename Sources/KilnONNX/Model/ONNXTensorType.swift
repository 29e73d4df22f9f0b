import KilnDiagnostics

/// The type of a tensor value (`TypeProto.Tensor`, also used for `TypeProto.SparseTensor`):
/// an element type and, if known, a shape.
public struct ONNXTensorType: Sendable, Hashable, ProtobufDecodable, CustomStringConvertible {
    /// The element type (`undefined` if the annotation leaves it open).
    public var elementType: ONNXDataType
    /// The dimensions, or `nil` if the rank is unknown (no `shape` field).
    public var shape: [ONNXDimension]?

    /// Creates a tensor type.
    public init(elementType: ONNXDataType, shape: [ONNXDimension]?) {
        self.elementType = elementType
        self.shape = shape
    }

    /// Decodes a `TypeProto.Tensor`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        elementType = .undefined
        shape = nil
        while let tag = try reader.readTag(in: "TypeProto.Tensor") {
            switch tag.fieldNumber {
            case 1:
                let raw = try reader.readInt32(tag, field: "TypeProto.Tensor.elem_type")
                guard let type = ONNXDataType(rawValue: raw) else {
                    throw reader.error("unknown tensor element type \(raw) in 'TypeProto.Tensor.elem_type'", at: tag.offset)
                }
                elementType = type
            case 2:
                try reader.expect(tag, .lengthDelimited, field: "TypeProto.Tensor.shape")
                var shapeReader = try reader.readMessage(field: "TypeProto.Tensor.shape")
                var dims = shape ?? []
                while let dimTag = try shapeReader.readTag(in: "TensorShapeProto") {
                    if dimTag.fieldNumber == 1 {
                        let dim: ONNXDimension = try withinPlace("shape[\(dims.count)]") { () throws(DiagnosticError) in
                            try shapeReader.readMessage(dimTag, field: "TensorShapeProto.dim")
                        }
                        dims.append(dim)
                    } else {
                        try shapeReader.skipField(dimTag, in: "TensorShapeProto")
                    }
                }
                shape = dims
            default: try reader.skipField(tag, in: "TypeProto.Tensor")
            }
        }
    }

    /// The type as written in ONNX test tables: `float[1, 3, N]`, or `float[?]` for unknown rank.
    public var description: String {
        guard let shape else { return "\(elementType)[?]" }
        return "\(elementType)[\(shape.map(\.description).joined(separator: ", "))]"
    }
}
