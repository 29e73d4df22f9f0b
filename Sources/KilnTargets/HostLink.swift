import KilnJSON

/// How a target reaches the host that runs the ops it cannot: the host target's name and
/// the cost of moving data across the link.
public struct HostLink: Sendable, Hashable {
    /// The name of the host target (another target description).
    public let target: String
    /// Link bandwidth in megabytes (10^6 bytes) per second.
    public let bandwidthMegabytesPerSecond: Sourced<Double>
    /// Fixed latency of one transfer in microseconds.
    public let latencyMicroseconds: Sourced<Double>
    /// Energy per byte moved across the link, in picojoules.
    public let energyPicojoulesPerByte: Sourced<Double>
    /// Whether the host is this target's own device (the same chip or board), so the target's
    /// static power already covers it. Otherwise the host's own static power is charged for
    /// the time it spends running the ops the target cannot (it may sleep while the target runs).
    public let sameDevice: Bool

    /// The schema of the `host` object.
    public static let schema = TargetSchemaSection(path: "host", fields: [
        TargetField("target", "target name", "Name of the target that runs ops this target cannot (must exist; no cycles)."),
        .cost("bandwidthMegabytesPerSecond", "sourced number > 0", "Link bandwidth in MB/s (10^6 bytes per second).").plausible(0.001...1e7),
        .cost("latencyMicroseconds", "sourced number ≥ 0", "Fixed latency of one transfer in µs.").plausible(0...1e7),
        .cost("energyPicojoulesPerByte", "sourced number ≥ 0", "Energy per byte moved across the link, in pJ.").plausible(0...1e6),
        .optional("sameDevice", "boolean", "True when the host is this target's own chip or board, whose static power the target's already includes; otherwise (default false) the host's static power is charged while it runs ops."),
    ])

    /// Creates a link.
    public init(target: String, bandwidthMegabytesPerSecond: Sourced<Double>, latencyMicroseconds: Sourced<Double>,
                energyPicojoulesPerByte: Sourced<Double>, sameDevice: Bool = false) {
        self.target = target
        self.bandwidthMegabytesPerSecond = bandwidthMegabytesPerSecond
        self.latencyMicroseconds = latencyMicroseconds
        self.energyPicojoulesPerByte = energyPicojoulesPerByte
        self.sameDevice = sameDevice
    }

    /// Decodes the `host` object, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let target = reader.string("target")
        let bandwidth = reader.sourcedNumber("bandwidthMegabytesPerSecond", .positive)
        let latency = reader.sourcedNumber("latencyMicroseconds", .nonNegative)
        let energy = reader.sourcedNumber("energyPicojoulesPerByte", .nonNegative)
        let sameDevice = reader.contains("sameDevice") ? reader.bool("sameDevice") : false
        guard let target, let bandwidth, let latency, let energy, let sameDevice else { return nil }
        self.init(target: target, bandwidthMegabytesPerSecond: bandwidth, latencyMicroseconds: latency, energyPicojoulesPerByte: energy,
                  sameDevice: sameDevice)
    }
}
