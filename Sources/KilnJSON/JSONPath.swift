/// A path from the root of a JSON document to one value, such as `memory[1].readBytesPerCycle`.
///
/// Paths name the place of every finding about a JSON input. Keys that are plain identifiers
/// are written with a dot; other keys are quoted in brackets (`ops["my op"]`).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// A key of an object.
        case key(String)
        /// An index into an array (0-based).
        case index(Int)
    }

    /// The steps from the root, outermost first. Empty for the root itself.
    public private(set) var components: [Component]

    /// The path of the document's root value.
    public static let root = JSONPath(components: [])

    /// Creates a path from its steps.
    public init(components: [Component]) {
        self.components = components
    }

    /// Whether this is the root path.
    public var isRoot: Bool { components.isEmpty }

    /// The path of a member of the object at this path.
    public func appending(key: String) -> JSONPath {
        JSONPath(components: components + [.key(key)])
    }

    /// The path of an element of the array at this path.
    public func appending(index: Int) -> JSONPath {
        JSONPath(components: components + [.index(index)])
    }

    /// The path with every array index replaced by `[]`: the schema pattern of this place
    /// (`memory[].sizeBytes` for `memory[1].sizeBytes`).
    public var pattern: String {
        render(indices: false)
    }

    /// The path as written in findings: `memory[1].readBytesPerCycle`; `(root)` for the root.
    public var description: String {
        isRoot ? "(root)" : render(indices: true)
    }

    private func render(indices: Bool) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if JSONPath.isIdentifier(key) {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "[\"" + JSONWriter.escape(key) + "\"]"
                }
            case .index(let index):
                text += indices ? "[\(index)]" : "[]"
            }
        }
        return text
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
