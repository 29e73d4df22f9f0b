import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The state of one import: the graph being built and where each TFLite tensor's value is.
final class TFLiteImportContext {
    /// The layout a 4-D activation value is held in.
    enum Layout { case model, channelsFirst }

    let model: TFLiteModel
    let file: String?
    var graph: Graph
    /// The Kiln value (and its layout) of each TFLite tensor computed or fed so far.
    private var values: [Int: (name: String, layout: Layout)] = [:]
    /// The value of each tensor in the other layout, once a transpose made it.
    private var converted: [String: String] = [:]
    /// A unique Kiln name per TFLite tensor.
    private var names: [Int: String] = [:]
    /// The operator being converted (for names and errors).
    private(set) var operatorIndex = 0
    private var usedNames = Set<String>()

    /// NHWC → NCHW.
    static let toChannelsFirst = [0, 3, 1, 2]
    /// NCHW → NHWC.
    static let toChannelsLast = [0, 2, 3, 1]

    init(model: TFLiteModel, file: String?, name: String) throws(DiagnosticError) {
        self.model = model
        self.file = file
        graph = Graph(name: name, inputs: [], outputs: [], types: [:], constants: [:], nodes: [])
        for (index, tensor) in model.subgraph.tensors.enumerated() {
            var base = tensor.name.isEmpty ? "tensor\(index)" : tensor.name
            if usedNames.contains(base) { base += "#\(index)" }
            usedNames.insert(base)
            names[index] = base
        }
        for input in model.subgraph.inputs {
            _ = try tensor(input)
            graph.inputs.append(names[input]!)
            graph.types[names[input]!] = try type(of: input)
            values[input] = (names[input]!, .model)
        }
    }

    // MARK: - Errors

    /// An error at the current operator.
    func error(_ message: String) -> DiagnosticError {
        guard operatorIndex < model.subgraph.operators.count else {
            return DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: "subgraph")))
        }
        let op = model.subgraph.operators[operatorIndex]
        let code = op.opcodeIndex < model.operatorCodes.count ? model.operatorCodes[op.opcodeIndex].name : "?"
        return DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: "operator \(operatorIndex) (\(code))", byteOffset: op.offset)))
    }

    /// The tensor at `index`, checked.
    func tensor(_ index: Int) throws(DiagnosticError) -> TFLiteTensor {
        guard index >= 0, index < model.subgraph.tensors.count else {
            throw DiagnosticError(Diagnostic(.error, "tensor index \(index) is outside the \(model.subgraph.tensors.count) tensors",
                                             at: SourceLocation(file: file, place: "operator \(operatorIndex)")))
        }
        return model.subgraph.tensors[index]
    }

    // MARK: - Types and constants

    /// Kiln's type of a TFLite tensor in the model's layout.
    func type(of index: Int) throws(DiagnosticError) -> TensorType {
        let tensor = try self.tensor(index)
        let elementType: ElementType
        switch tensor.type {
        case .float32: elementType = .float32
        case .int8: elementType = .int8
        case .uint8: elementType = .uint8
        case .int16: elementType = .int16
        case .int32: elementType = .int32
        case .int64: elementType = .int64
        case .bool: elementType = .bool
        default:
            throw DiagnosticError(Diagnostic(.error, "element type \(tensor.type.name) is not supported",
                                             at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
        }
        var quantization: QuantizationParameters?
        if tensor.quantization != nil, elementType == .int16 {
            throw DiagnosticError(Diagnostic(.error, "int16 quantized tensors (16×8 quantization) are not supported; Kiln imports int8 and uint8 models",
                                             at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
        }
        if let q = tensor.quantization, elementType != .int32, elementType.isInteger, elementType != .int64 {
            let zeroPoints = q.zeroPoints.isEmpty ? [Int64](repeating: 0, count: q.scales.count) : q.zeroPoints
            guard zeroPoints.count == q.scales.count, zeroPoints.allSatisfy({ elementType.contains($0) }) else {
                throw DiagnosticError(Diagnostic(.error, "\(q.scales.count) scales and zero points \(q.zeroPoints) do not fit \(elementType.name)",
                                                 at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
            }
            let perChannel = q.scales.count > 1
            quantization = QuantizationParameters(scales: q.scales, zeroPoints: zeroPoints.map { Int32($0) },
                                                  axis: perChannel ? q.quantizedDimension : nil)
            do { try quantization!.validate(for: elementType, shape: tensor.shape) } catch {
                throw DiagnosticError(Diagnostic(.error, "invalid quantization: \(error)",
                                                 at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
            }
        }
        return TensorType(shape: tensor.shape, elementType: elementType, quantization: quantization)
    }

    /// The constant data of a tensor, or nil if it has no buffer data.
    func constant(_ index: Int) throws(DiagnosticError) -> Tensor? {
        let tensor = try self.tensor(index)
        guard tensor.buffer > 0 else { return nil }
        guard tensor.buffer < model.buffers.count else {
            throw DiagnosticError(Diagnostic(.error, "buffer \(tensor.buffer) is outside the \(model.buffers.count) buffers",
                                             at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
        }
        let bytes = model.buffers[tensor.buffer]
        guard !bytes.isEmpty else { return nil }
        let type = try self.type(of: index)
        let count = type.elementCount ?? -1
        let width: Int
        switch tensor.type {
        case .int8, .uint8, .bool: width = 1
        case .int16: width = 2
        case .float32, .int32: width = 4
        case .int64: width = 8
        default: width = 0
        }
        guard width > 0, count >= 0, count.multipliedReportingOverflow(by: width) == (bytes.count, false) else {
            throw DiagnosticError(Diagnostic(.error, "buffer \(tensor.buffer) has \(bytes.count) bytes, shape \(tensor.shape) of \(tensor.type.name) needs \(count) elements of \(width) bytes",
                                             at: SourceLocation(file: file, place: "tensor '\(tensor.name)'", byteOffset: tensor.offset)))
        }
        func word(_ element: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(bytes[element * width + byte]) << (8 * UInt64(byte)) }
            return value
        }
        switch tensor.type {
        case .float32: return Tensor(type: type, storage: .float32((0..<count).map { Float(bitPattern: UInt32(word($0))) }))
        case .int64: return Tensor(type: type, storage: .int64((0..<count).map { Int64(bitPattern: word($0)) }))
        case .int8: return Tensor(type: type, storage: .int32((0..<count).map { Int32(Int8(bitPattern: UInt8(word($0)))) }))
        case .int16: return Tensor(type: type, storage: .int32((0..<count).map { Int32(Int16(bitPattern: UInt16(word($0)))) }))
        case .int32: return Tensor(type: type, storage: .int32((0..<count).map { Int32(bitPattern: UInt32(word($0))) }))
        default: return Tensor(type: type, storage: .int32((0..<count).map { Int32(word($0)) }))
        }
    }

    /// The integer elements of a constant tensor (shapes, axes, paddings).
    func integers(_ index: Int, _ role: String) throws(DiagnosticError) -> [Int] {
        guard let data = try constant(index), let values = data.integers else {
            throw error("the \(role) must be a constant integer tensor")
        }
        return values.map { Int(clamping: $0) }
    }

    // MARK: - Values and layouts

    /// A fresh value name derived from `base`.
    func fresh(_ base: String) -> String {
        var candidate = base, counter = 1
        while usedNames.contains(candidate) { counter += 1; candidate = "\(base)#\(counter)" }
        usedNames.insert(candidate)
        return candidate
    }

    /// The current layout of a tensor's value (constants and inputs: the model's).
    func layout(of index: Int) -> Layout { values[index]?.layout ?? .model }

    /// The rank of a tensor.
    func rank(of index: Int) throws(DiagnosticError) -> Int { try tensor(index).shape.count }

    /// The value of a tensor in the requested layout, inserting a transpose when needed.
    func value(_ index: Int, in layout: Layout) throws(DiagnosticError) -> String {
        let current = try currentValue(index)
        guard current.layout != layout else { return current.name }
        if let done = converted[current.name] { return done }
        let permutation = layout == .channelsFirst ? Self.toChannelsFirst : Self.toChannelsLast
        guard let source = graph.types[current.name], source.shape.count == 4 else {
            throw error("tensor '\(names[index]!)' must have rank 4 for an NHWC ⇄ NCHW transpose")
        }
        let own = names[index]!
        let name = layout == .model ? (graph.types[own] == nil ? own : fresh(own)) : fresh("\(own).nchw")
        let type = source.withShape(permutation.map { source.shape[$0] })
        append(Node(name: fresh("\(name).transpose"), operation: .transpose(permutation: permutation), inputs: [current.name], outputs: [name],
                    semantics: .tensorFlowLite), type)
        converted[current.name] = name
        return name
    }

    /// The value of a tensor as it is now (a constant is added to the graph on first use).
    private func currentValue(_ index: Int) throws(DiagnosticError) -> (name: String, layout: Layout) {
        if let known = values[index] { return known }
        guard let data = try constant(index) else {
            throw error("tensor '\(names[index] ?? "\(index)")' is read before any operator writes it and is not a constant")
        }
        let name = names[index]!
        graph.constants[name] = data
        graph.types[name] = data.type
        values[index] = (name, .model)
        return (name, .model)
    }

    /// A constant added under a fresh name.
    func addConstant(_ base: String, _ tensor: Tensor) -> String {
        let name = fresh(base)
        graph.constants[name] = tensor
        graph.types[name] = tensor.type
        return name
    }

    /// Appends a node writing one value of `type`.
    func append(_ node: Node, _ type: TensorType) {
        graph.nodes.append(node)
        graph.types[node.outputs[0]] = type
    }

    /// Records that `value` (in `layout`) is the result for TFLite tensor `index`.
    func define(_ index: Int, _ value: String, _ layout: Layout) {
        values[index] = (value, layout)
    }

    /// The Kiln name of a tensor's value in the model's layout (its own name when possible).
    func resultName(_ index: Int, layout: Layout) -> String {
        layout == .model ? names[index]! : fresh("\(names[index]!).nchw")
    }

    /// Kiln's type of a tensor in a layout.
    func type(of index: Int, in layout: Layout) throws(DiagnosticError) -> TensorType {
        let type = try self.type(of: index)
        guard layout == .channelsFirst else { return type }
        guard type.shape.count == 4 else { throw error("tensor '\(names[index]!)' must have rank 4 (NHWC), got shape \(type.shape)") }
        return type.withShape(Self.toChannelsFirst.map { type.shape[$0] })
    }

    /// Sets the operator whose conversion follows.
    func begin(_ index: Int) { operatorIndex = index }

    /// Declares graph outputs (in the model's layout) and verifies the graph.
    func finish() throws(DiagnosticError) -> Graph {
        for output in model.subgraph.outputs {
            let name = try value(output, in: .model)
            graph.outputs.append(name)
        }
        graph.removeUnusedValues()
        try graph.verify(file: file)
        return graph
    }
}
