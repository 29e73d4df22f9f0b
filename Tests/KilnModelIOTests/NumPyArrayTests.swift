import Foundation
import KilnDiagnostics
import Testing
@testable import KilnModelIO

// Fixtures come from tools/make_npy_fixtures.py (numpy 2.x); see that script for what each holds.

private let fixtureRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/npy")

private func fixturePath(_ kind: String, _ name: String) -> String {
    fixtureRoot.appendingPathComponent(kind).appendingPathComponent(name).path
}

private func readFixture(_ name: String) throws -> NumPyArray {
    try NumPyReader.read(contentsOf: fixturePath("read", name))
}

/// A `.npy` file framed like numpy's, around a hand-written header.
private func npy(_ header: String, version: UInt8 = 1, data: [UInt8] = []) -> Data {
    var body = Array(header.utf8)
    let prefix = version == 1 ? 10 : 12
    body += [UInt8](repeating: 0x20, count: 63 - (prefix + body.count) % 64) + [0x0A]
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    bytes += version == 1 ? [UInt8(body.count & 0xFF), UInt8(body.count >> 8)]
        : [UInt8(body.count & 0xFF), UInt8(body.count >> 8), 0, 0]
    return Data(bytes + body + data)
}

/// Runs `body`, expects a DiagnosticError with one finding, and checks its place, file, message
/// fragments and (if given) byte offset.
private func expectFailure<T>(place: String?, file: String? = "t.npy", byteOffset: Int? = nil,
                              _ fragments: [String],
                              sourceLocation: Testing.SourceLocation = #_sourceLocation,
                              _ body: () throws -> T) {
    do {
        _ = try body()
        Issue.record("expected an error at \(place ?? "nil")", sourceLocation: sourceLocation)
    } catch {
        guard let error = error as? DiagnosticError else {
            Issue.record("expected a DiagnosticError, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.diagnostics.count == 1, sourceLocation: sourceLocation)
        let finding = error.diagnostics[0]
        #expect(finding.severity == .error, sourceLocation: sourceLocation)
        #expect(finding.location.place == place, "\(finding)", sourceLocation: sourceLocation)
        #expect(finding.location.file == file, "\(finding)", sourceLocation: sourceLocation)
        if let byteOffset {
            #expect(finding.location.byteOffset == byteOffset, "\(finding)", sourceLocation: sourceLocation)
        }
        for fragment in fragments {
            #expect(finding.message.contains(fragment), "\(finding)", sourceLocation: sourceLocation)
        }
    }
}

private func decode(_ data: Data) throws(DiagnosticError) -> NumPyArray {
    try NumPyReader.decode(data, file: "t.npy")
}

// MARK: - Reading numpy's files

@Suite struct NumPyReadTests {
    static let float32Values: [Float] = [0, 1.5, -0.0, .nan, .infinity, -.infinity,
                                         .greatestFiniteMagnitude, .leastNonzeroMagnitude]
    static let float64Values: [Double] = [0.1, -2.5, -0.0, .nan, .infinity, -.infinity, 1e300]

    @Test(arguments: ["f4_le.npy", "f4_be.npy"])
    func float32InBothByteOrders(name: String) throws {
        let array = try readFixture(name)
        #expect(array.dtype == .float32)
        #expect(array.shape == [8])
        #expect(try array.floatValues().map(\.bitPattern) == Self.float32Values.map(\.bitPattern))
        #expect(try array.doubleValues()[6] == Double(Float.greatestFiniteMagnitude))
    }

    @Test(arguments: ["f8_le.npy", "f8_be.npy"])
    func float64InBothByteOrders(name: String) throws {
        let array = try readFixture(name)
        #expect(array.dtype == .float64)
        #expect(try array.doubleValues().map(\.bitPattern) == Self.float64Values.map(\.bitPattern))
        // 1e300 is beyond float32: converting refuses rather than turning it into infinity.
        expectFailure(place: "data", file: nil, ["element 6 at index (6,) is 1e+300", "beyond the float32 range"]) {
            try array.floatValues()
        }
        let converted = try NumPyArray(shape: [6], storage: .float64(Array(Self.float64Values.prefix(6))))
            .floatValues()
        #expect(converted.map(\.bitPattern)
            == [Float(0.1), -2.5, -0.0, .nan, .infinity, -.infinity].map(\.bitPattern))
    }

    @Test func oneByteTypes() throws {
        let int8 = try readFixture("i1.npy")
        #expect(int8.storage == .int8([-128, -1, 0, 1, 127]))
        #expect(try int8.int32Values() == [-128, -1, 0, 1, 127])
        #expect(try int8.floatValues() == [-128, -1, 0, 1, 127])
        let uint8 = try readFixture("u1.npy")
        #expect(uint8.storage == .uint8([0, 1, 128, 255]))
        #expect(try uint8.int64Values() == [0, 1, 128, 255])
        let bool = try readFixture("b1.npy")
        #expect(bool.storage == .bool([true, false, true, true]))
        #expect(try bool.int32Values() == [1, 0, 1, 1])
    }

    @Test(arguments: ["le", "be"])
    func wideIntegersInBothByteOrders(order: String) throws {
        #expect(try readFixture("i2_\(order).npy").storage == .int16([-32768, -1, 0, 1, 32767]))
        #expect(try readFixture("u2_\(order).npy").storage == .uint16([0, 1, 32768, 65535]))
        let int32 = try readFixture("i4_\(order).npy")
        #expect(int32.storage == .int32([.min, -1, 0, 1, .max]))
        #expect(try int32.int32Values() == [.min, -1, 0, 1, .max])
        let uint32 = try readFixture("u4_\(order).npy")
        #expect(uint32.storage == .uint32([0, 1, 2147483647, 2147483648, 4294967295]))
        #expect(try uint32.int64Values() == [0, 1, 2147483647, 2147483648, 4294967295])
        let int64 = try readFixture("i8_\(order).npy")
        #expect(int64.storage == .int64([.min, -1, 0, 1, .max]))
        #expect(try int64.int64Values() == [.min, -1, 0, 1, .max])
    }

    @Test func shapes() throws {
        let scalar = try readFixture("scalar_f4.npy")
        #expect(scalar.shape == [] && scalar.rank == 0 && scalar.count == 1)
        #expect(try scalar.floatValues() == [3.25])
        let fourD = try readFixture("shape_2x3x1x2_i1.npy")
        #expect(fourD.shape == [2, 3, 1, 2])
        #expect(fourD.storage == .int8(Array(-6...5)))
        let empty = try readFixture("empty_0x3_f4.npy")
        #expect(empty.shape == [0, 3] && empty.count == 0)
        #expect(try empty.floatValues() == [])
    }

    @Test func formatVersions2And3() throws {
        let v2 = try readFixture("v2_i4_2x2.npy")
        #expect(v2.shape == [2, 2] && v2.storage == .int32([1, -2, 3, -4]))
        let v3 = try readFixture("v3_u1_3.npy")
        #expect(v3.shape == [3] && v3.storage == .uint8([7, 8, 9]))
    }

    @Test func nativeOrderAndReorderedKeys() throws {
        #expect(try readFixture("native_order_f4.npy").storage == .float32([1, -2]))
        let reordered = try readFixture("reordered_keys_i2.npy")
        #expect(reordered.shape == [3] && reordered.storage == .int16([5, -6, 7]))
    }

    @Test func headerSyntaxVariants() throws {
        let data: [UInt8] = [1, 0, 2, 0]
        for header in ["{'descr':'<i2','fortran_order':False,'shape':(2,)}",
                       "{ \"descr\" : \"<i2\" ,\n\t'shape' : ( 2 , ) , 'fortran_order' : False , }",
                       "{'shape': (2,), 'descr': 'i2', 'fortran_order': False}",
                       "{'shape': (1, 2,), 'descr': '<i2', 'fortran_order': False}",
                       "{'shape': (2,), 'descr': '<i2', 'fortran_order': True}"] {
            let array = try decode(npy(header, data: data))
            #expect(array.storage == .int16([1, 2]), "\(header)")
        }
        #expect(try decode(npy("{'descr': '?', 'fortran_order': False, 'shape': (), }", data: [1])).storage
            == .bool([true]))
        #expect(try decode(npy("{'descr': '>i1', 'fortran_order': False, 'shape': (1,), }", data: [0xFF])).storage
            == .int8([-1]))
    }

    @Test func largeFloat32ArrayRoundTripsThroughTheBulkPath() throws {
        let values = (0..<3_000_000).map { Float($0) * 0.25 - 1000 }
        let array = try NumPyArray(shape: [1000, 3000], storage: .float32(values))
        let start = ContinuousClock.now
        let back = try NumPyReader.decode(NumPyWriter.encode(array))
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(back == array)
    }
}

// MARK: - Conversions

@Suite struct NumPyConversionTests {
    @Test func int32ValuesAreRangeChecked() throws {
        let uint32 = try readFixture("u4_le.npy")
        expectFailure(place: "data", file: nil,
                      ["element 3 at index (3,) is 2147483648", "outside the int32 range -2147483648...2147483647"]) {
            try uint32.int32Values()
        }
        let int64 = try NumPyArray(shape: [2, 2], storage: .int64([0, 1, 2, -3_000_000_000]))
        expectFailure(place: "data", file: nil, ["element 3 at index (1, 1) is -3000000000"]) {
            try int64.int32Values()
        }
    }

    @Test func integersMustBeExactAsFloats() throws {
        let int64 = try readFixture("i8_le.npy")
        expectFailure(place: "data", file: nil, ["element 4", "9223372036854775807", "float32 cannot represent exactly"]) {
            try int64.floatValues()
        }
        expectFailure(place: "data", file: nil, ["element 4", "float64 cannot represent exactly"]) {
            try int64.doubleValues()
        }
        #expect(try NumPyArray(shape: [2], storage: .int32([16_777_216, -7])).floatValues() == [16_777_216, -7])
    }

    @Test func floatsAreNotIntegers() throws {
        let floats = try readFixture("f4_le.npy")
        expectFailure(place: "data", file: nil, ["holds float32 values", "a.astype(np.int32)"]) {
            try floats.int32Values()
        }
        expectFailure(place: "data", file: nil, ["holds float32 values", "a.astype(np.int64)"]) {
            try floats.int64Values()
        }
    }

    @Test func initializerChecksTheShape() {
        expectFailure(place: "shape", file: nil, ["needs 6 elements, but 5 were given"]) {
            try NumPyArray(shape: [2, 3], storage: .int8([1, 2, 3, 4, 5]))
        }
        expectFailure(place: "shape", file: nil, ["dimension 1 is -3"]) {
            try NumPyArray(shape: [1, -3], storage: .int8([]))
        }
        expectFailure(place: "shape", file: nil, ["more elements than Int can count"]) {
            try NumPyArray(shape: [1 << 40, 1 << 40], storage: .int8([]))
        }
    }

    @Test func kilnElementTypeNames() {
        #expect(NumPyDType.float32.kilnElementTypeName == "f32")
        #expect(NumPyDType.int8.kilnElementTypeName == "i8")
        #expect(NumPyDType.uint8.kilnElementTypeName == "u8")
        #expect(NumPyDType.int64.kilnElementTypeName == "i64")
        #expect(NumPyDType.bool.kilnElementTypeName == "bool")
        #expect(NumPyDType.float64.kilnElementTypeName == nil)
        #expect(NumPyDType.uint32.kilnElementTypeName == nil)
    }
}

// MARK: - Writing

@Suite struct NumPyWriteTests {
    /// Each array with the np.save output for the same array (Tests/Fixtures/npy/write/).
    static let cases: [(String, NumPyArray)] = {
        func make(_ shape: [Int], _ storage: NumPyStorage) -> NumPyArray {
            try! NumPyArray(shape: shape, storage: storage)
        }
        return [
            ("f4_2x3.npy", make([2, 3], .float32([0, 1.5, -0.0, .nan, .infinity, -.infinity]))),
            ("f8_3.npy", make([3], .float64([0.1, -2.5, 1e300]))),
            ("i1_5.npy", make([5], .int8([-128, -1, 0, 1, 127]))),
            ("u1_4.npy", make([4], .uint8([0, 1, 128, 255]))),
            ("i2_5.npy", make([5], .int16([-32768, -1, 0, 1, 32767]))),
            ("u2_4.npy", make([4], .uint16([0, 1, 32768, 65535]))),
            ("i4_5.npy", make([5], .int32([.min, -1, 0, 1, .max]))),
            ("u4_5.npy", make([5], .uint32([0, 1, 2147483647, 2147483648, 4294967295]))),
            ("i8_5.npy", make([5], .int64([.min, -1, 0, 1, .max]))),
            ("b1_4.npy", make([4], .bool([true, false, true, true]))),
            ("scalar_f4.npy", make([], .float32([3.25]))),
            ("empty_0_i4.npy", make([0], .int32([]))),
            ("i1_2x3x1x2.npy", make([2, 3, 1, 2], .int8(Array(-6...5)))),
            ("u1_big_first_dim.npy", make([123_456_789_012, 0], .uint8([]))),
        ]
    }()

    @Test(arguments: cases)
    func writesExactlyWhatNumPyWrites(name: String, array: NumPyArray) throws {
        let expected = try Data(contentsOf: URL(fileURLWithPath: fixturePath("write", name)))
        let written = NumPyWriter.encode(array)
        #expect(written == expected, "\(name): \(String(decoding: written.prefix(128), as: UTF8.self))")
    }

    @Test(arguments: cases)
    func roundTrips(name: String, array: NumPyArray) throws {
        let back = try NumPyReader.decode(NumPyWriter.encode(array))
        #expect(back.shape == array.shape)
        #expect(back.storage.isBitwiseIdentical(to: array.storage), "\(name)")
    }

    @Test func roundTripsThroughAFile() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-npy-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let array = try NumPyArray(shape: [2, 2], storage: .float32([1, -2, .nan, -0.0]))
        try NumPyWriter.write(array, to: path)
        #expect(try NumPyReader.read(contentsOf: path).storage.isBitwiseIdentical(to: array.storage))
    }

    @Test func dataIsAlwaysAlignedTo64Bytes() throws {
        for rank in 0...40 {
            for first in [0, 7, 12345, Int(Int32.max) * 3] {
                let shape = rank == 0 ? [] : [first] + [Int](repeating: 1, count: rank - 1)
                let header = NumPyWriter.header(dtype: .float32, shape: shape)
                #expect(header.count % 64 == 0 && header.last == 0x0A, "\(shape)")
                #expect(header[6] == 1)
            }
        }
    }

    @Test func switchesToVersion2WhenTheHeaderNeedsIt() throws {
        let shape = [Int](repeating: 1, count: 22_000)
        let array = try NumPyArray(shape: shape, storage: .uint8([42]))
        let data = NumPyWriter.encode(array)
        #expect(data[6] == 2 && data[7] == 0)
        #expect((data.count - 1) % 64 == 0)
        let back = try NumPyReader.decode(data)
        #expect(back.shape == shape && back.storage == .uint8([42]))
    }

    @Test func reportsAnUnwritablePath() throws {
        let array = try NumPyArray(shape: [], storage: .int8([1]))
        expectFailure(place: nil, file: "/nonexistent-dir/x.npy", ["cannot write the file"]) {
            try NumPyWriter.write(array, to: "/nonexistent-dir/x.npy")
        }
    }
}

// MARK: - Bad input

@Suite struct NumPyBadInputTests {
    private static let validHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"

    @Test func emptyFile() {
        expectFailure(place: "magic", byteOffset: 0, ["the file is empty (0 bytes)", "\\x93NUMPY"]) {
            try decode(Data())
        }
    }

    @Test func wrongMagic() {
        expectFailure(place: "magic", byteOffset: 0, ["not a .npy file", "found 68 65 6C 6C 6F 20"]) {
            try decode(Data("hello world, not numpy".utf8))
        }
        expectFailure(place: "magic", byteOffset: 3, ["ends after 3 bytes, inside the magic string"]) {
            try decode(Data([0x93, 0x4E, 0x55]))
        }
    }

    @Test func npzArchive() {
        let path = fixturePath("bad", "archive.npz")
        expectFailure(place: "magic", file: path, byteOffset: 0, ["zip archive", ".npz"]) {
            try NumPyReader.read(contentsOf: path)
        }
    }

    @Test func unsupportedVersion() {
        var data = npy(Self.validHeader, data: [UInt8](repeating: 0, count: 8))
        data[6] = 4
        expectFailure(place: "version", byteOffset: 6, ["version 4.0", "1.0, 2.0 and 3.0"]) { try decode(data) }
        data[6] = 1
        data[7] = 1
        expectFailure(place: "version", byteOffset: 6, ["version 1.1"]) { try decode(data) }
        expectFailure(place: "version", byteOffset: 7, ["inside the format version"]) {
            try decode(data.prefix(7))
        }
    }

    @Test func truncatedHeader() {
        let data = npy(Self.validHeader)
        expectFailure(place: "header", byteOffset: 10, ["truncated header", "says 118 bytes, but only 40 bytes follow"]) {
            try decode(data.prefix(50))
        }
        expectFailure(place: "header", byteOffset: 8, ["inside the 2-byte header length"]) {
            try decode(data.prefix(9))
        }
    }

    @Test func headerNotADict() {
        expectFailure(place: "header", byteOffset: 10, ["not a Python dict literal", "found '['"]) {
            try decode(npy("['descr', '<f4']"))
        }
        expectFailure(place: "header", ["unexpected 'x' after the end of the header dict"]) {
            try decode(npy(Self.validHeader + " x"))
        }
        expectFailure(place: "header", ["expected ',' or '}' after the value of 'descr'"]) {
            try decode(npy("{'descr': '<f4' 'shape': (2,)}"))
        }
        expectFailure(place: "header.descr", byteOffset: 20, ["unterminated string"]) {
            try decode(npy("{'descr': '<f4}"))
        }
        expectFailure(place: "header.descr", ["escape sequences"]) {
            try decode(npy("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}"))
        }
    }

    @Test func missingUnknownAndRepeatedKeys() {
        expectFailure(place: "header", ["lacks the key 'shape'", "'descr', 'fortran_order' and 'shape'"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False}"))
        }
        expectFailure(place: "header", ["lacks the keys 'descr', 'fortran_order', 'shape'"]) {
            try decode(npy("{}"))
        }
        expectFailure(place: "header", byteOffset: 66, ["unexpected key 'dtype'"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'dtype': 1}"))
        }
        expectFailure(place: "header", ["the key 'descr' appears twice"]) {
            try decode(npy("{'descr': '<f4', 'descr': '<i4', 'fortran_order': False, 'shape': (2,)}"))
        }
    }

    @Test func badShapeEntries() {
        expectFailure(place: "header.shape[1]", ["dimension 1 of the shape (2, -3) is negative"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }"))
        }
        expectFailure(place: "header.shape", ["(5) is a parenthesized number, not a tuple", "(5,)"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5), }"))
        }
        expectFailure(place: "header.shape", ["expected the shape as a tuple", "found '['"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': [5], }"))
        }
        expectFailure(place: "header.shape[0]", ["expected an integer dimension, found \"'\""]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }"))
        }
        expectFailure(place: "header.shape[1]", ["expected an integer dimension, found 'L'"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3L), }"))
        }
    }

    @Test func shapeOverflow() {
        expectFailure(place: "header.shape[0]", ["too large for a 64-bit integer"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"))
        }
        expectFailure(place: "header.shape", ["the shape (4294967296, 4294967296) has more elements"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"))
        }
        expectFailure(place: "header.shape", ["needs more bytes than fit in a 64-bit size"]) {
            try decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"))
        }
        // A huge but representable shape: refused for lack of data, before anything is allocated.
        expectFailure(place: "data", ["needs 8000000000000 bytes, but the file has only 0"]) {
            try decode(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"))
        }
    }

    @Test(arguments: [("complex_c8.npy", "'<c8' (complex numbers)"),
                      ("object.npy", "'|O' (Python objects"),
                      ("unicode_U5.npy", "'<U5' (Unicode strings)")])
    func unsupportedDtypeFromNumPy(name: String, fragment: String) {
        let path = fixturePath("bad", name)
        expectFailure(place: "header.descr", file: path,
                      ["unsupported dtype " + fragment, "|b1, |i1, |u1, <i2, <u2, <i4, <u4, <i8, <f4, <f8"]) {
            try NumPyReader.read(contentsOf: path)
        }
    }

    @Test func otherUnsupportedDtypes() {
        for (descr, fragment) in [("<u8", "unsigned integer of 8 bytes"), ("<f2", "2-byte floating-point"),
                                  ("<M8[ns]", "datetimes"), ("|S3", "byte strings"), ("", "empty type code")] {
            expectFailure(place: "header.descr", ["unsupported dtype '\(descr)'", fragment]) {
                try decode(npy("{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }"))
            }
        }
        expectFailure(place: "header.descr", ["expected a dtype string such as '<f4', found '1'"]) {
            try decode(npy("{'descr': 17, 'fortran_order': False, 'shape': (1,), }"))
        }
    }

    @Test func structuredDtype() {
        let path = fixturePath("bad", "structured.npy")
        expectFailure(place: "header.descr", file: path, ["structured dtype", "save each field as its own array"]) {
            try NumPyReader.read(contentsOf: path)
        }
    }

    @Test func fortranOrder() {
        let path = fixturePath("bad", "fortran_2x3_f4.npy")
        expectFailure(place: "header.fortran_order", file: path, ["Fortran (column-major) order",
                                                                  "np.ascontiguousarray"]) {
            try NumPyReader.read(contentsOf: path)
        }
        expectFailure(place: "header.fortran_order", ["expected True or False, found '0'"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"))
        }
        expectFailure(place: "header.fortran_order", ["expected True or False, found 'T'"]) {
            try decode(npy("{'descr': '<f4', 'fortran_order': Truely, 'shape': (1,), }"))
        }
    }

    @Test func truncatedData() {
        let path = fixturePath("bad", "truncated_data_f4.npy")
        expectFailure(place: "data", file: path, byteOffset: 128,
                      ["data is too short", "(8,) of f4 (4-byte) elements needs 32 bytes, but the file has only 27"]) {
            try NumPyReader.read(contentsOf: path)
        }
    }

    @Test func trailingBytes() {
        let path = fixturePath("bad", "trailing_bytes_f4.npy")
        expectFailure(place: "data", file: path, byteOffset: 160, ["4 unexpected bytes after the data",
                                                                   "needs 32 bytes, and the file has 36"]) {
            try NumPyReader.read(contentsOf: path)
        }
    }

    @Test func boolBytesMustBe0Or1() {
        expectFailure(place: "data", byteOffset: 129, ["element 1 of the bool array is the byte 2"]) {
            try decode(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", data: [1, 2, 0]))
        }
    }

    @Test func invalidUTF8InVersion3Header() {
        var data = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", version: 3,
                       data: [0, 0, 0, 0])
        data[15] = 0xFF  // inside the key 'descr', whose quote is at byte 13
        expectFailure(place: "header", byteOffset: 13, ["not valid UTF-8"]) { try decode(data) }
    }

    @Test func missingFileAndDirectory() {
        expectFailure(place: nil, file: "/no/such/file.npy", ["no such file"]) {
            try NumPyReader.read(contentsOf: "/no/such/file.npy")
        }
        let folder = fixtureRoot.path
        expectFailure(place: nil, file: folder, ["is a directory"]) {
            try NumPyReader.read(contentsOf: folder)
        }
    }

    @Test func errorsRenderLikeCompilerMessages() {
        do {
            _ = try decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }"))
        } catch {
            #expect(error.description.hasPrefix("t.npy: error: at header.shape[1]: "))
        }
    }
}
