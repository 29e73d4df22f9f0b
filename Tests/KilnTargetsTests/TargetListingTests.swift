import Foundation
import KilnJSON
import Testing
@testable import KilnTargets
import KilnBackends

@Suite struct TargetListingTests {
    func catalog() throws -> TargetCatalog { try TargetCatalog.standard(families: BuiltInBackends.targetFamilies, environment: [:]) }

    @Test func listTableHasOneRowPerTarget() throws {
        let catalog = try catalog()
        let lines = TargetListing.table(catalog.targets).split(separator: "\n")
        #expect(lines.count == catalog.targets.count + 1)
        #expect(lines[0].hasPrefix("NAME"))
        let m7 = try #require(lines.first { $0.hasPrefix("stm32h743-cortex-m7") })
        #expect(m7.contains("dsp") && m7.contains("480 MHz") && m7.contains("1.92 G") && m7.contains("2.91 MiB"))
    }

    @Test func listJSONHasNameFamilyAndFile() throws {
        let catalog = try catalog()
        let parsed = try #require(try JSONParser().parse(TargetListing.json(catalog.targets)).objectValue)
        #expect(parsed["kind"] == .string("kiln.targets") && parsed["schemaVersion"] == .integer(2))
        let entries = try #require(parsed["targets"]?.arrayValue)
        #expect(entries.count == catalog.targets.count)
        for entry in entries {
            let object = try #require(entry.objectValue)
            #expect(Array(object.keys.prefix(3)) == ["name", "family", "file"])
        }
    }

    @Test func showTextAndJSON() throws {
        let target = try #require(try catalog().target(named: "x86-avx2-haswell-i7-4770"))
        let text = TargetListing.details(target)
        #expect(text.hasPrefix("x86-avx2-haswell-i7-4770 (simd): Intel Core i7-4770"))
        #expect(text.contains("clock: 3400 MHz  [Intel ARK, Core i7-4770: base frequency 3.40 GHz]"))
        #expect(text.contains("saturating pair sums"))
        let json = try JSONParser().parse(TargetListing.detailsJSON(target))
        #expect(json.objectValue?["target"] == target.document)
        #expect(Array(json.objectValue?.keys.prefix(3) ?? []) == ["kind", "schemaVersion", "name"])
        #expect(json.objectValue?["kind"] == .string("kiln.target"))
    }

    @Test func validateReportsFindingsAndSuccessLines() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json")
        let bad = directory.appendingPathComponent("bad.json")
        let orphan = directory.appendingPathComponent("orphan.json")
        try FileManager.default.copyItem(at: targetsDirectory.appendingPathComponent("zc706-zynq7045-finn.json"), to: good)
        try Data("{\"schemaVersion\": 1,}".utf8).write(to: bad)
        let orphanDocument = setting(setting(try builtInDocument("zc706-zynq7045-finn"), [.key("name")], to: .string("orphan")),
                                     [.key("host"), .key("target")], to: .string("nowhere"))
        try Data(JSONWriter().write(orphanDocument).utf8).write(to: orphan)
        let (report, allValid) = TargetListing.validate(
            files: [(good, "good.json"), (bad, "bad.json"), (orphan, "orphan.json")], catalog: try catalog(), loader: TargetLoader(families: BuiltInBackends.targetFamilies))
        #expect(!allValid)
        #expect(report == """
        bad.json: error: at line 1, column 21: trailing comma before '}' is not allowed in JSON
        orphan.json: error: at host.target: host target 'nowhere' does not exist
        good.json: ok (zc706-zynq7045-finn, dataflow)

        """)
    }

    @Test func extraFilesOverrideBuiltIns() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-extra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = setting(try builtInDocument("stm32l4r5-cortex-m4"), [.key("clockMegahertz")], to: .integer(80))
        let file = directory.appendingPathComponent("m4-80.json")
        try Data(JSONWriter().write(copy).utf8).write(to: file)
        let catalog = try TargetCatalog.standard(extraFiles: [file], families: BuiltInBackends.targetFamilies, environment: [:])
        #expect(catalog.target(named: "stm32l4r5-cortex-m4")?.clockMegahertz.value == 80)
        let viaDirectory = try TargetCatalog.standard(extraDirectories: [directory], families: BuiltInBackends.targetFamilies, environment: [:])
        #expect(viaDirectory.target(named: "stm32l4r5-cortex-m4")?.clockMegahertz.source == nil)
    }
}
