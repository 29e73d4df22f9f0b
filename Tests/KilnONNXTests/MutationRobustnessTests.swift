import Foundation
import KilnDiagnostics
import Testing
@testable import KilnONNX

/// Seeded random mutations of the fixture files: every mutated input must decode or throw a
/// `DiagnosticError`, never crash or hang.
@Suite struct MutationRobustnessTests {
    static let iterations = 100_000
    static let seed: UInt64 = 0x4B69_6C6E_4F4E_4E58  // "KilnONNX"

    /// A fixture file and the offsets of its length prefixes.
    struct Sample {
        var bytes: [UInt8]
        var isModel: Bool
        /// Offsets of varint length prefixes of length-delimited fields, at every nesting level.
        var lengthOffsets: [Int]
    }

    /// Offsets of the length prefixes in a message, recursing into payloads that parse as messages.
    static func lengthOffsets(_ reader: inout ProtobufReader, into offsets: inout [Int]) -> Bool {
        var found: [Int] = []
        do {
            while let tag = try reader.readTag(in: "scan") {
                if tag.wireType == .lengthDelimited {
                    found.append(reader.offset)
                    var nested = try reader.readMessage(field: "scan")
                    var inner: [Int] = []
                    if lengthOffsets(&nested, into: &inner) { found += inner }
                } else {
                    try reader.skipField(tag, in: "scan")
                }
            }
        } catch {
            return false
        }
        offsets += found
        return true
    }

    static func samples() throws -> [Sample] {
        var urls: [(URL, Bool)] = []
        for directory in try Fixtures.onnxNodeTests() {
            urls.append((directory.appendingPathComponent("model.onnx"), true))
            let pb = directory.appendingPathComponent("test_data_set_0/input_0.pb")
            if FileManager.default.fileExists(atPath: pb.path) { urls.append((pb, false)) }
        }
        urls.append((Fixtures.digits.appendingPathComponent("mlp2_float.onnx"), true))
        urls.append((Fixtures.digits.appendingPathComponent("mlp2_qop.onnx"), true))
        return try urls.map { url, isModel in
            let bytes = try Fixtures.bytes(url)
            var reader = ProtobufReader(bytes: bytes)
            var offsets: [Int] = []
            _ = lengthOffsets(&reader, into: &offsets)
            return Sample(bytes: bytes, isModel: isModel, lengthOffsets: offsets)
        }
    }

    /// One random mutation of `bytes`.
    static func mutate(_ sample: Sample, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = sample.bytes
        let count = bytes.count
        switch rng.next() % 7 {
        case 0:  // truncate
            bytes.removeLast(Int(rng.next() % UInt64(count)) + 1)
        case 1:  // flip 1-8 random bits
            for _ in 0 ..< Int(rng.next() % 8) + 1 {
                bytes[Int(rng.next() % UInt64(count))] ^= UInt8(1) << (rng.next() % 8)
            }
        case 2, 3:  // overwrite a length prefix with a different varint
            guard let offset = sample.lengthOffsets.randomElement(using: &rng) else { break }
            var end = offset
            while end < count && bytes[end] & 0x80 != 0 { end += 1 }
            end = min(end + 1, count)
            var old: UInt64 = 0
            for (index, byte) in bytes[offset ..< end].enumerated() where index < 9 {
                old |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            }
            let replacement: [UInt8]
            switch rng.next() % 9 {
            case 0: replacement = ProtobufWriter.varint(0)
            case 1: replacement = ProtobufWriter.varint(old &+ 1)
            case 2: replacement = ProtobufWriter.varint(old &- 1)
            case 3: replacement = ProtobufWriter.varint(rng.next() % 4096)
            case 4: replacement = ProtobufWriter.varint(1 << 31)
            case 5: replacement = ProtobufWriter.varint(UInt64(Int64.max))
            case 6: replacement = ProtobufWriter.varint(UInt64.max)
            case 7: replacement = [UInt8](repeating: 0xFF, count: 10) + [0x01]  // 11 bytes
            default: replacement = ProtobufWriter.varint(old &* 2)
            }
            bytes.replaceSubrange(offset ..< end, with: replacement)
        case 4:  // insert 1-8 random bytes
            let position = Int(rng.next() % UInt64(count + 1))
            let inserted = (0 ..< Int(rng.next() % 8) + 1).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            bytes.insert(contentsOf: inserted, at: position)
        case 5:  // delete 1-8 bytes
            let position = Int(rng.next() % UInt64(count))
            bytes.removeSubrange(position ..< min(count, position + Int(rng.next() % 8) + 1))
        default:  // overwrite a run with varint-continuation bytes or a duplicated slice
            let position = Int(rng.next() % UInt64(count))
            if rng.next() % 2 == 0 {
                for index in position ..< min(count, position + Int(rng.next() % 12) + 1) { bytes[index] = 0xFF }
            } else {
                let length = min(count - position, Int(rng.next() % 64) + 1)
                let slice = Array(bytes[position ..< position + length])
                bytes.insert(contentsOf: slice, at: Int(rng.next() % UInt64(count + 1)))
            }
        }
        return bytes
    }

    /// Decodes mutated bytes, including every tensor payload: `.success(true)` if all of it
    /// decoded, `.success(false)` if the model decoded but a payload did not, `.failure` otherwise.
    static func decode(_ bytes: [UInt8], isModel: Bool) -> Result<Bool, DiagnosticError> {
        if isModel {
            let model: ONNXModel
            do {
                model = try ONNXModel(bytes: bytes, fileName: "mutant.onnx")
            } catch {
                return .failure(error)
            }
            var tensors = model.graph.initializers
            for node in model.graph.nodes {
                for attribute in node.attributes {
                    if case .tensor(let tensor) = attribute.value { tensors.append(tensor) }
                }
            }
            return .success(tensors.allSatisfy { (try? $0.values()) != nil })
        }
        do {
            _ = try ONNXTensor(bytes: bytes, fileName: "mutant.pb").values()
            return .success(true)
        } catch {
            return .failure(error)
        }
    }

    @Test func randomMutationsNeverCrash() throws {
        let samples = try Self.samples()
        #expect(samples.count > 300)
        #expect(samples.allSatisfy { !$0.lengthOffsets.isEmpty })
        var rng = SplitMix64(seed: Self.seed)
        var decoded = 0
        var rejected = 0
        var emptyMessages = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0 ..< Self.iterations {
                let sample = samples[Int(rng.next() % UInt64(samples.count))]
                let mutant = Self.mutate(sample, &rng)
                switch Self.decode(mutant, isModel: sample.isModel) {
                case .success(true): decoded += 1
                case .success(false): rejected += 1
                case .failure(let error):
                    rejected += 1
                    // Every error is a non-empty finding.
                    if error.diagnostics.contains(where: { $0.message.isEmpty }) { emptyMessages += 1 }
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("MutationRobustnessTests: \(Self.iterations) mutations (\(decoded) decoded, \(rejected) rejected) in \(String(format: "%.2f", seconds)) s")
        #expect(decoded + rejected == Self.iterations)
        #expect(emptyMessages == 0)
        #expect(decoded > 0)
        #expect(rejected > 0)
    }
}
