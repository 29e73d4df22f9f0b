/// Why an operation's output shapes cannot be computed from its input shapes.
public struct ShapeInferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in terms of the operation's inputs and attributes.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

extension Operator {
    /// The number of outputs the operation writes.
    public var outputCount: Int { kind == .dynamicQuantize ? 3 : 1 }

    /// Computes the output shapes from the input shapes (nil for an absent optional input).
    ///
    /// - Parameter inputs: one shape per input position.
    /// - Returns: one shape per output.
    /// - Throws: ``ShapeInferenceError`` naming the offending input or attribute.
    public func outputShapes(_ inputs: [[Int]?]) throws(ShapeInferenceError) -> [[Int]] {
        func required(_ index: Int, _ role: String) throws(ShapeInferenceError) -> [Int] {
            guard index < inputs.count, let shape = inputs[index] else {
                throw ShapeInferenceError("missing input \(index) (\(role))")
            }
            return shape
        }
        func rank(_ shape: [Int], _ expected: Int, _ role: String) throws(ShapeInferenceError) {
            guard shape.count == expected else {
                throw ShapeInferenceError("\(role) must have rank \(expected), got shape \(shape)")
            }
        }
        switch self {
        case .conv2d(let attributes):
            let x = try required(0, "input"), w = try required(1, "weight")
            try rank(x, 4, "input"); try rank(w, 4, "weight")
            try Self.checkWindowAttributes(strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads)
            let groups = attributes.groups
            guard groups >= 1, x[1] % groups == 0, w[0] % groups == 0 else {
                throw ShapeInferenceError("groups \(groups) must divide the input channels \(x[1]) and output channels \(w[0])")
            }
            guard w[1] * groups == x[1] else {
                throw ShapeInferenceError("weight shape \(w) expects \(w[1] * groups) input channels for \(groups) group(s), input has \(x[1])")
            }
            if let bias = inputs.count > 2 ? inputs[2] : nil, bias != [w[0]] {
                throw ShapeInferenceError("bias must have shape [\(w[0])], got \(bias)")
            }
            let height = try Self.windowOutputSize(input: x[2], kernel: w[2], stride: attributes.strides[0],
                                                   dilation: attributes.dilations[0],
                                                   padBegin: attributes.pads[0], padEnd: attributes.pads[2], ceilMode: false)
            let width = try Self.windowOutputSize(input: x[3], kernel: w[3], stride: attributes.strides[1],
                                                  dilation: attributes.dilations[1],
                                                  padBegin: attributes.pads[1], padEnd: attributes.pads[3], ceilMode: false)
            return [[x[0], w[0], height, width]]
        case .dense:
            let x = try required(0, "input"), w = try required(1, "weight")
            try rank(w, 2, "weight")
            guard let last = x.last, last == w[0] else {
                throw ShapeInferenceError("input shape \(x) does not end in the weight's \(w[0]) rows")
            }
            if let bias = inputs.count > 2 ? inputs[2] : nil, bias != [w[1]] {
                throw ShapeInferenceError("bias must have shape [\(w[1])], got \(bias)")
            }
            return [x.dropLast() + [w[1]]]
        case .matmul:
            return [try Self.matmulShape(try required(0, "a"), try required(1, "b"))]
        case .add, .sub, .mul, .div, .compare, .logical, .maximum, .minimum, .power:
            let a = try required(0, "a"), b = try required(1, "b")
            guard let shape = Shape.broadcast(a, b) else {
                throw ShapeInferenceError("shapes \(a) and \(b) do not broadcast")
            }
            return [shape]
        case .relu, .leakyRelu, .clip, .sigmoid, .tanh, .hardSwish, .hardSigmoid, .gelu, .erf, .sqrt, .round, .cast,
             .quantize, .dequantize, .requantize, .sign, .softmax:
            let x = try required(0, "input")
            if case .softmax(let axis) = self, Shape.normalizedAxis(axis, rank: x.count) == nil {
                throw ShapeInferenceError("axis \(axis) is out of range for rank \(x.count)")
            }
            return [x]
        case .maxPool(let attributes), .averagePool(let attributes):
            let x = try required(0, "input")
            try rank(x, 4, "input")
            guard attributes.kernel.count == 2, attributes.kernel.allSatisfy({ $0 >= 1 }) else {
                throw ShapeInferenceError("kernel must be two sizes ≥ 1, got \(attributes.kernel)")
            }
            try Self.checkWindowAttributes(strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads)
            let height = try Self.windowOutputSize(input: x[2], kernel: attributes.kernel[0], stride: attributes.strides[0],
                                                   dilation: attributes.dilations[0], padBegin: attributes.pads[0],
                                                   padEnd: attributes.pads[2], ceilMode: attributes.ceilMode)
            let width = try Self.windowOutputSize(input: x[3], kernel: attributes.kernel[1], stride: attributes.strides[1],
                                                  dilation: attributes.dilations[1], padBegin: attributes.pads[1],
                                                  padEnd: attributes.pads[3], ceilMode: attributes.ceilMode)
            return [[x[0], x[1], height, width]]
        case .globalAveragePool, .globalMaxPool:
            let x = try required(0, "input")
            guard x.count >= 3 else { throw ShapeInferenceError("input must have rank ≥ 3, got shape \(x)") }
            return [Array(x.prefix(2)) + [Int](repeating: 1, count: x.count - 2)]
        case .reduce(_, let axes, let keepDimensions):
            let x = try required(0, "input")
            let all = axes.isEmpty ? Array(x.indices) : axes
            return [try Self.mean(axes: all, keepDimensions: keepDimensions).outputShapes([x])[0]]
        case .where:
            let condition = try required(0, "condition"), a = try required(1, "x"), b = try required(2, "y")
            guard let partial = Shape.broadcast(condition, a), let shape = Shape.broadcast(partial, b) else {
                throw ShapeInferenceError("shapes \(condition), \(a) and \(b) do not broadcast")
            }
            return [shape]
        case .expand(let shape):
            let x = try required(0, "input")
            guard shape.allSatisfy({ $0 >= 0 }), let result = Shape.broadcast(x, shape) else {
                throw ShapeInferenceError("shape \(x) does not broadcast to \(shape)")
            }
            return [result]
        case .mean(let axes, let keepDimensions):
            let x = try required(0, "input")
            guard !axes.isEmpty, axes == axes.sorted(), Set(axes).count == axes.count,
                  axes.allSatisfy({ (0..<x.count).contains($0) }) else {
                throw ShapeInferenceError("axes \(axes) must be distinct, sorted and inside rank \(x.count)")
            }
            return [keepDimensions ? x.indices.map { axes.contains($0) ? 1 : x[$0] }
                                   : x.indices.filter { !axes.contains($0) }.map { x[$0] }]
        case .slice(let attributes):
            let x = try required(0, "input")
            guard attributes.starts.count == x.count, attributes.counts.count == x.count, attributes.steps.count == x.count else {
                throw ShapeInferenceError("slice needs a start, count and step for each of the \(x.count) axes")
            }
            for axis in x.indices {
                let start = attributes.starts[axis], count = attributes.counts[axis], step = attributes.steps[axis]
                guard step != 0, count >= 0, count == 0 || ((0..<x[axis]).contains(start)
                        && (0..<x[axis]).contains(start + (count - 1) * step)) else {
                    throw ShapeInferenceError("slice start \(start), count \(count), step \(step) leave axis \(axis) of size \(x[axis])")
                }
            }
            return [attributes.counts]
        case .gather(let axis):
            let x = try required(0, "input"), indices = try required(1, "indices")
            guard (0..<x.count).contains(axis) else { throw ShapeInferenceError("axis \(axis) is out of range for rank \(x.count)") }
            return [Array(x[..<axis]) + indices + Array(x[(axis + 1)...])]
        case .resize(let attributes):
            let x = try required(0, "input")
            try rank(x, 4, "input")
            guard attributes.size.count == 2, attributes.size.allSatisfy({ $0 >= 1 }), x[2] >= 1, x[3] >= 1 else {
                throw ShapeInferenceError("resize needs a positive output size [height, width] and input, got \(attributes.size) from \(x)")
            }
            return [[x[0], x[1]] + attributes.size]
        case .rsqrt:
            return [try required(0, "input")]
        case .squaredDifference:
            let a = try required(0, "a"), b = try required(1, "b")
            guard let shape = Shape.broadcast(a, b) else { throw ShapeInferenceError("shapes \(a) and \(b) do not broadcast") }
            return [shape]
        case .reshape(let shape):
            let x = try required(0, "input")
            guard shape.allSatisfy({ $0 >= 0 }), let count = Shape.elementCount(shape), count == Shape.elementCount(x) else {
                throw ShapeInferenceError("cannot reshape \(x) to \(shape)")
            }
            return [shape]
        case .flatten(let axis):
            let x = try required(0, "input")
            guard (0...x.count).contains(axis),
                  let outer = Shape.elementCount(Array(x[..<axis])), let inner = Shape.elementCount(Array(x[axis...])) else {
                throw ShapeInferenceError("axis \(axis) is out of range for shape \(x)")
            }
            return [[outer, inner]]
        case .transpose(let permutation):
            let x = try required(0, "input")
            guard permutation.sorted() == Array(0..<x.count) else {
                throw ShapeInferenceError("permutation \(permutation) is not a permutation of the \(x.count) axes")
            }
            return [permutation.map { x[$0] }]
        case .concat(let axis):
            guard inputs.count >= 1, let first = inputs[0] else { throw ShapeInferenceError("concat needs at least one input") }
            guard (0..<first.count).contains(axis) else {
                throw ShapeInferenceError("axis \(axis) is out of range for rank \(first.count)")
            }
            var total = 0
            for (index, shape) in inputs.enumerated() {
                guard let shape, shape.count == first.count,
                      shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] }) else {
                    throw ShapeInferenceError("input \(index) has shape \(inputs[index] ?? []), incompatible with \(first) along axis \(axis)")
                }
                total += shape[axis]
            }
            var result = first
            result[axis] = total
            return [result]
        case .pad(let attributes):
            let x = try required(0, "input")
            guard attributes.pads.count == 2 * x.count, attributes.pads.allSatisfy({ $0 >= 0 }) else {
                throw ShapeInferenceError("pads must be \(2 * x.count) non-negative numbers, got \(attributes.pads)")
            }
            if attributes.mode == .reflect {
                for axis in x.indices where attributes.pads[axis] >= x[axis] || attributes.pads[axis + x.count] >= x[axis] {
                    if attributes.pads[axis] > 0 || attributes.pads[axis + x.count] > 0 {
                        throw ShapeInferenceError("reflect padding on axis \(axis) must be smaller than its size \(x[axis])")
                    }
                }
            }
            return [x.indices.map { x[$0] + attributes.pads[$0] + attributes.pads[$0 + x.count] }]
        case .squeeze(let axes):
            let x = try required(0, "input")
            guard axes.allSatisfy({ (0..<x.count).contains($0) && x[$0] == 1 }) else {
                throw ShapeInferenceError("axes \(axes) must name dimensions of size 1 in \(x)")
            }
            return [x.indices.filter { !axes.contains($0) }.map { x[$0] }]
        case .unsqueeze(let axes):
            let x = try required(0, "input")
            let outputRank = x.count + axes.count
            guard Set(axes).count == axes.count, axes.allSatisfy({ (0..<outputRank).contains($0) }) else {
                throw ShapeInferenceError("axes \(axes) must be distinct and below the output rank \(outputRank)")
            }
            var result: [Int] = []
            var next = 0
            for axis in 0..<outputRank {
                if axes.contains(axis) { result.append(1) } else { result.append(x[next]); next += 1 }
            }
            return [result]
        case .batchNorm:
            let x = try required(0, "input")
            guard x.count >= 2 else { throw ShapeInferenceError("input must have rank ≥ 2, got \(x)") }
            for index in 1...4 {
                let parameter = try required(index, "parameter \(index)")
                guard parameter == [x[1]] else {
                    throw ShapeInferenceError("input \(index) must have shape [\(x[1])], got \(parameter)")
                }
            }
            return [x]
        case .layerNorm(let axis, _):
            let x = try required(0, "input")
            guard let normalized = Shape.normalizedAxis(axis, rank: x.count) else {
                throw ShapeInferenceError("axis \(axis) is out of range for rank \(x.count)")
            }
            let normalizedShape = Array(x[normalized...])
            let scale = try required(1, "scale")
            guard Shape.elementCount(scale) == Shape.elementCount(normalizedShape) else {
                throw ShapeInferenceError("scale shape \(scale) does not match the normalized shape \(normalizedShape)")
            }
            return [x]
        case .dynamicQuantize:
            return [try required(0, "input"), [], []]
        case .multiThreshold(let attributes):
            let x = try required(0, "input"), thresholds = try required(1, "thresholds")
            try rank(thresholds, 2, "thresholds")
            guard (0..<x.count).contains(attributes.channelAxis) else {
                throw ShapeInferenceError("channel axis \(attributes.channelAxis) is out of range for shape \(x)")
            }
            guard thresholds[0] == 1 || thresholds[0] == x[attributes.channelAxis] else {
                throw ShapeInferenceError("thresholds \(thresholds) need 1 or \(x[attributes.channelAxis]) rows")
            }
            return [x]
        }
    }

    /// Checks strides, dilations (two each, ≥ 1) and pads (four, ≥ 0).
    static func checkWindowAttributes(strides: [Int], dilations: [Int], pads: [Int]) throws(ShapeInferenceError) {
        guard strides.count == 2, strides.allSatisfy({ $0 >= 1 }) else {
            throw ShapeInferenceError("strides must be two numbers ≥ 1, got \(strides)")
        }
        guard dilations.count == 2, dilations.allSatisfy({ $0 >= 1 }) else {
            throw ShapeInferenceError("dilations must be two numbers ≥ 1, got \(dilations)")
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else {
            throw ShapeInferenceError("pads must be four numbers ≥ 0, got \(pads)")
        }
    }

    /// The output size of a sliding window along one axis (ONNX's formula, incl. ceil mode:
    /// a last window that would start in the end padding is dropped).
    public static func windowOutputSize(input: Int, kernel: Int, stride: Int, dilation: Int,
                                        padBegin: Int, padEnd: Int, ceilMode: Bool) throws(ShapeInferenceError) -> Int {
        let effectiveKernel = dilation * (kernel - 1) + 1
        let padded = input + padBegin + padEnd
        guard kernel >= 1, padded >= effectiveKernel else {
            throw ShapeInferenceError("window of \(effectiveKernel) does not fit in \(padded) (input \(input) plus padding)")
        }
        let span = padded - effectiveKernel
        var size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (size - 1) * stride >= input + padBegin { size -= 1 }
        return size
    }

    /// NumPy matmul's output shape.
    static func matmulShape(_ a: [Int], _ b: [Int]) throws(ShapeInferenceError) -> [Int] {
        guard !a.isEmpty, !b.isEmpty else { throw ShapeInferenceError("matmul operands must have rank ≥ 1") }
        let left = a.count == 1 ? [1, a[0]] : a
        let right = b.count == 1 ? [b[0], 1] : b
        guard left[left.count - 1] == right[right.count - 2] else {
            throw ShapeInferenceError("inner dimensions differ: \(a) · \(b)")
        }
        guard let batch = Shape.broadcast(Array(left.dropLast(2)), Array(right.dropLast(2))) else {
            throw ShapeInferenceError("batch dimensions of \(a) and \(b) do not broadcast")
        }
        var result = batch
        if a.count > 1 { result.append(left[left.count - 2]) }
        if b.count > 1 { result.append(right[right.count - 1]) }
        return result
    }
}
