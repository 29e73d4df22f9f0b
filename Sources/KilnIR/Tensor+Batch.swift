extension Tensor {
    /// Splits a batch along its leading dimension into `count` tensors of `sampleShape` (which
    /// has as many elements as one slice); the element type and quantization are kept.
    /// - Precondition: the tensor holds exactly `count` samples of `sampleShape`.
    public func samples(_ count: Int, of sampleShape: [Int]) -> [Tensor] {
        let size = Shape.elementCount(sampleShape) ?? 0
        precondition(size * count == self.count, "\(self.count) elements are not \(count) samples of \(sampleShape)")
        let sampleType = type.withShape(sampleShape)
        return (0..<count).map { index in
            let range = index * size ..< (index + 1) * size
            switch storage {
            case .float32(let values): return Tensor(type: sampleType, storage: .float32(Array(values[range])))
            case .int32(let values): return Tensor(type: sampleType, storage: .int32(Array(values[range])))
            case .int64(let values): return Tensor(type: sampleType, storage: .int64(Array(values[range])))
            }
        }
    }

    /// Stacks equally typed tensors along a new leading batch dimension (replacing a leading 1).
    /// - Precondition: `tensors` is not empty and every tensor has the first one's type.
    public static func stacked(_ tensors: [Tensor]) -> Tensor {
        let first = tensors[0]
        let shape = [tensors.count] + (first.shape.first == 1 ? Array(first.shape.dropFirst()) : first.shape)
        let type = first.type.withShape(shape)
        switch first.storage {
        case .float32: return Tensor(type: type, storage: .float32(tensors.flatMap { $0.floats! }))
        case .int32: return Tensor(type: type, storage: .int32(tensors.flatMap { $0.codes! }))
        case .int64: return Tensor(type: type, storage: .int64(tensors.flatMap { $0.int64s! }))
        }
    }
}
