import Foundation
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnNumerics

/// Kiln's own model format: a human-readable JSON file holding a whole graph with its weights.
///
/// ```json
/// {
///   "kilnModel": 1,
///   "name": "tiny",
///   "inputs": [{"name": "x", "type": {"shape": [1, 4], "elementType": "u8",
///               "quantization": {"scales": [0.0039], "zeroPoints": [0]}}}],
///   "outputs": ["y"],
///   "constants": [{"name": "w", "type": {"shape": [4, 2], "elementType": "i8", ...}, "values": [1, -2, ...]}],
///   "nodes": [{"name": "fc", "op": "dense", "inputs": ["x", "w"], "attributes": {},
///              "outputs": [{"name": "y", "type": {...}}], "requantization": "floatScale"}]
/// }
/// ```
/// `docs/model-format.md` is the full reference. Reading checks every key and value (unknown and
/// duplicate keys are errors, findings name their JSON path) and then verifies the graph.
public enum KilnModelFile {
    /// The format version this Kiln reads and writes.
    public static let formatVersion = 1

    /// Reads a model file.
    /// - Throws: ``DiagnosticError`` naming the file and the JSON path or node of every problem.
    public static func read(contentsOf path: String) throws(DiagnosticError) -> Graph {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DiagnosticError(.error("cannot read the model file (\(error.localizedDescription))", file: path))
        }
        return try decode([UInt8](data), file: path)
    }

    /// Decodes a model from the bytes of a file.
    public static func decode(_ bytes: [UInt8], file: String) throws(DiagnosticError) -> Graph {
        let root = try JSONParser().parse(bytes, file: file)
        let context = JSONDecodingContext(file: file)
        let graph = decodeGraph(root, context)
        try context.throwIfErrors()
        guard let graph else { throw DiagnosticError(.error("the model could not be read", file: file)) }
        try graph.verify(file: file)
        return graph
    }

    /// The model as the text of a Kiln model file (deterministic: same graph, same bytes).
    public static func encode(_ graph: Graph) -> String {
        var nodes: [JSONValue] = []
        for node in graph.nodes {
            let coding = OperatorCoding.coding(for: node.kind)
            var fields: [(String, JSONValue)] = [
                ("name", .string(node.name)),
                ("op", .string(node.kind.rawValue)),
                ("inputs", .array(node.inputs.map { .string($0) })),
                ("attributes", .object(JSONObject(coding.encode(node.operation)))),
                ("outputs", .array(node.outputs.map { output in
                    .object(JSONObject([("name", .string(output)), ("type", encodeType(graph.types[output]!))]))
                })),
                ("requantization", .string(node.requantization.rawValue)),
            ]
            // Written only when not the default, so existing files keep their bytes.
            if node.accumulation != .wrappingInt32 { fields.append(("accumulation", .string(node.accumulation.rawValue))) }
            if node.semantics != .onnxRuntime { fields.append(("semantics", .string(node.semantics.rawValue))) }
            nodes.append(.object(JSONObject(fields)))
        }
        let constants = graph.constants.keys.sorted().map { name -> JSONValue in
            let tensor = graph.constants[name]!
            return .object(JSONObject([("name", .string(name)), ("type", encodeType(tensor.type)), ("values", encodeValues(tensor))]))
        }
        let document = JSONValue.object(JSONObject([
            ("kilnModel", .integer(Int64(formatVersion))),
            ("name", .string(graph.name)),
            ("inputs", .array(graph.inputs.map { name in
                .object(JSONObject([("name", .string(name)), ("type", encodeType(graph.types[name]!))]))
            })),
            ("outputs", .array(graph.outputs.map { .string($0) })),
            ("constants", .array(constants)),
            ("nodes", .array(nodes)),
        ]))
        return JSONWriter().write(document) + "\n"
    }

    /// Writes a model file.
    /// - Throws: ``DiagnosticError`` if the file cannot be written.
    public static func write(_ graph: Graph, to path: String) throws(DiagnosticError) {
        do {
            try Data(encode(graph).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw DiagnosticError(.error("cannot write the model file (\(error.localizedDescription))", file: path))
        }
    }

    // MARK: Encoding

    /// A tensor type as the JSON object model files (and `kiln inspect --format json`) use.
    public static func encodeType(_ type: TensorType) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("shape", .array(type.shape.map { .integer(Int64($0)) })),
            ("elementType", .string(type.elementType.name)),
        ]
        if let quantization = type.quantization {
            var parameters: [(String, JSONValue)] = [
                ("scales", .array(quantization.scales.map { .number(Double($0)) })),
                ("zeroPoints", .array(quantization.zeroPoints.map { .integer(Int64($0)) })),
            ]
            if let axis = quantization.axis { parameters.append(("axis", .integer(Int64(axis)))) }
            members.append(("quantization", .object(JSONObject(parameters))))
        }
        return .object(JSONObject(members))
    }

    static func encodeValues(_ tensor: Tensor) -> JSONValue {
        switch tensor.storage {
        case .float32(let values): .array(values.map { .number(Double($0)) })
        case .int32(let values): .array(values.map { .integer(Int64($0)) })
        case .int64(let values): .array(values.map { .integer($0) })
        }
    }

    // MARK: Decoding

    private static func decodeGraph(_ root: JSONValue, _ context: JSONDecodingContext) -> Graph? {
        guard let reader = context.object(root, at: .root,
                                          knownKeys: ["kilnModel", "name", "inputs", "outputs", "constants", "nodes"]) else { return nil }
        guard let version = reader.integer("kilnModel", in: 1...Int64(Int32.max)) else { return nil }
        guard version == formatVersion else {
            context.error("this Kiln reads model format version \(formatVersion), the file has version \(version)", at: reader.path(of: "kilnModel"))
            return nil
        }
        let name = reader.string("name") ?? ""
        var types: [String: TensorType] = [:]
        var constants: [String: Tensor] = [:]
        let inputs = reader.array("inputs") { value, path -> String? in
            guard let input = context.object(value, at: path, knownKeys: ["name", "type"]),
                  let name = input.string("name"), let type = input.required("type", { decodeType($0, $1, context) }) else { return nil }
            types[name] = type
            return name
        } ?? []
        let outputs = reader.array("outputs") { context.nonEmptyString($0, at: $1) } ?? []
        _ = reader.array("constants") { value, path -> Void? in
            guard let constant = context.object(value, at: path, knownKeys: ["name", "type", "values"]),
                  let name = constant.string("name"), let type = constant.required("type", { decodeType($0, $1, context) }),
                  let tensor = constant.required("values", { decodeValues($0, $1, type, context) }) else { return nil }
            if constants[name] != nil { context.error("another constant is named '\(name)'", at: path.appending(key: "name")) }
            constants[name] = tensor
            types[name] = type
            return ()
        }
        let nodes = reader.array("nodes") { value, path -> Node? in
            guard let node = decodeNode(value, path, context) else { return nil }
            for (output, type) in node.types { types[output] = type }
            return node.node
        } ?? []
        return Graph(name: name, inputs: inputs, outputs: outputs, types: types, constants: constants, nodes: nodes)
    }

    private static func decodeNode(_ value: JSONValue, _ path: JSONPath, _ context: JSONDecodingContext) -> (node: Node, types: [(String, TensorType)])? {
        guard let reader = context.object(value, at: path,
                                          knownKeys: ["name", "op", "inputs", "attributes", "outputs", "requantization", "accumulation", "semantics"]),
              let name = reader.string("name"), let kind = reader.choice("op", as: OperatorKind.self) else { return nil }
        let coding = OperatorCoding.coding(for: kind)
        let inputs = reader.array("inputs") { context.string($0, at: $1) }
        let attributes = reader.object("attributes", knownKeys: coding.keys)
        let operation = attributes.flatMap(coding.decode)
        let outputs = reader.array("outputs", allowEmpty: false) { value, path -> (String, TensorType)? in
            guard let output = context.object(value, at: path, knownKeys: ["name", "type"]),
                  let name = output.string("name"), let type = output.required("type", { decodeType($0, $1, context) }) else { return nil }
            return (name, type)
        }
        let rule = reader.optional("requantization").flatMap { context.choice($0, at: reader.path(of: "requantization"), as: RequantizationRule.self) }
        let accumulation = reader.optional("accumulation").flatMap { context.choice($0, at: reader.path(of: "accumulation"), as: Accumulation.self) }
        let semantics = reader.optional("semantics").flatMap { context.choice($0, at: reader.path(of: "semantics"), as: IntegerSemantics.self) }
        guard let inputs, let operation, let outputs else { return nil }
        return (Node(name: name, operation: operation, inputs: inputs, outputs: outputs.map(\.0),
                     requantization: rule ?? .floatScale, accumulation: accumulation ?? .wrappingInt32,
                     semantics: semantics ?? .onnxRuntime), outputs)
    }

    private static func decodeType(_ value: JSONValue, _ path: JSONPath, _ context: JSONDecodingContext) -> TensorType? {
        guard let reader = context.object(value, at: path, knownKeys: ["shape", "elementType", "quantization"]) else { return nil }
        let shape = reader.array("shape") { context.integer($0, at: $1, in: 0...Int64(Int32.max)) }
        let elementType = reader.required("elementType") { value, path -> ElementType? in
            guard let name = context.string(value, at: path) else { return nil }
            guard let type = ElementType(name: name) else {
                context.error("unknown element type '\(name)'; expected f32, i2…i32, u2…u32, i64, bool, bin or qN / qM.N", at: path)
                return nil
            }
            return type
        }
        var quantization: QuantizationParameters?
        if let parameters = reader.optionalObject("quantization", knownKeys: ["scales", "zeroPoints", "axis"]) {
            let scales = parameters.array("scales", allowEmpty: false) { value, path -> Float? in
                guard let number = context.number(value, at: path, .positive) else { return nil }
                guard Float(number).isFinite, Float(number) > 0 else {
                    context.error("scale \(number) is not a positive float32", at: path)
                    return nil
                }
                return Float(number)
            }
            let zeroPoints = parameters.array("zeroPoints", allowEmpty: false) { value, path -> Int32? in
                context.integer(value, at: path, in: Int64(Int32.min)...Int64(Int32.max)).map { Int32($0) }
            }
            let axis = parameters.optionalInteger("axis", in: 0...64)
            if let scales, let zeroPoints { quantization = QuantizationParameters(scales: scales, zeroPoints: zeroPoints, axis: axis) }
        }
        guard let shape, let elementType else { return nil }
        if Shape.elementCount(shape) == nil {
            context.error("the shape \(shape) has more elements than this machine can address", at: reader.path(of: "shape"))
            return nil
        }
        return TensorType(shape: shape, elementType: elementType, quantization: quantization)
    }

    private static func decodeValues(_ value: JSONValue, _ path: JSONPath, _ type: TensorType, _ context: JSONDecodingContext) -> Tensor? {
        guard let elements = value.arrayValue else {
            context.error("expected an array of numbers, got \(value.summary)", at: path)
            return nil
        }
        guard let count = Shape.elementCount(type.shape), elements.count == count else {
            context.error("expected \(Shape.elementCount(type.shape).map(String.init) ?? "more") values for shape \(type.shape), got \(elements.count)", at: path)
            return nil
        }
        switch type.elementType.storage {
        case .float32:
            var values = [Float](repeating: 0, count: count)
            for (index, element) in elements.enumerated() {
                guard let number = element.doubleValue, Float(number).isFinite else {
                    context.error("expected a float32 number, got \(element.summary)", at: path.appending(index: index))
                    return nil
                }
                values[index] = Float(number)
            }
            return Tensor(type: type, storage: .float32(values))
        case .int32:
            var values = [Int32](repeating: 0, count: count)
            for (index, element) in elements.enumerated() {
                guard let code = element.integerValue, type.elementType.contains(code) else {
                    context.error("expected a \(type.elementType.name) code (\(type.elementType.minimumCode)…\(type.elementType.maximumCode)), got \(element.summary)",
                                  at: path.appending(index: index))
                    return nil
                }
                values[index] = Int32(code)
            }
            return Tensor(type: type, storage: .int32(values))
        case .int64:
            var values = [Int64](repeating: 0, count: count)
            for (index, element) in elements.enumerated() {
                guard let code = element.integerValue else {
                    context.error("expected an integer, got \(element.summary)", at: path.appending(index: index))
                    return nil
                }
                values[index] = code
            }
            return Tensor(type: type, storage: .int64(values))
        }
    }
}
