import KilnDiagnostics

/// A computation graph (`GraphProto`): the model's main graph or a subgraph attribute.
public struct ONNXGraph: Sendable, Equatable, ProtobufDecodable {
    /// The graph's name.
    public var name: String
    /// The nodes, in file order (ONNX requires topological order).
    public var nodes: [ONNXNode]
    /// Constant tensors (weights), each defining the value named like the tensor.
    public var initializers: [ONNXTensor]
    /// Human-readable documentation.
    public var docString: String
    /// The graph inputs (in older IR versions these include the initializers).
    public var inputs: [ONNXValueInfo]
    /// The graph outputs.
    public var outputs: [ONNXValueInfo]
    /// Type annotations of intermediate values.
    public var valueInfo: [ONNXValueInfo]
    /// Named metadata values.
    public var metadataProps: [ONNXStringStringEntry]

    /// Creates a graph.
    public init(
        name: String = "", nodes: [ONNXNode] = [], initializers: [ONNXTensor] = [], docString: String = "",
        inputs: [ONNXValueInfo] = [], outputs: [ONNXValueInfo] = [], valueInfo: [ONNXValueInfo] = [],
        metadataProps: [ONNXStringStringEntry] = []
    ) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.docString = docString
        self.inputs = inputs
        self.outputs = outputs
        self.valueInfo = valueInfo
        self.metadataProps = metadataProps
    }

    /// The graph inputs that are not initializers: the values a caller must supply, in order.
    public var runtimeInputs: [ONNXValueInfo] {
        let constant = Set(initializers.map(\.name))
        return inputs.filter { !constant.contains($0.name) }
    }

    /// Decodes a `GraphProto`. Sparse initializers are rejected.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        self.init()
        while let tag = try reader.readTag(in: "GraphProto") {
            switch tag.fieldNumber {
            case 1:
                let node: ONNXNode = try withinPlace("node[\(nodes.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "GraphProto.node")
                }
                nodes.append(node)
            case 2: name = try reader.readString(tag, field: "GraphProto.name")
            case 5:
                let tensor: ONNXTensor = try withinPlace("initializer[\(initializers.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "GraphProto.initializer")
                }
                initializers.append(tensor)
            case 15:
                throw reader.error("sparse initializers are not supported (convert them to dense initializers)", at: tag.offset)
            case 10: docString = try reader.readString(tag, field: "GraphProto.doc_string")
            case 11:
                let info: ONNXValueInfo = try withinPlace("input[\(inputs.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "GraphProto.input")
                }
                inputs.append(info)
            case 12:
                let info: ONNXValueInfo = try withinPlace("output[\(outputs.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "GraphProto.output")
                }
                outputs.append(info)
            case 13:
                let info: ONNXValueInfo = try withinPlace("value_info[\(valueInfo.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "GraphProto.value_info")
                }
                valueInfo.append(info)
            case 16:
                metadataProps.append(try reader.readMessage(tag, field: "GraphProto.metadata_props"))
            default:
                // quantization_annotation (14) and future fields.
                try reader.skipField(tag, in: "GraphProto")
            }
        }
    }
}
