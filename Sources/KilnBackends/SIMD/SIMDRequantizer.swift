import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The requantization epilogue of a SIMD GEMM kernel: per output channel, the node's rule with
/// the multiplier computed exactly as the reference interpreter computes it.
///
/// * `fixedPointMultiplier` (Arm, gemmlowp / TFLite): `sqrdmulh` by the Q31 multiplier, then a
///   rounding right shift (`srshl` with the fix-up), add the zero point, saturate (`sqxtun`).
///   The multiplier comes from the double `inputScale · weightScale / outputScale`.
/// * `floatScale` (ONNX Runtime): `vcvtdq2ps`, `vmulps` by the float32 multiplier
///   `(inputScale · weightScale) / outputScale`, `vcvtps2dq` (round to nearest even), add the
///   zero point, saturate (`vpackusdw` / `vpackuswb`).
/// * An unquantized int32 output passes the accumulator through.
struct SIMDRequantizer: Sendable {
    private enum Channels: Sendable {
        case passThrough
        case floatScale([FloatScaleRequantizer])
        case fixedPoint([FixedPointRequantizer])
    }
    private let channels: Channels
    /// The rule, for listings.
    let rule: RequantizationRule
    /// Whether the output is requantized at all.
    var isPassThrough: Bool { if case .passThrough = channels { true } else { false } }

    /// - Throws: ``DiagnosticError`` naming the node when the scales give no valid multiplier or
    ///   the rule is one the SIMD kernels do not implement.
    init(node: Node, input: TensorType, weight: TensorType?, output: TensorType, channels count: Int) throws(DiagnosticError) {
        rule = node.requantization
        guard let outputQuantization = output.quantization else { channels = .passThrough; return }
        guard let inputQuantization = input.quantization else {
            throw DiagnosticError(.error("a quantized output needs a quantized input", place: node.place))
        }
        let inputScale = inputQuantization.scale(at: 0), outputScale = outputQuantization.scale(at: 0)
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
                    try FixedPointRequantizer(multiplier: FixedPointMultiplier(real: Double(inputScale) * Double($0) / Double(outputScale)),
                                              zeroPoint: zeroPoint, outputType: output.elementType)
                })
            case .powerOfTwoShift:
                throw DiagnosticError(.error("the simd kernels requantize with floatScale or fixedPointMultiplier, not powerOfTwoShift", place: node.place))
            }
        } catch let error as DiagnosticError {
            throw error
        } catch {
            throw DiagnosticError(.error("cannot requantize to \(output): \(error)", place: node.place))
        }
    }

    /// The output code of accumulator `value` in channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        switch channels {
        case .passThrough: value
        case .floatScale(let all): all[all.count == 1 ? 0 : channel].apply(value)
        case .fixedPoint(let all): all[all.count == 1 ? 0 : channel].apply(value)
        }
    }

    /// Requantizes a row-major `[rows][columns]` block of accumulators whose column is the channel.
    func apply(rows: Int, columns: Int, _ values: UnsafeMutablePointer<Int32>) {
        switch channels {
        case .passThrough: return
        case .floatScale(let all):
            for m in 0..<rows { for n in 0..<columns { values[m * columns + n] = all[all.count == 1 ? 0 : n].apply(values[m * columns + n]) } }
        case .fixedPoint(let all):
            for m in 0..<rows { for n in 0..<columns { values[m * columns + n] = all[all.count == 1 ? 0 : n].apply(values[m * columns + n]) } }
        }
    }

    /// Vector ALU operations per output element (multiply, round/shift, add zero point, saturate).
    var aluOperationsPerOutput: Int { isPassThrough ? 0 : 4 }

    /// One line for listings.
    var summary: String {
        switch channels {
        case .passThrough: "no requantization (int32 output)"
        case .floatScale: "requantize floatScale: int32 → f32, × f32 multiplier per channel, round half to even, + zp, saturate"
        case .fixedPoint: "requantize fixedPointMultiplier: sqrdmulh Q31 multiplier per channel, rounding shift, + zp, saturate"
        }
    }
}
