import KilnDiagnostics
import KilnIR
import KilnInterpreter
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
/// * A dense node with TensorFlow Lite semantics: TFLite's FULLY_CONNECTED output stage, single
///   rounding (`smull`/`sqrshrn`-style: the 64-bit product rounded once), as the reference's
///   ``TFLiteFullyConnectedOutputStage`` defines it.
/// * An unquantized int32 output passes the accumulator through.
struct SIMDRequantizer: Sendable {
    /// The reference interpreter's requantizer: the epilogue scales exactly as the definition does.
    private let base: Requantizer
    /// TFLite's FULLY_CONNECTED stage, in place of `base` for a dense node with TFLite semantics.
    private let fullyConnected: TFLiteFullyConnectedOutputStage?
    /// The rule, for listings.
    let rule: RequantizationRule
    /// Whether the output is requantized at all.
    var isPassThrough: Bool { !base.requantizes }

    /// - Throws: ``DiagnosticError`` naming the node when the scales give no valid multiplier or
    ///   the rule is one the SIMD kernels do not implement.
    init(node: Node, input: TensorType, weight: TensorType?, output: TensorType, channels count: Int) throws(DiagnosticError) {
        rule = node.requantization
        if output.quantization != nil && rule == .powerOfTwoShift {
            throw DiagnosticError(.error("the simd kernels requantize with floatScale or fixedPointMultiplier, not powerOfTwoShift", place: node.place))
        }
        do {
            base = try Requantizer(rule: rule, input: input, weight: weight, output: output, channels: count)
            if node.semantics == .tensorFlowLite, node.kind == .dense, output.quantization != nil, let weight {
                fullyConnected = try TFLiteFullyConnectedOutputStage(input: input, weight: weight, output: output, units: count)
            } else {
                fullyConnected = nil
            }
        } catch {
            throw DiagnosticError(.error(error.message, place: node.place))
        }
    }

    /// The output code of accumulator `value` in channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        fullyConnected?.apply(value, unit: channel) ?? base.apply(value, channel: channel)
    }

    /// Requantizes `count` accumulators of channel `channel`, read `sourceStride` apart from
    /// `source` and written `destinationStride` apart to `destination` (possibly the same memory);
    /// the stage is chosen once per call, not per element.
    func apply(channel: Int, count: Int, from source: UnsafePointer<Int32>, stride sourceStride: Int,
               into destination: UnsafeMutablePointer<Int32>, stride destinationStride: Int) {
        if let fullyConnected {
            for index in 0..<count { destination[index * destinationStride] = fullyConnected.apply(source[index * sourceStride], unit: channel) }
        } else {
            base.apply(channel: channel, count: count, from: source, stride: sourceStride, into: destination, stride: destinationStride)
        }
    }

    /// Requantizes a row-major `[rows][columns]` block of accumulators whose column is the channel.
    func apply(rows: Int, columns: Int, _ values: UnsafeMutablePointer<Int32>) {
        guard base.requantizes else { return }
        for n in 0..<columns { apply(channel: n, count: rows, from: values + n, stride: columns, into: values + n, stride: columns) }
    }

    /// Vector ALU operations per output element (multiply, round/shift, add zero point, saturate).
    var aluOperationsPerOutput: Int { isPassThrough ? 0 : 4 }

    /// One line for listings.
    var summary: String {
        guard base.requantizes else { return "no requantization (int32 output)" }
        if fullyConnected != nil { return "requantize as TFLite's FULLY_CONNECTED: Q31 multiplier per channel, 64-bit product rounded once, + zp, saturate" }
        switch rule {
        case .floatScale: return "requantize floatScale: int32 → f32, × f32 multiplier per channel, round half to even, + zp, saturate"
        case .fixedPointMultiplier: return "requantize fixedPointMultiplier: sqrdmulh Q31 multiplier per channel, rounding shift, + zp, saturate"
        case .powerOfTwoShift: return "requantize powerOfTwoShift"
        }
    }
}
