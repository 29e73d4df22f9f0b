import KilnIR

/// slice: exact on any storage; output index `(i_0, …)` reads input `(start_a + i_a · step_a)_a`.
enum SliceKernel {
    static func execute(_ attributes: Slice, _ x: Tensor, _ outputType: TensorType) -> Tensor {
        let inputStrides = Shape.strides(x.shape), outputStrides = Shape.strides(attributes.counts)
        let count = Shape.elementCount(attributes.counts) ?? 0
        let offsets = (0..<count).map { index in
            x.shape.indices.reduce(0) { offset, axis in
                let position = (index / outputStrides[axis]) % attributes.counts[axis]
                return offset + (attributes.starts[axis] + position * attributes.steps[axis]) * inputStrides[axis]
            }
        }
        return DataMovementKernels.gather(x, offsets, outputType)
    }
}
