import KilnNumerics

/// How calibration turns the activations observed on calibration data into a real range.
public enum CalibrationMethod: String, Sendable, Hashable, CaseIterable {
    /// The observed minimum and maximum (ONNX Runtime's default `MinMax`).
    case minMax = "minmax"
    /// The 99.99th percentile (and 0.01th) of the observed values, clipping outliers.
    case percentile
    /// The range that minimizes the mean squared quantize→dequantize error over the histogram.
    case meanSquaredError = "mse"
    /// TensorRT's entropy calibration: the clipping threshold that minimizes KL divergence.
    case entropy

    /// The percentile used by ``percentile``.
    public static let percentileValue = 99.99

    /// A fresh observer of this kind.
    func makeObserver() -> any CalibrationObserver {
        // The arguments are the observers' documented defaults, which are valid by construction.
        switch self {
        case .minMax: MinMaxObserver()
        case .percentile: try! PercentileObserver(percentile: Self.percentileValue)
        case .meanSquaredError: try! MeanSquaredErrorObserver()
        case .entropy: try! EntropyObserver()
        }
    }
}
