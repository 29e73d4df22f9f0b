import KilnIR
import KilnNumerics

/// reshape, flatten, squeeze, unsqueeze, transpose, concat and pad: exact on codes.
enum DataMovementKernels {
    /// reshape / flatten / squeeze / unsqueeze: same elements, new shape.
    static func retype(_ x: Tensor, _ outputType: TensorType) -> Tensor {
        Tensor(type: outputType, storage: x.storage)
    }

    static func transpose(_ permutation: [Int], _ x: Tensor, _ outputType: TensorType) -> Tensor {
        let inputStrides = Shape.strides(x.shape)
        let outputShape = outputType.shape
        let count = x.count
        // For each output position, the input offset: walk the output in order with an odometer.
        var offsets = [Int](repeating: 0, count: count)
        var coordinate = [Int](repeating: 0, count: outputShape.count)
        var offset = 0
        for index in 0..<count {
            offsets[index] = offset
            var axis = outputShape.count - 1
            while axis >= 0 {
                coordinate[axis] += 1
                offset += inputStrides[permutation[axis]]
                if coordinate[axis] < outputShape[axis] { break }
                offset -= coordinate[axis] * inputStrides[permutation[axis]]
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return gather(x, offsets, outputType)
    }

    static func concat(_ axis: Int, _ inputs: [Tensor], _ outputType: TensorType) -> Tensor {
        let outer = Shape.elementCount(Array(outputType.shape[..<axis])) ?? 0
        let inner = Shape.elementCount(Array(outputType.shape[(axis + 1)...])) ?? 0
        // Inputs with other quantization parameters are requantized to the output's in float32.
        let converted = inputs.map { input -> Tensor in
            guard outputType.quantization != nil, input.type.quantization != outputType.quantization,
                  let codes = input.codes, let quantization = outputType.quantization else { return input }
            let dequantizer = Dequantizer(input.type)
            let quantizer = Quantizer(outputType, quantization: quantization)
            return Tensor(type: outputType.withShape(input.shape), storage: .int32(codes.map { quantizer.code(dequantizer.value($0)) }))
        }
        switch outputType.elementType.storage {
        case .float32:
            var output: [Float] = []
            output.reserveCapacity(outer * inner * outputType.shape[axis])
            for o in 0..<outer {
                for input in converted {
                    let block = input.shape[axis] * inner
                    output.append(contentsOf: input.floats![o * block ..< (o + 1) * block])
                }
            }
            return Tensor(type: outputType, storage: .float32(output))
        case .int32:
            var output: [Int32] = []
            for o in 0..<outer {
                for input in converted {
                    let block = input.shape[axis] * inner
                    output.append(contentsOf: input.codes![o * block ..< (o + 1) * block])
                }
            }
            return Tensor(type: outputType, storage: .int32(output))
        case .int64:
            var output: [Int64] = []
            for o in 0..<outer {
                for input in converted {
                    let block = input.shape[axis] * inner
                    output.append(contentsOf: input.int64s![o * block ..< (o + 1) * block])
                }
            }
            return Tensor(type: outputType, storage: .int64(output))
        }
    }

    /// Pads by walking output coordinates; padded positions read a source index (reflect / edge)
    /// or get the constant (quantized to the zero-point-relative code for quantized tensors).
    static func pad(_ attributes: Padding, _ x: Tensor, _ outputType: TensorType) -> Tensor {
        let rank = x.shape.count
        let inputStrides = Shape.strides(x.shape)
        let outputShape = outputType.shape
        let count = Shape.elementCount(outputShape) ?? 0
        var offsets = [Int](repeating: -1, count: count)
        var coordinate = [Int](repeating: 0, count: rank)
        for index in 0..<count {
            var offset = 0
            var inside = true
            for axis in 0..<rank {
                var source = coordinate[axis] - attributes.pads[axis]
                let size = x.shape[axis]
                if source < 0 || source >= size {
                    switch attributes.mode {
                    case .constant: inside = false
                    case .edge: source = min(max(source, 0), size - 1)
                    case .reflect:
                        let period = max(2 * (size - 1), 1)
                        var folded = source % period
                        if folded < 0 { folded += period }
                        source = folded < size ? folded : period - folded
                    }
                }
                if !inside { break }
                offset += source * inputStrides[axis]
            }
            offsets[index] = inside ? offset : -1
            var axis = rank - 1
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < outputShape[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        switch x.storage {
        case .float32(let values):
            return Tensor(type: outputType, storage: .float32(offsets.map { $0 < 0 ? attributes.value : values[$0] }))
        case .int32(let values):
            let fill: Int32 = outputType.quantization.map { Quantizer(outputType, quantization: $0).code(attributes.value) }
                ?? Int32(clamping: Int64(attributes.value.rounded(.toNearestOrEven)))
            return Tensor(type: outputType, storage: .int32(offsets.map { $0 < 0 ? fill : values[$0] }))
        case .int64(let values):
            let fill = Int64(attributes.value.rounded(.toNearestOrEven))
            return Tensor(type: outputType, storage: .int64(offsets.map { $0 < 0 ? fill : values[$0] }))
        }
    }

    /// The elements of `x` at `offsets`, as a tensor of `outputType`.
    static func gather(_ x: Tensor, _ offsets: [Int], _ outputType: TensorType) -> Tensor {
        switch x.storage {
        case .float32(let values): Tensor(type: outputType, storage: .float32(offsets.map { values[$0] }))
        case .int32(let values): Tensor(type: outputType, storage: .int32(offsets.map { values[$0] }))
        case .int64(let values): Tensor(type: outputType, storage: .int64(offsets.map { values[$0] }))
        }
    }
}
