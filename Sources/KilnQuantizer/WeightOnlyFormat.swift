import KilnNumerics

/// The code format of weights-only quantization: activations stay float32, each multiply-accumulate
/// layer's weights are stored as codes and dequantized before the float layer (the TFLite
/// "dynamic range" / weight-compression deployment, and ONNX's weight-only QDQ form).
public enum WeightOnlyFormat: Sendable, Hashable {
    /// Signed symmetric integer codes of 2 to 8 bits, narrow range, per channel or per tensor.
    case integer(bits: Int)
    /// A small float format (FP8 E4M3 / E5M2 scaled per channel or per tensor, FP16 / BF16 unscaled).
    case float(FloatFormat)
    /// Binary ±1 codes with scale `mean |w|` per channel or tensor (XNOR-Net, Rastegari et al. 2016).
    case binary
    /// Ternary codes {−1, 0, +1} (i2) with threshold `Δ = 0.7 · mean |w|` and scale `mean |w|` over
    /// the weights above it, per channel or tensor (Ternary Weight Networks, Li et al. 2016).
    case ternary
    /// Residual (two-code) quantization: `w ≈ s₁ q₁ + s₂ q₂`, `q₁` the symmetric integer codes of
    /// `w`, `q₂` those of the residual `w − s₁ q₁`, both of this width.
    case residual(bits: Int)
    /// Group-wise (block) quantization: signed symmetric integer codes with one scale per output
    /// channel and per block of `groupSize` consecutive elements along the input (reduction)
    /// dimension, as ONNX Runtime's `MatMulNBits` and GPTQ-style 4-bit weights store them.
    case grouped(bits: Int, groupSize: Int)

    /// The group sizes ``names`` offers (ONNX Runtime's `MatMulNBits` block sizes in common use).
    public static let groupSizes = [32, 64, 128]

    /// Parses `i2` … `i8`, `f8e4m3`, `f8e5m2`, `f16`, `bf16`, `bin`, `ternary`, `r2` … `r8`, and
    /// `i<bits>g<size>` (group-wise, e.g. `i4g32`; any size from 2 to 4096); nil for anything else.
    public init?(name: String) {
        let grouped = name.split(separator: "g", maxSplits: 1, omittingEmptySubsequences: false)
        if name.first == "i", grouped.count == 2, let bits = Int(grouped[0].dropFirst()), let size = Int(grouped[1]),
           QuantizationOptions.supportedBits.contains(bits), (2...4096).contains(size) {
            self = .grouped(bits: bits, groupSize: size)
        } else if let format = FloatFormat(rawValue: name) {
            self = .float(format)
        } else if name == "bin" {
            self = .binary
        } else if name == "ternary" {
            self = .ternary
        } else if name.first == "r", let bits = Int(name.dropFirst()), QuantizationOptions.supportedBits.contains(bits) {
            self = .residual(bits: bits)
        } else if name.first == "i", let bits = Int(name.dropFirst()), QuantizationOptions.supportedBits.contains(bits) {
            self = .integer(bits: bits)
        } else {
            return nil
        }
    }

    /// The names ``init(name:)`` accepts.
    public static let names = QuantizationOptions.supportedBits.map { "i\($0)" } + FloatFormat.allCases.map(\.rawValue)
        + ["bin", "ternary"] + QuantizationOptions.supportedBits.map { "r\($0)" }
        + [4, 8].flatMap { bits in groupSizes.map { "i\(bits)g\($0)" } }

    /// The name `init(name:)` parses.
    public var name: String {
        switch self {
        case .integer(let bits): "i\(bits)"
        case .float(let format): format.rawValue
        case .binary: "bin"
        case .ternary: "ternary"
        case .residual(let bits): "r\(bits)"
        case .grouped(let bits, let size): "i\(bits)g\(size)"
        }
    }
}
