import KilnIR
import KilnNumerics

/// quantize, dequantize, requantize, dynamicQuantize and multiThreshold.
enum QuantizationKernels {
    /// For each flat index, the index of its slice along the quantization axis.
    static func sliceIndex(_ shape: [Int], _ quantization: QuantizationParameters) -> (Int) -> Int {
        guard let axis = quantization.axis, quantization.scales.count > 1 else { return { _ in 0 } }
        let inner = Shape.elementCount(Array(shape.dropFirst(axis + 1))) ?? 1
        let size = shape[axis]
        return { ($0 / inner) % size }
    }

    /// `code = saturate(roundHalfEven(x / scale) + zeroPoint)`, float32 division (ONNX QuantizeLinear);
    /// for a small float output format, `code = encode(x / scale)` rounded to nearest even and saturating.
    static func quantize(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let values = x.floats, let quantization = outputType.quantization else {
            throw KernelError("quantize needs float32 input and a quantized output type")
        }
        let slice = sliceIndex(x.shape, quantization)
        if let format = outputType.elementType.floatFormat {
            let codes = values.indices.map { ScaledFloatQuantization.quantize(values[$0], scale: quantization.scale(at: slice($0)), format: format) }
            return Tensor(type: outputType, storage: .int32(codes))
        }
        let minimum = Int32(clamping: outputType.elementType.minimumCode)
        let maximum = Int32(clamping: outputType.elementType.maximumCode)
        var output = [Int32](repeating: 0, count: values.count)
        for index in 0..<values.count {
            let s = slice(index)
            output[index] = LinearQuantization.quantize(values[index], scale: quantization.scale(at: s),
                                                        zeroPoint: quantization.zeroPoint(at: s), minimumCode: minimum, maximumCode: maximum)
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// `real = (code − zeroPoint) · scale` in float32 (ONNX DequantizeLinear); `decode(code) · scale`
    /// for a small float input format.
    static func dequantize(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes, let quantization = x.type.quantization else {
            throw KernelError("dequantize needs quantized input")
        }
        let slice = sliceIndex(x.shape, quantization)
        if let format = x.type.elementType.floatFormat {
            let values = codes.indices.map { ScaledFloatQuantization.dequantize(codes[$0], scale: quantization.scale(at: slice($0)), format: format) }
            return Tensor(type: outputType, storage: .float32(values))
        }
        var output = [Float](repeating: 0, count: codes.count)
        for index in 0..<codes.count {
            let s = slice(index)
            output[index] = LinearQuantization.dequantize(codes[index], scale: quantization.scale(at: s),
                                                          zeroPoint: quantization.zeroPoint(at: s))
        }
        return Tensor(type: outputType, storage: .float32(output))
    }

    /// `code − inputZeroPoint` scaled by `inputScale / outputScale` with the node's rule.
    static func requantize(_ x: Tensor, _ outputType: TensorType, rule: RequantizationRule) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("requantize needs integer input") }
        var input = x.type
        if input.quantization == nil { input.quantization = QuantizationParameters(scale: 1) }
        let requantizer = try Requantizer(rule: rule, input: input, weight: nil, output: outputType, channels: 1)
        let zero = input.quantization!.zeroPoint(at: 0)
        return Tensor(type: outputType, storage: .int32(codes.map { requantizer.apply($0 &- zero, channel: 0) }))
    }

    /// ONNX DynamicQuantizeLinear: range `[min(0, min x), max(0, max x)]`, `scale = range / 255`,
    /// `zeroPoint = saturate(roundHalfEven(−min / scale))`, then quantize. All in float32. An all-zero
    /// input gets scale 0, zero point 0 and codes 0.
    static func dynamicQuantize(_ x: Tensor, _ outputTypes: [TensorType]) throws(KernelError) -> [Tensor] {
        guard let values = x.floats else { throw KernelError("dynamicQuantize needs float32 input") }
        let low = min(0, values.min() ?? 0), high = max(0, values.max() ?? 0)
        let scale = (high - low) / 255
        guard scale > 0 else {
            return [Tensor(type: outputTypes[0], storage: .int32([Int32](repeating: 0, count: values.count))),
                    Tensor(type: outputTypes[1], storage: .float32([0])),
                    Tensor(type: outputTypes[2], storage: .int32([0]))]
        }
        let zeroPoint = LinearQuantization.quantize(0 - low, scale: scale, zeroPoint: 0, minimumCode: 0, maximumCode: 255)
        let codes = values.map { LinearQuantization.quantize($0, scale: scale, zeroPoint: zeroPoint, minimumCode: 0, maximumCode: 255) }
        return [Tensor(type: outputTypes[0], storage: .int32(codes)),
                Tensor(type: outputTypes[1], storage: .float32([scale])),
                Tensor(type: outputTypes[2], storage: .int32([zeroPoint]))]
    }

    /// `y = offset + #{t : x ≥ thresholds[channel][t]}`; float thresholds compare real values,
    /// integer thresholds compare codes.
    static func multiThreshold(_ attributes: MultiThreshold, _ x: Tensor, _ thresholds: Tensor,
                               _ outputType: TensorType) throws(KernelError) -> Tensor {
        let rows = thresholds.shape[0], perRow = thresholds.shape[1]
        let channels = x.shape[attributes.channelAxis]
        let inner = Shape.elementCount(Array(x.shape.dropFirst(attributes.channelAxis + 1))) ?? 1
        let table = thresholds.doubles
        let values = x.doubles
        var output = [Int32](repeating: 0, count: values.count)
        for index in 0..<values.count {
            let row = rows == 1 ? 0 : (index / inner) % channels
            var count = 0
            for t in 0..<perRow where values[index] >= table[row * perRow + t] { count += 1 }
            let code = Int64(count) + Int64(attributes.offset)
            guard outputType.elementType.contains(code) || outputType.elementType == .binary else {
                throw KernelError("multiThreshold result \(code) does not fit \(outputType.elementType.name)")
            }
            output[index] = Int32(code)
        }
        return Tensor(type: outputType, storage: .int32(output))
    }
}
