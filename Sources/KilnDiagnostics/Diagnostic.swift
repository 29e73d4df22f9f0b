/// How serious a finding is.
public enum Severity: String, Sendable, Hashable, Codable {
    /// The input cannot be used; the command fails with exit code 1.
    case error
    /// The input can be used, but probably not as the user meant.
    case warning
    /// Extra information attached to another finding.
    case note
}

/// Where in an input a finding applies.
///
/// Every field is optional: a finding names as much as is known, and is rendered like a
/// compiler error, for example `targets/m7.json: error: at memory[1].readBytesPerCycle: ...`.
public struct SourceLocation: Sendable, Hashable {
    /// The file the finding is about, as the user named it.
    public var file: String?
    /// The place inside the file: a JSON path (`memory[1].sizeBytes`), an ONNX node
    /// (`node 'conv1' (Conv)`), a tensor (`tensor 'fc1.weight'`) or a command-line argument.
    public var place: String?
    /// The byte offset in a binary file where reading failed, if known.
    public var byteOffset: Int?

    /// Creates a location.
    /// - Parameters:
    ///   - file: the file, as the user named it.
    ///   - place: the place inside the file, already phrased (`memory[1].sizeBytes`).
    ///   - byteOffset: the byte offset in a binary file.
    public init(file: String? = nil, place: String? = nil, byteOffset: Int? = nil) {
        self.file = file
        self.place = place
        self.byteOffset = byteOffset
    }
}

/// One finding about the user's input: a severity, a message and a location.
///
/// Kiln has one diagnostic type for every kind of input (models, target descriptions, data
/// files, command lines). Code that can report several problems collects them and throws a
/// ``DiagnosticError`` holding all of them.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// How serious the finding is.
    public var severity: Severity
    /// What is wrong and, where possible, how to fix it.
    public var message: String
    /// Where it is wrong.
    public var location: SourceLocation

    /// Creates a finding.
    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation = SourceLocation()) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// Creates an error finding in a file at a place.
    /// - Parameters:
    ///   - message: what is wrong.
    ///   - file: the file, as the user named it.
    ///   - place: the place inside the file (JSON path, node, tensor).
    public static func error(_ message: String, file: String? = nil, place: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: SourceLocation(file: file, place: place))
    }

    /// The finding rendered like a compiler message:
    /// `FILE: error: at PLACE: MESSAGE` (parts that are unknown are left out).
    public var description: String {
        var text = ""
        if let file = location.file { text += "\(file): " }
        text += "\(severity.rawValue): "
        if let place = location.place { text += "at \(place): " }
        if let offset = location.byteOffset { text += "at byte \(offset): " }
        text += message
        return text
    }
}

/// An error carrying every finding that was collected before giving up.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    /// The findings, in the order they were found. Never empty.
    public var diagnostics: [Diagnostic]

    /// Creates an error from one or more findings.
    public init(_ diagnostics: [Diagnostic]) {
        precondition(!diagnostics.isEmpty, "a DiagnosticError needs at least one finding")
        self.diagnostics = diagnostics
    }

    /// Creates an error from a single finding.
    public init(_ diagnostic: Diagnostic) {
        self.diagnostics = [diagnostic]
    }

    /// All findings, one per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }

    /// Returns the same findings with `file` filled in where a finding names none.
    public func inFile(_ file: String) -> DiagnosticError {
        DiagnosticError(diagnostics.map { finding in
            var copy = finding
            if copy.location.file == nil { copy.location.file = file }
            return copy
        })
    }
}

/// Collects findings while checking an input, so that all of them can be reported at once.
public struct DiagnosticCollector: Sendable {
    /// The findings collected so far.
    public private(set) var diagnostics: [Diagnostic] = []
    /// The file every finding is about, unless a finding names its own.
    public var file: String?

    /// Creates an empty collector for findings about `file`.
    public init(file: String? = nil) {
        self.file = file
    }

    /// Whether any finding is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Records an error at a place in the collector's file.
    public mutating func error(_ message: String, at place: String? = nil) {
        diagnostics.append(Diagnostic(.error, message, at: SourceLocation(file: file, place: place)))
    }

    /// Records a warning at a place in the collector's file.
    public mutating func warning(_ message: String, at place: String? = nil) {
        diagnostics.append(Diagnostic(.warning, message, at: SourceLocation(file: file, place: place)))
    }

    /// Records a finding as it is.
    public mutating func append(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    /// Records every finding of another error.
    public mutating func append(contentsOf error: DiagnosticError) {
        diagnostics.append(contentsOf: error.diagnostics)
    }

    /// Throws a ``DiagnosticError`` with every finding if any of them is an error.
    public func throwIfErrors() throws(DiagnosticError) {
        if hasErrors { throw DiagnosticError(diagnostics) }
    }
}
