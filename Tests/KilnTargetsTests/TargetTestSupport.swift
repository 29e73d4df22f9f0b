import Foundation
import KilnDiagnostics
import KilnJSON
@testable import KilnTargets
import KilnBackends

/// The package root, found by walking up from this file to `Package.swift`.
let packageRoot: URL = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}()

/// The built-in targets directory.
let targetsDirectory = packageRoot.appendingPathComponent("targets")

/// The parsed JSON of a built-in target file.
func builtInDocument(_ name: String) throws -> JSONValue {
    let data = try Data(contentsOf: targetsDirectory.appendingPathComponent(name + ".json"))
    return try JSONParser().parse([UInt8](data), file: name + ".json")
}

/// A JSON path written as components, for mutations in tests.
enum Step {
    case key(String)
    case index(Int)
}

/// Returns `value` with the member at `path` replaced by `replacement` (removed if nil).
func setting(_ value: JSONValue, _ path: [Step], to replacement: JSONValue?) -> JSONValue {
    guard let first = path.first else { return replacement ?? .null }
    let rest = Array(path.dropFirst())
    switch (first, value) {
    case (.key(let key), .object(var object)):
        if rest.isEmpty {
            object[key] = replacement
        } else {
            object[key] = setting(object[key] ?? .null, rest, to: replacement)
        }
        return .object(object)
    case (.index(let index), .array(var elements)):
        if rest.isEmpty {
            if let replacement { elements[index] = replacement } else { elements.remove(at: index) }
        } else {
            elements[index] = setting(elements[index], rest, to: replacement)
        }
        return .array(elements)
    default:
        return value
    }
}

/// Decodes `document` expecting failure; returns the findings' descriptions.
func failures(_ document: JSONValue, file: String = "t.json", requireSources: Bool = false,
              families: [any TargetFamilySchema] = BuiltInBackends.targetFamilies) -> [String] {
    do {
        _ = try TargetLoader(families: families, options: .init(requireSources: requireSources)).decode(document, file: file)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// Loads bytes expecting failure; returns the findings' descriptions.
func failures(bytes: [UInt8], file: String = "t.json") -> [String] {
    do {
        _ = try TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: bytes, file: file)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}
