/// A JSON object: members in file order, each key at most once.
public struct JSONObject: Sendable, Hashable {
    /// The members in file order.
    public private(set) var members: [(key: String, value: JSONValue)]
    private var positions: [String: Int]

    /// Creates an empty object.
    public init() {
        members = []
        positions = [:]
    }

    /// Creates an object from members in order; a repeated key replaces the earlier value in place.
    public init(_ members: [(String, JSONValue)]) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// The keys in file order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has a member with this key.
    public func contains(_ key: String) -> Bool { positions[key] != nil }

    /// The value of a key; setting appends a new key at the end or replaces an existing value in place.
    public subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let index = positions[key] {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                    positions = [:]
                    for (offset, member) in members.enumerated() { positions[member.key] = offset }
                }
            } else if let newValue {
                positions[key] = members.count
                members.append((key, newValue))
            }
        }
    }

    /// Two objects are equal when they have the same members in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes the members in order.
    public func hash(into hasher: inout Hasher) {
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
