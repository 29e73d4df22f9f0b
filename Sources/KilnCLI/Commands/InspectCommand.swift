import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnModelIO

/// `kiln inspect MODEL`: ops, shapes, types, parameters and MACs per layer and in total.
struct InspectCommand: Command {
    let name = "inspect"
    let summary = "Show a model's layers: ops, shapes, types, parameters, MACs"
    let usage = "inspect MODEL [--format table|json] [--allow-unsupported]"
    let options: [OptionSpecification] = [
        .format(["table", "json"]),
        .flag("--allow-unsupported", help: "list ONNX nodes Kiln cannot import instead of failing, and show the rest"),
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        let loaded = try ModelLoader.load(arguments.positionals[0], allowUnsupported: arguments.flag("--allow-unsupported"))
        let report = InspectReport(graph: loaded.graph)
        context.console.print(arguments.value("--format") == "json" ? report.json() : report.table())
        for node in loaded.unsupported {
            context.console.printError("warning: node '\(node.name)' (\(node.domain.isEmpty ? "" : node.domain + ".")\(node.opType)) is not imported: \(node.reason)")
        }
        return .success
    }
}

/// The per-layer facts `kiln inspect` prints.
struct InspectReport {
    let graph: Graph

    /// The number of elements in a node's constant inputs (weights, biases, thresholds).
    func parameterCount(_ node: Node) -> Int {
        node.inputs.reduce(0) { $0 + (graph.constants[$1]?.count ?? 0) }
    }

    func table() -> String {
        var table = TextTable([("#", .right), ("NODE", .left), ("OP", .left), ("OUTPUT", .left), ("PARAMS", .right), ("MACS", .right)])
        for (index, node) in graph.nodes.enumerated() {
            let output = node.outputs.compactMap { graph.types[$0].map(String.init(describing:)) }.joined(separator: "; ")
            table.append(["\(index)", node.name, node.kind.rawValue, output, "\(parameterCount(node))", "\(graph.macCount(of: node))"])
        }
        let parameters = graph.nodes.reduce(0) { $0 + parameterCount($1) }
        table.footer = [["", "total", "\(graph.nodes.count) nodes", "", "\(parameters)", "\(graph.totalMACCount)"]]
        var lines = ["model: \(graph.name)"]
        lines += graph.inputs.map { "input  \($0): \(graph.types[$0].map(String.init(describing:)) ?? "?")" }
        lines += graph.outputs.map { "output \($0): \(graph.types[$0].map(String.init(describing:)) ?? "?")" }
        return (lines + ["", table.rendered()]).joined(separator: "\n")
    }

    func json() -> String {
        func value(_ name: String) -> JSONValue {
            let type = graph.types[name].map(KilnModelFile.encodeType) ?? .null
            return .object(JSONObject([("name", .string(name)), ("type", type)]))
        }
        let nodes = graph.nodes.map { node -> JSONValue in
            .object(JSONObject([
                ("name", .string(node.name)),
                ("op", .string(node.kind.rawValue)),
                ("inputs", .array(node.inputs.map { .string($0) })),
                ("outputs", .array(node.outputs.map(value))),
                ("parameters", .integer(Int64(parameterCount(node)))),
                ("macs", .integer(Int64(graph.macCount(of: node)))),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string("kiln.inspect")), ("schemaVersion", .integer(1)),
            ("model", .string(graph.name)),
            ("inputs", .array(graph.inputs.map(value))),
            ("outputs", .array(graph.outputs.map(value))),
            ("nodes", .array(nodes)),
            ("totalParameters", .integer(Int64(graph.nodes.reduce(0) { $0 + parameterCount($1) }))),
            ("totalMACs", .integer(Int64(graph.totalMACCount))),
        ])))
    }
}
