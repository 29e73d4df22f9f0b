import KilnIR
import KilnNumerics

/// cast: ONNX Cast between float32, integers and bool. Float → integer truncates toward zero
/// (C's conversion, which ONNX Runtime's Cast kernel performs) and then wraps to the width;
/// a non-finite float or one outside int64 is an error (undefined behaviour in C).
/// Integer → float32 rounds to nearest even. Anything → bool is `x ≠ 0`.
enum CastKernel {
    static func execute(_ x: Tensor, _ outputType: TensorType) throws(KernelError) -> Tensor {
        let target = outputType.elementType
        if target == .bool {
            return Tensor(type: outputType, storage: .int32(x.doubles.map { $0 != 0 ? 1 : 0 }))
        }
        if target.isFloat {
            switch x.storage {
            case .float32(let values): return Tensor(type: outputType, storage: .float32(values))
            case .int32(let values): return Tensor(type: outputType, storage: .float32(values.map { Float($0) }))
            case .int64(let values): return Tensor(type: outputType, storage: .float32(values.map { Float($0) }))
            }
        }
        var integers: [Int64]
        switch x.storage {
        case .int32(let values): integers = values.map(Int64.init)
        case .int64(let values): integers = values
        case .float32(let values):
            integers = []
            integers.reserveCapacity(values.count)
            for value in values {
                guard let truncated = Int64(exactly: value.rounded(.towardZero)) else {
                    throw KernelError("cannot cast \(value) to \(target.name)")
                }
                integers.append(truncated)
            }
        }
        if target == .int64 { return Tensor(type: outputType, storage: .int64(integers)) }
        let bits = target.bitWidth, signed = target.isSigned
        return Tensor(type: outputType, storage: .int32(integers.map {
            Int32(truncatingIfNeeded: ElementwiseKernels.wrap($0, bits: bits, signed: signed))
        }))
    }
}
