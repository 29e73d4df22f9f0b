import Foundation
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Converters of the QONNX operators (domain `qonnx.custom_op.general`, and FINN's older
/// `finn.custom_op.general`) in the forms Brevitas export, qonnx cleanup and FINN streamlining
/// produce. Each is bit-exact with the `qonnx` package's executor (1.0.0); `docs/onnx-import.md`
/// states the mapping and `docs/numerics.md` the arithmetic.
///
/// A quantizer of a constant (weights) becomes integer codes computed at import plus a
/// `dequantize`, so the quantized-pattern fusion sees integer weights. A quantizer of a runtime
/// value becomes `quantize` when Kiln's rounding equals QONNX's (ties to even, zero point 0, full
/// range), `sign` for bipolar outputs, and otherwise a `multiThreshold` whose thresholds reproduce
/// the QONNX formula exactly (``QONNXStepFunction``), followed by `dequantize`.
enum QONNXConverters {
    /// The most thresholds per channel Kiln derives for a runtime quantizer (8-bit outputs).
    static let maximumSteps = 255

    /// `Quant(x, scale, zeropt, bitwidth)` with `signed`, `narrow`, `rounding_mode`.
    static func quant(_ context: inout ImportContext) throws(DiagnosticError) {
        let (x, shape) = try floatInput(context)
        let scale = try positiveScale(context, 1, shape: shape)
        let zero = try context.qonnxChannelValues(2, "zero point", shape: shape)
        let bits = try context.qonnxBitWidth(3, "bit width")
        let signed = try context.int("signed", default: 1) != 0
        let narrow = try context.int("narrow", default: 0) != 0
        let rounding = try context.qonnxRounding(default: "ROUND")
        let axis = try context.qonnxCommonAxis([scale, zero])
        let channels = axis.map { shape[$0] } ?? 1
        if bits == 1 && signed {
            // qonnx: a signed 1-bit Quant is bipolar, `x / scale + zeropt ≥ 0 → +1, else −1`.
            guard zero.values.allSatisfy({ $0 == 0 }) else { throw context.error("a bipolar (signed 1-bit) Quant needs zero point 0") }
            let steps = (0..<channels).map { c in
                QONNXStepFunction(code: { $0 / scale.at(c) >= 0 ? 1 : 0 }, minimumCode: 0, maximumCode: 1)
            }
            try emitBipolar(&context, x, scale: scale, axis: axis, channels: channels, steps: steps)
            return
        }
        let (low, high) = codeRange(bits: bits, signed: signed, narrow: narrow)
        let zeroPoints = try context.qonnxZeroPoints(zero, range: low...high)
        guard let elementType = qonnxCodeType(low...high) else { throw context.error("no code type holds \(low)...\(high)") }
        let parameters = context.qonnxParameters(scale: scale, zeroPoints: zeroPoints, axis: axis, channels: channels)
        let steps = (0..<channels).map { c in
            QONNXStepFunction.quant(scale: scale.at(c), zeroPoint: zero.at(c), range: low...high, rounding: rounding)
        }
        let codeType = TensorType(shape: shape, elementType: elementType, quantization: parameters)
        if rounding == .halfEven && !narrow && zeroPoints.allSatisfy({ $0 == 0 }) && context.known[x] == nil && bits > 1 && bits <= 24 {
            // Kiln's quantize: roundHalfEven(x / scale) saturated, which equals qonnx's clamp-then-round here.
            let codes = try context.emit(.quantize, [x], outputTypes: [codeType])[0]
            try context.emit(.dequantize, [codes], outputs: [try context.output(0)], fold: false)
            return
        }
        try emitSteps(&context, x, steps: steps, axis: axis, codeType: codeType)
    }

    /// `BipolarQuant(x, scale)`: `x ≥ 0 → +scale, else −scale`.
    static func bipolarQuant(_ context: inout ImportContext) throws(DiagnosticError) {
        let (x, shape) = try floatInput(context)
        let scale = try positiveScale(context, 1, shape: shape)
        let channels = scale.axis.map { shape[$0] } ?? 1
        let steps = (0..<channels).map { _ in QONNXStepFunction(code: { $0 >= 0 ? 1 : 0 }, minimumCode: 0, maximumCode: 1) }
        try emitBipolar(&context, x, scale: scale, axis: scale.axis, channels: channels, steps: steps)
    }

    /// `Trunc(x, scale, zeropt, in_bitwidth, out_scale, out_bitwidth)` (version 2, six inputs)
    /// with `signed`, `narrow`, `rounding_mode` (default FLOOR). Per-tensor parameters.
    static func trunc(_ context: inout ImportContext) throws(DiagnosticError) {
        guard context.optionalInput(5) != nil else {
            throw context.error("Trunc version 1 (five inputs, no clamping) is not supported: export with Trunc version 2 (qonnx opset 2: inputs x, scale, zeropt, in_bitwidth, out_scale, out_bitwidth)")
        }
        let (x, shape) = try floatInput(context)
        let scale = try positiveScale(context, 1, shape: shape)
        let zero = try context.qonnxChannelValues(2, "zero point", shape: shape)
        let inputBits = try context.qonnxBitWidth(3, "input bit width")
        let outputScale = try positiveScale(context, 4, shape: shape, role: "output scale")
        let bits = try context.qonnxBitWidth(5, "output bit width")
        guard scale.axis == nil, zero.axis == nil, outputScale.axis == nil else {
            throw context.error("Trunc with per-channel parameters is not supported (scale, zero point and output scale must be scalars)")
        }
        guard bits <= inputBits else { throw context.error("output bit width \(bits) exceeds the input bit width \(inputBits)") }
        let signed = try context.int("signed", default: 1) != 0
        let narrow = try context.int("narrow", default: 0) != 0
        let rounding = try context.qonnxRounding(default: "FLOOR")
        // qonnx: trunc_scale = 2^round(log2(out_scale / scale)), in float32.
        let ratio = outputScale.values[0] / scale.values[0]
        let truncationScale = Float(pow(2, Double(Float(log2(Double(ratio))).rounded(.toNearestOrEven))))
        let (low, high) = codeRange(bits: bits, signed: signed, narrow: narrow)
        let outputZero = QONNXChannelValues(values: [zero.values[0] / truncationScale], axis: nil)
        let zeroPoints = try context.qonnxZeroPoints(outputZero, range: low...high)
        guard let elementType = qonnxCodeType(low...high) else { throw context.error("no code type holds \(low)...\(high)") }
        let step = QONNXStepFunction.trunc(scale: scale.values[0], zeroPoint: zero.values[0], truncationScale: truncationScale,
                                           range: low...high, rounding: rounding)
        let parameters = QuantizationParameters(scale: outputScale.values[0], zeroPoint: zeroPoints[0])
        try emitSteps(&context, x, steps: [step], axis: nil, codeType: TensorType(shape: shape, elementType: elementType, quantization: parameters))
    }

    /// `MultiThreshold(x, thresholds)` with `out_scale`, `out_bias`, `out_dtype`, `data_layout`:
    /// `out_scale · #{t : x ≥ thresholds[c][t]} + out_bias`.
    static func multiThreshold(_ context: inout ImportContext) throws(DiagnosticError) {
        let x = try context.input(0, "x")
        let shape = try context.shape(of: x)
        let thresholdName = try context.input(1, "thresholds")
        let thresholds = try context.constantInput(1, "thresholds")
        guard thresholds.shape.count == 2 else { throw context.error("thresholds must be [channels, steps], got shape \(thresholds.shape)") }
        let rows = thresholds.shape[0], steps = thresholds.shape[1]
        let layout = try context.string("data_layout", default: [2: "NC", 3: "NWC", 4: "NCHW"][shape.count] ?? "")
        let axis = layout.firstIndex(of: "C").map { layout.distance(from: layout.startIndex, to: $0) } ?? 1
        guard axis < shape.count, layout.isEmpty || layout.count == shape.count else {
            throw context.error("data_layout '\(layout)' does not fit x of shape \(shape)")
        }
        guard rows == 1 || rows == shape[axis] else {
            throw context.error("thresholds have \(rows) rows but x has \(shape[axis]) channels on axis \(axis) (data_layout '\(layout)')")
        }
        guard steps >= 1 else { throw context.error("thresholds have no columns") }
        let table = thresholds.doubles
        for row in 0..<rows {
            for step in 1..<steps where table[row * steps + step] < table[row * steps + step - 1] || table[row * steps + step].isNaN {
                throw context.error("thresholds of row \(row) are not sorted: column \(step) (\(table[row * steps + step])) < column \(step - 1) (\(table[row * steps + step - 1]))")
            }
        }
        let outputScale = try context.float("out_scale", default: 1)
        let outputBias = try context.float("out_bias", default: 0)
        guard outputScale.isFinite, outputBias.isFinite else { throw context.error("out_scale and out_bias must be finite") }
        let integralBias = outputScale == 1 && outputBias == outputBias.rounded() && outputBias.magnitude < Float(1 << 30)
        let offset = integralBias ? Int(outputBias) : 0
        guard let elementType = qonnxCodeType(offset...(offset + steps)) else { throw context.error("\(steps) thresholds are too many") }
        if integralBias, let declared = try declaredRange(context), !(declared.contains(offset) && declared.contains(offset + steps)) {
            throw context.error("out_dtype \(try context.string("out_dtype", default: "")) holds \(declared) but the outputs span \(offset)...\(offset + steps)")
        }
        let codeType = TensorType(shape: shape, elementType: elementType, quantization: QuantizationParameters(scale: 1))
        let counts = try context.emit(.multiThreshold(MultiThreshold(offset: offset, channelAxis: axis)), [x, thresholdName],
                                      outputTypes: [codeType])[0]
        if integralBias {
            try context.emit(.dequantize, [counts], outputs: [try context.output(0)], fold: false)
            return
        }
        // qonnx computes `out_scale · count + out_bias` in float32: the same two float32 operations.
        var value = try context.emit(.dequantize, [counts], outputTypes: [.float32(shape)], fold: false)[0]
        if outputScale != 1 {
            let factor = context.constantValue(Tensor(shape: [], floats: [outputScale]), "out_scale")
            value = try context.emit(.mul, [value, factor], outputs: outputBias == 0 ? [try context.output(0)] : nil)[0]
        }
        if outputBias != 0 || outputScale == 1 {
            let bias = context.constantValue(Tensor(shape: [], floats: [outputBias]), "out_bias")
            try context.emit(.add, [value, bias], outputs: [try context.output(0)])
        }
    }

    // MARK: Shared steps

    /// Input 0, which must be float32, and its shape.
    static func floatInput(_ context: ImportContext) throws(DiagnosticError) -> (String, [Int]) {
        let x = try context.input(0, "x")
        let type = try context.type(of: x)
        guard type.elementType == .float32 else { throw context.error("x must be float32, got \(type)") }
        return (x, type.shape)
    }

    /// qonnx's `min_int` and `max_int`: signed `−2^(b−1)` (+1 if narrow) to `2^(b−1) − 1`,
    /// unsigned 0 to `2^b − 1` (−1 if narrow).
    static func codeRange(bits: Int, signed: Bool, narrow: Bool) -> (Int, Int) {
        signed ? (-(1 << (bits - 1)) + (narrow ? 1 : 0), (1 << (bits - 1)) - 1) : (0, (1 << bits) - 1 - (narrow ? 1 : 0))
    }

    /// A scale input, checked positive and finite.
    static func positiveScale(_ context: ImportContext, _ index: Int, shape: [Int], role: String = "scale") throws(DiagnosticError) -> QONNXChannelValues {
        let scale = try context.qonnxChannelValues(index, role, shape: shape)
        guard scale.values.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw context.error("\(role) must be positive and finite, got \(scale.values.prefix(4))")
        }
        return scale
    }

    /// The range a MultiThreshold's `out_dtype` declares (`INTn`, `UINTn`, `BIPOLAR`, `BINARY`), or nil.
    static func declaredRange(_ context: ImportContext) throws(DiagnosticError) -> ClosedRange<Int>? {
        let name = try context.string("out_dtype", default: "")
        if name == "BIPOLAR" { return -1...1 }
        if name == "BINARY" { return 0...1 }
        for (prefix, signed) in [("UINT", false), ("INT", true)] where name.hasPrefix(prefix) {
            guard let bits = Int(name.dropFirst(prefix.count)), (1...32).contains(bits) else { continue }
            return signed ? -(1 << (bits - 1))...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
        }
        return nil
    }

    /// Emits `step(x)` as codes of `codeType` then `dequantize` into the node's output: computed
    /// at import for a constant x, else as a `multiThreshold` with exact thresholds.
    static func emitSteps(_ context: inout ImportContext, _ x: String, steps: [QONNXStepFunction], axis: Int?,
                          codeType: TensorType) throws(DiagnosticError) {
        let shape = codeType.shape
        let minimum = steps[0].minimumCode
        if let constant = context.known[x], let values = constant.floats {
            let inner = axis.map { Shape.elementCount(Array(shape.dropFirst($0 + 1))) ?? 1 } ?? 1
            var codes: [Int32] = []
            codes.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                let code = steps[axis == nil ? 0 : (index / inner) % steps.count].code(value)
                guard code.isFinite, codeType.elementType.contains(Int64(code)) else {
                    throw context.error("element \(index) (\(value)) quantizes to \(code), outside \(codeType.elementType.name)")
                }
                codes.append(Int32(code))
            }
            let name = context.constantValue(Tensor(type: codeType, storage: .int32(codes)), "codes")
            try context.emit(.dequantize, [name], outputs: [try context.output(0)], fold: false)
            return
        }
        let count = steps[0].maximumCode - minimum
        guard count <= maximumSteps else {
            throw context.error("this quantizer of a runtime value needs \(count) thresholds per channel (Kiln derives at most \(maximumSteps), i.e. 8-bit outputs, unless the rounding is ROUND with zero point 0 and narrow 0)")
        }
        let table = steps.flatMap { $0.thresholds() }
        let thresholds = context.constantValue(Tensor(shape: [steps.count, count], floats: table), "thresholds")
        let channelAxis = axis ?? min(1, max(shape.count - 1, 0))
        let codes = try context.emit(.multiThreshold(MultiThreshold(offset: minimum, channelAxis: channelAxis)), [x, thresholds],
                                     outputTypes: [codeType])[0]
        try context.emit(.dequantize, [codes], outputs: [try context.output(0)], fold: false)
    }

    /// Emits a bipolar quantizer: `sign` when its threshold is 0 in every channel (else an error),
    /// codes ±1 with the scale, then `dequantize`.
    static func emitBipolar(_ context: inout ImportContext, _ x: String, scale: QONNXChannelValues, axis: Int?, channels: Int,
                            steps: [QONNXStepFunction]) throws(DiagnosticError) {
        let shape = try context.shape(of: x)
        let parameters = context.qonnxParameters(scale: scale, zeroPoints: [0], axis: axis, channels: channels)
        let codeType = TensorType(shape: shape, elementType: .binary, quantization: parameters)
        if let constant = context.known[x], let values = constant.floats {
            let inner = axis.map { Shape.elementCount(Array(shape.dropFirst($0 + 1))) ?? 1 } ?? 1
            let codes = values.indices.map { index -> Int32 in
                steps[axis == nil ? 0 : (index / inner) % channels].code(values[index]) == 1 ? 1 : -1
            }
            let name = context.constantValue(Tensor(type: codeType, storage: .int32(codes)), "codes")
            try context.emit(.dequantize, [name], outputs: [try context.output(0)], fold: false)
            return
        }
        for step in steps where QONNXStepFunction.key(step.thresholds()[0]) != 0 {
            throw context.error("this bipolar quantizer switches at \(step.thresholds()[0]), not at 0 (x / scale underflows): Kiln's sign cannot represent it")
        }
        let codes = try context.emit(.sign, [x], outputTypes: [codeType])[0]
        try context.emit(.dequantize, [codes], outputs: [try context.output(0)], fold: false)
    }
}
