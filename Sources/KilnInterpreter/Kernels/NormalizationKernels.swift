import Foundation
import KilnIR

/// softmax, batchNorm and layerNorm, in float32 with double-precision intermediate sums.
enum NormalizationKernels {
    static func softmax(_ axis: Int, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let values = x.floats, let normalized = Shape.normalizedAxis(axis, rank: x.shape.count) else {
            throw KernelError("softmax needs float32 input and a valid axis")
        }
        let length = x.shape.isEmpty ? 1 : x.shape[normalized]
        let inner = Shape.elementCount(Array(x.shape.dropFirst(normalized + 1))) ?? 1
        let outer = length * inner == 0 ? 0 : values.count / (length * inner)
        var output = [Float](repeating: 0, count: values.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var largest = -Float.infinity
                for k in 0..<length { largest = max(largest, values[base + k * inner]) }
                var sum = 0.0
                for k in 0..<length { sum += Foundation.exp(Double(values[base + k * inner] - largest)) }
                for k in 0..<length {
                    output[base + k * inner] = Float(Foundation.exp(Double(values[base + k * inner] - largest)) / sum)
                }
            }
        }
        return Tensor(type: outputType, storage: .float32(output))
    }

    /// `y = (x − mean) / √(variance + ε) · scale + bias`, per channel (axis 1).
    static func batchNorm(_ epsilon: Float, _ inputs: [Tensor], _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let x = inputs[0].floats, let scale = inputs[1].floats, let bias = inputs[2].floats,
              let mean = inputs[3].floats, let variance = inputs[4].floats else {
            throw KernelError("batchNorm needs float32 inputs")
        }
        let channels = inputs[0].shape[1]
        let inner = Shape.elementCount(Array(inputs[0].shape.dropFirst(2))) ?? 1
        var output = [Float](repeating: 0, count: x.count)
        for index in 0..<x.count {
            let c = (index / inner) % channels
            output[index] = (x[index] - mean[c]) / (variance[c] + epsilon).squareRoot() * scale[c] + bias[c]
        }
        return Tensor(type: outputType, storage: .float32(output))
    }

    /// Normalizes each slice over the axes from `axis` on: `(x − mean) / √(var + ε) · scale + bias`.
    static func layerNorm(_ axis: Int, _ epsilon: Float, _ inputs: [Tensor?], _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let xTensor = inputs[0], let x = xTensor.floats, let scale = inputs[1]?.floats,
              let normalized = Shape.normalizedAxis(axis, rank: xTensor.shape.count) else {
            throw KernelError("layerNorm needs float32 input and scale")
        }
        let bias = inputs.count > 2 ? inputs[2]?.floats : nil
        let length = Shape.elementCount(Array(xTensor.shape[normalized...])) ?? 1
        var output = [Float](repeating: 0, count: x.count)
        for start in stride(from: 0, to: x.count, by: max(length, 1)) {
            var mean = 0.0
            for k in 0..<length { mean += Double(x[start + k]) }
            mean /= Double(length)
            var variance = 0.0
            for k in 0..<length { variance += (Double(x[start + k]) - mean) * (Double(x[start + k]) - mean) }
            variance /= Double(length)
            let inverse = 1 / (variance + Double(epsilon)).squareRoot()
            for k in 0..<length {
                output[start + k] = Float((Double(x[start + k]) - mean) * inverse) * scale[k % scale.count] + (bias?[k % bias!.count] ?? 0)
            }
        }
        return Tensor(type: outputType, storage: .float32(output))
    }
}
