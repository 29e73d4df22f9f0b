import KilnDiagnostics

extension Tensor {
    /// Splits a batch along its leading dimension into `count` tensors of `sampleShape` (which
    /// has as many elements as one slice); the element type and quantization are kept.
    /// - Throws: ``DiagnosticError`` at `place` unless the tensor holds exactly `count ≥ 1`
    ///   samples of `sampleShape` (an empty batch is an error: there is nothing to run).
    public func samples(_ count: Int, of sampleShape: [Int], place: String? = nil) throws(DiagnosticError) -> [Tensor] {
        guard count >= 1 else {
            throw DiagnosticError(.error("the batch is empty (shape \(shape)); give at least one sample", place: place))
        }
        guard let size = Shape.elementCount(sampleShape), size.multipliedReportingOverflow(by: count) == (self.count, false) else {
            throw DiagnosticError(.error("\(self.count) elements are not \(count) samples of shape \(sampleShape)", place: place))
        }
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
    /// - Throws: ``DiagnosticError`` at `place` if `tensors` is empty or a tensor's type differs
    ///   from the first one's.
    public static func stacked(_ tensors: [Tensor], place: String? = nil) throws(DiagnosticError) -> Tensor {
        guard let first = tensors.first else {
            throw DiagnosticError(.error("no samples to stack: the batch is empty", place: place))
        }
        if let index = tensors.firstIndex(where: { $0.type != first.type }) {
            throw DiagnosticError(.error("sample \(index) is \(tensors[index].type), sample 0 is \(first.type): samples must have one type",
                                         place: place))
        }
        let shape = [tensors.count] + (first.shape.first == 1 ? Array(first.shape.dropFirst()) : first.shape)
        let type = first.type.withShape(shape)
        switch first.storage {
        case .float32: return Tensor(type: type, storage: .float32(tensors.flatMap { $0.floats ?? [] }))
        case .int32: return Tensor(type: type, storage: .int32(tensors.flatMap { $0.codes ?? [] }))
        case .int64: return Tensor(type: type, storage: .int64(tensors.flatMap { $0.int64s ?? [] }))
        }
    }
}
