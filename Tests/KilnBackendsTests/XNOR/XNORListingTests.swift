import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// Golden listings: the compiled program of a small CNN and of the binary-friendly model.
/// Re-record with `KILN_RECORD=1 swift test --filter XNORListingTests`.
@Suite struct XNORListingTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: [("cnn-padded-strided", "bnn-array-45nm"), ("binary-friendly", "larq-rpi4-cortex-a72"),
                      ("binary-friendly", "bnn-array-45nm")])
    func listingMatchesGolden(model: String, target: String) throws {
        let program = try XNORTestSupport.compiler().compile(try XNORTestSupport.corpusModel(model), for: XNORTestSupport.target(target))
        let listing = program.listing() + "\n"
        let file = Self.goldenDirectory.appendingPathComponent("\(model).\(target).listing")
        if ProcessInfo.processInfo.environment["KILN_RECORD"] != nil {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try listing.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(listing == golden, "listing of \(model) on \(target) differs from \(file.lastPathComponent); re-record with KILN_RECORD=1")
    }
}
