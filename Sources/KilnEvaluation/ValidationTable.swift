import KilnDiagnostics
import KilnJSON

/// A table of measured latencies of models on real hardware, each with its source: the input of
/// `kiln validate` (`examples/validation/measurements.json`).
///
/// The file is a JSON object `{"schemaVersion": 1, "measurements": [...]}`; each measurement names
/// a model file (relative to the table's directory), a target (and the name of its `stacks` entry
/// that models the run, when not the default), the software stack that ran it, the
/// measured seconds per inference and where the figure comes from. Unknown and missing keys are
/// errors naming the file and the place.
public struct ValidationTable: Sendable {
    /// One measured latency.
    public struct Measurement: Sendable, Hashable {
        /// The model file, relative to the table's directory.
        public var model: String
        /// The target name that models the device.
        public var target: String
        /// The software stack and version that ran the model (`TFLite Micro v2.3.1 + CMSIS-NN`).
        public var stack: String
        /// The name of the target's software stack (`stacks[].name`) that models the stack the
        /// measurement ran; nil for the target's default stack.
        public var targetStack: String?
        /// The number of cores the measurement used, when fewer than the part has (a one-thread
        /// run): the prediction uses the target with this many cores; nil for the part's own.
        public var cores: Int?
        /// A folding file (FINN's folding configuration, relative to the table) the dataflow design
        /// was built with; nil for Kiln's own folding search.
        public var folding: String?
        /// When the measurement timed one accelerator call over this many inferences and divided
        /// by it (BNN-PYNQ's timer: host steps before and after the call are outside it): the
        /// prediction is that call's time per inference; nil for one end-to-end inference.
        public var acceleratorCallInferences: Int?
        /// Measured seconds per inference.
        public var measuredSeconds: Double
        /// Measured joules per inference, when the source measured energy; nil otherwise.
        public var measuredJoules: Double?
        /// Where the figure comes from (repository path and row, paper table, timing tool).
        public var source: String
        /// Why the prediction misses, when the mechanism is known but not modelled; nil if none.
        public var note: String?
        /// The JSON path of the entry, for messages.
        public var place: String
    }

    /// The version of the table format this Kiln reads.
    public static let schemaVersion = 1
    /// The keys of a measurement entry.
    static let measurementKeys = ["model", "target", "stack", "targetStack", "cores", "folding", "acceleratorCallInferences", "measuredSeconds", "measuredJoules",
                                  "source", "note"]

    /// The measurements, in file order.
    public var measurements: [Measurement]

    /// Creates a table from measurements.
    public init(measurements: [Measurement]) {
        self.measurements = measurements
    }

    /// Decodes a table.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - file: the file name for messages.
    /// - Throws: ``DiagnosticError`` with every finding (malformed JSON, a wrong version, an unknown
    ///   or missing key, a value of the wrong type or out of range), each at its JSON path.
    public static func decode(_ bytes: [UInt8], file: String) throws(DiagnosticError) -> ValidationTable {
        let root = try JSONParser().parse(bytes, file: file)
        let context = JSONDecodingContext(file: file)
        var measurements: [Measurement] = []
        if let reader = context.object(root, at: .root, knownKeys: ["schemaVersion", "measurements"]) {
            if let version = reader.required("schemaVersion", { context.integer($0, at: $1) }), version != schemaVersion {
                context.error("unsupported schema version \(version); this Kiln reads version \(schemaVersion)", at: reader.path(of: "schemaVersion"))
            }
            let entries = reader.required("measurements") { context.array($0, at: $1, allowEmpty: false) } ?? []
            for (value, path) in entries {
                guard let entry = context.object(value, at: path, knownKeys: measurementKeys) else { continue }
                let model = entry.required("model") { context.nonEmptyString($0, at: $1) }
                let target = entry.required("target") { context.nonEmptyString($0, at: $1) }
                let stack = entry.required("stack") { context.nonEmptyString($0, at: $1) }
                let targetStack = entry.optional("targetStack").flatMap { context.nonEmptyString($0, at: entry.path(of: "targetStack")) }
                let cores = entry.optional("cores").flatMap { context.integer($0, at: entry.path(of: "cores"), in: 1...1_000_000) }
                let folding = entry.optional("folding").flatMap { context.nonEmptyString($0, at: entry.path(of: "folding")) }
                let call = entry.optional("acceleratorCallInferences").flatMap { context.integer($0, at: entry.path(of: "acceleratorCallInferences"), in: 1...1_000_000_000) }
                let seconds = entry.required("measuredSeconds") { context.number($0, at: $1, .positive) }
                let joules = entry.optional("measuredJoules").flatMap { context.number($0, at: entry.path(of: "measuredJoules"), .positive) }
                let source = entry.required("source") { context.nonEmptyString($0, at: $1) }
                let note = entry.optional("note").flatMap { context.nonEmptyString($0, at: entry.path(of: "note")) }
                guard let model, let target, let stack, let seconds, let source,
                      entry.contains("cores") == (cores != nil), entry.contains("folding") == (folding != nil),
                      entry.contains("acceleratorCallInferences") == (call != nil), entry.contains("targetStack") == (targetStack != nil), entry.contains("measuredJoules") == (joules != nil),
                      entry.contains("note") == (note != nil) else { continue }
                measurements.append(Measurement(model: model, target: target, stack: stack, targetStack: targetStack, cores: cores, folding: folding, acceleratorCallInferences: call, measuredSeconds: seconds,
                                                measuredJoules: joules, source: source, note: note, place: path.description))
            }
        }
        try context.throwIfErrors()
        return ValidationTable(measurements: measurements)
    }
}
