import Foundation
import Testing
import KilnDiagnostics
import KilnJSON
@testable import KilnCLI

/// The shard-file reader every merge uses (`SweepShard+Files`): header checks and the checks
/// that the files form one whole split, each failing with the file and JSON path it is about.
@Suite struct SweepShardFilesTests {
    /// A directory of shard files `{"kind": "test.shard", "schemaVersion": 1, "shard": …, "samples": S}`.
    struct Files {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-shard-files-\(UUID())")

        func write(_ name: String, _ text: String) throws -> String {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            return file
        }

        func shard(_ number: Int, of count: Int, samples: Int = 10) throws -> String {
            try write("\(number)-of-\(count)-\(samples).json",
                      #"{"kind": "test.shard", "schemaVersion": 1, "shard": {"number": \#(number), "count": \#(count)}, "samples": \#(samples)}"#)
        }
    }

    /// Reads `files` as test shards whose content is their `samples`, conflicting when those differ.
    static func read(_ files: [String]) throws(DiagnosticError) -> [(file: String, shard: SweepShard, content: Int)] {
        try SweepShard.readSplit(files, decode: { document, file throws(DiagnosticError) in
            let root = try SweepShard.root(of: document, kind: "test.shard", schemaVersion: 1, name: "test shard",
                                           writtenBy: "test --shard K/N", file: file)
            return (try SweepShard(in: root, file: file), Int(root["samples"]?.integerValue ?? -1))
        }, conflict: { samples, first in
            samples == first.content ? nil : ("\(samples) samples, \(first.file) has \(first.content)", "samples")
        })
    }

    /// The one diagnostic `body` throws.
    static func failure(_ body: () throws -> Void) -> Diagnostic? {
        do {
            try body()
            return nil
        } catch {
            guard let diagnostics = (error as? DiagnosticError)?.diagnostics, diagnostics.count == 1 else { return nil }
            return diagnostics[0]
        }
    }

    @Test func aWholeSplitReadsInTheOrderGiven() throws {
        let files = Files()
        let paths = [try files.shard(2, of: 3), try files.shard(1, of: 3), try files.shard(3, of: 3)]
        let shards = try Self.read(paths)
        #expect(shards.map(\.file) == paths)
        #expect(shards.map(\.shard) == [SweepShard(number: 2, count: 3), SweepShard(number: 1, count: 3), SweepShard(number: 3, count: 3)])
        #expect(shards.map(\.content) == [10, 10, 10])
    }

    @Test func anIncompleteOrMixedSplitNamesTheFileAndPath() throws {
        let files = Files()
        let first = try files.shard(1, of: 3), third = try files.shard(3, of: 3)
        let missing = Self.failure { _ = try Self.read([first, third]) }
        #expect(missing?.message == "shards 2 of 3 are missing; a merge needs every shard")

        let twice = Self.failure { _ = try Self.read([first, third, first]) }
        #expect(twice?.message == "shard 1/3 is given twice (also \(first))")
        #expect(twice?.location.file == first)

        let otherCount = try files.shard(1, of: 2)
        let mixed = Self.failure { _ = try Self.read([first, otherCount]) }
        #expect(mixed?.message == "shard 1/2 does not belong with \(first) (shard 1/3)")
        #expect(mixed?.location == SourceLocation(file: otherCount, place: "shard"))

        let otherSamples = try files.shard(2, of: 3, samples: 12)
        let conflict = Self.failure { _ = try Self.read([first, otherSamples]) }
        #expect(conflict?.message == "12 samples, \(first) has 10")
        #expect(conflict?.location == SourceLocation(file: otherSamples, place: "samples"))

        #expect(Self.failure { _ = try Self.read([]) }?.message == "no shard files to merge")
    }

    @Test func aFileThatIsNoShardIsRefusedAtItsHeader() throws {
        let files = Files()
        let cases: [(text: String, place: String?, message: String)] = [
            ("[1]", nil, "expected a test shard JSON object, got an array"),
            (#"{"kind": "other", "schemaVersion": 1}"#, "kind", #"not a test shard (expected "kind": "test.shard"); give files written by 'test --shard K/N'"#),
            (#"{"kind": "test.shard", "schemaVersion": 2}"#, "schemaVersion", "unsupported test shard schemaVersion 2; this Kiln reads schemaVersion 1"),
            (#"{"kind": "test.shard", "schemaVersion": 1, "shard": {"number": 3, "count": 2}}"#, "shard",
             #"expected {"number": K, "count": N} with 1 ≤ K ≤ N ≤ 1000000"#),
        ]
        for (index, entry) in cases.enumerated() {
            let file = try files.write("bad-\(index).json", entry.text)
            let failure = Self.failure { _ = try Self.read([file]) }
            #expect(failure?.message == entry.message, "\(entry.text)")
            #expect(failure?.location == SourceLocation(file: file, place: entry.place), "\(entry.text)")
        }
        let absent = files.directory.appendingPathComponent("absent.json").path
        #expect(Self.failure { _ = try Self.read([absent]) }?.message.hasPrefix("cannot read the shard file: ") == true)
    }
}
