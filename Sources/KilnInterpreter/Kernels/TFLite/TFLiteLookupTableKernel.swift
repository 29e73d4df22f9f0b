import Foundation
import KilnIR
import KilnNumerics

/// TFLite's 8-bit LOGISTIC, TANH and GELU: a 256-entry table computed in float
/// (`activations.cc` `PopulateLookupTable`, used by the reference and generic kernels of the
/// TFLite interpreter; `gelu.cc` for GELU).
///
/// For every input code `q`: `real = inputScale · (q − inputZero)` (float), `f(real)` in float
/// (`1 / (1 + expf(−x))`, `tanhf`, GELU as `gelu.cc` writes it), then
/// `saturate(int(roundf(f · (1 / outputScale)) + outputZero))`.
/// TFLite Micro computes LOGISTIC and TANH with integer algorithms instead
/// (`reference_integer_ops::Logistic` / `Tanh`); see `docs/numerics.md`.
enum TFLiteLookupTableKernel {
    static func execute(_ operation: Operator, _ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        guard let codes = x.codes else { throw KernelError("TFLite's \(operation.kind.rawValue) needs integer input") }
        let input = try TFLiteArithmetic.parameters(x.type, "input")
        let output = try TFLiteArithmetic.parameters(outputType, "output")
        let function: (Float) -> Float
        switch operation {
        case .sigmoid: function = { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: function = { Foundation.tanh($0) }
        case .gelu(.none): function = { value in Float(0.5 * Double(value) * (1 + Foundation.erf(Double(value) * 0.5.squareRoot()))) }
        case .gelu(.tanh):
            function = { value in
                let cube = 0.044715 * value * value * value
                return Float(0.5 * Double(value) * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * Double(value + cube))))
            }
        default: throw KernelError("TFLite has no lookup table for \(operation.kind.rawValue)")
        }
        let lowest = Int32(clamping: x.type.elementType.minimumCode), highest = Int32(clamping: x.type.elementType.maximumCode)
        guard highest - lowest <= 255 else { throw KernelError("TFLite's table kernels take 8-bit input, got \(x.type)") }
        let bounds = TFLiteArithmetic.range(outputType.elementType)
        let inverseScale = 1 / output.scale
        let table = (lowest...highest).map { code -> Int32 in
            let real = input.scale * Float(code - input.zeroPoint)
            let rescaled = (function(real) * inverseScale).rounded(.toNearestOrAwayFromZero)
            let shifted = rescaled + Float(output.zeroPoint)
            let quantized = shifted.isFinite ? Int32(max(min(shifted, 2_147_483_520), -2_147_483_648)) : 0
            return min(max(quantized, bounds.lowerBound), bounds.upperBound)
        }
        return Tensor(type: outputType, storage: .int32(codes.map { table[Int($0 - lowest)] }))
    }
}
