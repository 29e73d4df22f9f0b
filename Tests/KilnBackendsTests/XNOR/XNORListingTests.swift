import Foundation
import Testing
import KilnTestSupport
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// Golden listings: the compiled program of a small CNN and of the binary-friendly model.
/// Re-record with `KILN_RECORD=1 swift test --filter XNORListingTests` (a record run fails).
@Suite struct XNORListingTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: [("cnn-padded-strided", "bnn-array-45nm"), ("binary-friendly", "larq-rpi4-cortex-a72"),
                      ("binary-friendly", "bnn-array-45nm")])
    func listingMatchesGolden(model: String, target: String) throws {
        let program = try XNORTestSupport.compiler().compile(try XNORTestSupport.corpusModel(model), for: XNORTestSupport.target(target))
        let listing = program.listing() + "\n"
        let golden = GoldenFile(Self.goldenDirectory.appendingPathComponent("\(model).\(target).listing"))
        let outcome = try golden.check(listing)
        #expect(outcome == .matches, "\(model) on \(target): \(golden.explain(outcome, rerecord: "swift test --filter XNORListingTests"))")
    }
}
