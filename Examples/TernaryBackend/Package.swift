// swift-tools-version:6.0
// An out-of-tree Kiln backend: a ternary-weight accelerator family (`ternary`), its targets, its
// own `kiln` executable (the built-in families plus this one) and its conformance tests.
// The walk-through is docs/writing-a-backend.md in the Kiln repository.
import PackageDescription

let package = Package(
    name: "TernaryBackend",
    products: [
        .library(name: "KilnTernary", targets: ["KilnTernary"]),
        .executable(name: "kiln-ternary", targets: ["TernaryKiln"]),
    ],
    dependencies: [
        // Kiln itself, by path (a published plugin would use `.package(url:from:)`).
        .package(name: "Kiln", path: "../.."),
    ],
    targets: [
        // The family: target schema, numeric adaptation, lowering, kernels, cycle model.
        .target(name: "KilnTernary", dependencies: [.product(name: "Kiln", package: "Kiln")]),
        // `kiln-ternary`: kiln with the built-in families plus `ternary` (main.swift only). It cannot
        // be called `kiln`: Kiln's own executable of that name is in the same build graph.
        .executableTarget(name: "TernaryKiln", dependencies: [
            "KilnTernary", .product(name: "Kiln", package: "Kiln"), .product(name: "KilnCLI", package: "Kiln"),
        ]),
        .testTarget(name: "KilnTernaryTests", dependencies: [
            "KilnTernary", .product(name: "Kiln", package: "Kiln"), .product(name: "KilnConformance", package: "Kiln"),
        ]),
    ]
)
