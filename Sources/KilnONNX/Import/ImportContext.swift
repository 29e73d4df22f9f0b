import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The state of one import: the IR graph built so far, the constant values known so far
/// (initializers, `Constant` nodes, bound inputs and folded results), and the ONNX node being
/// converted. Converters read the node's inputs and attributes through it and emit IR nodes.
struct ImportContext {
    /// The graph built so far.
    var graph: Graph
    /// The `ai.onnx` operator set version the model imports.
    let opset: Int
    /// The model file, for diagnostics.
    let file: String?
    /// Constant values by name; a constant enters ``graph`` only when a node reads it.
    var known: [String: Tensor] = [:]
    /// The node being converted.
    private(set) var node = ONNXNode(opType: "", inputs: [], outputs: [])
    /// The IR name of the node being converted (the ONNX name, or `OpType_index`).
    private(set) var nodeName = ""
    private var usedNodeNames: Set<String> = []
    private var emittedForNode = 0

    init(graph: Graph, opset: Int, file: String?) {
        self.graph = graph
        self.opset = opset
        self.file = file
    }

    /// Starts converting `node` (the `index`-th in the file).
    mutating func begin(_ node: ONNXNode, index: Int) {
        self.node = node
        var name = node.name.isEmpty ? "\(node.opType)_\(index)" : node.name
        if usedNodeNames.contains(name) { name = "\(name)_\(index)" }
        nodeName = name
        emittedForNode = 0
    }

    /// How diagnostics name the current node: `node 'conv1' (Conv)`.
    var place: String { "node '\(nodeName)' (\(node.opType))" }

    /// An error about the current node.
    func error(_ message: String) -> DiagnosticError {
        DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: place)))
    }

    // MARK: Inputs and outputs

    /// The name of input `index`, or nil if it is absent or empty.
    func optionalInput(_ index: Int) -> String? {
        index < node.inputs.count && !node.inputs[index].isEmpty ? node.inputs[index] : nil
    }

    /// The name of input `index`.
    /// - Throws: if the input is absent.
    func input(_ index: Int, _ role: String) throws(DiagnosticError) -> String {
        guard let name = optionalInput(index) else { throw error("input \(index) (\(role)) is missing") }
        guard known[name] != nil || graph.types[name] != nil else {
            throw error("input \(index) (\(role)) '\(name)' is not defined before this node")
        }
        return name
    }

    /// The name of output `index` (the ONNX name).
    func output(_ index: Int) throws(DiagnosticError) -> String {
        guard index < node.outputs.count, !node.outputs[index].isEmpty else { throw error("output \(index) is missing") }
        return node.outputs[index]
    }

    /// Fails if the node uses optional outputs beyond the first `count`.
    func requireOnlyOutputs(_ count: Int, _ what: String) throws(DiagnosticError) {
        for index in count..<max(count, node.outputs.count) where !node.outputs[index].isEmpty {
            throw error("output \(index) ('\(node.outputs[index])', \(what)) is not supported; remove it from the model")
        }
    }

    /// The type of a value (a constant, graph input or node output).
    func type(of name: String) throws(DiagnosticError) -> TensorType {
        if let tensor = known[name] { return tensor.type }
        guard let type = graph.types[name] else { throw error("value '\(name)' has no known type") }
        return type
    }

    /// The shape of input `index`.
    func shape(of name: String) throws(DiagnosticError) -> [Int] { try type(of: name).shape }

    /// The constant value of input `index`.
    /// - Throws: if the input is absent or not a constant.
    func constantInput(_ index: Int, _ role: String) throws(DiagnosticError) -> Tensor {
        let name = try input(index, role)
        guard let tensor = known[name] else {
            throw error("input \(index) (\(role)) '\(name)' must be a constant: an initializer, a Constant node, a value computable from them, or a graph input bound with ImportOptions.constantInputs")
        }
        return tensor
    }

    /// The constant value of input `index` if it is present.
    func optionalConstantInput(_ index: Int, _ role: String) throws(DiagnosticError) -> Tensor? {
        guard optionalInput(index) != nil else { return nil }
        return try constantInput(index, role)
    }

    /// Integer values of a constant (int64 / int32 / ... tensors), checked to fit `Int`.
    func integers(_ tensor: Tensor, _ role: String) throws(DiagnosticError) -> [Int] {
        guard tensor.type.elementType.isInteger, let values = tensor.integers else {
            throw error("\(role) must hold integers, got \(tensor.type)")
        }
        return values.map { Int($0) }
    }

    /// Float values of a constant.
    func floats(_ tensor: Tensor) -> [Float] { tensor.floats ?? tensor.doubles.map { Float($0) } }

    // MARK: Attributes

    /// The value of an INT attribute.
    func int(_ name: String, default value: Int) throws(DiagnosticError) -> Int {
        guard let attribute = node.attribute(name) else { return value }
        guard case .int(let raw) = attribute.value else { throw error("attribute '\(name)' must be an integer") }
        guard raw >= Int64(Int32.min), raw <= Int64(Int32.max) else { throw error("attribute '\(name)' = \(raw) is out of range") }
        return Int(raw)
    }

    /// The value of an INTS attribute, or nil if absent.
    func ints(_ name: String) throws(DiagnosticError) -> [Int]? {
        guard let attribute = node.attribute(name) else { return nil }
        guard case .ints(let raw) = attribute.value else { throw error("attribute '\(name)' must be a list of integers") }
        guard raw.count <= 64, raw.allSatisfy({ $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) }) else {
            throw error("attribute '\(name)' = \(raw.prefix(8)) is out of range")
        }
        return raw.map { Int($0) }
    }

    /// The value of a FLOAT attribute.
    func float(_ name: String, default value: Float) throws(DiagnosticError) -> Float {
        guard let attribute = node.attribute(name) else { return value }
        guard case .float(let raw) = attribute.value else { throw error("attribute '\(name)' must be a float") }
        return raw
    }

    /// The value of a STRING attribute.
    func string(_ name: String, default value: String) throws(DiagnosticError) -> String {
        guard let attribute = node.attribute(name) else { return value }
        guard let text = attribute.stringValue else { throw error("attribute '\(name)' must be a string") }
        return text
    }

    /// A normalized axis (negative counts from the end) for a tensor of rank `rank`.
    func axis(_ value: Int, rank: Int, _ name: String = "axis") throws(DiagnosticError) -> Int {
        let normalized = value < 0 ? value + rank : value
        guard normalized >= 0, normalized < max(rank, 1) else {
            throw error("\(name) \(value) is out of range for rank \(rank)")
        }
        return normalized
    }

    // MARK: Emitting

    /// A fresh value name derived from the node's name.
    mutating func freshValue(_ suffix: String) -> String {
        var candidate = "\(nodeName)/\(suffix)"
        var counter = 1
        while graph.types[candidate] != nil || known[candidate] != nil {
            counter += 1
            candidate = "\(nodeName)/\(suffix)_\(counter)"
        }
        return candidate
    }

    /// Adds a known constant to the graph (if a node is about to read it) and returns its name.
    mutating func materialize(_ name: String) {
        guard !name.isEmpty, graph.constants[name] == nil, let tensor = known[name] else { return }
        graph.constants[name] = tensor
        graph.types[name] = tensor.type
    }

    /// Records a constant value under `name` (a node output computed at import time).
    mutating func bindConstant(_ name: String, _ tensor: Tensor) {
        known[name] = tensor
    }

    /// Emits an IR node, or folds it into a constant when every input is a constant.
    ///
    /// - Parameters:
    ///   - operation: the IR operation.
    ///   - inputs: value names ("" for an absent optional input).
    ///   - outputs: output names; default to fresh names derived from the node's name.
    ///   - outputTypes: declared output types; default to the operation's default types.
    ///   - fold: whether to fold when every input is constant (dequantize is never folded
    ///     here, so that QDQ patterns keep their integer weights).
    /// - Returns: the output names.
    @discardableResult
    mutating func emit(_ operation: Operator, _ inputs: [String], outputs: [String]? = nil,
                       outputTypes: [TensorType]? = nil, fold: Bool = true) throws(DiagnosticError) -> [String] {
        var inputTypes: [TensorType?] = []
        for input in inputs {
            inputTypes.append(input.isEmpty ? nil : try type(of: input))
        }
        let types: [TensorType]
        if let outputTypes {
            types = outputTypes
        } else {
            do {
                types = try operation.defaultOutputTypes(inputTypes)
            } catch {
                throw self.error("\(operation.kind.rawValue): \(error.message)")
            }
        }
        var names: [String] = []
        for index in 0..<operation.outputCount {
            if let outputs, index < outputs.count, !outputs[index].isEmpty {
                names.append(outputs[index])
            } else {
                names.append(freshValue(operation.kind.rawValue))
            }
        }
        let irName = emittedForNode == 0 ? nodeName : "\(nodeName)/\(operation.kind.rawValue)_\(emittedForNode)"
        let irNode = Node(name: irName, operation: operation, inputs: inputs, outputs: names)
        let foldable = fold && operation.kind != .dequantize && operation.kind != .dynamicQuantize
        if foldable, inputs.allSatisfy({ $0.isEmpty || known[$0] != nil }), inputs.contains(where: { !$0.isEmpty }) {
            let results: [Tensor]
            do {
                results = try ConstantEvaluation.evaluate(irNode, outputTypes: types, constants: known)
            } catch {
                throw self.error(error.diagnostics.map(\.message).joined(separator: "; "))
            }
            for (name, tensor) in zip(names, results) { known[name] = tensor }
            return names
        }
        for input in inputs { materialize(input) }
        for (name, type) in zip(names, types) {
            guard graph.types[name] == nil, known[name] == nil else { throw error("value '\(name)' is defined twice") }
            graph.types[name] = type
        }
        if emittedForNode == 0 { usedNodeNames.insert(nodeName) }
        emittedForNode += 1
        graph.nodes.append(irNode)
        return names
    }

    /// Emits `operation` writing the node's first output.
    @discardableResult
    mutating func emitResult(_ operation: Operator, _ inputs: [String], outputType: TensorType? = nil) throws(DiagnosticError) -> String {
        try emit(operation, inputs, outputs: [try output(0)], outputTypes: outputType.map { [$0] })[0]
    }

    // MARK: Quantization of values

    /// Gives an integer value the quantization a consumer (or producer) implies.
    ///
    /// A constant or a graph input without parameters takes them; a value that already has
    /// parameters must have the same ones; a node output computed as plain integers cannot be
    /// reinterpreted.
    /// - Throws: naming the value and both interpretations when they conflict.
    mutating func assignQuantization(_ name: String, _ parameters: QuantizationParameters, role: String,
                                     exceptReader: String? = nil) throws(DiagnosticError) {
        if var tensor = known[name] {
            guard tensor.type.elementType.isInteger, tensor.type.elementType != .int64 else {
                throw error("\(role) '\(name)' must hold integer codes, got \(tensor.type)")
            }
            if let existing = tensor.type.quantization {
                guard existing == parameters else { throw conflict(name, existing, parameters, role) }
                return
            }
            try checkNotYetRead(name, role, exceptReader: exceptReader)
            tensor.type.quantization = parameters
            known[name] = tensor
            if graph.constants[name] != nil {
                graph.constants[name] = tensor
                graph.types[name] = tensor.type
            }
            return
        }
        guard var type = graph.types[name] else { throw error("value '\(name)' has no known type") }
        guard type.elementType.isInteger, type.elementType != .int64 else {
            throw error("\(role) '\(name)' must hold integer codes, got \(type)")
        }
        if let existing = type.quantization {
            guard existing == parameters else { throw conflict(name, existing, parameters, role) }
            return
        }
        if let producer = graph.nodes.lastIndex(where: { $0.outputs == [name] }),
           parameters.isPerTensor, Self.codePreserving.contains(graph.nodes[producer].kind), let source = graph.nodes[producer].input(0),
           graph.nodes.allSatisfy({ $0.name == graph.nodes[producer].name || !$0.inputs.contains(name) }) {
            // Codes moved by a gather (an embedding table read at run-time indices) or a view
            // keep their meaning: the parameters belong to the source.
            try assignQuantization(source, parameters, role: role, exceptReader: graph.nodes[producer].name)
            type.quantization = parameters
            graph.types[name] = type
            return
        }
        guard graph.inputs.contains(name) else {
            throw error("\(role) '\(name)' is computed as plain integers by an earlier node and cannot be read as quantized codes \(Self.describe(parameters))")
        }
        try checkNotYetRead(name, role, exceptReader: exceptReader)
        type.quantization = parameters
        graph.types[name] = type
    }

    /// Ops whose output holds input 0's codes unchanged, so that parameters assigned to the
    /// output belong to that input (per-tensor parameters only: the axes may move).
    static let codePreserving: Set<OperatorKind> = [.gather, .reshape, .flatten, .squeeze, .unsqueeze]

    private func checkNotYetRead(_ name: String, _ role: String, exceptReader: String? = nil) throws(DiagnosticError) {
        if let reader = graph.nodes.first(where: { $0.inputs.contains(name) && $0.name != exceptReader }) {
            throw error("\(role) '\(name)' is read as plain integers by \(reader.place) and as quantized codes here; give the model one interpretation")
        }
    }

    private func conflict(_ name: String, _ existing: QuantizationParameters, _ wanted: QuantizationParameters, _ role: String) -> DiagnosticError {
        error("conflicting quantization of tensor '\(name)' (\(role)): already \(Self.describe(existing)), this node reads it as \(Self.describe(wanted))")
    }

    static func describe(_ parameters: QuantizationParameters) -> String {
        if parameters.isPerTensor { return "(scale \(parameters.scales[0]), zero point \(parameters.zeroPoints[0]))" }
        return "(per-axis \(parameters.axis ?? 0), \(parameters.scales.count) scales)"
    }
}
