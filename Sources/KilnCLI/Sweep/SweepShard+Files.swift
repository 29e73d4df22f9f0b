import Foundation
import KilnDiagnostics
import KilnJSON

/// Reading the JSON files a split run writes, for the merges (`kiln compare --merge`,
/// `kiln tune --merge`, `kiln sweep merge`): the file, its header and the split's completeness
/// are checked here once, each command decodes only its own content.
extension SweepShard {
    /// The parsed JSON of a file a shard wrote.
    /// - Throws: ``DiagnosticError`` naming the file when it cannot be read or is not JSON
    ///   (with the byte offset of the syntax error).
    static func document(inFile file: String) throws(DiagnosticError) -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw DiagnosticError(.error("cannot read the shard file: \(error.localizedDescription)", file: file))
        }
        return try JSONParser().parse([UInt8](data), file: file)
    }

    /// The root object of a Kiln JSON output read back, once its `kind` and `schemaVersion`
    /// are the ones this Kiln writes.
    /// - Parameters:
    ///   - document: the parsed file.
    ///   - kind: the expected `kind` (`kiln.compare.shard`).
    ///   - schemaVersion: the layout version this Kiln reads.
    ///   - name: what such a file is, for messages (`kiln compare shard`).
    ///   - command: the command line that writes such files, for messages.
    ///   - file: the file name used in findings.
    /// - Throws: ``DiagnosticError`` naming the file and the JSON path (`kind`, `schemaVersion`).
    static func root(of document: JSONValue, kind: String, schemaVersion: Int64, name: String, writtenBy command: String,
                     file: String) throws(DiagnosticError) -> JSONObject {
        func fail(_ message: String, at place: String? = nil) -> DiagnosticError { DiagnosticError(.error(message, file: file, place: place)) }
        guard let root = document.objectValue else { throw fail("expected a \(name) JSON object, got \(document.summary)") }
        guard root["kind"]?.stringValue == kind else {
            throw fail("not a \(name) (expected \"kind\": \"\(kind)\"); give files written by '\(command)'", at: "kind")
        }
        guard root["schemaVersion"]?.integerValue == schemaVersion else {
            throw fail("unsupported \(name) schemaVersion \(root["schemaVersion"]?.summary ?? "null"); this Kiln reads schemaVersion \(schemaVersion)",
                       at: "schemaVersion")
        }
        return root
    }

    /// The shard a shard file's root object names: `"shard": {"number": K, "count": N}`.
    /// - Throws: ``DiagnosticError`` at `shard` unless 1 ≤ K ≤ N ≤ 1000000.
    init(in root: JSONObject, file: String) throws(DiagnosticError) {
        guard let object = root["shard"]?.objectValue, let count = object["count"]?.integerValue, (1...1_000_000).contains(count),
              let number = object["number"]?.integerValue, (1...count).contains(number) else {
            throw DiagnosticError(.error("expected {\"number\": K, \"count\": N} with 1 ≤ K ≤ N ≤ 1000000", file: file, place: "shard"))
        }
        self.init(number: Int(number), count: Int(count))
    }

    /// The JSON of a shard, as ``init(in:file:)`` reads it back.
    var json: JSONValue { .object(JSONObject([("number", .integer(Int64(number))), ("count", .integer(Int64(count)))])) }

    /// Reads the shard files of one split for a merge: every shard of the split, each once, in
    /// the order given.
    /// - Parameters:
    ///   - files: the shard files.
    ///   - decode: a parsed file's shard and content, or the error naming what does not fit the merge.
    ///   - conflict: why a shard's content does not belong with the first file's (which is
    ///     given with its file name), as a message and the JSON path it is about; nil when it does.
    /// - Returns: each file with its shard and content.
    /// - Throws: ``DiagnosticError`` from `decode`, naming the file of a shard of another split
    ///   (another count, or a `conflict`) or given twice, or listing the missing shards.
    static func readSplit<Content>(
        _ files: [String], decode: (JSONValue, String) throws(DiagnosticError) -> (shard: SweepShard, content: Content),
        conflict: (Content, (file: String, content: Content)) -> (message: String, place: String)? = { _, _ in nil }
    ) throws(DiagnosticError) -> [(file: String, shard: SweepShard, content: Content)] {
        var shards: [(file: String, shard: SweepShard, content: Content)] = []
        for file in files {
            let (shard, content) = try decode(try document(inFile: file), file)
            if let first = shards.first {
                guard first.shard.count == shard.count else {
                    throw DiagnosticError(.error("shard \(shard.number)/\(shard.count) does not belong with \(first.file) "
                                                 + "(shard \(first.shard.number)/\(first.shard.count))", file: file, place: "shard"))
                }
                if let (message, place) = conflict(content, (first.file, first.content)) {
                    throw DiagnosticError(.error(message, file: file, place: place))
                }
            }
            if let same = shards.first(where: { $0.shard == shard }) {
                throw DiagnosticError(.error("shard \(shard.number)/\(shard.count) is given twice (also \(same.file))", file: file))
            }
            shards.append((file, shard, content))
        }
        guard let first = shards.first else { throw DiagnosticError(.error("no shard files to merge")) }
        let missing = (1...first.shard.count).filter { number in !shards.contains { $0.shard.number == number } }
        guard missing.isEmpty else {
            throw DiagnosticError(.error("shards \(missing.prefix(20).map(String.init).joined(separator: ", ")) of \(first.shard.count) are missing; "
                                         + "a merge needs every shard"))
        }
        return shards
    }
}
