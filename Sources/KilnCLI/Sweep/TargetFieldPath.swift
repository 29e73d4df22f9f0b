import KilnJSON

/// A path to one field of a target description, as `kiln sweep --vary` takes it:
/// dot-separated keys with `[N]` for an array element or `[NAME]` for the element of an
/// array of objects whose `"name"` is NAME (`clockMegahertz`, `FAMILY.FIELD`,
/// `memory[1].readBytesPerCycle`, `memory[dram].readBytesPerCycle`).
struct TargetFieldPath: Hashable, CustomStringConvertible {
    /// One step of the path.
    enum Component: Hashable {
        /// An object member.
        case key(String)
        /// An array element by position.
        case index(Int)
        /// The element of an array of objects whose `name` member is this string.
        case named(String)
    }

    /// The path as the user wrote it.
    let text: String
    /// The steps, outermost first.
    let components: [Component]

    var description: String { text }

    /// Parses a path.
    /// - Throws: ``UsageError`` naming the malformed part (an empty key, an unclosed bracket).
    init(parsing text: String) throws(UsageError) {
        var components: [Component] = []
        var key = ""
        var characters = Array(text)[...]
        func finishKey() throws(UsageError) {
            guard !key.isEmpty else { throw UsageError("field path '\(text)' has an empty key; write keys separated by '.', like 'memory[0].sizeBytes'") }
            components.append(.key(key))
            key = ""
        }
        guard !text.isEmpty else { throw UsageError("empty field path before '='") }
        var justClosedBracket = false
        while let character = characters.popFirst() {
            switch character {
            case ".":
                if justClosedBracket && key.isEmpty { justClosedBracket = false; continue }
                try finishKey()
            case "[":
                if !key.isEmpty || components.isEmpty { try finishKey() }
                guard let close = characters.firstIndex(of: "]") else {
                    throw UsageError("field path '\(text)' has a '[' without a matching ']'")
                }
                let inside = String(characters[characters.startIndex..<close])
                characters = characters[characters.index(after: close)...]
                guard !inside.isEmpty else { throw UsageError("field path '\(text)' has an empty '[]'; give an index or a level name") }
                if let index = Int(inside), index >= 0 { components.append(.index(index)) } else { components.append(.named(inside)) }
                justClosedBracket = true
                continue
            case "]":
                throw UsageError("field path '\(text)' has a ']' without a matching '['")
            default:
                if justClosedBracket { throw UsageError("field path '\(text)': expected '.' or '[' after ']'") }
                key.append(character)
            }
            justClosedBracket = false
        }
        if !key.isEmpty { components.append(.key(key)) } else if !justClosedBracket { try finishKey() }
        self.text = text
        self.components = components
    }

    /// How resolving the path in a document went.
    enum Resolution {
        /// The field exists and holds this value.
        case found(JSONValue)
        /// The path leaves the document at component `depth`; `container` is the value it
        /// stopped in.
        case missing(depth: Int, container: JSONValue)
    }

    /// Follows the path in `document`.
    func resolve(in document: JSONValue) -> Resolution {
        var current = document
        for (depth, component) in components.enumerated() {
            guard let next = Self.child(of: current, component) else { return .missing(depth: depth, container: current) }
            current = next
        }
        return .found(current)
    }

    /// `document` with the field at this path replaced by `value`; nil if the path does not exist.
    func replacing(in document: JSONValue, with value: JSONValue) -> JSONValue? {
        Self.replace(in: document, components[...], with: value)
    }

    /// The text of the path's first `count` components (`memory[1]`), for messages.
    func prefix(_ count: Int) -> String {
        var text = ""
        for component in components.prefix(count) {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            case .named(let name): text += "[\(name)]"
            }
        }
        return text
    }

    private static func child(of value: JSONValue, _ component: Component) -> JSONValue? {
        switch (component, value) {
        case (.key(let key), .object(let object)): return object[key]
        case (.index(let index), .array(let elements)): return elements.indices.contains(index) ? elements[index] : nil
        case (.named(let name), .array(let elements)): return elements.first { $0.objectValue?["name"]?.stringValue == name }
        default: return nil
        }
    }

    private static func replace(in value: JSONValue, _ components: ArraySlice<Component>, with newValue: JSONValue) -> JSONValue? {
        guard let component = components.first else { return newValue }
        let rest = components.dropFirst()
        switch (component, value) {
        case (.key(let key), .object(var object)):
            guard let child = object[key], let replaced = replace(in: child, rest, with: newValue) else { return nil }
            object[key] = replaced
            return .object(object)
        case (.index(let index), .array(var elements)):
            guard elements.indices.contains(index), let replaced = replace(in: elements[index], rest, with: newValue) else { return nil }
            elements[index] = replaced
            return .array(elements)
        case (.named(let name), .array(var elements)):
            guard let index = elements.firstIndex(where: { $0.objectValue?["name"]?.stringValue == name }),
                  let replaced = replace(in: elements[index], rest, with: newValue) else { return nil }
            elements[index] = replaced
            return .array(elements)
        default:
            return nil
        }
    }
}
