import KilnIR

/// where and expand: exact on any storage (elements are copied, never computed).
enum SelectionKernels {
    /// `condition ? x : y` elementwise, all three broadcast to the output shape.
    static func select(_ condition: Tensor, _ x: Tensor, _ y: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let flags = condition.codes else { throw KernelError("where's condition must be bool") }
        let count = Shape.elementCount(outputType.shape) ?? 0
        let c = BroadcastIndex(from: condition.shape, to: outputType.shape)
        let left = BroadcastIndex(from: x.shape, to: outputType.shape)
        let right = BroadcastIndex(from: y.shape, to: outputType.shape)
        func pick<Element>(_ a: [Element], _ b: [Element]) -> [Element] {
            (0..<count).map { index in flags[c.sourceOffset(index)] != 0 ? a[left.sourceOffset(index)] : b[right.sourceOffset(index)] }
        }
        switch (x.storage, y.storage) {
        case (.float32(let a), .float32(let b)): return Tensor(type: outputType, storage: .float32(pick(a, b)))
        case (.int32(let a), .int32(let b)): return Tensor(type: outputType, storage: .int32(pick(a, b)))
        case (.int64(let a), .int64(let b)): return Tensor(type: outputType, storage: .int64(pick(a, b)))
        default: throw KernelError("where's x and y must have the same storage")
        }
    }

    /// x broadcast to the output shape.
    static func expand(_ x: Tensor, _ outputType: TensorType) -> Tensor {
        let index = BroadcastIndex(from: x.shape, to: outputType.shape)
        let offsets = (0 ..< (Shape.elementCount(outputType.shape) ?? 0)).map(index.sourceOffset)
        return DataMovementKernels.gather(x, offsets, outputType)
    }
}
