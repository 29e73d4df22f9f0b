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

    /// Parses `i2` … `i8`, `f8e4m3`, `f8e5m2`, `f16`, `bf16`, `bin`, `ternary`, `r2` … `r8`; nil for anything else.
    public init?(name: String) {
        if let format = FloatFormat(rawValue: name) {
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

    /// The name `init(name:)` parses.
    public var name: String {
        switch self {
        case .integer(let bits): "i\(bits)"
        case .float(let format): format.rawValue
        case .binary: "bin"
        case .ternary: "ternary"
        case .residual(let bits): "r\(bits)"
        }
    }
}
