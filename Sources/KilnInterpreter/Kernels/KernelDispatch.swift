import Foundation
import KilnIR
import KilnNumerics

/// Maps each operation to its kernel.
enum KernelDispatch {
    /// Executes one node on its operand tensors (nil for absent optional inputs).
    static func execute(_ node: Node, _ operands: [Tensor?], _ outputTypes: [TensorType]) throws(KernelError) -> [Tensor] {
        func operand(_ index: Int) throws(KernelError) -> Tensor {
            guard index < operands.count, let tensor = operands[index] else { throw KernelError("input \(index) is missing") }
            return tensor
        }
        if node.semantics == .tensorFlowLite, let results = try TFLiteKernels.execute(node, operands, outputTypes) {
            return results
        }
        let outputType = outputTypes[0]
        let optionalThird = operands.count > 2 ? operands[2] : nil
        switch node.operation {
        case .conv2d(let attributes):
            return [try ConvolutionKernel.execute(attributes, try operand(0), try operand(1), optionalThird, outputType,
                                                  rule: node.requantization, accumulation: node.accumulation)]
        case .dense:
            return [try MatrixKernels.dense(try operand(0), try operand(1), optionalThird, outputType, rule: node.requantization,
                                          accumulation: node.accumulation)]
        case .matmul:
            return [try MatrixKernels.matmul(try operand(0), try operand(1), outputType, rule: node.requantization,
                                           accumulation: node.accumulation)]
        case .add, .sub, .mul, .div:
            return [try ElementwiseKernels.binary(node.kind, try operand(0), try operand(1), outputType)]
        case .relu, .leakyRelu, .clip, .sigmoid, .tanh, .hardSwish, .hardSigmoid, .gelu, .erf, .sign, .sqrt, .round:
            return [try ElementwiseKernels.unary(node.operation, try operand(0), outputType)]
        case .maxPool(let attributes), .averagePool(let attributes):
            return [try PoolingKernels.window(node.operation, attributes, try operand(0), outputType)]
        case .globalAveragePool, .globalMaxPool:
            return [try PoolingKernels.global(node.operation, try operand(0), outputType)]
        case .mean(let axes, _):
            return [try MeanKernel.execute(axes: axes, try operand(0), outputType)]
        case .slice(let attributes):
            return [SliceKernel.execute(attributes, try operand(0), outputType)]
        case .gather(let axis):
            return [try GatherKernel.execute(axis: axis, try operand(0), try operand(1), outputType)]
        case .resize(let attributes):
            return [try ResizeKernel.execute(attributes, try operand(0), outputType)]
        case .rsqrt:
            guard let values = try operand(0).floats else { throw KernelError("an integer rsqrt is defined by TFLite semantics only") }
            return [Tensor(type: outputType, storage: .float32(values.map { 1 / $0.squareRoot() }))]
        case .squaredDifference:
            guard let a = try operand(0).floats, let b = try operand(1).floats else {
                throw KernelError("an integer squaredDifference is defined by TFLite semantics only")
            }
            let left = BroadcastIndex(from: try operand(0).shape, to: outputType.shape)
            let right = BroadcastIndex(from: try operand(1).shape, to: outputType.shape)
            return [Tensor(type: outputType, storage: .float32((0 ..< (Shape.elementCount(outputType.shape) ?? 0)).map { index in
                let difference = a[left.sourceOffset(index)] - b[right.sourceOffset(index)]
                return difference * difference
            }))]
        case .reshape, .flatten, .squeeze, .unsqueeze:
            return [DataMovementKernels.retype(try operand(0), outputType)]
        case .transpose(let permutation):
            return [DataMovementKernels.transpose(permutation, try operand(0), outputType)]
        case .concat(let axis):
            var inputs: [Tensor] = []
            for index in operands.indices { inputs.append(try operand(index)) }
            return [DataMovementKernels.concat(axis, inputs, outputType)]
        case .pad(let attributes):
            return [DataMovementKernels.pad(attributes, try operand(0), outputType)]
        case .softmax(let axis):
            if try operand(0).codes != nil { return [try QLinearSoftmaxKernel.execute(axis, try operand(0), outputType)] }
            return [try NormalizationKernels.softmax(axis, try operand(0), outputType)]
        case .batchNorm(let epsilon):
            var inputs: [Tensor] = []
            for index in 0..<5 { inputs.append(try operand(index)) }
            return [try NormalizationKernels.batchNorm(epsilon, inputs, outputType)]
        case .layerNorm(let axis, let epsilon):
            return [try NormalizationKernels.layerNorm(axis, epsilon, operands, outputType)]
        case .quantize:
            return [try QuantizationKernels.quantize(try operand(0), outputType)]
        case .dequantize:
            return [try QuantizationKernels.dequantize(try operand(0), outputType)]
        case .requantize:
            return [try QuantizationKernels.requantize(try operand(0), outputType, rule: node.requantization)]
        case .dynamicQuantize:
            return try QuantizationKernels.dynamicQuantize(try operand(0), outputTypes)
        case .cast:
            return [try CastKernel.execute(try operand(0), outputType)]
        case .where:
            return [try SelectionKernels.select(try operand(0), try operand(1), try operand(2), outputType)]
        case .expand:
            return [SelectionKernels.expand(try operand(0), outputType)]
        case .compare(let comparison):
            return [try ComparisonKernels.compare(comparison, try operand(0), try operand(1), outputType)]
        case .logical(let operation):
            return [try ComparisonKernels.logical(operation, try operand(0), try operand(1), outputType)]
        case .maximum, .minimum:
            return [try ComparisonKernels.extremum(largest: node.kind == .maximum, try operand(0), try operand(1), outputType)]
        case .power:
            guard let base = try operand(0).floats, let exponent = try operand(1).floats else { throw KernelError("power reads float32 only") }
            let left = BroadcastIndex(from: try operand(0).shape, to: outputType.shape)
            let right = BroadcastIndex(from: try operand(1).shape, to: outputType.shape)
            return [Tensor(type: outputType, storage: .float32((0 ..< (Shape.elementCount(outputType.shape) ?? 0)).map { index in
                Float(Foundation.pow(Double(base[left.sourceOffset(index)]), Double(exponent[right.sourceOffset(index)])))
            }))]
        case .reduce(let reduction, let axes, _):
            return [try ReductionKernel.execute(reduction, axes: axes, try operand(0), outputType)]
        case .multiThreshold(let attributes):
            return [try QuantizationKernels.multiThreshold(attributes, try operand(0), try operand(1), outputType)]
        }
    }
}
