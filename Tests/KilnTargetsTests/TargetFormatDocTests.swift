import Foundation
import Testing
import KilnTestSupport
@testable import KilnTargets
import KilnBackends

/// Keeps `docs/target-format.md` in step with the schema: every field documented, no documented
/// field missing from the schema, and the Plausible, Required and Cost columns agree.
///
/// `KILN_RECORD=1` writes the generated tables to `.build/target-format-tables.md` for pasting
/// into the document (and fails, like every record run).
@Suite struct TargetFormatDocTests {
    struct Row: Hashable {
        let path: String
        let plausible: String
        let required: Bool
        let cost: Bool
    }

    func documentedRows() throws -> [Row] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/target-format.md"), encoding: .utf8)
        var rows: [Row] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 7 else { continue }
            rows.append(Row(path: cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), plausible: cells[3],
                            required: cells[4] == "yes", cost: cells[5] == "yes"))
        }
        return rows
    }

    func schemaRows() -> [Row] {
        TargetSchema.sections(families: BuiltInBackends.targetFamilies).flatMap { section in
            zip(section.fields, section.fieldPaths).map { Row(path: $1, plausible: $0.plausibleRangeText, required: $0.isRequired, cost: $0.isCost) }
        }
    }

    @Test func everyFieldIsDocumentedAndNothingElse() throws {
        if GoldenFile.isRecording {
            let tables = TargetSchema.sections(families: BuiltInBackends.targetFamilies).map { "### `\($0.path.isEmpty ? "(top level)" : $0.path)`\n\n" + TargetSchema.markdownTable($0) }
            let file = packageRoot.appendingPathComponent(".build/target-format-tables.md")
            try tables.joined(separator: "\n\n").write(to: file, atomically: true, encoding: .utf8)
            Issue.record("wrote the generated tables to \(file.path) for pasting into docs/target-format.md; run again without \(GoldenFile.recordVariable) to check the document")
        }
        let documented = try documentedRows()
        let schema = schemaRows()
        let documentedPaths = documented.map(\.path)
        let schemaPaths = schema.map(\.path)
        #expect(Set(schemaPaths).subtracting(documentedPaths).sorted() == [], "fields missing from docs/target-format.md")
        #expect(Set(documentedPaths).subtracting(schemaPaths).sorted() == [], "documented fields the schema does not have")
        #expect(documentedPaths.count == Set(documentedPaths).count, "a field is documented twice")
        #expect(Set(documented) == Set(schema), "Plausible / Required / Cost columns disagree with the schema")
    }

    @Test func everyNumberHasAPlausibleRange() {
        for section in TargetSchema.sections(families: BuiltInBackends.targetFamilies) {
            for (field, path) in zip(section.fields, section.fieldPaths) where field.type.contains("integer") || field.type.contains("number") {
                #expect(field.plausibleRange != nil, "\(path) declares no plausible range")
            }
        }
    }

    @Test func everyDecoderReadsOnlyDeclaredKeys() throws {
        // An internal error is recorded if decoding code reads a key its section does not declare.
        let catalog = try TargetCatalog.standard(families: BuiltInBackends.targetFamilies, environment: [:])
        #expect(!catalog.targets.isEmpty)
    }

    @Test func targetsDocListsEveryBuiltIn() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/targets.md"), encoding: .utf8)
        for target in try TargetCatalog.standard(families: BuiltInBackends.targetFamilies, environment: [:]).targets {
            #expect(text.contains("`\(target.name)`"), "docs/targets.md does not mention \(target.name)")
        }
    }
}
