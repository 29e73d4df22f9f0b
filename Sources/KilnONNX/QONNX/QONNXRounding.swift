/// The rounding modes of QONNX's `Quant` and `Trunc` (`rounding_mode`), computed on binary32
/// values exactly as the `qonnx` package's executor computes them with NumPy on float32 arrays
/// (qonnx 1.0.0, `custom_op/general/intquant.py`, `resolve_rounding_mode`).
enum QONNXRounding: String, CaseIterable {
    /// `ROUND` / `HALF_EVEN`: `np.round`, ties to even.
    case halfEven = "HALF_EVEN"
    /// `CEIL`: `np.ceil`.
    case ceil = "CEIL"
    /// `FLOOR`: `np.floor`.
    case floor = "FLOOR"
    /// `UP`: `sign(x) · ceil(|x|)`, away from zero.
    case up = "UP"
    /// `DOWN`: `np.fix`, toward zero.
    case down = "DOWN"
    /// `HALF_UP`: `sign(x) · floor(|x| + 0.5)` with the addition rounded to binary32.
    case halfUp = "HALF_UP"
    /// `HALF_DOWN`: `sign(x) · ceil(|x| − 0.5)` with the subtraction rounded to binary32.
    case halfDown = "HALF_DOWN"

    /// The mode named by an attribute value (case-insensitive; `ROUND` is `HALF_EVEN`), or nil.
    init?(attribute: String) {
        let name = attribute.uppercased()
        self.init(rawValue: name == "ROUND" ? "HALF_EVEN" : name)
    }

    /// Rounds `x` to an integral binary32 value (NaN stays NaN, ±∞ stay).
    func apply(_ x: Float) -> Float {
        let sign: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
        switch self {
        case .halfEven: return x.rounded(.toNearestOrEven)
        case .ceil: return x.rounded(.up)
        case .floor: return x.rounded(.down)
        case .up: return sign * x.magnitude.rounded(.up)
        case .down: return x.rounded(.towardZero)
        case .halfUp: return sign * (x.magnitude + 0.5).rounded(.down)
        case .halfDown: return sign * (x.magnitude - 0.5).rounded(.up)
        }
    }
}
