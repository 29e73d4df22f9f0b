import KilnDiagnostics

/// One operator application in a graph (`NodeProto`).
public struct ONNXNode: Sendable, Equatable, ProtobufDecodable {
    /// Input value names, in order; an empty name marks an omitted optional input.
    public var inputs: [String]
    /// Output value names, in order; an empty name marks an omitted optional output.
    public var outputs: [String]
    /// The node's name (may be empty).
    public var name: String
    /// The operator, such as `Conv` or `QLinearMatMul`.
    public var opType: String
    /// The operator's domain; empty (or `ai.onnx`) is the default ONNX domain.
    public var domain: String
    /// The attributes, in file order.
    public var attributes: [ONNXAttribute]
    /// Human-readable documentation.
    public var docString: String

    /// Creates a node.
    public init(
        opType: String, domain: String = "", name: String = "", inputs: [String], outputs: [String],
        attributes: [ONNXAttribute] = [], docString: String = ""
    ) {
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.opType = opType
        self.domain = domain
        self.attributes = attributes
        self.docString = docString
    }

    /// The attribute named `name`, if present (the first one, should a file repeat it).
    public func attribute(_ name: String) -> ONNXAttribute? {
        attributes.first { $0.name == name }
    }

    /// Decodes a `NodeProto`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        self.init(opType: "", inputs: [], outputs: [])
        while let tag = try reader.readTag(in: "NodeProto") {
            switch tag.fieldNumber {
            case 1: inputs.append(try reader.readString(tag, field: "NodeProto.input"))
            case 2: outputs.append(try reader.readString(tag, field: "NodeProto.output"))
            case 3: name = try reader.readString(tag, field: "NodeProto.name")
            case 4: opType = try reader.readString(tag, field: "NodeProto.op_type")
            case 7: domain = try reader.readString(tag, field: "NodeProto.domain")
            case 6: docString = try reader.readString(tag, field: "NodeProto.doc_string")
            case 5:
                let attribute: ONNXAttribute = try withinPlace("attribute[\(attributes.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "NodeProto.attribute")
                }
                attributes.append(attribute)
            default: try reader.skipField(tag, in: "NodeProto")
            }
        }
    }
}
