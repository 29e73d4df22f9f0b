import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Moves every quantized u8 activation to i8: the XNOR targets store `bin` and `i8` only.
///
/// The change is exact: a u8 value with zero point `z` becomes an i8 value with zero point
/// `z − 128` and the same scale, so every code drops by 128 and every real value is unchanged.
/// Every integer op's reference semantics depend on codes only through `code − zeroPoint`
/// (conv / dense / pools / add), through a requantization that adds the output zero point and
/// saturates to the output range (both shift by 128), or through a comparison with the zero
/// point (`sign`, `relu`). The one op comparing raw codes with constants, `multiThreshold`,
/// gets its thresholds lowered by 128 when its input moves, and its offset lowered by 128 when
/// its output moves.
///
/// Graph inputs keep their type (the interface of the model); a u8 graph input's readers then
/// fall back to the host with the reason. Outputs of `dynamicQuantize` keep theirs (their zero
/// point is data).
struct SignedActivationsPass: GraphPass {
    let log: CompileLog
    var name: String { "xnor-signed-activations" }
    var summary: String { "re-type quantized u8 activations as i8 (zero point − 128), adjusting thresholds" }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let passName = name
        var result = graph
        var moved: [String] = []
        var movedSoFar = Set<String>()
        // Ops whose output keeps their input's type move only together with their input (a u8
        // graph input stays u8, and so must a pool or reshape that reads it).
        let typePreserving = OperatorKind.dataMovement.union([.maxPool, .globalMaxPool, .relu, .clip])
        for node in graph.nodes where node.kind != .dynamicQuantize {
            if typePreserving.contains(node.kind), let input = node.input(0), !movedSoFar.contains(input) { continue }
            for output in node.outputs {
                guard let type = graph.types[output], type.elementType == .uint8, let quantization = type.quantization else { continue }
                movedSoFar.insert(output)
                let shifted = QuantizationParameters(scales: quantization.scales, zeroPoints: quantization.zeroPoints.map { $0 - 128 },
                                                     axis: quantization.axis)
                result.types[output] = TensorType(shape: type.shape, elementType: .int8, quantization: shifted)
                moved.append(output)
            }
        }
        guard !moved.isEmpty else { return graph }
        let movedSet = Set(moved)
        for (index, node) in result.nodes.enumerated() {
            guard case .multiThreshold(var attributes) = node.operation else { continue }
            if movedSet.contains(node.inputs[0]), let name = node.input(1), let table = result.constants[name] {
                let lowered: Tensor
                switch table.storage {
                case .int32(let codes):
                    lowered = Tensor(type: table.type, storage: .int32(codes.map { Int32(clamping: Int64($0) - 128) }))
                case .float32(let values):
                    lowered = Tensor(type: table.type, storage: .float32(values.map { $0 - 128 }))
                case .int64(let values):
                    lowered = Tensor(type: table.type, storage: .int64(values.map { $0 &- 128 }))
                }
                let newName = "\(name).i8"
                result.constants[newName] = lowered
                result.types[newName] = lowered.type
                result.nodes[index].inputs[1] = newName
                log.note("input moved from u8 to i8: thresholds '\(name)' lowered by 128 as '\(newName)'", pass: passName, node: node.name)
            }
            if movedSet.contains(node.outputs[0]) {
                attributes.offset -= 128
                result.nodes[index].operation = .multiThreshold(attributes)
                log.note("output moved from u8 to i8: offset \(attributes.offset + 128) → \(attributes.offset)", pass: passName, node: node.name)
            }
        }
        result.removeUnusedValues()
        log.note("\(moved.count) u8 activation(s) re-typed as i8 with zero point − 128 (same real values; the target stores bin and i8 only): \(moved.joined(separator: ", "))",
                 pass: passName)
        for input in graph.inputs where graph.types[input]?.elementType == .uint8 {
            log.note("graph input '\(input)' stays u8 (the model's interface); its readers run on the host", pass: passName)
        }
        return result
    }
}
