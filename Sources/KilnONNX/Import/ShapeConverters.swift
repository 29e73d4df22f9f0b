import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Converters of data-movement ops and of the shape computations PyTorch exports (Shape,
/// Gather, Cast, Slice, ... on constants), which are folded at import time.
enum ShapeConverters {
    /// `Flatten` (axis in `[-r, r]`, default 1).
    static func flatten(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "input")
        let rank = try context.shape(of: x).count
        let axis = try context.int("axis", default: 1)
        let normalized = axis < 0 ? axis + rank : axis
        guard (0...rank).contains(normalized) else { throw context.error("axis \(axis) is out of range for rank \(rank)") }
        try context.emitResult(.flatten(axis: normalized), [x])
    }

    /// `Reshape`: the shape must be constant; 0 copies the input dimension (unless `allowzero`)
    /// and one −1 is inferred.
    static func reshape(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "data")
        let requested: [Int]
        if context.opset < 5 {
            guard let values = try context.ints("shape") else { throw context.error("attribute 'shape' is required") }
            requested = values
        } else {
            requested = try context.integers(try context.constantInput(1, "shape"), "shape")
        }
        let input = try context.shape(of: x)
        let allowZero = try context.int("allowzero", default: 0) != 0
        let resolved = try resolveShape(context, requested, input: input, allowZero: allowZero)
        try context.emitResult(.reshape(shape: resolved), [x])
    }

    /// Resolves ONNX Reshape's 0 and −1 entries.
    static func resolveShape(_ context: ImportContext, _ requested: [Int], input: [Int], allowZero: Bool) throws(DiagnosticError) -> [Int] {
        guard let total = Shape.elementCount(input) else { throw context.error("input shape \(input) is too large") }
        var result = requested
        var inferred: Int?
        for (index, value) in requested.enumerated() {
            if value == 0 && !allowZero {
                guard index < input.count else { throw context.error("shape \(requested): 0 at \(index) has no input dimension to copy") }
                result[index] = input[index]
            } else if value == -1 {
                guard inferred == nil else { throw context.error("shape \(requested) has more than one −1") }
                inferred = index
            } else if value < 0 {
                throw context.error("shape \(requested) has a negative size \(value)")
            }
        }
        if let inferred {
            var known = result
            known[inferred] = 1
            guard let partial = Shape.elementCount(known), partial > 0, total % partial == 0 else {
                throw context.error("cannot infer −1 in shape \(requested) for \(total) elements")
            }
            result[inferred] = total / partial
        }
        guard Shape.elementCount(result) == total else {
            throw context.error("cannot reshape \(input) (\(total) elements) to \(result)")
        }
        return result
    }

    /// `Transpose` (default: reverse the axes).
    static func transpose(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "data")
        let rank = try context.shape(of: x).count
        let permutation = try context.ints("perm") ?? Array((0..<rank).reversed())
        guard permutation.sorted() == Array(0..<rank) else {
            throw context.error("perm \(permutation) is not a permutation of \(rank) axes")
        }
        try context.emitResult(.transpose(permutation: permutation), [x])
    }

    /// `Concat` (negative axis allowed).
    static func concat(_ context: inout ImportContext) throws(DiagnosticError) {
        var inputs: [String] = []
        for index in context.node.inputs.indices where context.optionalInput(index) != nil {
            inputs.append(try context.input(index, "input \(index)"))
        }
        guard let first = inputs.first else { throw context.error("Concat needs at least one input") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: try context.shape(of: first).count)
        try context.emitResult(.concat(axis: axis), inputs)
    }

    /// `Pad`: modes constant, reflect, edge; pads attribute before opset 11, inputs after
    /// (pads, constant_value, axes). Negative pads (cropping) and `wrap` are not supported.
    static func pad(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "data")
        let rank = try context.shape(of: x).count
        let modeName = try context.string("mode", default: "constant")
        guard let mode = Padding.Mode(rawValue: modeName) else {
            throw context.error("pad mode '\(modeName)' is not supported (constant, reflect, edge)")
        }
        var pads: [Int]
        var value: Float = 0
        if context.opset < 11 {
            guard let attribute = try context.ints(context.opset < 2 ? "paddings" : "pads") else { throw context.error("attribute 'pads' is required") }
            pads = attribute
            value = try context.float("value", default: 0)
        } else {
            let requested = try context.integers(try context.constantInput(1, "pads"), "pads")
            if let constant = try context.optionalConstantInput(2, "constant_value") {
                guard constant.count == 1 else { throw context.error("constant_value must be a scalar") }
                value = context.floats(constant)[0]
            }
            if let axesTensor = try context.optionalConstantInput(3, "axes") {
                var axes: [Int] = []
                for axis in try context.integers(axesTensor, "axes") { axes.append(try context.axis(axis, rank: rank)) }
                guard requested.count == 2 * axes.count else { throw context.error("pads \(requested) do not match axes \(axes)") }
                pads = [Int](repeating: 0, count: 2 * rank)
                for (position, axis) in axes.enumerated() {
                    pads[axis] = requested[position]
                    pads[axis + rank] = requested[position + axes.count]
                }
            } else {
                pads = requested
            }
        }
        guard pads.count == 2 * rank else { throw context.error("pads \(pads) must have \(2 * rank) entries") }
        guard pads.allSatisfy({ (0...WindowAttributes.limit).contains($0) }) else {
            throw context.error("pads \(pads) must be between 0 and \(WindowAttributes.limit) (negative pads crop, which is not supported)")
        }
        try context.emitResult(.pad(Padding(pads: pads, mode: mode, value: value)), [x])
    }

    /// The axes of Squeeze / Unsqueeze: an attribute before opset 13, an input after.
    static func axesOperand(_ context: ImportContext) throws(DiagnosticError) -> [Int]? {
        if context.opset < 13 { return try context.ints("axes") }
        return try context.optionalConstantInput(1, "axes").map { tensor throws(DiagnosticError) in try context.integers(tensor, "axes") }
    }

    /// `Squeeze` (no axes: every dimension of size 1).
    static func squeeze(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "data")
        let shape = try context.shape(of: x)
        var axes: [Int] = []
        if let requested = try axesOperand(context) {
            for axis in requested { axes.append(try context.axis(axis, rank: shape.count)) }
        } else {
            axes = shape.indices.filter { shape[$0] == 1 }
        }
        axes = Array(Set(axes)).sorted()
        try context.emitResult(.squeeze(axes: axes), [x])
    }

    /// `Unsqueeze` (axes index the output).
    static func unsqueeze(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "data")
        guard let requested = try axesOperand(context) else { throw context.error("axes are required") }
        let outputRank = try context.shape(of: x).count + requested.count
        var axes: [Int] = []
        for axis in requested { axes.append(try context.axis(axis, rank: outputRank)) }
        guard Set(axes).count == axes.count else { throw context.error("axes \(requested) repeat an axis") }
        try context.emitResult(.unsqueeze(axes: axes.sorted()), [x])
    }

    // MARK: Folded at import time

    /// `Constant`: the value attribute (tensor or value_float(s) / value_int(s)).
    static func constant(_ context: inout ImportContext) throws(DiagnosticError) {
        let output = try context.output(0)
        guard let attribute = context.node.attributes.first else { throw context.error("Constant has no value attribute") }
        let tensor: Tensor
        switch (attribute.name, attribute.value) {
        case ("value", .tensor(let value)):
            do { tensor = try value.kilnTensor() } catch { throw context.error("value: \(error.diagnostics.map(\.message).joined(separator: "; "))") }
        case ("value_float", .float(let value)): tensor = Tensor(shape: [], floats: [value])
        case ("value_floats", .floats(let values)): tensor = Tensor(shape: [values.count], floats: values)
        case ("value_int", .int(let value)): tensor = Tensor(shape: [], int64s: [value])
        case ("value_ints", .ints(let values)): tensor = Tensor(shape: [values.count], int64s: values)
        default: throw context.error("Constant attribute '\(attribute.name)' is not supported")
        }
        context.bindConstant(output, tensor)
    }

    /// `Shape` (with opset-15 start / end): the static shape as an int64 constant.
    static func shape(_ context: inout ImportContext) throws(DiagnosticError) {
        let shape = try context.shape(of: try context.input(0, "data"))
        let rank = shape.count
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(try context.int("start", default: 0)), end = clamp(try context.int("end", default: rank))
        let slice = start < end ? Array(shape[start..<end]) : []
        context.bindConstant(try context.output(0), Tensor(shape: [slice.count], int64s: slice.map { Int64($0) }))
    }

    /// `Size`: the static element count.
    static func size(_ context: inout ImportContext) throws(DiagnosticError) {
        let shape = try context.shape(of: try context.input(0, "data"))
        guard let count = Shape.elementCount(shape) else { throw context.error("element count overflows") }
        context.bindConstant(try context.output(0), Tensor(shape: [], int64s: [Int64(count)]))
    }

    /// `Gather`: folded when data and indices are constants; otherwise an IR gather (an
    /// embedding lookup reads constant data at run-time indices). Negative constant indices are
    /// made non-negative; run-time indices must already lie in `0..<size`.
    static func gather(_ context: inout ImportContext) throws(DiagnosticError) {
        let dataName = try context.input(0, "data"), indicesName = try context.input(1, "indices")
        let dataShape = try context.shape(of: dataName)
        let axis = try context.axis(try context.int("axis", default: 0), rank: dataShape.count)
        let size = dataShape[axis]
        var indicesInput = indicesName
        if let known = context.known[indicesName] {
            let indices = try context.integers(known, "indices")
            var positions: [Int64] = []
            for index in indices {
                let position = index < 0 ? index + size : index
                guard (0..<size).contains(position) else { throw context.error("index \(index) is out of range for size \(size)") }
                positions.append(Int64(position))
            }
            if positions != indices.map({ Int64($0) }) {
                indicesInput = context.constantValue(Tensor(shape: known.shape, int64s: positions), "indices")
            }
        } else if !(try context.type(of: indicesName).elementType.isInteger) {
            throw context.error("indices must be integers, got \(try context.type(of: indicesName))")
        }
        try context.emitResult(.gather(axis: axis), [dataName, indicesInput])
    }

    /// Elements of `tensor` at `offsets`, as a tensor of `shape` with the same element type.
    static func select(_ tensor: Tensor, _ offsets: [Int], shape: [Int]) -> Tensor {
        let type = tensor.type.withShape(shape)
        switch tensor.storage {
        case .float32(let values): return Tensor(type: type, storage: .float32(offsets.map { values[$0] }))
        case .int32(let values): return Tensor(type: type, storage: .int32(offsets.map { values[$0] }))
        case .int64(let values): return Tensor(type: type, storage: .int64(offsets.map { values[$0] }))
        }
    }

    /// `Slice` on constant data (attributes before opset 10, inputs after).
    static func slice(_ context: inout ImportContext) throws(DiagnosticError) {
        let data = try context.constantInput(0, "data")
        let rank = data.shape.count
        var starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if context.opset < 10 {
            guard let s = try context.ints("starts"), let e = try context.ints("ends") else { throw context.error("starts and ends are required") }
            starts = s; ends = e; axes = try context.ints("axes"); steps = nil
        } else {
            starts = try context.integers(try context.constantInput(1, "starts"), "starts")
            ends = try context.integers(try context.constantInput(2, "ends"), "ends")
            axes = try context.optionalConstantInput(3, "axes").map { t throws(DiagnosticError) in try context.integers(t, "axes") }
            steps = try context.optionalConstantInput(4, "steps").map { t throws(DiagnosticError) in try context.integers(t, "steps") }
        }
        let axisList = axes ?? Array(0..<starts.count)
        guard ends.count == starts.count, axisList.count == starts.count, (steps?.count ?? starts.count) == starts.count else {
            throw context.error("starts, ends, axes and steps must have the same length")
        }
        var begin = [Int](repeating: 0, count: rank), stride = [Int](repeating: 1, count: rank), count = data.shape
        for (position, rawAxis) in axisList.enumerated() {
            let axis = try context.axis(rawAxis, rank: rank)
            let size = data.shape[axis]
            let step = steps?[position] ?? 1
            guard step != 0 else { throw context.error("slice step 0") }
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value < 0 ? value + size : value, low), high) }
            let start = step > 0 ? clamp(starts[position], 0, size) : clamp(starts[position], -1, size - 1)
            let end = step > 0 ? clamp(ends[position], 0, size) : clamp(ends[position], -1, size - 1)
            let length = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end - step - 1) / -step)
            begin[axis] = start; stride[axis] = step; count[axis] = length
        }
        let strides = Shape.strides(data.shape)
        let total = Shape.elementCount(count) ?? 0
        var offsets: [Int] = []
        offsets.reserveCapacity(total)
        var coordinate = [Int](repeating: 0, count: rank)
        for _ in 0..<total {
            var offset = 0
            for axis in 0..<rank { offset += (begin[axis] + coordinate[axis] * stride[axis]) * strides[axis] }
            offsets.append(offset)
            var axis = rank - 1
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < count[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        context.bindConstant(try context.output(0), select(data, offsets, shape: count))
    }

    /// `Cast`: folded for constants; an identity when the element type does not change; an IR
    /// cast otherwise (codes of a quantized value convert as plain numbers).
    static func cast(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "input")
        let raw = try context.int("to", default: 0)
        guard let target = ONNXDataType(rawValue: Int32(raw)), let elementType = target.kilnElementType else {
            throw context.error("cast to type \(raw) is not supported")
        }
        if let tensor = context.known[x] {
            context.bindConstant(try context.output(0), try convert(context, tensor, to: elementType))
            return
        }
        let type = try context.type(of: x)
        if type.elementType == elementType && type.quantization == nil {
            try context.emitResult(.reshape(shape: type.shape), [x])
            return
        }
        try context.emitResult(.cast, [x], outputType: TensorType(shape: type.shape, elementType: elementType))
    }

    /// A constant converted to another element type (floats truncated toward zero, integers saturated... wrapped like C casts).
    static func convert(_ context: ImportContext, _ tensor: Tensor, to elementType: ElementType) throws(DiagnosticError) -> Tensor {
        switch elementType {
        case .float32: return Tensor(shape: tensor.shape, floats: tensor.doubles.map { Float($0) })
        case .int64:
            guard let values = tensor.integers else { throw context.error("cannot cast non-finite values to int64") }
            return Tensor(shape: tensor.shape, int64s: values)
        case .bool:
            return Tensor(shape: tensor.shape, elementType: .bool, codes: tensor.doubles.map { $0 != 0 ? 1 : 0 })
        default:
            guard let values = tensor.integers else { throw context.error("cannot cast non-finite values to \(elementType.name)") }
            let bits = elementType.bitWidth, signed = elementType.isSigned
            return Tensor(shape: tensor.shape, elementType: elementType,
                          codes: values.map { Int32(truncatingIfNeeded: wrap($0, bits: bits, signed: signed)) })
        }
    }

    private static func wrap(_ value: Int64, bits: Int, signed: Bool) -> Int64 {
        guard bits < 64 else { return value }
        let mask = (Int64(1) << bits) - 1
        var low = value & mask
        if signed && low >= (Int64(1) << (bits - 1)) { low -= Int64(1) << bits }
        return low
    }

    /// `ConstantOfShape` with a constant shape.
    static func constantOfShape(_ context: inout ImportContext) throws(DiagnosticError) {
        let shape = try context.integers(try context.constantInput(0, "input"), "shape")
        guard shape.allSatisfy({ $0 >= 0 }), let count = Shape.elementCount(shape), count <= 1 << 26 else {
            throw context.error("shape \(shape) is invalid or too large")
        }
        var fill = Tensor(shape: [], floats: [0])
        if let attribute = context.node.attribute("value"), case .tensor(let value) = attribute.value {
            do { fill = try value.kilnTensor() } catch { throw context.error("value: \(error.diagnostics.map(\.message).joined(separator: "; "))") }
        }
        guard fill.count == 1 else { throw context.error("value must have one element") }
        context.bindConstant(try context.output(0), select(fill, [Int](repeating: 0, count: count), shape: shape))
    }

    /// Add / Sub / Mul / Div on int64 constants with broadcasting (Div truncates like C).
    static func int64Arithmetic(_ context: ImportContext, _ kind: OperatorKind, _ x: Tensor, _ y: Tensor) throws(DiagnosticError) -> Tensor {
        guard let a = x.integers, let b = y.integers else { throw context.error("shape arithmetic needs integer constants") }
        guard let shape = Shape.broadcast(x.shape, y.shape), let count = Shape.elementCount(shape) else {
            throw context.error("shapes \(x.shape) and \(y.shape) do not broadcast")
        }
        func offset(_ index: Int, _ source: [Int]) -> Int {
            let padded = [Int](repeating: 1, count: shape.count - source.count) + source
            let outStrides = Shape.strides(shape), inStrides = Shape.strides(padded)
            var remainder = index, result = 0
            for axis in shape.indices {
                let coordinate = remainder / outStrides[axis]
                remainder -= coordinate * outStrides[axis]
                if padded[axis] != 1 { result += coordinate * inStrides[axis] }
            }
            return result
        }
        var values: [Int64] = []
        for index in 0..<count {
            let p = a[offset(index, x.shape)], q = b[offset(index, y.shape)]
            let result: (Int64, Bool)
            switch kind {
            case .add: result = p.addingReportingOverflow(q)
            case .sub: result = p.subtractingReportingOverflow(q)
            case .mul: result = p.multipliedReportingOverflow(by: q)
            default:
                guard q != 0 else { throw context.error("integer division by zero") }
                result = p.dividedReportingOverflow(by: q)
            }
            guard !result.1 else { throw context.error("int64 overflow in shape arithmetic") }
            values.append(result.0)
        }
        return Tensor(shape: shape, int64s: values)
    }
}
