import Foundation
import Testing
import KilnCompiler
@testable import KilnBackends

/// The listing of a small CNN, pinned by golden files; `KILN_RECORD=1` re-records them.
@Suite struct FPGAListingGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: [("cnn-padded-strided", "pynq-z1-zynq7020-finn"), ("cnn-padded-strided", "scalesim-google-tpu-ws")])
    func listingMatchesGolden(_ model: String, _ target: String) throws {
        let program = try FPGATestSupport.compiler.compile(FPGATestSupport.model(model), for: FPGATestSupport.target(target))
        let listing = program.listing() + "\n"
        let file = Self.golden.appendingPathComponent("\(model)@\(target).listing")
        if ProcessInfo.processInfo.environment["KILN_RECORD"] == "1" {
            try listing.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(listing == expected, "re-record with KILN_RECORD=1 swift test --filter FPGAListingGolden")
    }
}
