import KilnIR

/// gather: exact on any storage; every index must lie in `0..<x.shape[axis]` (negative or
/// larger indices are an error, as in TFLite).
enum GatherKernel {
    static func execute(axis: Int, _ x: Tensor, _ indices: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let positions = indices.integers else { throw KernelError("gather needs integer indices") }
        let size = x.shape[axis]
        if let bad = positions.first(where: { $0 < 0 || $0 >= Int64(size) }) {
            throw KernelError("gather index \(bad) is outside 0..<\(size)")
        }
        let outer = Shape.elementCount(Array(x.shape[..<axis])) ?? 0
        let inner = Shape.elementCount(Array(x.shape[(axis + 1)...])) ?? 0
        var offsets: [Int] = []
        offsets.reserveCapacity(outer * positions.count * inner)
        for o in 0..<outer {
            for position in positions {
                let base = (o * size + Int(position)) * inner
                for i in 0..<inner { offsets.append(base + i) }
            }
        }
        return DataMovementKernels.gather(x, offsets, outputType)
    }
}
