/// Calibration by the observed minimum and maximum (ONNX Runtime's and TensorRT's MinMax).
public struct MinMaxObserver: CalibrationObserver, Sendable, Hashable {
    /// The smallest finite value seen.
    public private(set) var minimum = Float.infinity
    /// The largest finite value seen.
    public private(set) var maximum = -Float.infinity

    /// Creates an observer that has seen nothing.
    public init() {}

    /// Records a batch of values.
    public mutating func observe(_ values: [Float]) {
        for value in values where value.isFinite {
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
        }
    }

    /// `minimum...maximum` as observed.
    public func range(for scheme: QuantizationScheme) throws -> (minimum: Float, maximum: Float) {
        guard minimum <= maximum else { throw NumericsError.invalidArgument("no finite values observed") }
        return (minimum, maximum)
    }
}
