import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO

/// The options every command that compiles for a target accepts.
let compileOptions: [OptionSpecification] = [
    OptionSpecification("--target", arity: .repeated, valueName: "NAME|FILE", help: "the target: a built-in name or a target description file"),
    .targetDirectory, .overrideBuiltIn,
    .flag("--no-host-fallback", help: "fail, listing every node the target cannot run, instead of running them on the host"),
    .calibration, .folding,
]

/// `kiln compile MODEL --target T`: the target program as a listing or JSON.
struct CompileCommand: Command {
    let name = "compile"
    let summary = "Compile a model for a target and print the program"
    let usage = "compile MODEL --target T [--calibration C.npy] [--folding FILE] [--emit listing|json] [--print-ir-after PASS] [--no-host-fallback]"
    let discussion = """
    The listing shows the memory map, then each kernel in order with the graph nodes it
    implements and its loop nest; host fallbacks show their reason, transfers their size.
    --print-ir-after PASS prints the graph (Kiln model format) after the named adaptation pass;
    'all' prints it after every pass.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--emit", valueName: "KIND", choices: ["listing", "json"], help: "what to print: listing (default) or json"),
        OptionSpecification("--print-ir-after", valueName: "PASS", help: "print the graph after this pass (or 'all') to stderr"),
    ] + compileOptions

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        let graph = try ModelLoader.load(arguments.positionals[0])
        let target = try context.requiredTarget(arguments)
        let printAfter = arguments.value("--print-ir-after")
        var model = try EvaluationModel(graph, calibration: try EvaluationFiles.calibration(arguments.value("--calibration")))
        model.layerSettings = try EvaluationFiles.layerSettings(arguments.value("--folding"))
        let evaluation = context.evaluation(try context.targetCatalog(arguments))
        let program = try ModelLoader.attributing(to: arguments.positionals[0]) { () throws(DiagnosticError) in
            try evaluation.compile(model, for: target, allowHostFallback: !arguments.flag("--no-host-fallback")) { pass, result in
                if printAfter == "all" || printAfter == pass.name {
                    context.console.printError("; graph after \(pass.name)\n" + KilnModelFile.encode(result))
                }
            }
        }
        context.console.print(arguments.value("--emit") == "json" ? ProgramReport.json(program) : program.listing())
        return .success
    }
}

/// Machine-readable views of a target program.
enum ProgramReport {
    /// The program as JSON: target, buffers, steps with kernels, placements and action counts.
    static func json(_ program: TargetProgram) -> String {
        var steps: [JSONValue] = []
        for step in program.steps {
            switch step {
            case .transfer(let transfer):
                steps.append(.object(JSONObject([
                    ("kind", .string("transfer")), ("value", .string(transfer.value)),
                    ("bytes", .integer(Int64(transfer.bytes))), ("direction", .string(transfer.toHost ? "toHost" : "toAccelerator")),
                ])))
            case .kernel(let kernelStep):
                var members: [(String, JSONValue)] = [
                    ("kind", .string("kernel")), ("kernel", .string(kernelStep.kernel.name)),
                    ("nodes", .array(kernelStep.kernel.nodes.map { .string($0.name) })),
                    ("inputs", .array(kernelStep.kernel.inputs.map { .string($0) })),
                    ("outputs", .array(kernelStep.kernel.outputs.map { .string($0) })),
                ]
                switch kernelStep.placement {
                case .accelerator: members.append(("placement", .string("accelerator")))
                case .host(let reason): members += [("placement", .string("host")), ("reason", .string(reason))]
                }
                members.append(("actions", countsJSON(kernelStep.kernel.countActions())))
                members.append(("listing", .array(kernelStep.kernel.listing().map { .string($0) })))
                steps.append(.object(JSONObject(members)))
            }
        }
        let buffers = program.buffers.map { buffer -> JSONValue in
            .object(JSONObject([("value", .string(buffer.value)), ("level", .string(buffer.level)),
                                ("offset", .integer(Int64(buffer.offset))), ("bytes", .integer(Int64(buffer.bytes))),
                                ("constant", .bool(buffer.isConstant))]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string("kiln.compile")), ("schemaVersion", .integer(1)),
            ("model", .string(program.graph.name)),
            ("target", .string(program.target.name)),
            ("family", .string(program.target.family)),
            ("notes", .array(program.notes.map { .string("\($0.pass)\($0.node.map { " [\($0)]" } ?? ""): \($0.message)") })),
            ("peakBytesPerLevel", .object(JSONObject(program.peakBytesPerLevel.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))),
            ("buffers", .array(buffers)),
            ("steps", .array(steps)),
        ])))
    }

    /// Action counts as a JSON object.
    static func countsJSON(_ counts: ActionCounts) -> JSONValue {
        func table(_ values: [String: Int]) -> JSONValue {
            .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
        }
        return .object(JSONObject([
            ("multiplyAccumulates", table(Dictionary(uniqueKeysWithValues: counts.multiplyAccumulates.map { ($0.key.label, $0.value) }))),
            ("familyActions", table(Dictionary(counts.familyActions.map { ($0.key.name, $0.value) }, uniquingKeysWith: +))),
            ("aluOperations", .integer(Int64(counts.aluOperations))),
            ("bytesRead", table(counts.bytesRead)),
            ("bytesWritten", table(counts.bytesWritten)),
            ("hostLinkBytes", .integer(Int64(counts.hostLinkBytes))),
            ("instructions", table(Dictionary(uniqueKeysWithValues: counts.instructions.map { ($0.key.name, $0.value) }))),
        ]))
    }
}
