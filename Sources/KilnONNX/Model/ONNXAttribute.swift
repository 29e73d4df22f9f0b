import KilnDiagnostics

/// A named attribute of a node (`AttributeProto`), such as `kernel_shape` or `axis`.
public struct ONNXAttribute: Sendable, Equatable, ProtobufDecodable {
    /// The attribute's name.
    public var name: String
    /// The declared kind (`type` field; inferred from the field present for IR < 2 files).
    public var type: ONNXAttributeType
    /// The value.
    public var value: ONNXAttributeValue
    /// For attributes inside functions: the name of the enclosing function's attribute this
    /// one refers to (empty otherwise).
    public var refAttrName: String
    /// Human-readable documentation.
    public var docString: String

    /// Creates an attribute.
    public init(name: String, type: ONNXAttributeType, value: ONNXAttributeValue, refAttrName: String = "", docString: String = "") {
        self.name = name
        self.type = type
        self.value = value
        self.refAttrName = refAttrName
        self.docString = docString
    }

    /// The UTF-8 text of a `STRING` attribute (invalid UTF-8 is repaired), or `nil` for other kinds.
    public var stringValue: String? {
        if case .string(let bytes) = value { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// Decodes an `AttributeProto`.
    ///
    /// The value is taken from the field the `type` names (proto2 defaults apply to absent
    /// scalars; an absent tensor or graph is an error). Sparse tensor attributes are rejected.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        let start = reader.offset
        var name = "", refAttrName = "", docString = ""
        var rawType: Int32?
        var f: Float?, i: Int64?, s: [UInt8]?, t: ONNXTensor?, g: ONNXGraph?, tp: ONNXType?
        var floats: [Float] = [], ints: [Int64] = [], strings: [[UInt8]] = []
        var tensors: [ONNXTensor] = [], graphs: [ONNXGraph] = [], typeProtos: [ONNXType] = []
        var lastKind: ONNXAttributeType?
        while let tag = try reader.readTag(in: "AttributeProto") {
            switch tag.fieldNumber {
            case 1: name = try reader.readString(tag, field: "AttributeProto.name")
            case 21: refAttrName = try reader.readString(tag, field: "AttributeProto.ref_attr_name")
            case 13: docString = try reader.readString(tag, field: "AttributeProto.doc_string")
            case 20: rawType = try reader.readInt32(tag, field: "AttributeProto.type")
            case 2: f = try reader.readFloat(tag, field: "AttributeProto.f"); lastKind = .float
            case 3: i = try reader.readInt64(tag, field: "AttributeProto.i"); lastKind = .int
            case 4: s = try reader.readBytes(tag, field: "AttributeProto.s"); lastKind = .string
            case 5:
                t = try withinPlace("t") { () throws(DiagnosticError) in try reader.readMessage(tag, field: "AttributeProto.t") }
                lastKind = .tensor
            case 6:
                g = try withinPlace("g") { () throws(DiagnosticError) in try reader.readMessage(tag, field: "AttributeProto.g") }
                lastKind = .graph
            case 14:
                tp = try withinPlace("tp") { () throws(DiagnosticError) in try reader.readMessage(tag, field: "AttributeProto.tp") }
                lastKind = .typeProto
            case 7: try reader.appendFloats(tag, field: "AttributeProto.floats", to: &floats); lastKind = .floats
            case 8: try reader.appendInt64s(tag, field: "AttributeProto.ints", to: &ints); lastKind = .ints
            case 9: strings.append(try reader.readBytes(tag, field: "AttributeProto.strings")); lastKind = .strings
            case 10:
                let tensor: ONNXTensor = try withinPlace("tensors[\(tensors.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "AttributeProto.tensors")
                }
                tensors.append(tensor)
                lastKind = .tensors
            case 11:
                let graph: ONNXGraph = try withinPlace("graphs[\(graphs.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "AttributeProto.graphs")
                }
                graphs.append(graph)
                lastKind = .graphs
            case 15:
                let type: ONNXType = try withinPlace("type_protos[\(typeProtos.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "AttributeProto.type_protos")
                }
                typeProtos.append(type)
                lastKind = .typeProtos
            case 22, 23:
                throw reader.error("sparse tensor attribute '\(name)' is not supported", at: tag.offset)
            default:
                try reader.skipField(tag, in: "AttributeProto")
            }
        }

        let type: ONNXAttributeType
        if let rawType {
            guard let known = ONNXAttributeType(rawValue: rawType) else {
                throw reader.error("attribute '\(name)' has unknown type \(rawType)", at: start)
            }
            type = known
        } else {
            // IR version 1 files have no type field: infer it from the field present.
            type = lastKind ?? .undefined
        }

        let value: ONNXAttributeValue
        switch type {
        case .undefined:
            guard !refAttrName.isEmpty else {
                throw reader.error(lastKind == nil
                    ? "attribute '\(name)' has no type and no value"
                    : "attribute '\(name)' has type UNDEFINED", at: start)
            }
            value = .reference
        case .float: value = .float(f ?? 0)
        case .int: value = .int(i ?? 0)
        case .string: value = .string(s ?? [])
        case .tensor:
            guard let t else {
                if !refAttrName.isEmpty { value = .reference; break }
                throw reader.error("attribute '\(name)' has type TENSOR but no tensor", at: start)
            }
            value = .tensor(t)
        case .graph:
            guard let g else {
                if !refAttrName.isEmpty { value = .reference; break }
                throw reader.error("attribute '\(name)' has type GRAPH but no graph", at: start)
            }
            value = .graph(g)
        case .typeProto:
            guard let tp else {
                if !refAttrName.isEmpty { value = .reference; break }
                throw reader.error("attribute '\(name)' has type TYPE_PROTO but no type", at: start)
            }
            value = .type(tp)
        case .floats: value = .floats(floats)
        case .ints: value = .ints(ints)
        case .strings: value = .strings(strings)
        case .tensors: value = .tensors(tensors)
        case .graphs: value = .graphs(graphs)
        case .typeProtos: value = .types(typeProtos)
        case .sparseTensor, .sparseTensors:
            throw reader.error("sparse tensor attribute '\(name)' is not supported", at: start)
        }
        if !refAttrName.isEmpty && type != .undefined {
            // A reference keeps its declared type; the value comes from the enclosing function.
            self.init(name: name, type: type, value: .reference, refAttrName: refAttrName, docString: docString)
            return
        }
        self.init(name: name, type: type, value: value, refAttrName: refAttrName, docString: docString)
    }
}
