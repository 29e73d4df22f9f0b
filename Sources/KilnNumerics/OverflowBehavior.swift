/// What happens when an integer result does not fit its destination.
public enum OverflowBehavior: String, Sendable, Hashable, CaseIterable, Codable {
    /// Keep the low bits (two's-complement wrap-around), like a C cast to a narrower type.
    case wrap
    /// Clamp to the nearest representable value (SSAT on Arm).
    case saturate
}
