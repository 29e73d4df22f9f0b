import Foundation
import KilnIR
import KilnNumerics

/// reduceSum, reduceMax, reduceMin and reduceL2 over a set of axes (empty: every axis).
///
/// Float32 sums (and the sum of squares of L2) run in double and are rounded to float32 once,
/// so they can differ from ONNX Runtime's float32 accumulation in the last bit. Integer sums are
/// exact and wrap to the output's width; max / min are exact on any storage (on quantized codes
/// they need the output's quantization to equal the input's). L2 reads float32 only.
enum ReductionKernel {
    static func execute(_ reduction: Reduction, axes: [Int], _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let all = axes.isEmpty ? Array(x.shape.indices) : axes
        let (targets, outputCount) = MeanKernel.reducedIndices(x.shape, axes: all)
        switch (reduction, x.storage) {
        case (.sum, .float32(let values)), (.l2, .float32(let values)):
            var sums = [Double](repeating: 0, count: outputCount)
            if reduction == .sum {
                for (index, value) in values.enumerated() { sums[targets[index]] += Double(value) }
                return Tensor(type: outputType, storage: .float32(sums.map { Float($0) }))
            }
            for (index, value) in values.enumerated() { sums[targets[index]] += Double(value) * Double(value) }
            return Tensor(type: outputType, storage: .float32(sums.map { Float($0.squareRoot()) }))
        case (.l2, _):
            throw KernelError("reduceL2 reads float32 only")
        case (.sum, _):
            guard let values = x.integers, x.type.quantization == nil else { throw KernelError("an integer reduceSum reads plain integers") }
            var sums = [Int64](repeating: 0, count: outputCount)
            for (index, value) in values.enumerated() { sums[targets[index]] &+= value }
            if outputType.elementType == .int64 { return Tensor(type: outputType, storage: .int64(sums)) }
            let bits = outputType.elementType.bitWidth, signed = outputType.elementType.isSigned
            return Tensor(type: outputType, storage: .int32(sums.map {
                Int32(truncatingIfNeeded: ElementwiseKernels.wrap($0, bits: bits, signed: signed))
            }))
        case (.max, _), (.min, _):
            guard x.type.quantization == outputType.quantization else {
                throw KernelError("reduce\(reduction == .max ? "Max" : "Min") on codes keeps the quantization")
            }
            guard x.count > 0 || outputCount == 0 else { throw KernelError("reduce\(reduction == .max ? "Max" : "Min") of an empty tensor") }
            let largest = reduction == .max
            func fold<Element: Comparable>(_ values: [Element]) -> [Element] {
                var result = [Element?](repeating: nil, count: outputCount)
                for (index, value) in values.enumerated() {
                    let target = targets[index]
                    if let current = result[target] { result[target] = largest ? Swift.max(current, value) : Swift.min(current, value) } else { result[target] = value }
                }
                return result.map { $0! }
            }
            switch x.storage {
            case .float32(let values):
                if values.contains(where: \.isNaN) {
                    var output = fold(values.map { $0.isNaN ? 0 : $0 })
                    for (index, value) in values.enumerated() where value.isNaN { output[targets[index]] = .nan }
                    return Tensor(type: outputType, storage: .float32(output))
                }
                return Tensor(type: outputType, storage: .float32(fold(values)))
            case .int32(let values): return Tensor(type: outputType, storage: .int32(fold(values)))
            case .int64(let values): return Tensor(type: outputType, storage: .int64(fold(values)))
            }
        }
    }
}
