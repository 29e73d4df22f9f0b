import Foundation
import KilnDiagnostics
import KilnJSON
import KilnNumerics
import Testing
@testable import KilnTargets
import KilnBackends

@Suite struct BuiltInTargetsTests {
    func catalog() throws -> TargetCatalog {
        try TargetCatalog.standard(families: BuiltInBackends.targetFamilies, environment: [:])
    }

    @Test func builtInDirectoryIsFoundNextToPackageSwift() {
        #expect(TargetCatalog.builtInDirectory(environment: [:])?.standardizedFileURL.path == targetsDirectory.standardizedFileURL.path)
        #expect(TargetCatalog.builtInDirectory(environment: ["KILN_TARGETS_DIR": "/x/y"])?.path == "/x/y")
    }

    @Test func everyBuiltInValidatesWithSourcesRequired() throws {
        let catalog = try catalog()
        let files = try FileManager.default.contentsOfDirectory(atPath: targetsDirectory.path).filter { $0.hasSuffix(".json") }
        #expect(catalog.targets.count == files.count)
        for target in catalog.targets {
            #expect(target.file == "targets/\(target.name).json", "file name should match the target name")
        }
    }

    @Test func everyFamilyHasAtLeastTwoBuiltInsAndEveryFileHasARegisteredFamily() throws {
        let catalog = try catalog()
        let registered = Set(BuiltInBackends.targetFamilies.map(\.name))
        for target in catalog.targets { #expect(registered.contains(target.family)) }
        for family in registered {
            #expect(catalog.targets.filter { $0.family == family }.count >= 2, "family \(family)")
        }
    }

    @Test func hostChainsResolve() throws {
        let catalog = try catalog()
        #expect(catalog.checkCrossTargetConsistency().isEmpty)
        for target in catalog.targets where target.host != nil {
            #expect(catalog.finalHost(of: target.name)?.host == nil)
        }
        #expect(catalog.finalHost(of: "pynq-z1-zynq7020-finn")?.name == "cortex-a9-zynq7000-ps")
    }

    /// Walks every built-in file and checks that each cost field (by schema path) is written with a source.
    @Test func everyCostNumberOfABuiltInHasASource() throws {
        let costPaths = Set(TargetSchema.costFieldPaths(families: BuiltInBackends.targetFamilies))
        var checked = 0
        func walk(_ value: JSONValue, _ path: JSONPath, file: String) {
            if costPaths.contains(path.pattern) {
                checked += 1
                let source = value.objectValue?["source"]?.stringValue ?? ""
                #expect(!source.isEmpty, "\(file): \(path) has no source")
                return
            }
            switch value {
            case .object(let object): for (key, member) in object.members { walk(member, path.appending(key: key), file: file) }
            case .array(let elements): for (index, element) in elements.enumerated() { walk(element, path.appending(index: index), file: file) }
            default: break
            }
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: targetsDirectory.path) where file.hasSuffix(".json") {
            walk(try builtInDocument(String(file.dropLast(5))), .root, file: file)
        }
        #expect(checked > 300)
    }

    @Test func aCostNumberWithoutASourceFailsWhenSourcesAreRequired() throws {
        let document = setting(try builtInDocument("stm32h743-cortex-m7"), [.key("memory"), .index(1), .key("readBytesPerCycle")], to: .integer(8))
        #expect(failures(document, file: "targets/m7.json", requireSources: true)
            == ["targets/m7.json: error: at memory[1].readBytesPerCycle: cost number 8 has no source; write {\"value\": 8, \"source\": \"…\"} naming the datasheet, manual or paper"])
        #expect(failures(document).isEmpty)
    }

    @Test func systolicTargetMatchesScaleSimGoogleConfig() throws {
        // configs/google.cfg in scalesim-project/scale-sim-v3.
        let systolic = try #require(try catalog().target(named: "scalesim-google-tpu-ws")?.section(SystolicSection.self))
        #expect(systolic.rows.value == 256)
        #expect(systolic.columns.value == 256)
        #expect(systolic.dataflow == .ws)
        #expect([systolic.ifmapSramKibibytes.value, systolic.filterSramKibibytes.value, systolic.ofmapSramKibibytes.value] as [Int] == [6144, 6144, 2048])
        #expect([systolic.ifmapOffset, systolic.filterOffset, systolic.ofmapOffset] as [Int] == [0, 10_000_000, 20_000_000])
        #expect(systolic.interfaceBandwidth == .user)
        #expect(systolic.bandwidthWordsPerCycle?.value == [10])
        #expect(systolic.readRequestBufferEntries.value == 128)
        #expect(systolic.writeRequestBufferEntries.value == 128)
        let layout = try #require(systolic.layout)
        #expect(layout.ifmapSramBankCount == 10)
        #expect(layout.filterSramBankPorts == 2)
        #expect(layout.ifmapSramBankBandwidth.value == 10)
        let sparsity = try #require(systolic.sparsity)
        #expect(!sparsity.supported)
        #expect(sparsity.blockSize == 8)
        #expect(sparsity.randomSeed == 40)
    }

    @Test func typedAccessorsAndPeakRates() throws {
        let catalog = try catalog()
        let m7 = try #require(catalog.target(named: "stm32h743-cortex-m7"))
        #expect(m7.section(DSPSection.self)?.dualSixteenBitMac == true)
        #expect(m7.peakOperationsPerSecond == 480e6 * 4)
        let avx2 = try #require(catalog.target(named: "x86-avx2-haswell-i7-4770")?.section(SIMDSection.self))
        #expect(avx2.instructions.first?.pairSumSaturates == true)
        #expect(catalog.target(named: "cortex-a76-bcm2712")?.section(SIMDSection.self)?.peakOperationsPerCycle == Double(2 * 16 * 2))
        #expect(catalog.target(named: "bnn-array-45nm")?.section(XNORSection.self)?.padding == .minusOne)
        #expect(m7.familySection.objectValue?["macUnits"] != nil)
    }
}
