import Foundation
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Options of an ONNX import.
public struct ONNXImportOptions: Sendable {
    /// Graph inputs to treat as constants, by name. Kiln keeps quantization parameters in value
    /// types, so scales and zero points (and Reshape shapes, Clip bounds, Pad amounts) must be
    /// constants; models that feed them as runtime inputs (like ONNX's backend node tests) bind
    /// them here. Bound inputs are no longer graph inputs.
    public var constantInputs: [String: Tensor]
    /// Whether to run ``ONNXImporter/canonicalizationPipeline`` after the import.
    public var canonicalize: Bool

    /// Creates options.
    public init(constantInputs: [String: Tensor] = [:], canonicalize: Bool = true) {
        self.constantInputs = constantInputs
        self.canonicalize = canonicalize
    }
}

/// Imports decoded ONNX models (``ONNXModel``) into Kiln's graph IR.
///
/// The import is opset-aware (`ai.onnx` 6 to 25, plus ONNX Runtime's `com.microsoft` quantized
/// contrib ops). Shape computations on constants are folded, and every other op maps to IR
/// ops (`docs/onnx-import.md` lists them). Symbolic batch dimensions (a leading `dim_param`
/// or unknown dimension) become 1: `kiln run` splits batches into single samples.
public struct ONNXImporter: Sendable {
    /// The oldest `ai.onnx` operator set Kiln imports.
    public static let minimumOpset = 6
    /// The newest `ai.onnx` operator set Kiln knows.
    public static let maximumOpset = 25

    /// The options.
    public var options: ONNXImportOptions

    /// Creates an importer.
    public init(options: ONNXImportOptions = ONNXImportOptions()) {
        self.options = options
    }

    /// The passes run after import, in order.
    public static var canonicalizationPipeline: [any GraphPass] { ONNXCanonicalization.pipeline }

    /// Every supported op as `OpType` (default domain) or `domain:OpType`, sorted.
    public static var supportedOperators: [String] { ONNXOperatorTable.converters.keys.sorted() }

    /// Reads an `.onnx` file and imports it.
    /// - Throws: ``DiagnosticError`` naming the file and the place (byte offset, node, tensor).
    public func importGraph(contentsOf url: URL) throws(DiagnosticError) -> Graph {
        let model = try ONNXModel(contentsOf: url)
        return try importGraph(from: model, file: url.relativePath)
    }

    /// Imports a model.
    ///
    /// If any node's op is unsupported, fails with one error listing every unsupported op type
    /// with its node names and count; otherwise fails at the first node that cannot be converted.
    /// - Parameters:
    ///   - model: the decoded model.
    ///   - file: the model's file name, for diagnostics.
    /// - Returns: the verified (and, by default, canonicalized) graph.
    public func importGraph(from model: ONNXModel, file: String? = nil) throws(DiagnosticError) -> Graph {
        let unsupported = Self.unsupportedNodes(in: model.graph)
        if !unsupported.isEmpty {
            var byType: [String: [String]] = [:]
            for (index, node) in unsupported {
                byType[ONNXOperatorTable.key(domain: node.domain, opType: node.opType), default: []]
                    .append(node.name.isEmpty ? "\(node.opType)_\(index)" : node.name)
            }
            let listing = byType.keys.sorted().map { type in
                let names = byType[type]!
                return "\(type) ×\(names.count) (\(names.map { "'\($0)'" }.joined(separator: ", ")))"
            }.joined(separator: "; ")
            throw DiagnosticError(Diagnostic(.error, "unsupported ONNX operators: \(listing)", at: SourceLocation(file: file)))
        }
        let result = try run(model, file: file, lenient: false)
        return result.graph
    }

    /// Imports what can be imported and lists the nodes that cannot (for `kiln inspect
    /// --allow-unsupported`). The graph is not canonicalized.
    /// - Throws: ``DiagnosticError`` only for problems outside nodes (opset, graph inputs).
    public func inspect(_ model: ONNXModel, file: String? = nil) throws(DiagnosticError) -> ONNXInspection {
        try run(model, file: file, lenient: true)
    }

    /// The runtime graph inputs that feed positions which must be constant (scales, zero points,
    /// Reshape shapes, Clip bounds, Pad amounts, Squeeze / Unsqueeze axes, ...): bind these with
    /// ``ONNXImportOptions/constantInputs``.
    public static func inputsRequiringConstants(in model: ONNXModel) -> [String] {
        let runtime = Set(model.graph.runtimeInputs.map(\.name))
        var result: [String] = []
        for node in model.graph.nodes {
            let key = ONNXOperatorTable.key(domain: node.domain, opType: node.opType)
            for (position, name) in node.inputs.enumerated() where runtime.contains(name) && !result.contains(name) {
                if requiresConstant(key, position) { result.append(name) }
            }
        }
        return result
    }

    private static func requiresConstant(_ key: String, _ position: Int) -> Bool {
        switch key {
        case "QuantizeLinear", "DequantizeLinear", "com.microsoft:QuantizeLinear", "com.microsoft:DequantizeLinear":
            return position >= 1
        case "QLinearConv", "QLinearMatMul", "com.microsoft:QLinearAdd", "com.microsoft:QLinearMul", "com.microsoft:QGemm":
            return [1, 2, 4, 5, 6, 7, 8].contains(position) && !(key == "QLinearConv" && position == 8)
        case "ConvInteger", "MatMulInteger": return position >= 2
        case "Reshape", "Squeeze", "Unsqueeze": return position >= 1
        case "ConstantOfShape", "Gather": return true
        case "Clip", "Pad", "Slice": return position >= 1
        case "com.microsoft:QLinearGlobalAveragePool", "com.microsoft:QLinearAveragePool",
             "com.microsoft:QLinearLeakyRelu", "com.microsoft:QLinearSigmoid": return position >= 1
        case "com.microsoft:QLinearConcat": return position < 2 || (position - 2) % 3 != 0
        default: return false
        }
    }

    /// Nodes whose op has no converter, with their index.
    static func unsupportedNodes(in graph: ONNXGraph) -> [(Int, ONNXNode)] {
        graph.nodes.enumerated().filter { ONNXOperatorTable.converter(for: $0.element) == nil }.map { ($0.offset, $0.element) }
    }

    // MARK: The import

    private func run(_ model: ONNXModel, file: String?, lenient: Bool) throws(DiagnosticError) -> ONNXInspection {
        func failure(_ message: String, _ place: String? = nil) -> DiagnosticError {
            DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: place)))
        }
        let usesDefaultDomain = model.graph.nodes.contains { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        let opset = Int(model.opsetVersion(for: "") ?? (usesDefaultDomain ? 0 : Int64(Self.maximumOpset)))
        guard (Self.minimumOpset...Self.maximumOpset).contains(opset) else {
            throw failure("ai.onnx opset \(opset) is not supported (Kiln imports opsets \(Self.minimumOpset) to \(Self.maximumOpset))")
        }
        let onnxGraph = model.graph
        var context = ImportContext(graph: Graph(name: onnxGraph.name.isEmpty ? "model" : onnxGraph.name, inputs: [], outputs: [],
                                                 types: [:], constants: [:], nodes: []),
                                    opset: opset, file: file)
        var findings = DiagnosticCollector(file: file)
        var unconvertible: [String: String] = [:]
        for tensor in onnxGraph.initializers {
            do {
                context.known[tensor.name] = try tensor.kilnTensor()
            } catch {
                unconvertible[tensor.name] = error.diagnostics.map(\.message).joined(separator: "; ")
            }
        }
        for (name, tensor) in options.constantInputs { context.known[name] = tensor }
        var valueShapes: [String: ONNXTensorType] = [:]
        for info in onnxGraph.valueInfo + onnxGraph.outputs + onnxGraph.inputs {
            if let type = info.type?.tensorType { valueShapes[info.name] = type }
        }
        for info in onnxGraph.runtimeInputs where context.known[info.name] == nil {
            do {
                let type = try Self.tensorType(info, batchDimension: true)
                context.graph.inputs.append(info.name)
                context.graph.types[info.name] = type
            } catch {
                findings.error(error.message, at: "tensor '\(info.name)'")
            }
        }
        if !lenient { try findings.throwIfErrors() }

        var skipped: [UnsupportedONNXNode] = []
        var missing: Set<String> = Set(unconvertible.keys)
        for (index, node) in onnxGraph.nodes.enumerated() {
            context.begin(node, index: index)
            let name = context.nodeName
            func record(_ reason: String) {
                skipped.append(UnsupportedONNXNode(
                    name: name, opType: node.opType, domain: node.domain, reason: reason,
                    inputs: node.inputs.filter { !$0.isEmpty }.map { input in
                        .init(name: input, shape: (try? context.type(of: input))?.shape ?? valueShapes[input].flatMap { try? Self.staticShape($0) })
                    },
                    outputs: node.outputs.filter { !$0.isEmpty }.map { .init(name: $0, shape: valueShapes[$0].flatMap { try? Self.staticShape($0) }) }))
                // Outputs with a known type become inputs of the imported part.
                for output in node.outputs where !output.isEmpty {
                    if let onnxType = valueShapes[output], let type = try? Self.tensorType(ONNXValueInfo(name: output, type: .tensor(onnxType)), batchDimension: false) {
                        context.graph.inputs.append(output)
                        context.graph.types[output] = type
                    } else {
                        missing.insert(output)
                    }
                }
            }
            if let bad = node.inputs.first(where: { missing.contains($0) }) {
                let reason = unconvertible[bad].map { "tensor '\(bad)': \($0)" } ?? "input '\(bad)' comes from a node that was not imported"
                if lenient { record(reason); continue }
                throw context.error(reason)
            }
            guard let converter = ONNXOperatorTable.converter(for: node) else {
                record("unsupported operator \(ONNXOperatorTable.key(domain: node.domain, opType: node.opType))")
                continue
            }
            let saved = context
            do {
                try converter(&context)
            } catch {
                guard lenient else { throw error }
                context = saved
                context.begin(node, index: index)
                record(error.diagnostics.map(\.message).joined(separator: "; "))
            }
        }
        for output in onnxGraph.outputs {
            if missing.contains(output.name) || (context.known[output.name] == nil && context.graph.types[output.name] == nil) {
                if lenient { continue }
                throw failure("graph output is not computed by any node", "tensor '\(output.name)'")
            }
            context.materialize(output.name)
            context.graph.outputs.append(output.name)
        }
        var graph = context.graph
        graph.removeUnusedValues()
        try graph.verify(file: file)
        if options.canonicalize && !lenient {
            do {
                graph = try ONNXCanonicalization.pipeline.run(on: graph)
            } catch {
                throw file.map { error.inFile($0) } ?? error
            }
        }
        return ONNXInspection(graph: graph, unsupported: skipped)
    }

    /// The static shape of an ONNX tensor type (nil entries are not allowed).
    static func staticShape(_ type: ONNXTensorType) throws(ShapeInferenceError) -> [Int] {
        guard let dims = type.shape else { throw ShapeInferenceError("the rank is unknown") }
        var shape: [Int] = []
        for dim in dims {
            guard case .value(let size) = dim, size >= 0, size <= Int64(Int32.max) else {
                throw ShapeInferenceError("dimension \(dim) is not a static size")
            }
            shape.append(Int(size))
        }
        return shape
    }

    /// The IR type of a graph input; a symbolic or unknown leading (batch) dimension becomes 1.
    static func tensorType(_ info: ONNXValueInfo, batchDimension: Bool) throws(ShapeInferenceError) -> TensorType {
        guard let type = info.type?.tensorType else { throw ShapeInferenceError("only tensor inputs are supported") }
        guard let elementType = type.elementType.kilnElementType else {
            throw ShapeInferenceError("element type \(type.elementType): \(type.elementType.unsupportedReason)")
        }
        guard let dims = type.shape else { throw ShapeInferenceError("the input's rank is unknown; Kiln needs static shapes") }
        var shape: [Int] = []
        for (index, dim) in dims.enumerated() {
            switch dim {
            case .value(let size) where size >= 0 && size <= Int64(Int32.max): shape.append(Int(size))
            case .param, .unknown:
                guard index == 0 && batchDimension else {
                    throw ShapeInferenceError("dimension \(index) ('\(dim)') is symbolic; Kiln needs static shapes except for the leading batch dimension")
                }
                shape.append(1)
            default: throw ShapeInferenceError("dimension \(index) = \(dim) is out of range")
            }
        }
        return TensorType(shape: shape, elementType: elementType)
    }
}
