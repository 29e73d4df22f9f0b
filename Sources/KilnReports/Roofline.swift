import KilnCompiler
import KilnTargets

/// A target's roofline and its layers placed on it.
///
/// The compute roof is ``TargetDescription/peakOperationsPerSecond`` (a MAC is two
/// operations). The memory roof is the read bandwidth of the nearest memory level that holds
/// activations or weights (the first such level in `memory[]`), in bytes per cycle × the clock.
/// A layer's arithmetic intensity is its operations over the bytes it reads and writes at every
/// memory level; its achieved rate is its operations over its time from the cost estimate.
public struct Roofline: Sendable {
    /// One layer on the roofline.
    public struct Layer: Sendable, Hashable {
        /// The layer (graph nodes of the step).
        public var name: String
        /// The kernel that runs it.
        public var kernel: String
        /// Operations (``ActionCounts/operations``: 2 per MAC, a family action its own count, 1 per ALU operation).
        public var operations: Double
        /// Bytes read and written at every memory level.
        public var bytes: Double
        /// The step's time in seconds.
        public var seconds: Double

        /// Creates a layer.
        public init(name: String, kernel: String, operations: Double, bytes: Double, seconds: Double) {
            self.name = name
            self.kernel = kernel
            self.operations = operations
            self.bytes = bytes
            self.seconds = seconds
        }

        /// Operations per byte.
        public var arithmeticIntensity: Double { operations / bytes }
        /// Achieved operations per second.
        public var operationsPerSecond: Double { operations / seconds }
    }

    /// The target's name.
    public var targetName: String
    /// Peak operations per second over all cores.
    public var peakOperationsPerSecond: Double
    /// The memory roof's bandwidth in bytes per second.
    public var memoryBytesPerSecond: Double
    /// The memory level whose bandwidth is the memory roof.
    public var memoryLevel: String
    /// The accelerator layers with operations, bytes and time (others cannot be placed).
    public var layers: [Layer]

    /// Creates a roofline from parts.
    public init(targetName: String, peakOperationsPerSecond: Double, memoryBytesPerSecond: Double, memoryLevel: String,
                layers: [Layer]) {
        self.targetName = targetName
        self.peakOperationsPerSecond = peakOperationsPerSecond
        self.memoryBytesPerSecond = memoryBytesPerSecond
        self.memoryLevel = memoryLevel
        self.layers = layers
    }

    /// The roofline of `target` with the accelerator steps of `cost` placed on it; nil when
    /// the target has no positive peak or no activation/weight level.
    public init?(target: TargetDescription, cost: ProgramCost) {
        guard let level = target.memory.first(where: { $0.holdsActivations || $0.holdsWeights }) else { return nil }
        let peak = target.peakOperationsPerSecond
        let bandwidth = level.readBytesPerCycle.value * target.clockMegahertz.value * 1e6
        guard peak.isFinite, peak > 0, bandwidth.isFinite, bandwidth > 0 else { return nil }
        let layers = cost.steps.compactMap { step -> Layer? in
            guard step.resource == .accelerator else { return nil }
            let counts = step.counts
            let operations = counts.operations
            let bytes = Double(counts.bytesRead.values.reduce(0, +)) + Double(counts.bytesWritten.values.reduce(0, +))
            guard operations > 0, bytes > 0, step.seconds > 0, step.seconds.isFinite else { return nil }
            return Layer(name: step.layer, kernel: step.kernel, operations: operations, bytes: bytes, seconds: step.seconds)
        }
        self.init(targetName: target.name, peakOperationsPerSecond: peak, memoryBytesPerSecond: bandwidth,
                  memoryLevel: level.name, layers: layers)
    }

    /// The arithmetic intensity (operations per byte) where the memory roof meets the compute roof.
    public var ridgeIntensity: Double { peakOperationsPerSecond / memoryBytesPerSecond }

    /// The attainable operations per second at `intensity`: min(peak, bandwidth × intensity).
    public func attainable(atIntensity intensity: Double) -> Double {
        min(peakOperationsPerSecond, memoryBytesPerSecond * intensity)
    }
}
