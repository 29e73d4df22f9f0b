import Foundation
import Testing
import KilnCompiler
@testable import KilnBackends

/// The listing of the padded/strided CNN on the Cortex-M4, against a golden file.
/// Re-record with `KILN_RECORD=1 swift test --filter DSPListingGolden`.
@Suite struct DSPListingGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/cnn-padded-strided.stm32l4r5-cortex-m4.listing.txt")

    @Test func cnnListingMatchesGolden() throws {
        let program = try DSPFixtures.compiler().compile(DSPFixtures.model("cnn-padded-strided"),
                                                         for: DSPFixtures.target("stm32l4r5-cortex-m4"))
        let listing = program.listing() + "\n"
        if ProcessInfo.processInfo.environment["KILN_RECORD"] == "1" {
            try listing.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        #expect(listing == expected)
    }
}
