import KilnHostKernels
import KilnIR
import KilnNumerics

/// Scales an int32 accumulator to the output code of a conv2d / dense / matmul / requantize
/// node, per output channel, with the node's requantization rule (KilnNumerics' requantizers).
///
/// The real multiplier of channel `c` is `(inputScale · weightScale[c]) / outputScale`:
/// computed in float32 for the float-scale rule (ONNX Runtime), in double for the fixed-point
/// rule (TFLite's QuantizeMultiplier), and required to be `2^−k` for the power-of-two-shift
/// rule. With an unquantized int32 output the accumulator is returned unchanged (ConvInteger /
/// MatMulInteger semantics).
///
/// It is public so that a backend's kernels scale their accumulators exactly as the reference
/// does: a kernel that builds its output stage from this type cannot drift from the
/// specification when a rule's rounding is refined.
public struct Requantizer: Sendable {
    private enum Channels: Sendable {
        case passThrough
        case floatScale([FloatScaleRequantizer])
        case fixedPoint([FixedPointRequantizer])
        case shift([PowerOfTwoShiftRequantizer])
    }
    private let channels: Channels

    /// Creates the per-channel requantizers of one node.
    /// - Parameters:
    ///   - rule: the node's ``RequantizationRule`` (`Node.requantization`).
    ///   - input: the activation input's type (its scale is the accumulator's input scale).
    ///   - weight: the weight operand's type, or nil when the accumulator has only the input's scale.
    ///   - output: the node's output type; unquantized means the int32 accumulator is the output.
    ///   - channels: the number of output channels (per-axis weight scales are indexed by channel).
    /// - Throws: ``KernelError`` when a scale is missing or not positive, a zero point is outside
    ///   the output type, or a shift rule's multiplier is not `2^−k`.
    public init(rule: RequantizationRule, input: TensorType, weight: TensorType?, output: TensorType, channels count: Int) throws(KernelError) {
        guard let outputQuantization = output.quantization else {
            channels = .passThrough
            return
        }
        guard let inputQuantization = input.quantization else {
            throw KernelError("a quantized output needs a quantized input")
        }
        let inputScale = inputQuantization.scale(at: 0)
        let outputScale = outputQuantization.scale(at: 0)
        let zeroPoint = outputQuantization.zeroPoint(at: 0)
        let weightScales = (0..<count).map { weight?.quantization?.scale(at: $0) ?? 1 }
        do {
            switch rule {
            case .floatScale:
                channels = .floatScale(try weightScales.map {
                    try FloatScaleRequantizer(inputScale: inputScale, weightScale: $0, outputScale: outputScale,
                                              zeroPoint: zeroPoint, outputType: output.elementType)
                })
            case .fixedPointMultiplier:
                channels = .fixedPoint(try weightScales.map {
                    let real = Double(inputScale) * Double($0) / Double(outputScale)
                    return try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: real), zeroPoint: zeroPoint,
                                                     outputType: output.elementType)
                })
            case .powerOfTwoShift:
                channels = .shift(try weightScales.map { weightScale throws in
                    let multiplier = Double(inputScale) * Double(weightScale) / Double(outputScale)
                    let exponent = multiplier.exponent
                    guard multiplier.significand == 1, exponent <= 0 else {
                        throw NumericsError.invalidArgument("requantization multiplier \(multiplier) is not 2^-k (k ≥ 0), as a shift needs")
                    }
                    return try PowerOfTwoShiftRequantizer(shift: Int(-exponent), zeroPoint: zeroPoint, outputType: output.elementType)
                })
            }
        } catch let error as KernelError {
            throw error
        } catch {
            throw KernelError("cannot requantize to \(output): \(error)")
        }
    }

    /// The output code for accumulator `value` of output channel `channel`.
    /// - Complexity: O(1).
    /// Whether the output is requantized at all (false for an unquantized int32 output).
    public var requantizes: Bool {
        if case .passThrough = channels { return false }
        return true
    }

    @inline(__always)
    public func apply(_ value: Int32, channel: Int) -> Int32 {
        switch channels {
        case .passThrough: value
        case .floatScale(let all): all[all.count == 1 ? 0 : channel].apply(value)
        case .fixedPoint(let all): all[all.count == 1 ? 0 : channel].apply(value)
        case .shift(let all): all[all.count == 1 ? 0 : channel].apply(Int64(value))
        }
    }

    /// Requantizes `count` accumulators of output channel `channel`, read `sourceStride` apart
    /// from `source` and written `destinationStride` apart to `destination` (the two may be the
    /// same memory). The rule is chosen once per call, not per element; each element gets
    /// exactly ``apply(_:channel:)``'s result. Contiguous float-scale runs take the host's vector
    /// kernel when it has one (``HostVectorKernels``; the same float32 arithmetic and rounding).
    public func apply(channel: Int, count: Int, from source: UnsafePointer<Int32>, stride sourceStride: Int,
                      into destination: UnsafeMutablePointer<Int32>, stride destinationStride: Int,
                      hostLevel: kiln_pair_gemm_level = HostVectorKernels.level) {
        @inline(__always)
        func run(_ scale: (Int32) -> Int32) {
            for index in 0..<count { destination[index * destinationStride] = scale(source[index * sourceStride]) }
        }
        switch channels {
        case .passThrough: run { $0 }
        case .floatScale(let all):
            let requantizer = all[all.count == 1 ? 0 : channel]
            if hostLevel != KILN_PAIR_GEMM_NONE, sourceStride == 1, destinationStride == 1,
               requantizer.minimumCode >= -32768, requantizer.maximumCode <= 65535 {
                // The code range minus the zero point: integers below 2¹⁷, exact in float32.
                kiln_requantize_float_scale(hostLevel, count, source, destination, requantizer.multiplier,
                                            Float(requantizer.minimumCode - requantizer.zeroPoint),
                                            Float(requantizer.maximumCode - requantizer.zeroPoint), requantizer.zeroPoint)
            } else {
                run { requantizer.apply($0) }
            }
        case .fixedPoint(let all):
            let requantizer = all[all.count == 1 ? 0 : channel]
            run { requantizer.apply($0) }
        case .shift(let all):
            let requantizer = all[all.count == 1 ? 0 : channel]
            run { requantizer.apply(Int64($0)) }
        }
    }

    /// Requantizes a contiguous run of accumulators of channel `channel` in place (an NCHW plane).
    public func apply(channel: Int, inPlace values: UnsafeMutableBufferPointer<Int32>) {
        guard let base = values.baseAddress else { return }
        apply(channel: channel, count: values.count, from: base, stride: 1, into: base, stride: 1)
    }
}
