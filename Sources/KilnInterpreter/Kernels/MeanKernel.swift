import KilnIR

/// mean over axes in float32 (sums in double, rounded once). Integer means are defined by
/// TFLite's kernel (`TFLiteMeanKernel`); ONNX import never produces an integer mean.
enum MeanKernel {
    static func execute(axes: [Int], _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let values = x.floats else { throw KernelError("an integer mean needs TFLite semantics (the only runtime Kiln follows for it)") }
        let (targets, outputCount) = reducedIndices(x.shape, axes: axes)
        let count = values.count / max(outputCount, 1)
        var sums = [Double](repeating: 0, count: outputCount)
        for (index, value) in values.enumerated() { sums[targets[index]] += Double(value) }
        return Tensor(type: outputType, storage: .float32(sums.map { Float($0 / Double(max(count, 1))) }))
    }

    /// For every element of `shape`, the index of its output once `axes` are reduced, and the
    /// number of outputs.
    static func reducedIndices(_ shape: [Int], axes: [Int]) -> (targets: [Int], outputCount: Int) {
        let keptShape = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        let strides = Shape.strides(shape), keptStrides = Shape.strides(keptShape)
        let targets = (0 ..< (Shape.elementCount(shape) ?? 0)).map { index in
            shape.indices.reduce(0) { target, axis in
                axes.contains(axis) ? target : target + (index / strides[axis]) % shape[axis] * keptStrides[axis]
            }
        }
        return (targets, Shape.elementCount(keptShape) ?? 0)
    }
}
