import KilnIR

/// mean over axes in float32 (sums in double, rounded once). Integer means are defined by
/// TFLite's kernel (`TFLiteMeanKernel`); ONNX import never produces an integer mean.
enum MeanKernel {
    static func execute(axes: [Int], _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let values = x.floats else { throw KernelError("an integer mean needs TFLite semantics (the only runtime Kiln follows for it)") }
        let shape = x.shape
        let keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        let outputCount = Shape.elementCount(keptShape) ?? 0
        let count = values.count / max(outputCount, 1)
        let strides = Shape.strides(shape), keptStrides = Shape.strides(keptShape)
        var sums = [Double](repeating: 0, count: outputCount)
        for (index, value) in values.enumerated() {
            var target = 0
            for axis in shape.indices where !axes.contains(axis) { target += (index / strides[axis]) % shape[axis] * keptStrides[axis] }
            sums[target] += Double(value)
        }
        return Tensor(type: outputType, storage: .float32(sums.map { Float($0 / Double(max(count, 1))) }))
    }
}
