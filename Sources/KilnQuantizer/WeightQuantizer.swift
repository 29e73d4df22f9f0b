import KilnIR
import KilnNumerics

/// Quantizes the constant operands of multiply-accumulate layers: weights (integer symmetric or
/// binary, per channel or per tensor) and int32 biases.
public enum WeightQuantizer {
    /// Symmetric integer weights: zero point 0 and, per output channel (or for the whole tensor),
    /// `scale = max|w| / (2^(bits−1) − 1)`; codes `roundHalfToEven(w / scale)` clamped to ±(2^(bits−1) − 1).
    ///
    /// - Parameters:
    ///   - weights: the float weights.
    ///   - channelAxis: the output-channel axis of `weights` (0 for conv2d OIHW, 1 for dense `[K, N]`),
    ///     or nil for one scale for the whole tensor.
    ///   - bits: the code width, `2...8`.
    /// - Returns: a signed-integer tensor with its quantization parameters. An all-zero channel gets scale 1.
    public static func symmetricIntegerWeights(_ weights: Tensor, channelAxis: Int?, bits: Int) throws -> Tensor {
        let values = weights.floats ?? weights.doubles.map(Float.init)
        let scheme = try QuantizationScheme(bits: bits, signed: true, symmetric: true, narrowRange: true)
        let parameters: QuantizationParameters
        if let channelAxis {
            let magnitudes = channelMaxima(values, shape: weights.shape, axis: channelAxis)
            let perChannel = try magnitudes.map { try scheme.parameters(minimum: -$0, maximum: $0) }
            parameters = QuantizationParameters(scales: perChannel.map { $0.scales[0] },
                                                zeroPoints: [Int32](repeating: 0, count: perChannel.count), axis: channelAxis)
        } else {
            let magnitude = values.reduce(Float(0)) { Swift.max($0, abs($1).isFinite ? abs($1) : 0) }
            parameters = try scheme.parameters(minimum: -magnitude, maximum: magnitude)
        }
        let type = scheme.elementType
        let codes = try LinearQuantization.quantize(values, shape: weights.shape, parameters: parameters, to: type)
        let clamped = codes.map { Swift.max($0, Int32(scheme.minimumCode)) }
        return Tensor(shape: weights.shape, elementType: type, codes: clamped, quantization: parameters)
    }

    /// Weights in a small float format: per output channel (or per tensor when `channelAxis` is
    /// nil) the scale maps the slice's largest finite |w| onto the format's largest finite value
    /// (FP8), or is 1 (FP16 and BF16, whose range holds any trained weight: the weights are just
    /// rounded); codes `encode(w / scale)`, round to nearest even, saturating. An all-zero slice gets scale 1.
    public static func floatWeights(_ weights: Tensor, channelAxis: Int?, format: FloatFormat) throws -> Tensor {
        let values = weights.floats ?? weights.doubles.map(Float.init)
        let maxima = channelAxis.map { channelMaxima(values, shape: weights.shape, axis: $0) }
            ?? [values.reduce(Float(0)) { Swift.max($0, $1.isFinite ? abs($1) : 0) }]
        let rescale = format.bitWidth == 8
        let scales = maxima.map { rescale && $0 > 0 ? $0 / format.largestFinite : Float(1) }
        let parameters = QuantizationParameters(scales: scales, zeroPoints: [Int32](repeating: 0, count: scales.count),
                                                axis: channelAxis)
        let codes = try ScaledFloatQuantization.quantize(values, shape: weights.shape, parameters: parameters, format: format)
        return Tensor(shape: weights.shape, elementType: .floatingPoint(format), codes: codes, quantization: parameters)
    }

    /// Binary or ternary weights with per-slice scales: binary codes `sign(w)` (+1 at 0) with scale
    /// `mean |w|`; ternary codes `sign(w)` where `|w| > 0.7 · mean |w|`, else 0, with scale the mean
    /// |w| of the nonzero codes. Slices are output channels along `channelAxis`, or the whole
    /// tensor when it is nil; an all-zero slice gets scale 1.
    public static func scaledSignWeights(_ weights: Tensor, channelAxis: Int?, ternary: Bool) -> Tensor {
        let values = weights.floats ?? weights.doubles.map(Float.init)
        let channels = channelAxis.map { weights.shape[$0] } ?? 1
        let stride = channelAxis.map { Shape.strides(weights.shape)[$0] } ?? 1
        let slice = { (index: Int) in channelAxis == nil ? 0 : (index / stride) % channels }
        var sums = [Double](repeating: 0, count: channels), counts = [Int](repeating: 0, count: channels)
        for (index, value) in values.enumerated() where value.isFinite { sums[slice(index)] += Double(abs(value)); counts[slice(index)] += 1 }
        let thresholds = (0 ..< channels).map { ternary && counts[$0] > 0 ? 0.7 * sums[$0] / Double(counts[$0]) : -1 }
        var codes = [Int32](repeating: 0, count: values.count)
        var kept = [Double](repeating: 0, count: channels), keptCount = [Int](repeating: 0, count: channels)
        for (index, value) in values.enumerated() {
            let channel = slice(index)
            guard Double(abs(value)) > thresholds[channel] || !ternary else { continue }
            codes[index] = value >= 0 || value.isNaN ? 1 : -1
            if value.isFinite { kept[channel] += Double(abs(value)); keptCount[channel] += 1 }
        }
        let scales = (0 ..< channels).map { keptCount[$0] > 0 && kept[$0] > 0 ? Float(kept[$0] / Double(keptCount[$0])) : 1 }
        let parameters = QuantizationParameters(scales: scales, zeroPoints: [Int32](repeating: 0, count: channels), axis: channelAxis)
        return Tensor(shape: weights.shape, elementType: ternary ? .integer(bits: 2, signed: true) : .binary,
                      codes: codes, quantization: parameters)
    }

    /// Binary (±1) weights when every weight of each output channel has the same magnitude
    /// `s_c > 0`: codes `sign(w)`, scale `s_c` per channel along `channelAxis`, zero point 0.
    ///
    /// A channel whose float weights are `±1 · s` with a negative `s` (a negative batch-norm
    /// factor folded in) is the same channel with its ±1 weights negated and scale `|s|`, so the
    /// scales are always positive.
    /// - Returns: the binary tensor, or nil if some channel has weights of different magnitudes,
    ///   a zero or a non-finite weight.
    public static func binaryWeights(_ weights: Tensor, channelAxis: Int) -> Tensor? {
        guard let values = weights.floats, !values.isEmpty, channelAxis < weights.shape.count else { return nil }
        let strides = Shape.strides(weights.shape)
        let channels = weights.shape[channelAxis]
        var magnitudes = [Float?](repeating: nil, count: channels)
        for (index, value) in values.enumerated() {
            let channel = (index / strides[channelAxis]) % channels
            let magnitude = abs(value)
            guard magnitude.isFinite, magnitude > 0 else { return nil }
            if let known = magnitudes[channel] {
                guard abs(known - magnitude) <= known * 1e-6 else { return nil }
            } else {
                magnitudes[channel] = magnitude
            }
        }
        let scales = magnitudes.map { $0 ?? 1 }
        let parameters = QuantizationParameters(scales: scales, zeroPoints: [Int32](repeating: 0, count: channels), axis: channelAxis)
        return Tensor(shape: weights.shape, elementType: .binary, codes: values.map { $0 >= 0 ? 1 : -1 }, quantization: parameters)
    }

    /// An int32 bias with scale `inputScale · weightScale[c]` (a float32 product, as ONNX Runtime
    /// computes it) and zero point 0: `code = roundHalfToEven(b / scale)` in double, saturated to int32.
    ///
    /// - Parameters:
    ///   - bias: the float bias, one value per output channel.
    ///   - inputScale: the scale of the layer's input codes.
    ///   - weights: the quantized weights (their per-channel or per-tensor scales).
    /// - Returns: the int32 bias, per-axis along 0 when the weights are per channel.
    public static func bias(_ bias: Tensor, inputScale: Float, weights: Tensor) -> Tensor {
        let values = bias.floats ?? bias.doubles.map(Float.init)
        let weightParameters = weights.type.quantization ?? QuantizationParameters(scale: 1)
        let perChannel = !weightParameters.isPerTensor
        let scales = perChannel ? weightParameters.scales.map { inputScale * $0 } : [inputScale * weightParameters.scales[0]]
        let codes = values.indices.map { index -> Int32 in
            let scale = scales[perChannel ? index % scales.count : 0]
            return roundedCode(Double(values[index]) / Double(scale))
        }
        let parameters = perChannel
            ? QuantizationParameters(scales: scales, zeroPoints: [Int32](repeating: 0, count: scales.count), axis: 0)
            : QuantizationParameters(scale: scales[0])
        return Tensor(shape: bias.shape, elementType: .int32, codes: codes, quantization: parameters)
    }

    /// `value` rounded half to even and saturated to the int32 range (NaN gives 0).
    public static func roundedCode(_ value: Double) -> Int32 {
        guard !value.isNaN else { return 0 }
        let rounded = value.rounded(.toNearestOrEven)
        return Int32(Swift.min(Swift.max(rounded, Double(Int32.min)), Double(Int32.max)))
    }

    /// The largest finite |w| of each slice along `axis`.
    static func channelMaxima(_ values: [Float], shape: [Int], axis: Int) -> [Float] {
        let channels = shape[axis]
        let stride = Shape.strides(shape)[axis]
        var maxima = [Float](repeating: 0, count: channels)
        for (index, value) in values.enumerated() where value.isFinite {
            let channel = (index / stride) % channels
            maxima[channel] = Swift.max(maxima[channel], abs(value))
        }
        return maxima
    }
}
