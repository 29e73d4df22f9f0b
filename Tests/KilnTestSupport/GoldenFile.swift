import Foundation

/// A golden file: expected output committed beside the tests. Tests compare against it; only an
/// explicit record run (`KILN_RECORD=1 swift test --filter SUITE`) rewrites it, and that run
/// reports the rewrite as a failure so a recording can never pass for a check.
public struct GoldenFile: Sendable {
    /// What comparing with a golden file found.
    public enum Outcome: Sendable, Equatable {
        /// The text equals the file.
        case matches
        /// The text differs from the file (or the file is missing).
        case differs(expected: String?)
        /// Record mode: the file was written with the text; the check did not run.
        case recorded
    }

    /// The environment variable that turns record mode on (value `1`).
    public static let recordVariable = "KILN_RECORD"

    /// The file.
    public let url: URL

    /// A golden file at `url`.
    public init(_ url: URL) {
        self.url = url
    }

    /// Whether this process records golden files instead of checking them.
    public static var isRecording: Bool {
        ProcessInfo.processInfo.environment[recordVariable] == "1"
    }

    /// Compares `text` with the file, or in record mode writes it.
    /// - Throws: when the file cannot be written in record mode.
    public func check(_ text: String) throws -> Outcome {
        if Self.isRecording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return .recorded
        }
        let expected = try? String(contentsOf: url, encoding: .utf8)
        return expected == text ? .matches : .differs(expected: expected)
    }

    /// A one-line explanation of an outcome for a test failure.
    public func explain(_ outcome: Outcome, rerecord command: String) -> String {
        switch outcome {
        case .matches: "\(url.lastPathComponent) matches"
        case .recorded: "recorded \(url.path); run again without \(Self.recordVariable) to check it"
        case .differs(nil): "\(url.path) is missing; record it with \(Self.recordVariable)=1 \(command)"
        case .differs: "output differs from \(url.lastPathComponent); if the change is intended, re-record with \(Self.recordVariable)=1 \(command)"
        }
    }
}
