import Foundation
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnInterpreter
import KilnJSON
import KilnTargets
#if canImport(Glibc)
import Glibc
#endif

/// `kiln bench`: machine-readable performance figures of Kiln itself — functional simulation
/// throughput, cost-model throughput and compile time.
struct BenchCommand: Command {
    let name = "bench"
    let summary = "Measure simulation throughput, cost-estimation speed and compile time"
    let usage = "bench [--format table|json] [--targets A,B,...] [--network-targets A,B,...] [--batch N] [--import FILE,...] [--quick]"
    let discussion = """
    Functional simulation: bit-exact int8 ResNet-18 layers (3×3 conv 64→64 at 56×56, and a
    depthwise 3×3 layer) on one core, as MAC/s. Networks: whole int8 ResNet-18- and
    MobileNetV2-shaped models (BenchmarkModels), a batch of N images (default 16) on all cores,
    import and compile excluded: seconds per image and MAC/s on the reference interpreter and on
    one target of each family (the --simulation-target and the first by name of every other family, or --network-targets). Cost model:
    whole-network estimates of a ResNet-50-sized graph per target, in seconds each and
    estimates per second. Compile: that graph per target, in seconds. Peak memory: the
    process's maximum resident set size at the end. Import (with --import): each model file
    read and imported (ONNX / TFLite parsing and conversion to Kiln's graph), then also compiled
    for the --simulation-target (weights packed), the best of 5 runs in seconds, with the CPU
    seconds of that run. Build with -c release for meaningful
    numbers: swift run -c release kiln bench (docs/performance.md). --quick uses a 28×28 layer,
    a batch of 1, no whole networks on the targets, and fewer repetitions (for smoke tests).
    """
    let options: [OptionSpecification] = [
        .format(["table", "json"]),
        OptionSpecification("--targets", valueName: "A,B,...", help: "targets for the cost and compile figures (default: all)"),
        OptionSpecification("--simulation-target", valueName: "NAME", help: "target whose kernels run the layers (default: x86-avx512-vnni-xeon-gold-6248)"),
        OptionSpecification("--network-targets", valueName: "A,B,...", help: "targets that run the whole networks (default: one per family)"),
        OptionSpecification("--batch", valueName: "N", help: "images per whole-network measurement (default 16)"),
        OptionSpecification("--import", valueName: "FILE,...", help: "model files whose import and compile time to measure"),
        .flag("--quick", help: "small sizes, for a smoke test"),
    ] + targetCatalogOptions

    /// One measured figure.
    struct Figure {
        var group: String
        var subject: String
        var target: String
        var value: Double
        var unit: String
        var detail: [(String, JSONValue)]
    }

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(0...0, names: "")
        let quick = arguments.flag("--quick")
        let catalog = try context.targetCatalog(arguments)
        let evaluation = context.evaluation(catalog)
        var figures: [Figure] = []

        let simulationTargetName = arguments.value("--simulation-target") ?? "x86-avx512-vnni-xeon-gold-6248"
        guard let simulationTarget = catalog.target(named: simulationTargetName) else {
            throw DiagnosticError(.error("no target named '\(simulationTargetName)'"))
        }
        let size = quick ? 28 : 56
        for depthwise in [false, true] {
            let graph = try BenchmarkModels.convolutionLayer(channels: 64, size: size, depthwise: depthwise)
            context.console.progress("simulating \(graph.name) on \(simulationTarget.name)")
            let program = try evaluation.compile(try EvaluationModel(graph, calibration: nil), for: simulationTarget)
            let simulator = FunctionalSimulator(program: program)
            let inputs = ConformanceKit.randomInputs(for: program.graph, seed: 7)
            _ = try simulator.run(inputs)
            let repetitions = quick ? 1 : (depthwise ? 20 : 5)
            let start = DispatchTime.now().uptimeNanoseconds
            var macs = 0
            for _ in 0..<repetitions {
                let run = try simulator.run(inputs)
                macs += run.stepCounts.reduce(0) { $0 + $1.totalMultiplyAccumulates }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            figures.append(Figure(group: "functionalSimulation", subject: graph.name, target: simulationTarget.name,
                                  value: Double(macs) / seconds, unit: "MAC/s",
                                  detail: [("macsPerRun", .integer(Int64(macs / repetitions))), ("runs", .integer(Int64(repetitions))),
                                           ("seconds", .number(seconds))]))
        }

        let batch = try arguments.integer("--batch", in: 1...4096) ?? (quick ? 1 : 16)
        let networkTargets = try CompareCommand.targetList(arguments.value("--network-targets")).map { try CompareCommand.selectTargets($0, catalog: catalog) }
            ?? (quick ? [] : Self.firstOfEachFamily([simulationTarget] + catalog.targets))
        for graph in [try BenchmarkModels.resNet18(), try BenchmarkModels.mobileNetV2()] {
            figures += try measureNetwork(graph, batch: batch, targets: networkTargets, evaluation: evaluation, context: context)
        }

        for path in CompareCommand.targetList(arguments.value("--import")) ?? [] {
            figures += try measureImport(path, target: simulationTarget, evaluation: evaluation, context: context)
        }

        let network = try EvaluationModel(try BenchmarkModels.resNet50(), calibration: nil)
        let targets = try CompareCommand.selectTargets(CompareCommand.targetList(arguments.value("--targets")), catalog: catalog)
        for target in targets {
            context.console.progress("compiling \(network.graph.name) for \(target.name)")
            let compileStart = DispatchTime.now().uptimeNanoseconds
            let program: TargetProgram
            do {
                program = try evaluation.compile(network, for: target)
            } catch {
                figures.append(Figure(group: "compile", subject: network.graph.name, target: target.name, value: .nan, unit: "s",
                                      detail: [("error", .string(error.diagnostics.map(\.message).joined(separator: "; ")))]))
                continue
            }
            let compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - compileStart) / 1e9
            figures.append(Figure(group: "compile", subject: network.graph.name, target: target.name, value: compileSeconds, unit: "s",
                                  detail: [("nodes", .integer(Int64(program.graph.nodes.count)))]))
            _ = try evaluation.estimator.estimate(program)
            let repetitions = quick ? 3 : 20
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repetitions { _ = try evaluation.estimator.estimate(program) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repetitions)
            figures.append(Figure(group: "costEstimation", subject: network.graph.name, target: target.name, value: seconds, unit: "s",
                                  detail: [("family", .string(target.family)), ("estimatesPerSecond", .number(1 / seconds))]))
        }
        context.console.endProgress()
        figures.append(Figure(group: "memory", subject: "process", target: "", value: Double(Self.peakResidentBytes), unit: "B",
                              detail: [("what", .string("maximum resident set size"))]))

        if arguments.value("--format") == "json" {
            let objects = figures.map { figure -> JSONValue in
                .object(JSONObject([("group", .string(figure.group)), ("subject", .string(figure.subject)), ("target", .string(figure.target)),
                                    ("value", figure.value.isFinite ? .number(figure.value) : .null), ("unit", .string(figure.unit))] + figure.detail))
            }
            context.console.print(JSONWriter().write(.object(JSONObject([
                ("kind", .string("kiln.bench")), ("schemaVersion", .integer(1)),
                ("build", .string(Self.buildConfiguration)),
                ("processors", .integer(Int64(ProcessInfo.processInfo.activeProcessorCount))),
                ("figures", .array(objects)),
            ]))))
        } else {
            var table = TextTable([("GROUP", .left), ("SUBJECT", .left), ("TARGET", .left), ("VALUE", .right)])
            for figure in figures {
                let failure = figure.detail.first { $0.0 == "error" }?.1.stringValue
                let value = figure.value.isFinite ? Units.engineering(figure.value, unit: figure.unit) : "failed: \(failure ?? "")"
                table.append([figure.group, figure.subject, figure.target, value])
            }
            context.console.print("build: \(Self.buildConfiguration)\n" + table.rendered())
        }
        return .success
    }

    /// Per-image time and MAC/s of `graph` on the reference interpreter and on each target, over
    /// a batch of `batch` seeded images run on all cores (import and compile excluded).
    private func measureNetwork(_ graph: Graph, batch: Int, targets: [TargetDescription], evaluation: Evaluation,
                                context: CommandContext) throws -> [Figure] {
        let macsPerImage = graph.totalMACCount
        let samples = (0..<batch).map { ConformanceKit.randomInputs(for: graph, seed: UInt64(100 + $0)) }
        func stacked(_ graph: Graph) throws -> [String: Tensor] {
            var inputs: [String: Tensor] = [:]
            for name in graph.inputs { inputs[name] = try Tensor.stacked(samples.map { $0[name]! }) }
            return inputs
        }
        func figure(_ target: String, _ family: String, _ seconds: Double, cpuSeconds: Double) -> Figure {
            Figure(group: "networkSimulation", subject: graph.name, target: target, value: seconds / Double(batch), unit: "s/image",
                   detail: [("family", .string(family)), ("macsPerImage", .integer(Int64(macsPerImage))), ("batch", .integer(Int64(batch))),
                            ("macsPerSecond", .number(Double(macsPerImage * batch) / seconds)),
                            ("cpuSecondsPerImage", .number(cpuSeconds / Double(batch)))])
        }
        var figures: [Figure] = []
        context.console.progress("interpreting \(graph.name)")
        let interpreter = try ReferenceInterpreter(graph: graph)
        let interpreterInputs = try stacked(graph)
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.processCPUSeconds
        _ = try interpreter.runBatch(interpreterInputs)
        figures.append(figure("reference-interpreter", "reference", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                              cpuSeconds: Self.processCPUSeconds - cpuStart))
        for target in targets {
            context.console.progress("simulating \(graph.name) on \(target.name)")
            do {
                let program = try evaluation.compile(try EvaluationModel(graph, calibration: nil), for: target)
                let inputs = try stacked(program.graph)
                let simulator = FunctionalSimulator(program: program)
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.processCPUSeconds
                _ = try simulator.runBatch(inputs)
                figures.append(figure(target.name, target.family, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                      cpuSeconds: Self.processCPUSeconds - cpuStart))
            } catch let error as DiagnosticError {
                figures.append(Figure(group: "networkSimulation", subject: graph.name, target: target.name, value: .nan, unit: "s/image",
                                      detail: [("family", .string(target.family)), ("error", .string(error.diagnostics.map(\.message).joined(separator: "; ")))]))
            }
        }
        return figures
    }

    /// The best of 5 imports of the model at `path`, then of 5 imports followed by compiling for
    /// `target` (the weights packed for its kernels): wall seconds, with the CPU seconds of the
    /// best run.
    private func measureImport(_ path: String, target: TargetDescription, evaluation: Evaluation,
                               context: CommandContext) throws -> [Figure] {
        context.console.progress("importing \(path)")
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        func best(_ body: () throws -> Void) throws -> (seconds: Double, cpuSeconds: Double) {
            var result = (seconds: Double.infinity, cpuSeconds: Double.infinity)
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = Self.processCPUSeconds
                try body()
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if seconds < result.seconds { result = (seconds, Self.processCPUSeconds - cpuStart) }
            }
            return result
        }
        let imported = try best { _ = try ModelLoader.load(path) }
        let compiled = try best {
            let graph = try ModelLoader.load(path)
            _ = try evaluation.compile(try EvaluationModel(graph, calibration: nil), for: target)
        }
        let detail: [(String, JSONValue)] = [("bytes", .integer(Int64(bytes)))]
        return [
            Figure(group: "import", subject: path, target: "", value: imported.seconds, unit: "s",
                   detail: detail + [("cpuSeconds", .number(imported.cpuSeconds))]),
            Figure(group: "importAndCompile", subject: path, target: target.name, value: compiled.seconds, unit: "s",
                   detail: detail + [("cpuSeconds", .number(compiled.cpuSeconds))]),
        ]
    }

    /// The first target (by name) of every family, in family order of first appearance.
    static func firstOfEachFamily(_ targets: [TargetDescription]) -> [TargetDescription] {
        var seen: Set<String> = []
        return targets.filter { seen.insert($0.family).inserted }
    }

    /// The process's maximum resident set size in bytes (`getrusage`, Linux reports kilobytes).
    static var peakResidentBytes: Int {
        #if canImport(Glibc)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
        #else
        return 0
        #endif
    }

    /// User plus system CPU time of the whole process so far, in seconds (`getrusage`): on a
    /// shared machine the wall time depends on the load, this on the work done (over all threads).
    static var processCPUSeconds: Double {
        #if canImport(Glibc)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        #else
        return .nan
        #endif
    }

    /// `release` or `debug`: the optimization level this binary was built with.
    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}
