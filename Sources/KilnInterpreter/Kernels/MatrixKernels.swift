import KilnIR
import KilnNumerics

/// dense and matmul: float32, and integer with zero points, int32 wrapping accumulation and
/// requantization per output column.
///
/// Integer wrapping-int32 products whose centered codes fit in int16 run on
/// ``WideningDotProductGEMM`` (same result, see there); `path: .plain` forces the plain loop.
enum MatrixKernels {
    static func dense(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ outputType: TensorType,
                      rule: RequantizationRule, accumulation: Accumulation = .wrappingInt32,
                      path: ConvolutionKernel.IntegerPath = .automatic, threads: Int? = nil) throws(KernelError) -> Tensor {
        let depth = w.shape[0], columns = w.shape[1]
        let rows = depth == 0 ? 0 : x.count / depth
        return try multiply(x, w, bias, outputType, rule: rule, accumulation: accumulation,
                            batches: [(0, 0)], rows: rows, depth: depth, columns: columns, path: path, threads: threads)
    }

    static func matmul(_ a: Tensor, _ b: Tensor, _ outputType: TensorType, rule: RequantizationRule,
                       accumulation: Accumulation = .wrappingInt32,
                       path: ConvolutionKernel.IntegerPath = .automatic, threads: Int? = nil) throws(KernelError) -> Tensor {
        let left = a.shape.count == 1 ? [1, a.shape[0]] : a.shape
        let right = b.shape.count == 1 ? [b.shape[0], 1] : b.shape
        let rows = left[left.count - 2], depth = left[left.count - 1], columns = right[right.count - 1]
        let leftBatch = Array(left.dropLast(2)), rightBatch = Array(right.dropLast(2))
        guard let batch = Shape.broadcast(leftBatch, rightBatch) else { throw KernelError("batch dimensions do not broadcast") }
        let batchCount = Shape.elementCount(batch) ?? 0
        let leftIndex = BroadcastIndex(from: leftBatch, to: batch)
        let rightIndex = BroadcastIndex(from: rightBatch, to: batch)
        let offsets = (0..<batchCount).map { (leftIndex.sourceOffset($0) * rows * depth, rightIndex.sourceOffset($0) * depth * columns) }
        return try multiply(a, b, nil, outputType, rule: rule, accumulation: accumulation, batches: offsets, rows: rows, depth: depth,
                            columns: columns, path: path, threads: threads)
    }

    /// `out[batch][r][c] = Σ_k a[aOffset + r·depth + k] · b[bOffset + k·columns + c] (+ bias[c])`.
    private static func multiply(_ a: Tensor, _ b: Tensor, _ bias: Tensor?, _ outputType: TensorType,
                                 rule: RequantizationRule, accumulation: Accumulation, batches: [(Int, Int)],
                                 rows: Int, depth: Int, columns: Int, path: ConvolutionKernel.IntegerPath,
                                 threads: Int?) throws(KernelError) -> Tensor {
        let outputCount = batches.count * rows * columns
        if let left = a.floats, let right = b.floats {
            let biasValues = bias?.floats
            var output = [Float](repeating: 0, count: outputCount)
            var index = 0
            for (leftOffset, rightOffset) in batches {
                for r in 0..<rows {
                    for c in 0..<columns {
                        var sum: Float = biasValues?[c] ?? 0
                        for k in 0..<depth { sum += left[leftOffset + r * depth + k] * right[rightOffset + k * columns + c] }
                        output[index] = sum
                        index += 1
                    }
                }
            }
            return Tensor(type: outputType, storage: .float32(output))
        }
        guard let left = a.codes, let right = b.codes else { throw KernelError("operands must be both float32 or both integer") }
        let leftZero = a.type.quantization?.zeroPoint(at: 0) ?? 0
        let rightZero = (0..<columns).map { b.type.quantization?.zeroPoint(at: $0) ?? 0 }
        let biasCodes = bias?.codes
        let requantizer = try Requantizer(rule: rule, input: a.type, weight: b.type, output: outputType, channels: columns)
        var output = [Int32](repeating: 0, count: outputCount)
        if accumulation == .pairwiseSaturatingInt16 {
            // Reduction over the depth axis in order.
            let encoding = try PairwiseSaturatingAccumulation.Encoding(first: a.type.elementType, second: b.type.elementType)
            let zu = leftZero &+ encoding.unsignedOffset
            var index = 0
            for (leftOffset, rightOffset) in batches {
                for r in 0..<rows {
                    for c in 0..<columns {
                        let sum = PairwiseSaturatingAccumulation.sum(count: depth, unsignedZero: zu, signedZero: rightZero[c] &- encoding.signedOffset,
                                                                     { left[leftOffset + r * depth + $0] &+ encoding.unsignedOffset },
                                                                     { right[rightOffset + $0 * columns + c] &- encoding.signedOffset })
                        output[index] = requantizer.apply((biasCodes?[c] ?? 0) &+ sum, channel: c)
                        index += 1
                    }
                }
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        if path == .automatic, WideningDotProductGEMM.fits(left, minus: { _ in leftZero }),
           WideningDotProductGEMM.fits(right, minus: { rightZero[$0 % max(columns, 1)] }) {
            let padded = WideningDotProductGEMM.paddedDepth(depth)
            var operandA = WideningDotProductGEMM.Operand(count: rows, depth: padded)
            var operandB = WideningDotProductGEMM.Operand(count: columns, depth: padded)
            output.withUnsafeMutableBufferPointer { output in
                for (batch, (leftOffset, rightOffset)) in batches.enumerated() {
                    for r in 0..<rows {
                        for k in 0..<depth { operandA.values[r * padded + k] = Int16(truncatingIfNeeded: left[leftOffset + r * depth + k] &- leftZero) }
                    }
                    for k in 0..<depth {
                        for c in 0..<columns {
                            operandB.values[c * padded + k] = Int16(truncatingIfNeeded: right[rightOffset + k * columns + c] &- rightZero[c])
                        }
                    }
                    WideningDotProductGEMM.multiply(operandA, operandB, initial: { biasCodes?[$0] ?? 0 },
                                                    into: output.baseAddress! + batch * rows * columns,
                                                    layout: .init(rowStride: columns, columnStride: 1),
                                                    threads: threads ?? ParallelSamples.activeProcessorCount)
                }
            }
            output.withUnsafeMutableBufferPointer { buffer in
                for c in 0..<columns where buffer.count > c {
                    requantizer.apply(channel: c, count: (buffer.count - c + columns - 1) / columns, from: buffer.baseAddress! + c, stride: columns,
                                      into: buffer.baseAddress! + c, stride: columns)
                }
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        // Subtract the weight zero points once, transposed so the inner loop is contiguous.
        var transposed = [Int32](repeating: 0, count: batches.count * depth * columns)
        for (batch, (_, rightOffset)) in batches.enumerated() {
            for k in 0..<depth {
                for c in 0..<columns {
                    transposed[(batch * columns + c) * depth + k] = right[rightOffset + k * columns + c] &- rightZero[c]
                }
            }
        }
        var index = 0
        left.withUnsafeBufferPointer { left in
            transposed.withUnsafeBufferPointer { weights in
                var row = [Int32](repeating: 0, count: depth)
                for (batch, (leftOffset, _)) in batches.enumerated() {
                    for r in 0..<rows {
                        for k in 0..<depth { row[k] = left[leftOffset + r * depth + k] &- leftZero }
                        for c in 0..<columns {
                            var accumulator: Int32 = biasCodes?[c] ?? 0
                            let base = (batch * columns + c) * depth
                            for k in 0..<depth { accumulator = accumulator &+ row[k] &* weights[base + k] }
                            output[index] = requantizer.apply(accumulator, channel: c)
                            index += 1
                        }
                    }
                }
            }
        }
        return Tensor(type: outputType, storage: .int32(output))
    }
}

/// Maps a flat index in a broadcast shape to the flat index in one of its (smaller) operands
/// (NumPy broadcasting). Public so that a backend's elementwise kernels read operands exactly as
/// the reference does.
public struct BroadcastIndex: Sendable, Hashable {
    private let outputStrides: [Int]
    private let sourceStrides: [Int]
    private let outputShape: [Int]
    /// Whether the operand already has the output shape (index maps to itself).
    public let isIdentity: Bool

    /// The map from an operand of shape `source` to the broadcast shape `output`.
    public init(from source: [Int], to output: [Int]) {
        outputShape = output
        outputStrides = Shape.strides(output)
        let padded = [Int](repeating: 1, count: output.count - source.count) + source
        let strides = Shape.strides(padded)
        sourceStrides = padded.indices.map { padded[$0] == 1 ? 0 : strides[$0] }
        isIdentity = padded == output
    }

    /// The operand's flat index for output flat index `index`. A `while` loop: it runs once per
    /// element of every broadcast operation, and a debug build runs a `for` over a range through
    /// generic iterator calls.
    @inline(__always)
    public func sourceOffset(_ index: Int) -> Int {
        if isIdentity { return index }
        var remainder = index, offset = 0, axis = 0
        let rank = outputShape.count
        while axis < rank {
            let coordinate = remainder / outputStrides[axis]
            remainder -= coordinate * outputStrides[axis]
            offset += coordinate * sourceStrides[axis]
            axis += 1
        }
        return offset
    }
}
