import Foundation
import KilnJSON
import Testing
@testable import KilnTargets
import KilnBackends

/// A fifth family defined outside the built-ins, as a plugin package would.
struct AnalogFamily: TargetFamilySchema {
    struct Section: TargetFamilySection {
        let crossbarRows: Int
        var peakOperationsPerCycle: Double { Double(crossbarRows) * 2 }
        var details: [(label: String, value: String)] { [("crossbar rows", "\(crossbarRows)")] }
    }
    static let schema = TargetSchemaSection(path: "analog", fields: [.cost("crossbarRows", "sourced integer ≥ 1", "Rows.")])
    var name: String { "analog" }
    var summary: String { "analog in-memory compute" }
    var sections: [TargetSchemaSection] { [Self.schema] }
    func decode(_ reader: TargetSectionReader, common: TargetCommonPart) -> (any TargetFamilySection)? {
        reader.integer("crossbarRows", in: 1...4096).map(Section.init)
    }
}

@Suite struct TargetPluginFamilyTests {
    func analogDocument(rows: JSONValue) throws -> JSONValue {
        var document = try builtInDocument("stm32h743-cortex-m7")
        document = setting(document, [.key("family")], to: .string("analog"))
        document = setting(document, [.key("dsp")], to: nil)
        return setting(document, [.key("analog")], to: .object(JSONObject([("crossbarRows", rows)])))
    }

    @Test func aPluginFamilyIsAcceptedWhenRegistered() throws {
        let families = BuiltInBackends.targetFamilies + [AnalogFamily()]
        let target = try TargetLoader(families: families).decode(try analogDocument(rows: .integer(128)), file: "a.json")
        #expect(target.family == "analog")
        #expect(target.familyDetails.peakOperationsPerCycle == 256)
        #expect(target.familySection == .object(JSONObject([("crossbarRows", .integer(128))])))
        #expect(target.section(AnalogFamily.Section.self) != nil)
        #expect(TargetSchema.fieldPaths(families: families).contains("analog.crossbarRows"))
    }

    @Test func aPluginFamilyReportsItsFindingsAtTheirPaths() throws {
        let families = BuiltInBackends.targetFamilies + [AnalogFamily()]
        #expect(failures(try analogDocument(rows: .integer(0)), file: "a.json", families: families)
            == ["a.json: error: at analog.crossbarRows: expected an integer from 1 to 4096, got 0"])
    }

    @Test func anUnregisteredFamilyIsAnError() throws {
        #expect(failures(try analogDocument(rows: .integer(1)), file: "a.json")
            == ["a.json: error: at family: unknown family 'analog'; registered families: simd, dsp, dataflow, systolic, xnor, ethosU"])
    }
}
