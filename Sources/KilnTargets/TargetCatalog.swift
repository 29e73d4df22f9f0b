import Foundation
import KilnDiagnostics
import KilnJSON

/// The set of target descriptions Kiln knows: the built-in `targets/` directory plus any extra
/// directories (`--target-dir DIR`) and files (`--target FILE`).
///
/// Loading continues past bad files so that every finding in every file is reported; host
/// chains are checked across the whole catalog once everything is loaded.
public struct TargetCatalog: Sendable {
    /// The environment variable that overrides the built-in targets directory.
    public static let directoryEnvironmentVariable = "KILN_TARGETS_DIR"

    /// The targets, sorted by name.
    public private(set) var targets: [TargetDescription] = []
    /// The loader used for extra files.
    public let loader: TargetLoader

    /// Creates an empty catalog.
    /// - Parameter families: the families to accept.
    public init(families: [any TargetFamilySchema]) {
        loader = TargetLoader(families: families)
    }

    /// The built-in targets directory: `$KILN_TARGETS_DIR` if set, else `targets/` next to the
    /// `Package.swift` found by walking up from this source file's build-time location.
    /// - Parameter environment: the process environment.
    public static func builtInDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let override = environment[directoryEnvironmentVariable], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let manager = FileManager.default
        while directory.path != "/" && !directory.path.isEmpty {
            if manager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                let targets = directory.appendingPathComponent("targets", isDirectory: true)
                return manager.fileExists(atPath: targets.path) ? targets : nil
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Loads the built-in targets and the packaged directories (sources required), then extra
    /// directories and files, then checks names and host chains across all of them.
    /// - Parameters:
    ///   - packagedDirectories: directories that ship with the tool like `targets/` does (a
    ///     plugin's own targets); every cost number in them needs a source.
    ///   - extraDirectories: `--target-dir` arguments.
    ///   - extraFiles: `--target` arguments.
    ///   - families: the families to accept.
    ///   - environment: the process environment (for `KILN_TARGETS_DIR`).
    /// - Throws: ``DiagnosticError`` with every finding in every file.
    public static func standard(packagedDirectories: [URL] = [], extraDirectories: [URL] = [], extraFiles: [URL] = [],
                                families: [any TargetFamilySchema],
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws(DiagnosticError) -> TargetCatalog {
        var catalog = TargetCatalog(families: families)
        var findings = DiagnosticCollector()
        if let builtIn = builtInDirectory(environment: environment) {
            catalog.loadDirectory(builtIn, requireSources: true, displayPrefix: "targets/", into: &findings)
        } else {
            findings.error("cannot find the built-in targets directory; set \(directoryEnvironmentVariable)")
        }
        for directory in packagedDirectories {
            catalog.loadDirectory(directory, requireSources: true, displayPrefix: nil, into: &findings)
        }
        for directory in extraDirectories {
            catalog.loadDirectory(directory, requireSources: false, displayPrefix: nil, into: &findings)
        }
        for file in extraFiles {
            catalog.loadFile(file, displayName: file.relativePath, requireSources: false, into: &findings)
        }
        for finding in catalog.checkCrossTargetConsistency() { findings.append(finding) }
        try findings.throwIfErrors()
        return catalog
    }

    /// Loads every `*.json` file in `directory` (sorted by file name), recording findings.
    /// - Parameters:
    ///   - directory: the directory.
    ///   - requireSources: whether cost numbers need sources.
    ///   - displayPrefix: how findings name files (`targets/`); nil for the directory path.
    ///   - findings: where findings go.
    public mutating func loadDirectory(_ directory: URL, requireSources: Bool, displayPrefix: String?,
                                       into findings: inout DiagnosticCollector) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            findings.append(Diagnostic(.error, "cannot read the target directory: \(error.localizedDescription)",
                                       at: SourceLocation(file: directory.relativePath)))
            return
        }
        for name in names {
            let display = (displayPrefix ?? (directory.relativePath + "/")) + name
            loadFile(directory.appendingPathComponent(name), displayName: display, requireSources: requireSources, into: &findings)
        }
    }

    /// Loads one file, recording findings.
    public mutating func loadFile(_ file: URL, displayName: String, requireSources: Bool, into findings: inout DiagnosticCollector) {
        let fileLoader = TargetLoader(families: loader.families, options: .init(requireSources: requireSources))
        do {
            add(try fileLoader.load(contentsOf: file, displayName: displayName))
        } catch {
            findings.append(contentsOf: error)
        }
    }

    /// Adds a loaded target, keeping the list sorted by name. A later target with the same name
    /// replaces the earlier one (so `--target FILE` can override a built-in).
    public mutating func add(_ target: TargetDescription) {
        targets.removeAll { $0.name == target.name }
        let index = targets.firstIndex { $0.name > target.name } ?? targets.count
        targets.insert(target, at: index)
    }

    /// The target named `name`.
    public func target(named name: String) -> TargetDescription? {
        targets.first { $0.name == name }
    }

    /// Checks that every host target exists and that no host chain loops.
    /// - Returns: one finding per broken link or loop, at `host.target` in the file that names it.
    public func checkCrossTargetConsistency() -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for target in targets {
            guard let host = target.host else { continue }
            let place = "host.target"
            guard target.host.flatMap({ self.target(named: $0.target) }) != nil else {
                var message = "host target '\(host.target)' does not exist"
                if let close = closestMatch(to: host.target, among: targets.map(\.name)) { message += "; did you mean '\(close)'?" }
                findings.append(Diagnostic(.error, message, at: SourceLocation(file: target.file, place: place)))
                continue
            }
            var chain = [target.name]
            var current = host.target
            while true {
                if chain.contains(current) {
                    if current == target.name {
                        findings.append(Diagnostic(.error, "host chain loops: \((chain + [current]).joined(separator: " → "))",
                                                   at: SourceLocation(file: target.file, place: place)))
                    }
                    break
                }
                chain.append(current)
                guard let next = self.target(named: current)?.host?.target else { break }
                current = next
            }
        }
        return findings
    }

    /// The end of `name`'s host chain: the target that finally runs fallback ops (nil if the
    /// chain is broken or loops).
    public func finalHost(of name: String) -> TargetDescription? {
        var seen: Set<String> = []
        var current = target(named: name)
        while let target = current, let host = target.host {
            guard seen.insert(target.name).inserted else { return nil }
            current = self.target(named: host.target)
        }
        return current
    }
}
