// swift-tools-version:6.0
// Kiln: compile quantized neural networks for very different accelerators and simulate them.
// Modules follow the processing pipeline (see docs/architecture.md); dependencies point one way.
import PackageDescription

let package = Package(
    name: "Kiln",
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        .library(name: "KilnCLI", targets: ["KilnCLI"]),
        .library(name: "KilnConformance", targets: ["KilnConformance"]),
        .library(name: "Kiln", targets: [
            "KilnDiagnostics", "KilnNumerics", "KilnJSON", "KilnIR", "KilnInterpreter",
            "KilnModelIO", "KilnONNX", "KilnTFLite", "KilnTargets", "KilnCompiler", "KilnBackends", "KilnQuantizer", "KilnEvaluation", "KilnReports",
        ]),
    ],
    dependencies: [],
    targets: [
        // Findings with a location (file, JSON path, ONNX node, tensor), rendered like compiler errors.
        .target(name: "KilnDiagnostics"),
        // Element types, quantization parameters, rounding, requantization, fixed-point arithmetic.
        .target(name: "KilnNumerics", linkerSettings: [.linkedLibrary("m")]),
        // A strict JSON reader: duplicate keys, paths in every error, bounded nesting.
        .target(name: "KilnJSON", dependencies: ["KilnDiagnostics"]),
        // The quantized graph IR: typed values, the closed op set, shape inference, verifier, builder.
        .target(name: "KilnIR", dependencies: ["KilnNumerics", "KilnDiagnostics"], linkerSettings: [.linkedLibrary("m")]),
        // Host vector kernels in C (int16 pair GEMM for AVX2 / AVX-512 VNNI), each compiled for its
        // instruction set by a function target attribute and picked at run time from CPUID: no
        // compiler flags, so the package stays usable as a path dependency (docs/performance.md).
        .target(name: "KilnHostKernels"),
        // The reference interpreter: the definition of every op's float and integer semantics.
        .target(name: "KilnInterpreter", dependencies: ["KilnIR", "KilnNumerics", "KilnHostKernels"]),
        // Kiln's JSON model format and NumPy .npy files.
        .target(name: "KilnModelIO", dependencies: ["KilnIR", "KilnJSON", "KilnDiagnostics"]),
        // ONNX protobuf decoding, import to the IR and canonicalization.
        .target(name: "KilnONNX", dependencies: ["KilnIR", "KilnDiagnostics", "KilnNumerics", "KilnInterpreter"]),
        // TensorFlow Lite flatbuffer decoding and import to the IR (NHWC mapped to Kiln's NCHW).
        .target(name: "KilnTFLite", dependencies: ["KilnIR", "KilnDiagnostics", "KilnNumerics"]),
        // Target descriptions: schema, loader, validator.
        .target(name: "KilnTargets", dependencies: ["KilnJSON", "KilnDiagnostics", "KilnNumerics", "KilnIR"]),
        // The compiler: the public backend protocol, legalization, memory planning, target
        // programs and their functional simulation.
        .target(name: "KilnCompiler", dependencies: [
            "KilnDiagnostics", "KilnNumerics", "KilnJSON", "KilnIR", "KilnInterpreter", "KilnTargets",
        ]),
        // The built-in families, one folder each (schema, sections, passes, kernels, cost model,
        // extra file formats), implemented through the public backend protocol.
        .target(name: "KilnBackends", dependencies: [
            "KilnCompiler", "KilnDiagnostics", "KilnNumerics", "KilnJSON", "KilnIR", "KilnInterpreter", "KilnTargets", "KilnHostKernels",
        ]),
        // The conformance kit every backend runs (built-in or plugin): a model corpus and the
        // simulation-equals-reference check.
        .target(name: "KilnConformance", dependencies: [
            "KilnCompiler", "KilnDiagnostics", "KilnNumerics", "KilnIR", "KilnInterpreter", "KilnTargets",
        ]),
        // Post-training quantization of float graphs into the quantized IR (calibration, pruning).
        .target(name: "KilnQuantizer", dependencies: ["KilnDiagnostics", "KilnNumerics", "KilnIR", "KilnInterpreter"]),
        // Evaluating a model on targets the one way every command does: the calibration policy, the
        // single-sample-or-batch rule, compile, cost, functional simulation and scoring.
        .target(name: "KilnEvaluation", dependencies: [
            "KilnCompiler", "KilnDiagnostics", "KilnNumerics", "KilnIR", "KilnInterpreter", "KilnTargets", "KilnQuantizer", "KilnJSON", "KilnConformance",
        ]),
        // HTML reports with inline SVG charts (latency, energy, accuracy vs energy, per-layer time, rooflines).
        .target(name: "KilnReports", dependencies: ["KilnCompiler", "KilnTargets", "KilnDiagnostics", "KilnJSON"]),
        // The command-line interface as a library, so a plugin package can build its own `kiln`.
        .target(name: "KilnCLI", dependencies: [
            "KilnDiagnostics", "KilnNumerics", "KilnJSON", "KilnIR", "KilnInterpreter", "KilnModelIO",
            "KilnONNX", "KilnTFLite", "KilnTargets", "KilnCompiler", "KilnBackends", "KilnQuantizer", "KilnEvaluation", "KilnReports",
            "KilnConformance",
        ]),
        .executableTarget(name: "kiln", dependencies: ["KilnCLI"]),

        // Test support shared by the test targets: golden files with an explicit record mode.
        .target(name: "KilnTestSupport", path: "Tests/KilnTestSupport"),

        .testTarget(name: "KilnDiagnosticsTests", dependencies: ["KilnDiagnostics"]),
        .testTarget(name: "KilnNumericsTests", dependencies: ["KilnNumerics", "KilnModelIO"]),
        .testTarget(name: "KilnJSONTests", dependencies: ["KilnJSON"]),
        .testTarget(name: "KilnIRTests", dependencies: ["KilnIR"]),
        .testTarget(name: "KilnInterpreterTests", dependencies: ["KilnInterpreter", "KilnIR"]),
        .testTarget(name: "KilnModelIOTests", dependencies: ["KilnModelIO", "KilnIR", "KilnInterpreter", "KilnTestSupport"]),
        .testTarget(name: "KilnONNXTests", dependencies: ["KilnONNX", "KilnIR", "KilnInterpreter", "KilnModelIO"]),
        .testTarget(name: "KilnTFLiteTests", dependencies: [
            "KilnTFLite", "KilnIR", "KilnInterpreter", "KilnModelIO", "KilnDiagnostics", "KilnConformance",
        ]),
        .testTarget(name: "KilnTargetsTests", dependencies: ["KilnTargets", "KilnBackends", "KilnTestSupport"]),
        .testTarget(name: "KilnCompilerTests", dependencies: [
            "KilnCompiler", "KilnBackends", "KilnConformance", "KilnDiagnostics", "KilnIR", "KilnTargets", "KilnInterpreter", "KilnJSON",
        ]),
        .testTarget(name: "KilnBackendsTests", dependencies: [
            "KilnBackends", "KilnCompiler", "KilnConformance", "KilnDiagnostics", "KilnIR", "KilnInterpreter", "KilnJSON",
            "KilnModelIO", "KilnNumerics", "KilnONNX", "KilnTFLite", "KilnTargets", "KilnTestSupport",
        ], exclude: ["DSP/Golden", "FPGA/Golden", "SIMD/Golden", "XNOR/Golden"]),
        .testTarget(name: "KilnQuantizerTests", dependencies: [
            "KilnQuantizer", "KilnIR", "KilnInterpreter", "KilnNumerics", "KilnModelIO", "KilnONNX",
        ]),
        .testTarget(name: "KilnEvaluationTests", dependencies: [
            "KilnEvaluation", "KilnDiagnostics", "KilnInterpreter", "KilnIR",
        ]),
        .testTarget(name: "KilnReportsTests", dependencies: [
            "KilnReports", "KilnCompiler", "KilnTargets", "KilnBackends", "KilnConformance", "KilnIR", "KilnJSON",
        ]),
        .testTarget(name: "KilnCLITests", dependencies: [
            "KilnCLI", "KilnBackends", "KilnEvaluation", "KilnCompiler", "KilnIR", "KilnInterpreter", "KilnJSON", "KilnModelIO", "KilnNumerics", "KilnTargets", "KilnTestSupport",
        ]),
    ]
)
