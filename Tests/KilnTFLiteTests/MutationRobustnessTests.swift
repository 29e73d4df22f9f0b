import Foundation
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import Testing
@testable import KilnTFLite

/// Seeded random mutations of the fixture models: every mutated file must import or throw a
/// `DiagnosticError` naming the file and a place in it (a byte offset, an operator or a
/// tensor), never crash or hang; a mutant of a small model that imports must also run (or
/// throw) in the reference interpreter, whatever its mutated parameters.
@Suite struct MutationRobustnessTests {
    static let iterations = 20_000
    static let file = "mutant.tflite"

    static func samples() throws -> [[UInt8]] {
        var urls = OperatorFixtureTests.names.map { Fixtures.ops.appendingPathComponent("\($0).tflite") }
        urls.append(Fixtures.mlperf.appendingPathComponent("kws_ref_model.tflite"))
        return try urls.map { [UInt8](try Data(contentsOf: $0)) }
    }

    /// Imports `bytes`; returns the error, or nil when the model imports.
    static func importError(_ bytes: [UInt8]) -> DiagnosticError? {
        do {
            let graph = try TFLiteImporter().importGraph(try TFLiteModel(bytes: bytes, fileName: file), file: file)
            if bytes.count < 20_000 { runOnZeros(graph) }
            return nil
        } catch {
            return error
        }
    }

    /// Runs a graph on all-zero-code inputs (errors are fine; a trap fails the test run). Graphs
    /// whose values hold more than 2^16 elements in all are skipped (mutated shapes can ask for
    /// any amount of work).
    static func runOnZeros(_ graph: Graph) {
        var total = 0
        for type in graph.types.values {
            guard let count = type.elementCount, count <= 1 << 16 else { return }
            total += count
        }
        guard total <= 1 << 16 else { return }
        var feed: [String: Tensor] = [:]
        for name in graph.inputs {
            guard let type = graph.types[name], let count = type.elementCount, count <= 1 << 16 else { return }
            switch type.elementType.storage {
            case .float32: feed[name] = Tensor(type: type, storage: .float32([Float](repeating: 0, count: count)))
            case .int32: feed[name] = Tensor(type: type, storage: .int32([Int32](repeating: 0, count: count)))
            case .int64: feed[name] = Tensor(type: type, storage: .int64([Int64](repeating: 0, count: count)))
            }
        }
        _ = try? ReferenceInterpreter(graph: graph).run(feed)
    }

    /// One random mutation: truncation, bit flips, or a 32-bit word (an offset, a length, a
    /// vtable offset) replaced by 0, a self or backward reference, a value past the end or an
    /// absurd length.
    static func mutate(_ original: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = original
        let count = bytes.count
        switch rng.next() % 4 {
        case 0:
            bytes.removeLast(Int(rng.next() % UInt64(count)) + 1)
        case 1:
            for _ in 0 ..< Int(rng.next() % 8) + 1 { bytes[Int(rng.next() % UInt64(count))] ^= UInt8(1) << (rng.next() % 8) }
        default:
            let at = Int(rng.next() % UInt64(count / 4)) * 4
            let choices: [UInt32] = [0, 4, UInt32(truncatingIfNeeded: -Int32(at)), UInt32(count), 0x7FFF_FFFF, 0xFFFF_FFFF,
                                     UInt32(truncatingIfNeeded: rng.next() % UInt64(2 * count)), 0x0100_0000]
            let word = choices[Int(rng.next() % UInt64(choices.count))]
            for byte in 0..<4 where at + byte < count { bytes[at + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(byte))) }
        }
        return bytes
    }

    @Test func mutatedModelsGiveLocatedErrorsNeverCrashes() throws {
        let originals = try Self.samples()
        var rng = SeededGenerator(seed: 0x4B69_6C6E_5446_4C33)  // "KilnTFL3"
        var rejected = 0
        for _ in 0..<Self.iterations {
            let original = originals[Int(rng.next() % UInt64(originals.count))]
            guard let error = Self.importError(Self.mutate(original, &rng)) else { continue }
            rejected += 1
            for finding in error.diagnostics {
                #expect(finding.location.file == Self.file, "\(finding)")
                #expect(finding.location.byteOffset != nil || finding.location.place != nil, "\(finding)")
            }
        }
        #expect(rejected > Self.iterations / 2)
    }

    @Test func truncatedFileNamesTheOffset() throws {
        let bytes = Array(try Self.samples()[0].prefix(200))
        let error = try #require(Self.importError(bytes))
        #expect(error.diagnostics[0].location.byteOffset != nil)
        #expect("\(error)".hasPrefix("\(Self.file): error: "))
    }

    @Test func selfReferenceIsRejected() throws {
        var bytes = try Self.samples()[0]
        bytes.replaceSubrange(0..<4, with: [0, 0, 0, 0])
        let error = try #require(Self.importError(bytes))
        #expect(error.diagnostics[0].message.contains("refers to itself"))
        #expect(error.diagnostics[0].location.byteOffset == 0)
    }

    @Test func absurdVectorLengthIsRejected() throws {
        // The root table's vtable names its fields; make the subgraphs vector claim 2^31 − 1 elements.
        let bytes = try Self.samples()[0]
        let reader = FlatBufferReader(bytes: bytes, fileName: Self.file)
        let model = try reader.rootTable("Model")
        let entry = model.vtable + 4 + 2 * 2
        let field = model.position + Int(bytes[entry]) + Int(bytes[entry + 1]) << 8
        let vector = try reader.follow(at: field, for: "subgraphs")
        var mutated = bytes
        mutated.replaceSubrange(vector ..< vector + 4, with: [0xFF, 0xFF, 0xFF, 0x7F])
        let error = try #require(Self.importError(mutated))
        #expect(error.diagnostics[0].message.contains("2147483647"))
        #expect(error.diagnostics[0].location.byteOffset != nil)
    }

    @Test func unknownFileIdentifierIsRejected() {
        let error = Self.importError([UInt8](repeating: 0, count: 64))
        #expect(error?.diagnostics[0].message.contains("TFL3") == true)
    }
}
