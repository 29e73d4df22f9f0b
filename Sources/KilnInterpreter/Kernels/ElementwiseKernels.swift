import Foundation
import KilnIR
import KilnNumerics

/// Elementwise ops: binary with NumPy broadcasting, and unary activations, on float32,
/// plain integers (two's-complement wrap to the element width, like NumPy) and quantized codes:
/// 8-bit per-tensor add / mul as ONNX Runtime's QLinearAdd / QLinearMul compute them
/// (``QLinearBinaryKernel``), other quantized ops as dequantize → float32 op → quantize.
enum ElementwiseKernels {
    static func binary(_ kind: OperatorKind, _ a: Tensor, _ b: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let count = Shape.elementCount(outputType.shape) ?? 0
        let left = BroadcastIndex(from: a.shape, to: outputType.shape)
        let right = BroadcastIndex(from: b.shape, to: outputType.shape)
        if let x = a.floats, let y = b.floats {
            let op = floatOperator(kind)
            var output = [Float](repeating: 0, count: count)
            for index in 0..<count { output[index] = op(x[left.sourceOffset(index)], y[right.sourceOffset(index)]) }
            return Tensor(type: outputType, storage: .float32(output))
        }
        guard let x = a.codes, let y = b.codes else { throw KernelError("operands must be both float32 or both integer") }
        if QLinearBinaryKernel.applies(kind, a.type, b.type, outputType) {
            return QLinearBinaryKernel.execute(kind, x, a.type, y, b.type, outputType)
        }
        if let outputQuantization = outputType.quantization {
            let da = Dequantizer(a.type), db = Dequantizer(b.type)
            let op = floatOperator(kind)
            let quantizer = Quantizer(outputType, quantization: outputQuantization)
            var output = [Int32](repeating: 0, count: count)
            for index in 0..<count {
                let value = op(da.value(x[left.sourceOffset(index)]), db.value(y[right.sourceOffset(index)]))
                output[index] = quantizer.code(value)
            }
            return Tensor(type: outputType, storage: .int32(output))
        }
        let bits = outputType.elementType.bitWidth
        let signed = outputType.elementType.isSigned
        var output = [Int32](repeating: 0, count: count)
        for index in 0..<count {
            let p = Int64(x[left.sourceOffset(index)]), q = Int64(y[right.sourceOffset(index)])
            let exact: Int64
            switch kind {
            case .add: exact = p + q
            case .sub: exact = p - q
            case .mul: exact = p * q
            default:
                guard q != 0 else { throw KernelError("integer division by zero at element \(index)") }
                exact = p / q
            }
            output[index] = Int32(truncatingIfNeeded: wrap(exact, bits: bits, signed: signed))
        }
        return Tensor(type: outputType, storage: .int32(output))
    }

    /// Two's-complement wrap of `value` to `bits` bits.
    static func wrap(_ value: Int64, bits: Int, signed: Bool) -> Int64 {
        guard bits < 64 else { return value }
        let mask = (Int64(1) << bits) - 1
        var low = value & mask
        if signed && low >= (Int64(1) << (bits - 1)) { low -= Int64(1) << bits }
        return low
    }

    private static func floatOperator(_ kind: OperatorKind) -> (Float, Float) -> Float {
        switch kind {
        case .add: return { $0 + $1 }
        case .sub: return { $0 - $1 }
        case .mul: return { $0 * $1 }
        default: return { $0 / $1 }
        }
    }

    static func unary(_ operation: Operator, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        if let values = x.floats {
            if operation.kind == .sign {
                return Tensor(type: outputType, storage: .int32(values.map { $0 >= 0 ? 1 : -1 }))
            }
            let function = floatFunction(operation)
            return Tensor(type: outputType, storage: .float32(values.map(function)))
        }
        guard let codes = x.codes else { throw KernelError("\(operation.kind.rawValue) needs float32 or integer input") }
        if operation.kind == .sign {
            let zero = x.type.quantization?.zeroPoint(at: 0) ?? 0
            return Tensor(type: outputType, storage: .int32(codes.map { $0 >= zero ? 1 : -1 }))
        }
        // Same parameters in and out: relu and clip are clamps on the codes.
        if x.type.quantization == outputType.quantization && x.type.elementType == outputType.elementType {
            let zero = x.type.quantization?.zeroPoint(at: 0) ?? 0
            switch operation {
            case .relu:
                return Tensor(type: outputType, storage: .int32(codes.map { max($0, zero) }))
            case .clip(let minimum, let maximum):
                let bounds = codeBounds(minimum, maximum, outputType)
                return Tensor(type: outputType, storage: .int32(codes.map { min(max($0, bounds.lower), bounds.upper) }))
            default: break
            }
        }
        guard x.type.quantization != nil, let outputQuantization = outputType.quantization else {
            throw KernelError("\(operation.kind.rawValue) on integers needs quantized input and output (got \(x.type) → \(outputType))")
        }
        // A lookup table over the input's code range: table[q] = quantize(f(dequantize(q))).
        let dequantizer = Dequantizer(x.type)
        let quantizer = Quantizer(outputType, quantization: outputQuantization)
        let function = floatFunction(operation)
        let lowest = x.type.elementType.minimumCode, highest = x.type.elementType.maximumCode
        if highest - lowest <= 65_535 {
            let table = (lowest...highest).map { quantizer.code(function(dequantizer.value(Int32($0)))) }
            return Tensor(type: outputType, storage: .int32(codes.map { table[Int(Int64($0) - lowest)] }))
        }
        return Tensor(type: outputType, storage: .int32(codes.map { quantizer.code(function(dequantizer.value($0))) }))
    }

    /// Clip bounds as codes: the real bounds quantized with the output's parameters (or used as
    /// plain integers for unquantized integer tensors), within the type's range.
    static func codeBounds(_ minimum: Float?, _ maximum: Float?, _ type: TensorType) -> (lower: Int32, upper: Int32) {
        let lowest = Int32(type.elementType.minimumCode), highest = Int32(type.elementType.maximumCode)
        let quantizer = type.quantization.map { Quantizer(type, quantization: $0) } ?? Quantizer(unquantized: type)
        func code(_ value: Float) -> Int32 { quantizer.code(value) }
        return (minimum.map(code) ?? lowest, maximum.map(code) ?? highest)
    }

    /// The float32 function of a unary op; transcendental parts are evaluated in double.
    static func floatFunction(_ operation: Operator) -> (Float) -> Float {
        switch operation {
        case .relu: return { $0 > 0 ? $0 : ($0.isNaN ? $0 : 0) }
        case .leakyRelu(let alpha): return { $0 >= 0 ? $0 : alpha * $0 }
        case .clip(let minimum, let maximum):
            return { value in
                var result = value
                if let minimum, result < minimum { result = minimum }
                if let maximum, result > maximum { result = maximum }
                return result
            }
        case .sigmoid: return { Float(1 / (1 + Foundation.exp(-Double($0)))) }
        case .tanh: return { Float(Foundation.tanh(Double($0))) }
        case .hardSwish: return { $0 * min(max($0 + 3, 0), 6) / 6 }
        case .hardSigmoid(let alpha, let beta): return { min(max(alpha * $0 + beta, 0), 1) }
        case .gelu(.none): return { Float(0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot()))) }
        case .gelu(.tanh):
            return { value in
                let x = Double(value)
                return Float(0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x))))
            }
        case .erf: return { Float(Foundation.erf(Double($0))) }
        case .sqrt: return { $0.squareRoot() }
        case .round: return { $0.rounded(.toNearestOrEven) }
        default: return { $0 }
        }
    }
}

/// `real = scale · (code − zeroPoint)` in float32, per tensor.
struct Dequantizer {
    let scale: Float
    let zeroPoint: Int32

    init(_ type: TensorType) {
        scale = type.quantization?.scale(at: 0) ?? 1
        zeroPoint = type.quantization?.zeroPoint(at: 0) ?? 0
    }

    @inline(__always)
    func value(_ code: Int32) -> Float { LinearQuantization.dequantize(code, scale: scale, zeroPoint: zeroPoint) }
}

/// `code = saturate(roundHalfEven(real / scale) + zeroPoint)` in float32, per tensor.
struct Quantizer {
    let scale: Float
    let zeroPoint: Int32
    let minimum: Int32
    let maximum: Int32

    init(_ type: TensorType, quantization: QuantizationParameters) {
        scale = quantization.scale(at: 0)
        zeroPoint = quantization.zeroPoint(at: 0)
        minimum = Int32(clamping: type.elementType.minimumCode)
        maximum = Int32(clamping: type.elementType.maximumCode)
    }

    /// Plain integers: scale 1, zero point 0.
    init(unquantized type: TensorType) {
        self.init(type, quantization: QuantizationParameters(scale: 1))
    }

    @inline(__always)
    func code(_ value: Float) -> Int32 {
        LinearQuantization.quantize(value, scale: scale, zeroPoint: zeroPoint, minimumCode: minimum, maximumCode: maximum)
    }
}
