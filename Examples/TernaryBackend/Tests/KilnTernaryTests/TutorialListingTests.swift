import Foundation
import Testing

/// docs/writing-a-backend.md cannot drift from this package: every Swift listing in it is marked
/// `<!-- compiled: PATH -->` and appears verbatim in that file, which this package compiles.
@Suite struct TutorialListingTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../..").standardized

    /// The fenced blocks of the tutorial: their language, text and the file a marker names.
    static func listings() throws -> [(language: String, text: String, file: String?)] {
        let lines = try String(contentsOf: repository.appendingPathComponent("docs/writing-a-backend.md"), encoding: .utf8)
            .components(separatedBy: "\n")
        var result: [(String, String, String?)] = []
        var index = 0
        while index < lines.count {
            guard lines[index].hasPrefix("```") else { index += 1; continue }
            let language = String(lines[index].dropFirst(3))
            let previous = index > 0 ? lines[index - 1] : ""
            let file = previous.hasPrefix("<!-- compiled: ") && previous.hasSuffix(" -->")
                ? String(previous.dropFirst("<!-- compiled: ".count).dropLast(" -->".count)) : nil
            guard let end = lines[(index + 1)...].firstIndex(where: { $0 == "```" }) else { break }
            result.append((language, lines[(index + 1)..<end].map { $0 + "\n" }.joined(), file))
            index = end + 1
        }
        return result
    }

    @Test func everySwiftListingIsMarkedWithItsSourceFile() throws {
        let swift = try Self.listings().filter { $0.language == "swift" }
        #expect(swift.count >= 10)
        for listing in swift where listing.file == nil {
            Issue.record("an unmarked Swift listing in docs/writing-a-backend.md:\n\(listing.text)")
        }
    }

    @Test func everyMarkedListingIsInItsFile() throws {
        for listing in try Self.listings() {
            guard let file = listing.file else { continue }
            #expect(file.hasPrefix("Examples/TernaryBackend/"), "\(file) is not part of the example package")
            let source = try String(contentsOf: Self.repository.appendingPathComponent(file), encoding: .utf8)
            #expect(source.contains(listing.text), "docs/writing-a-backend.md has a listing that is not in \(file):\n\(listing.text)")
        }
    }
}
