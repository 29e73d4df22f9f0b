// swift-tools-version:6.0
// Coverage-guided fuzzing of Kiln's input readers with libFuzzer (`swiftc -sanitize=fuzzer`).
//
// A separate package, so the main one stays free of sanitizer flags and usable as a path
// dependency. Build and run it with `tools/fuzz/run.sh`, which passes `-Xswiftc -sanitize=fuzzer`
// so that Kiln's own modules are instrumented for coverage too and libFuzzer is linked.
// See docs/reliability.md for the harnesses, their seeds and the recorded runs.
import PackageDescription

let package = Package(
    name: "KilnFuzz",
    dependencies: [
        .package(name: "Kiln", path: "../.."),
    ],
    targets: [
        // One libFuzzer binary; the harness is chosen with KILN_FUZZ_HARNESS (see Harness.swift).
        .executableTarget(
            name: "kiln-fuzz",
            dependencies: [
                .product(name: "Kiln", package: "Kiln"),
                .product(name: "KilnCLI", package: "Kiln"),
            ],
            path: "Sources/KilnFuzz"
        ),
    ]
)
