import Foundation
import KilnDiagnostics
import KilnJSON
import Testing
@testable import KilnTargets
import KilnBackends

/// Each case breaks one thing in a valid built-in file and expects exactly the finding named.
@Suite struct InvalidTargetTests {
    static let m7 = "stm32h743-cortex-m7"

    func expectFinding(_ base: String, _ path: [Step], _ replacement: JSONValue?, _ expected: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let document = setting(try builtInDocument(base), path, to: replacement)
        let found = failures(document, file: "targets/m7.json")
        #expect(found.contains("targets/m7.json: error: " + expected), "got \(found)", sourceLocation: sourceLocation)
    }

    @Test func negativeBandwidth() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(1), .key("readBytesPerCycle")], .integer(-4),
                          "at memory[1].readBytesPerCycle: expected a positive number, got -4")
    }

    @Test func negativeSourcedBandwidthKeepsThePath() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(1), .key("readBytesPerCycle")],
                          .object(JSONObject([("value", .integer(-4)), ("source", .string("x"))])),
                          "at memory[1].readBytesPerCycle: expected a positive number, got -4")
    }

    @Test func zeroSize() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(0), .key("sizeBytes")], .integer(0),
                          "at memory[0].sizeBytes: expected a positive integer, got 0")
    }

    @Test func fractionalSize() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(0), .key("sizeBytes")], .number(1.5),
                          "at memory[0].sizeBytes: expected a positive integer, got 1.5")
    }

    @Test func stringWhereNumberExpected() throws {
        try expectFinding(Self.m7, [.key("clockMegahertz")], .string("480 MHz"),
                          "at clockMegahertz: expected a positive number, got the string \"480 MHz\"")
    }

    @Test func wrongContainerType() throws {
        try expectFinding(Self.m7, [.key("memory")], .object(JSONObject()), "at memory: expected an array, got an object")
    }

    @Test func boolExpected() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(0), .key("holdsWeights")], .string("yes"),
                          "at memory[0].holdsWeights: expected true or false, got the string \"yes\"")
    }

    @Test func unknownKeyWithSuggestion() throws {
        try expectFinding(Self.m7, [.key("clockMegaherz")], .integer(1),
                          "at clockMegaherz: unknown key 'clockMegaherz'; did you mean 'clockMegahertz'?")
    }

    @Test func unknownKeyInsideSourcedNumber() throws {
        try expectFinding(Self.m7, [.key("cores")], .object(JSONObject([("value", .integer(1)), ("sauce", .string("x"))])),
                          "at cores.sauce: unknown key 'sauce'; did you mean 'source'?")
    }

    @Test func missingRequiredKey() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(0), .key("latencyCycles")], nil,
                          "at memory[0]: missing required key 'latencyCycles'")
    }

    @Test func missingFamilySection() throws {
        try expectFinding(Self.m7, [.key("dsp")], nil, "missing the 'dsp' section required by family 'dsp'")
    }

    @Test func sectionOfAnotherFamily() throws {
        let dsp = try builtInDocument(Self.m7).objectValue?["dsp"]
        try expectFinding(Self.m7, [.key("simd")], dsp, "at simd: unknown key 'simd'")
    }

    @Test func unknownFamily() throws {
        try expectFinding(Self.m7, [.key("family")], .string("dps"),
                          "at family: unknown family 'dps'; registered families: simd, dsp, dataflow, systolic, xnor, ethosU (did you mean 'dsp'?)")
    }

    @Test func opDeclaredAtUnsupportedWidth() throws {
        try expectFinding(Self.m7, [.key("ops"), .index(0), .key("formats")], .array([.string("q7"), .string("i2")]),
                          "at ops[0].formats[1]: op 'conv2d' is declared at 'i2', which numerics.storageFormats lacks (it has q7, q15, i8, i4, bin)")
    }

    @Test func unknownOp() throws {
        try expectFinding(Self.m7, [.key("ops"), .index(0), .key("op")], .string("conv"), "at ops[0].op: unknown op 'conv'; did you mean 'conv2d'?")
    }

    @Test func unknownElementType() throws {
        try expectFinding(Self.m7, [.key("numerics"), .key("storageFormats")], .array([.string("int8")]),
                          "at numerics.storageFormats[0]: unknown element type 'int8'; expected a name such as 'i8', 'u8', 'i4', 'bin', 'q7', 'q15', 'q31', 'f32'")
    }

    @Test func unknownChoice() throws {
        try expectFinding("scalesim-google-tpu-ws", [.key("systolic"), .key("dataflow")], .string("wss"),
                          "at systolic.dataflow: unknown value 'wss'; expected one of 'os', 'ws', 'is' (did you mean 'ws'?)")
    }

    @Test func emptyOpSet() throws {
        try expectFinding(Self.m7, [.key("ops")], .array([]), "at ops: expected a non-empty array")
    }

    @Test func duplicateMemoryLevelName() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(1), .key("name")], .string("dtcm"),
                          "at memory[1].name: memory level name 'dtcm' is used twice")
    }

    @Test func duplicateStackName() throws {
        try expectFinding(Self.m7, [.key("stacks"), .index(1), .key("name")], .string("tflm-cmsis-nn"),
                          "at stacks[1].name: stack name 'tflm-cmsis-nn' is used twice")
    }

    @Test func unknownKernelLibrary() throws {
        try expectFinding(Self.m7, [.key("stacks"), .index(0), .key("kernels")], .string("cmsisnn"),
                          "at stacks[0].kernels: unknown value 'cmsisnn'; expected one of 'cmsisNN', 'cmsisNN2020', 'tfliteMicroReference', 'mlas' (did you mean 'cmsisNN'?)")
    }

    @Test func unknownArithmeticInAStacksOperatorCycles() throws {
        try expectFinding("x86-avx512-zen4-epyc-kvm", [.key("stacks"), .index(0), .key("operatorCycles"), .index(1), .key("arithmetic")],
                          .string("integer"), "at stacks[0].operatorCycles[1].arithmetic: unknown value 'integer'; expected one of 'float', 'quantized'")
    }

    @Test func bothEnergyForms() throws {
        try expectFinding(Self.m7, [.key("memory"), .index(0), .key("energyPicojoulesPerAccess")], .integer(3),
                          "at memory[0]: give either 'energyPicojoulesPerByte' or 'energyPicojoulesPerAccess', not both")
    }

    @Test func waitStateForUnknownLevel() throws {
        try expectFinding(Self.m7, [.key("dsp"), .key("waitStates"), .index(0), .key("memory")], .string("qspi"),
                          "at dsp.waitStates[0].memory: no memory level is named 'qspi' (levels: dtcm, axi-sram, sram123, flash)")
    }

    @Test func wrongSchemaVersion() throws {
        try expectFinding(Self.m7, [.key("schemaVersion")], .integer(1), "at schemaVersion: unsupported schema version 1; this Kiln reads version 2")
    }

    @Test func hostIsItself() throws {
        let host = JSONValue.object(JSONObject([("target", .string("stm32h743-cortex-m7")), ("bandwidthMegabytesPerSecond", .integer(1)),
                                                ("latencyMicroseconds", .integer(1)), ("energyPicojoulesPerByte", .integer(1))]))
        try expectFinding(Self.m7, [.key("host")], host, "at host.target: host target 'stm32h743-cortex-m7' is this target itself; a host chain must not loop")
    }

    @Test func simdLanesWiderThanTheVector() throws {
        try expectFinding("cortex-a76-bcm2712", [.key("simd"), .key("instructions"), .index(0), .key("lanes")], .integer(8),
                          "at simd.instructions[0].lanes: 8 lanes of i32 need 256 bits, more than simd.vectorWidthBits (128)")
    }

    @Test func systolicUserBandwidthNeedsValues() throws {
        try expectFinding("scalesim-google-tpu-ws", [.key("systolic"), .key("bandwidthWordsPerCycle")], nil,
                          "at systolic: interfaceBandwidth 'user' needs 'bandwidthWordsPerCycle'")
    }

    @Test func xnorTargetWithoutBinaryStorage() throws {
        try expectFinding("bnn-array-45nm", [.key("numerics"), .key("storageFormats")], .array([.string("i8")]),
                          "at numerics.storageFormats: an xnor target needs 'bin' in its storage formats")
    }

    @Test func rootNotAnObject() {
        #expect(failures(.array([]), file: "targets/m7.json") == ["targets/m7.json: error: expected a target description object, got an array"])
    }

    @Test func collectsEveryFindingAtOnce() throws {
        var document = try builtInDocument(Self.m7)
        document = setting(document, [.key("memory"), .index(1), .key("readBytesPerCycle")], to: .integer(-4))
        document = setting(document, [.key("cores")], to: .integer(0))
        document = setting(document, [.key("extra")], to: .null)
        #expect(failures(document, file: "targets/m7.json").count == 3)
    }

    // MARK: raw bytes

    @Test func duplicateKey() throws {
        let text = try String(contentsOf: targetsDirectory.appendingPathComponent(Self.m7 + ".json"), encoding: .utf8)
        let doubled = text.replacingOccurrences(of: "\"family\": \"dsp\",", with: "\"family\": \"dsp\",\n  \"family\": \"dsp\",")
        let found = failures(bytes: Array(doubled.utf8), file: "targets/m7.json")
        #expect(found == ["targets/m7.json: error: at family (line 5, column 3): duplicate key 'family' (first defined at line 4); each key may appear once"])
    }

    @Test func nonUTF8Bytes() {
        let bytes = Array("{\"name\": \"m".utf8) + [0xFE] + Array("\"}".utf8)
        #expect(failures(bytes: bytes, file: "targets/m7.json")
            == ["targets/m7.json: error: at line 1, column 12: at byte 11: invalid UTF-8 (byte 0xFE); JSON files must be UTF-8"])
    }

    @Test func emptyFile() {
        #expect(failures(bytes: [], file: "targets/m7.json") == ["targets/m7.json: error: the file is empty (0 bytes); expected a JSON value"])
    }

    @Test func tenMegabytesOfNesting() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 10 * 1024 * 1024)
        #expect(failures(bytes: bytes, file: "targets/m7.json")
            == ["targets/m7.json: error: at line 1, column 257: nesting is deeper than the limit of 256 arrays and objects"])
    }

    @Test func unreadableFile() {
        #expect(throws: DiagnosticError.self) {
            _ = try TargetLoader(families: BuiltInBackends.targetFamilies).load(contentsOf: URL(fileURLWithPath: "/nonexistent/x.json"), displayName: "x.json")
        }
    }

    // MARK: across targets

    @Test func brokenAndLoopingHostChains() throws {
        let loader = TargetLoader(families: BuiltInBackends.targetFamilies)
        func target(_ name: String, host: String) throws -> TargetDescription {
            var document = try builtInDocument("pynq-z1-zynq7020-finn")
            document = setting(document, [.key("name")], to: .string(name))
            document = setting(document, [.key("host"), .key("target")], to: .string(host))
            return try loader.decode(document, file: "\(name).json")
        }
        var catalog = TargetCatalog(families: BuiltInBackends.targetFamilies)
        catalog.add(try target("a", host: "b"))
        catalog.add(try target("b", host: "a"))
        catalog.add(try target("c", host: "cortex-a9-zynq7000-pss"))
        #expect(catalog.checkCrossTargetConsistency().map(\.description) == [
            "a.json: error: at host.target: host chain loops: a → b → a",
            "b.json: error: at host.target: host chain loops: b → a → b",
            "c.json: error: at host.target: host target 'cortex-a9-zynq7000-pss' does not exist",
        ])
        #expect(catalog.finalHost(of: "a") == nil)
    }
}
