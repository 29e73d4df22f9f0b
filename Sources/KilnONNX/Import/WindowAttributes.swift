import KilnDiagnostics
import KilnIR

/// Strides, dilations and pads of a convolution or pooling node, with `auto_pad` resolved.
struct WindowAttributes {
    /// The largest stride, dilation, kernel size or pad Kiln accepts (guards index arithmetic).
    static let limit = 1 << 20

    var strides: [Int]
    var dilations: [Int]
    /// ONNX order: all begins, then all ends.
    var pads: [Int]

    /// Reads and checks the attributes of the current node for `spatial` input sizes and a
    /// `kernel` of the same rank.
    static func resolve(_ context: ImportContext, spatial: [Int], kernel: [Int]) throws(DiagnosticError) -> WindowAttributes {
        let rank = spatial.count
        guard kernel.count == rank, kernel.allSatisfy({ (1...limit).contains($0) }) else {
            throw context.error("kernel shape \(kernel) must have \(rank) sizes between 1 and \(limit)")
        }
        func list(_ name: String, count: Int, minimum: Int, fallback: Int) throws(DiagnosticError) -> [Int] {
            guard let values = try context.ints(name) else { return [Int](repeating: fallback, count: count) }
            guard values.count == count, values.allSatisfy({ (minimum...limit).contains($0) }) else {
                throw context.error("attribute '\(name)' must be \(count) numbers between \(minimum) and \(limit), got \(values)")
            }
            return values
        }
        let strides = try list("strides", count: rank, minimum: 1, fallback: 1)
        let dilations = try list("dilations", count: rank, minimum: 1, fallback: 1)
        var pads: [Int]
        let autoPad = try context.string("auto_pad", default: "NOTSET")
        switch autoPad {
        case "NOTSET", "":
            pads = try list("pads", count: 2 * rank, minimum: 0, fallback: 0)
        case "VALID":
            pads = [Int](repeating: 0, count: 2 * rank)
        case "SAME_UPPER", "SAME_LOWER":
            pads = [Int](repeating: 0, count: 2 * rank)
            for axis in 0..<rank {
                let output = (spatial[axis] + strides[axis] - 1) / strides[axis]
                let needed = (output - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - spatial[axis]
                let total = max(0, needed)
                let smaller = total / 2
                pads[axis] = autoPad == "SAME_UPPER" ? smaller : total - smaller
                pads[axis + rank] = total - pads[axis]
            }
        default:
            throw context.error("auto_pad '\(autoPad)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
        }
        return WindowAttributes(strides: strides, dilations: dilations, pads: pads)
    }

    /// The 2-D form: 1-D windows become `1 × k` windows over an inserted height axis.
    var twoDimensional: (strides: [Int], dilations: [Int], pads: [Int]) {
        if strides.count == 2 { return (strides, dilations, pads) }
        return ([1, strides[0]], [1, dilations[0]], [0, pads[0], 0, pads[1]])
    }
}

/// Emits a windowed op (conv, pooling) on 2-D or 1-D NC(H)W data; 1-D data is unsqueezed to
/// `[N, C, 1, L]`, processed, and squeezed back.
enum WindowedEmission {
    /// - Parameters:
    ///   - operation: the 2-D IR operation.
    ///   - x: the data input (rank 3 or 4).
    ///   - operands: further inputs; `liftOperands` of them (the weight) are unsqueezed too.
    ///   - template: the element type and quantization of the result (nil: the default).
    static func emit(_ context: inout ImportContext, _ operation: Operator, x: String, operands: [String],
                     liftOperands: Int, template: TensorType?) throws(DiagnosticError) {
        let rank = try context.shape(of: x).count
        let output = try context.output(0)
        if rank == 4 {
            try context.emit(operation, [x] + operands, outputs: [output],
                             outputTypes: try template.map { t throws(DiagnosticError) in [try resultType(context, operation, [x] + operands, t)] })
            return
        }
        let x4 = try context.emit(.unsqueeze(axes: [2]), [x])[0]
        var inputs = [x4]
        for (index, operand) in operands.enumerated() {
            inputs.append(index < liftOperands ? try context.emit(.unsqueeze(axes: [2]), [operand])[0] : operand)
        }
        let types = try template.map { t throws(DiagnosticError) in [try resultType(context, operation, inputs, t)] }
        let y4 = try context.emit(operation, inputs, outputTypes: types)[0]
        try context.emit(.squeeze(axes: [2]), [y4], outputs: [output])
    }

    /// The output type of `operation` on `inputs` with the template's element type and quantization.
    static func resultType(_ context: ImportContext, _ operation: Operator, _ inputs: [String], _ template: TensorType) throws(DiagnosticError) -> TensorType {
        var shapes: [[Int]?] = []
        for input in inputs { shapes.append(input.isEmpty ? nil : try context.shape(of: input)) }
        do {
            return template.withShape(try operation.outputShapes(shapes)[0])
        } catch {
            throw context.error("\(operation.kind.rawValue): \(error.message)")
        }
    }
}
