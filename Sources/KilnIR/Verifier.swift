import KilnDiagnostics
import KilnNumerics

extension Graph {
    /// Checks that the graph is well formed and reports every problem at once.
    ///
    /// Checks: every value is defined once before it is read, every value has a type, constant
    /// tensors match their types, output shapes equal the shapes inferred from the inputs,
    /// element types fit each operation (float-only ops, integer operands of quantized ops,
    /// int32 biases) and quantization parameters are valid (positive finite scales, zero points
    /// in range, one parameter per slice along the axis). Each finding names the node or tensor.
    /// - Parameter file: the file the graph came from, for the findings.
    /// - Throws: ``DiagnosticError`` with every finding.
    public func verify(file: String? = nil) throws(DiagnosticError) {
        var findings = DiagnosticCollector(file: file)
        var defined = Set<String>()

        for name in inputs {
            if constants[name] != nil { findings.error("graph input is also a constant", at: "tensor '\(name)'") }
            if types[name] == nil { findings.error("graph input has no type", at: "tensor '\(name)'") }
            if !defined.insert(name).inserted { findings.error("graph input is listed twice", at: "tensor '\(name)'") }
        }
        for (name, tensor) in constants.sorted(by: { $0.key < $1.key }) {
            if types[name] != tensor.type {
                findings.error("declared type \(types[name].map(String.init(describing:)) ?? "none") differs from the constant's \(tensor.type)",
                               at: "tensor '\(name)'")
            }
            if let problem = Self.quantizationProblem(tensor.type) { findings.error(problem, at: "tensor '\(name)'") }
            defined.insert(name)
        }
        for name in inputs {
            if let type = types[name], let problem = Self.quantizationProblem(type) { findings.error(problem, at: "tensor '\(name)'") }
        }
        for (name, type) in types.sorted(by: { $0.key < $1.key }) {
            if let problem = Self.sizeProblem(type) { findings.error(problem, at: "tensor '\(name)'") }
        }

        var nodeNames = Set<String>()
        for node in nodes {
            if !nodeNames.insert(node.name).inserted { findings.error("another node has the same name", at: node.place) }
            var inputTypes: [TensorType?] = []
            var inputsDefined = true
            for (position, input) in node.inputs.enumerated() {
                if input.isEmpty { inputTypes.append(nil); continue }
                if !defined.contains(input) {
                    findings.error("input \(position) '\(input)' is not defined before this node", at: node.place)
                    inputsDefined = false
                }
                inputTypes.append(types[input])
            }
            if node.outputs.count != node.operation.outputCount {
                findings.error("has \(node.outputs.count) outputs, \(node.kind.rawValue) writes \(node.operation.outputCount)", at: node.place)
            }
            for output in node.outputs {
                if !defined.insert(output).inserted { findings.error("output '\(output)' is already defined", at: node.place) }
                if types[output] == nil { findings.error("output '\(output)' has no type", at: node.place) }
            }
            guard inputsDefined else { continue }
            for problem in Self.typeProblems(of: node, inputs: inputTypes, outputs: node.outputs.map { types[$0] }) {
                findings.error(problem, at: node.place)
            }
            for output in node.outputs {
                if let type = types[output], let problem = Self.quantizationProblem(type) {
                    findings.error("output '\(output)': \(problem)", at: node.place)
                }
            }
        }
        if outputs.isEmpty { findings.error("the graph has no outputs; a model must name at least one") }
        for name in outputs where !defined.contains(name) {
            findings.error("graph output is not defined", at: "tensor '\(name)'")
        }
        try findings.throwIfErrors()
    }

    /// Why `node` cannot run on inputs of `inputs` writing outputs of `outputs` (nil for an
    /// absent optional input or an undeclared output): output shapes that differ from the
    /// inferred ones, element types the op does not accept, outputs held in other storage than
    /// the op writes. Empty when the node can run. The verifier checks every node with it, and
    /// ``ReferenceInterpreter/execute(_:operands:outputTypes:)`` checks the types a plugin's
    /// kernel passes, so no kernel builds a tensor its type cannot hold.
    public static func typeProblems(of node: Node, inputs: [TensorType?], outputs: [TensorType?]) -> [String] {
        let shapes: [[Int]]
        do {
            shapes = try node.operation.outputShapes(inputs.map { $0?.shape })
        } catch {
            return [error.message]
        }
        var problems: [String] = []
        for (position, (declared, shape)) in zip(outputs, shapes).enumerated() {
            if let declared, declared.shape != shape {
                let name = node.outputs.indices.contains(position) ? node.outputs[position] : "\(position)"
                problems.append("output '\(name)' is declared \(declared.shape) but computes to \(shape)")
            }
        }
        return problems + elementTypeProblems(node, inputs, outputs) + storageProblems(node, inputs, outputs)
    }

    /// A problem with a type's size (more than ``Shape/maximumElementCount`` elements), or nil.
    static func sizeProblem(_ type: TensorType) -> String? {
        guard let count = Shape.elementCount(type.shape) else { return "shape \(type.shape) has a negative dimension or too many elements" }
        guard count <= Shape.maximumElementCount else {
            return "shape \(type.shape) has \(count) elements, more than the \(Shape.maximumElementCount) (2^40) a tensor may have"
        }
        return nil
    }

    /// Outputs whose declared element type is held in other storage than the op writes (an
    /// `add` of two i32 declaring i64): the kernel would build a tensor its type cannot hold.
    /// The storage each op writes is its ``Operator/defaultOutputTypes(_:)``'s; `cast` writes
    /// whatever its output declares.
    static func storageProblems(_ node: Node, _ inputs: [TensorType?], _ outputs: [TensorType?]) -> [String] {
        guard node.kind != .cast, let implied = try? node.operation.defaultOutputTypes(inputs) else { return [] }
        var problems: [String] = []
        for (position, (declared, expected)) in zip(outputs, implied).enumerated() {
            guard let declared, declared.elementType.storage != expected.elementType.storage else { continue }
            problems.append("output \(position) is declared \(declared.elementType.name), but \(node.kind.rawValue) of these inputs "
                            + "computes \(expected.elementType.name) values (\(expected.elementType.storage) storage, not \(declared.elementType.storage))")
        }
        return problems
    }

    /// A problem with a type's quantization parameters, or nil if they are valid.
    static func quantizationProblem(_ type: TensorType) -> String? {
        guard let quantization = type.quantization else { return nil }
        if type.elementType.isFloat { return "a float32 tensor cannot carry quantization parameters" }
        if quantization.scales.isEmpty || quantization.scales.count != quantization.zeroPoints.count {
            return "quantization needs as many zero points as scales (\(quantization.scales.count) scales, \(quantization.zeroPoints.count) zero points)"
        }
        if let bad = quantization.scales.first(where: { !($0 > 0) || !$0.isFinite }) {
            return "quantization scale \(bad) is not a positive finite number"
        }
        if let bad = quantization.zeroPoints.first(where: { !type.elementType.contains(Int64($0)) && type.elementType != .binary }) {
            return "zero point \(bad) is outside the \(type.elementType.name) range"
        }
        if type.elementType.floatFormat != nil, let bad = quantization.zeroPoints.first(where: { $0 != 0 }) {
            return "zero point \(bad) of a \(type.elementType.name) tensor: small float formats have zero point 0"
        }
        if let axis = quantization.axis {
            guard (0..<type.shape.count).contains(axis) else {
                return "quantization axis \(axis) is out of range for shape \(type.shape)"
            }
            if quantization.scales.count != 1 && quantization.scales.count != type.shape[axis] {
                return "\(quantization.scales.count) scales for axis \(axis) of size \(type.shape[axis])"
            }
        } else if quantization.scales.count != 1 {
            return "\(quantization.scales.count) scales but no quantization axis"
        }
        return nil
    }

    /// Element-type rules of each operation.
    static func elementTypeProblems(_ node: Node, _ inputs: [TensorType?], _ outputs: [TensorType?]) -> [String] {
        var problems: [String] = []
        guard let x = inputs.first.flatMap({ $0 }), let y = outputs.first.flatMap({ $0 }) else { return problems }
        switch node.kind {
        case .conv2d, .dense, .matmul:
            guard let w = inputs.count > 1 ? inputs[1] : nil else { break }
            if x.elementType.isFloat != w.elementType.isFloat {
                problems.append("input is \(x.elementType.name) but weight is \(w.elementType.name): both float or both integer")
            }
            if x.elementType.isInteger {
                if y.isQuantized && (!x.isQuantized || !w.isQuantized) {
                    problems.append("a quantized output needs quantized input and weight to know the accumulator's scale")
                }
                if !y.isQuantized && y.elementType != .int32 {
                    problems.append("an unquantized integer result must be i32, got \(y.elementType.name)")
                }
                if inputs.count > 2, let bias = inputs[2], bias.elementType != .int32 {
                    problems.append("an integer \(node.kind.rawValue) needs an i32 bias, got \(bias.elementType.name)")
                }
            } else if !y.elementType.isFloat {
                problems.append("a float \(node.kind.rawValue) writes f32, not \(y.elementType.name)")
            }
        case .quantize:
            if !x.elementType.isFloat { problems.append("quantize reads f32, got \(x.elementType.name)") }
            if !y.isQuantized { problems.append("quantize must write a quantized type, got \(y)") }
        case .dequantize:
            if !x.isQuantized { problems.append("dequantize reads a quantized type, got \(x)") }
            if !y.elementType.isFloat { problems.append("dequantize writes f32, got \(y.elementType.name)") }
        case .requantize:
            if !x.elementType.isInteger || !y.isQuantized {
                problems.append("requantize maps integer codes to a quantized type, got \(x) → \(y)")
            }
        case .softmax where x.isQuantized:
            if !y.isQuantized { problems.append("a quantized softmax writes a quantized type, got \(y)") }
        case .softmax, .batchNorm, .layerNorm, .dynamicQuantize:
            if !x.elementType.isFloat { problems.append("\(node.kind.rawValue) runs in f32 only, got \(x.elementType.name)") }
        case .sign:
            if y.elementType != .binary { problems.append("sign writes bin, got \(y.elementType.name)") }
        case .multiThreshold:
            if !y.elementType.isInteger { problems.append("multiThreshold writes integer counts, got \(y.elementType.name)") }
        case .cast:
            break
        case .compare, .logical:
            if y.elementType != .bool { problems.append("\(node.kind.rawValue) writes bool, got \(y.elementType.name)") }
            if node.kind == .logical && x.elementType != .bool { problems.append("logical reads bool, got \(x.elementType.name)") }
        case .where:
            if x.elementType != .bool { problems.append("where's condition must be bool, got \(x.elementType.name)") }
            for position in 1..<min(inputs.count, 3) {
                if let input = inputs[position], input.elementType != y.elementType || input.quantization != y.quantization {
                    problems.append("input \(position) is \(input) but output is \(y): where keeps the type")
                }
            }
        case .power, .sqrt, .reduceL2:
            if !x.elementType.isFloat || !y.elementType.isFloat { problems.append("\(node.kind.rawValue) runs in f32 only, got \(x.elementType.name)") }
        default:
            if x.elementType.isFloat != y.elementType.isFloat {
                problems.append("input is \(x.elementType.name) but output is \(y.elementType.name)")
            }
            if OperatorKind.dataMovement.contains(node.kind) || [.maxPool, .globalMaxPool, .expand, .reduceMax, .reduceMin].contains(node.kind) {
                for (position, input) in inputs.enumerated() {
                    if let input, input.elementType != y.elementType || input.quantization != y.quantization {
                        if node.kind == .concat && input.elementType == y.elementType { continue }
                        problems.append("input \(position) is \(input) but output is \(y): data movement keeps the type")
                    }
                }
            }
        }
        return problems
    }
}
