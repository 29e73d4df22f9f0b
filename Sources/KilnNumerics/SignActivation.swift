/// The binary sign activation of XNOR networks: `x ≥ 0 → +1`, otherwise `−1`.
///
/// Zero maps to +1, so the output is always a legal ``ElementType/binary`` code.
public enum SignActivation {
    /// The sign of an integer accumulator as a binary code (+1 or −1).
    @inlinable
    public static func apply(_ value: Int64) -> Int32 { value >= 0 ? 1 : -1 }

    /// The sign of a real value as a binary code; `+0`, `−0` and NaN give +1.
    @inlinable
    public static func apply(_ value: Float) -> Int32 { value < 0 ? -1 : 1 }
}
