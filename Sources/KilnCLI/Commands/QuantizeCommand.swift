import Foundation
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnModelIO
import KilnQuantizer
import KilnReports

/// `kiln quantize MODEL --calibration X.npy -o OUT.json`: post-training quantization of a float model.
struct QuantizeCommand: Command {
    let name = "quantize"
    let summary = "Quantize a float model with calibration data and write a Kiln model"
    let usage = "quantize MODEL --calibration [NAME=]X.npy ... --output OUT.json [--observer minmax|percentile|mse|entropy] [--bits N] [--weight-bits N] [--activation-bits N] [--per-channel|--per-tensor] [--symmetric] [--prune SPARSITY [--prune-structured]] [--weights-only FORMAT] [--cross-layer-equalization] [--bias-correction] [--adaptive-rounding | --gptq] [--fallback-sqnr DB] [--smooth-quant ALPHA] [--html FILE]"
    let discussion = """
    Calibrates every activation on the calibration data (the first dimension of each file is the
    sample) with the reference interpreter, then writes the model ONNX Runtime's static QDQ
    quantizer would give: float input -> quantize -> integer conv2d / dense / matmul (symmetric
    weights, int32 biases, relu folded into the output zero point) -> quantized add and pools ->
    dequantize. Operators Kiln does not quantize stay float. A sign after a conv or dense becomes
    exact integer thresholds; convs that read sign outputs with +-s weights get binary weights.
    Prints each quantized layer's SQNR (dB) against the float model on the calibration data.
    """
    let options: [OptionSpecification] = [
        OptionSpecification("--calibration", short: "-c", arity: .repeated, valueName: "[NAME=]FILE",
                            help: "calibration inputs (.npy, [N, ...] per graph input)"),
        OptionSpecification("--output", short: "-o", valueName: "FILE", help: "where to write the quantized model (.json)"),
        OptionSpecification("--observer", valueName: "METHOD", choices: CalibrationMethod.allCases.map(\.rawValue),
                            help: "activation calibration: minmax, percentile (99.99), mse, entropy (default minmax)"),
        OptionSpecification("--bits", valueName: "N", help: "weight and activation bits, 2 to 8 (default 8)"),
        OptionSpecification("--weight-bits", valueName: "N", help: "weight bits, 2 to 8 (overrides --bits)"),
        OptionSpecification("--activation-bits", valueName: "N", help: "activation bits, 2 to 8 (overrides --bits)"),
        .flag("--per-channel", help: "one weight scale per output channel (default)"),
        .flag("--per-tensor", help: "one weight scale per layer"),
        .flag("--symmetric", help: "signed activations with zero point 0 (default: unsigned asymmetric)"),
        OptionSpecification("--prune", valueName: "SPARSITY", help: "zero this fraction (0 to 1) of each layer's weights by magnitude first"),
        .flag("--prune-structured", help: "with --prune: zero whole output channels (smallest L2 norm)"),
        OptionSpecification("--weights-only", valueName: "FORMAT", choices: WeightOnlyFormat.names,
                            help: "keep activations float; store conv/dense/matmul weights as i2..i8, f8e4m3, f8e5m2, f16, bf16, bin, ternary or r2..r8 (residual) codes"),
        .flag("--cross-layer-equalization", help: "equalize per-channel weight ranges of consecutive convs first (helps per-tensor scales)"),
        .flag("--bias-correction", help: "subtract each layer's mean weight-quantization error (on the calibration data) from its bias"),
        .flag("--adaptive-rounding", help: "choose each weight's rounding direction to minimise its layer's output error on the calibration data"),
        .flag("--gptq", help: "quantize each layer's weights one input at a time, updating the rest to compensate its output error on the calibration data (GPTQ)"),
        OptionSpecification("--fallback-sqnr", valueName: "DB", help: "widen the most sensitive layers' weights to 8 bits until every output's SQNR reaches DB"),
        OptionSpecification("--smooth-quant", valueName: "ALPHA", help: "migrate activation ranges of dense layers into their weights with strength ALPHA (0 to 1, e.g. 0.5)"),
        OptionSpecification("--html", valueName: "FILE", help: "also write an HTML report with the error-per-layer chart to FILE"),
        .format(["table", "json", "csv"]),
    ]

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(1...1, names: "MODEL")
        let options = try Self.quantizationOptions(arguments)
        guard let outputPath = arguments.value("--output") else { throw UsageError("missing --output OUT.json") }
        let graph = try ModelLoader.load(arguments.positionals[0])
        let files = try RunCommand.bind(arguments.values("--calibration"), to: graph.inputs, option: "--calibration")
        var calibration: [String: Tensor] = [:]
        for name in graph.inputs {
            guard let file = files[name] else { throw UsageError("missing --calibration for graph input '\(name)'") }
            calibration[name] = try NumPyReader.read(contentsOf: file).tensor()
        }
        let target = try arguments.value("--fallback-sqnr").map { text throws(UsageError) -> Double in
            guard let decibels = Double(text), decibels.isFinite else {
                throw UsageError("option '--fallback-sqnr' must be a number of decibels (e.g. 30), got '\(text)'")
            }
            return decibels
        }
        let result: QuantizationResult
        var fallback: AccuracyFallback.Outcome?
        do {
            if let target {
                fallback = try AccuracyFallback(options: options, minimumOutputDecibels: target).quantize(graph, calibration: calibration)
                result = fallback!.result
            } else {
                result = try PostTrainingQuantizer(options: options).quantize(graph, calibration: calibration)
            }
        } catch {
            // Calibration findings name the graph input; say which file fed it.
            let file = graph.inputs.count == 1 ? files[graph.inputs[0]] : nil
            throw file.map { error.inFile($0) } ?? error
        }
        try KilnModelFile.write(result.graph, to: outputPath)
        let report = QuantizationReport(result: result, options: options, output: outputPath, fallback: fallback)
        if let htmlPath = arguments.value("--html") { try report.page().write(to: htmlPath) }
        switch arguments.value("--format") {
        case "json": context.console.print(report.json())
        case "csv": context.console.print(report.csv())
        default: context.console.print(report.table())
        }
        return .success
    }

    /// The options from the command line, each checked with a message naming it.
    static func quantizationOptions(_ arguments: ParsedArguments) throws(UsageError) -> QuantizationOptions {
        let range = QuantizationOptions.supportedBits
        let bits = try arguments.integer("--bits", in: range) ?? 8
        var options = QuantizationOptions(weightBits: try arguments.integer("--weight-bits", in: range) ?? bits,
                                          activationBits: try arguments.integer("--activation-bits", in: range) ?? bits)
        if arguments.flag("--per-channel") && arguments.flag("--per-tensor") {
            throw UsageError("options '--per-channel' and '--per-tensor' exclude each other")
        }
        options.perChannelWeights = !arguments.flag("--per-tensor")
        options.symmetricActivations = arguments.flag("--symmetric")
        if let name = arguments.value("--weights-only") { options.weightsOnly = WeightOnlyFormat(name: name)! }
        options.crossLayerEqualization = arguments.flag("--cross-layer-equalization")
        options.biasCorrection = arguments.flag("--bias-correction")
        options.adaptiveRounding = arguments.flag("--adaptive-rounding")
        options.hessianWeightUpdates = arguments.flag("--gptq")
        if let text = arguments.value("--smooth-quant") {
            guard let alpha = Double(text), alpha >= 0, alpha <= 1 else {
                throw UsageError("option '--smooth-quant' must be a strength from 0 to 1 (e.g. 0.5), got '\(text)'")
            }
            options.smoothQuantAlpha = alpha
        }

        if let method = arguments.value("--observer") { options.calibrationMethod = CalibrationMethod(rawValue: method)! }
        if let text = arguments.value("--prune") {
            guard let sparsity = Double(text), sparsity >= 0, sparsity <= 1 else {
                throw UsageError("option '--prune' must be a sparsity from 0 to 1 (e.g. 0.5), got '\(text)'")
            }
            options.pruning = WeightPruning(sparsity: sparsity, granularity: arguments.flag("--prune-structured") ? .outputChannels : .unstructured)
        } else if arguments.flag("--prune-structured") {
            throw UsageError("option '--prune-structured' needs '--prune SPARSITY'")
        }
        return options
    }
}

/// The per-layer and per-output error report `kiln quantize` prints: a table, CSV or JSON
/// (`kind` `kiln.quantize`, `schemaVersion` 2; `docs/schemas/quantize.schema.json`). Errors are in the value's own unit, SQNR in dB.
struct QuantizationReport {
    let result: QuantizationResult
    let options: QuantizationOptions
    let output: String
    /// The accuracy-driven fallback's outcome, with `--fallback-sqnr`.
    let fallback: AccuracyFallback.Outcome?

    /// The JSON document's `kind`.
    static let kind = "kiln.quantize"
    /// The JSON document's `schemaVersion`.
    /// Version 2 named the SQNR `sqnrVsFloatDecibels` (was `sqnrDecibels`) and added `sqnrVsFloatExact`.
    static let schemaVersion: Int64 = 2

    static func decibels(_ value: Double) -> String {
        value.isNaN ? "-" : value.isInfinite ? "inf" : String(format: "%.1f", value)
    }

    /// The error columns: name (unit-suffixed where the quantity has a unit), statistic. Every
    /// statistic compares the quantized model with the float model, hence `sqnrVsFloat…`, the
    /// name `kiln compare` gives the same comparison.
    static let errorColumns: [(String, KeyPath<ErrorStatistics, Double> & Sendable)] = [
        ("meanAbsoluteError", \.meanAbsoluteError), ("relativeError", \.relativeError),
        ("meanSquaredError", \.meanSquaredError), ("maximumAbsoluteError", \.maximumAbsoluteError),
        ("sqnrVsFloatDecibels", \.signalToQuantizationNoiseRatioDecibels), ("cosineSimilarity", \.cosineSimilarity),
    ]

    /// The key that says whether the SQNR is exact (+∞ dB: the quantized output equals the
    /// float one), which neither JSON nor CSV can carry as a number.
    static let exactKey = "sqnrVsFloatExact"

    /// The machine-readable fields of one error statistic, in column order: raw numbers, `null`
    /// for a value that is not finite (an exact SQNR, a relative error of a zero signal) or not
    /// measured, and ``exactKey`` after the SQNR (`null` when not measured).
    static func errorFields(_ error: ErrorStatistics?) -> [(String, JSONValue)] {
        errorColumns.flatMap { name, statistic -> [(String, JSONValue)] in
            let value = error?[keyPath: statistic]
            let field = (name, value.map { $0.isFinite ? JSONValue.number($0) : .null } ?? .null)
            guard name == "sqnrVsFloatDecibels" else { return [field] }
            return [field, (exactKey, value.map { .bool($0 == .infinity) } ?? .null)]
        }
    }

    /// The weight format: `i4 per-channel`, `i8`, or for group-wise codes `i4 per 32 inputs`.
    func weights(_ layer: LayerQuantizationReport) -> String {
        guard let type = layer.weightType else { return "" }
        if case .grouped(_, let size) = options.weightsOnly { return "\(type.elementType.name) per \(size) inputs" }
        return "\(type.elementType.name)\(type.quantization?.isPerTensor == false ? " per-channel" : "")"
    }

    static func form(_ layer: LayerQuantizationReport) -> String {
        layer.form.rawValue + (layer.fusedActivation.map { " + \($0.rawValue)" } ?? "")
    }

    func table() -> String {
        let pruning = options.pruning != nil
        var columns: [(String, TextTable.Alignment)] = [("LAYER", .left), ("OP", .left), ("FORM", .left), ("OUTPUT", .left),
                                                        ("WEIGHTS", .left), ("SQNR dB", .right), ("MAX ERR", .right), ("COSINE", .right)]
        if pruning { columns.append(("SPARSITY", .right)) }
        var table = TextTable(columns)
        for layer in result.layers {
            let error = layer.error
            var row = [layer.node, layer.operation.rawValue, Self.form(layer), String(describing: layer.outputType), weights(layer),
                       Self.decibels(layer.signalToQuantizationNoiseRatio),
                       error.map { String(format: "%.4g", $0.maximumAbsoluteError) } ?? "-",
                       error.map { String(format: "%.5f", $0.cosineSimilarity) } ?? "-"]
            if pruning { row.append(layer.weightSparsity.map { String(format: "%.1f%%", $0 * 100) } ?? "") }
            table.append(row)
        }
        var outputs = TextTable([("GRAPH OUTPUT", .left), ("SQNR dB", .right), ("MEAN ABS ERR", .right), ("REL ERR", .right),
                                 ("MSE", .right), ("MAX ERR", .right), ("COSINE", .right)])
        for (name, error) in result.outputs {
            outputs.append([name, Self.decibels(error.signalToQuantizationNoiseRatioDecibels), String(format: "%.4g", error.meanAbsoluteError),
                            String(format: "%.4g", error.relativeError), String(format: "%.4g", error.meanSquaredError),
                            String(format: "%.4g", error.maximumAbsoluteError), String(format: "%.5f", error.cosineSimilarity)])
        }
        let settings = options.weightsOnly.map { format in
            if case .grouped(_, let size) = format { return "weights-only \(format.name) (a scale per output channel and \(size) inputs), activations float" }
            return "weights-only \(format.name) \(options.perChannelWeights ? "per-channel" : "per-tensor"), activations float"
        }
            ?? "weights \(options.weightBits)-bit \(options.perChannelWeights ? "per-channel" : "per-tensor"), activations \(options.activationBits)-bit \(options.symmetricActivations ? "symmetric" : "asymmetric"), calibration \(options.calibrationMethod.rawValue)"
        var lines = ["model: \(result.graph.name) -> \(output)", settings, "", table.rendered(), "", outputs.rendered()]
        if !result.binaryLayers.isEmpty { lines.append("binary layers: \(result.binaryLayers.joined(separator: ", "))") }
        if !result.floatNodes.isEmpty { lines.append("left in float: \(result.floatNodes.joined(separator: ", "))") }
        if let fallback {
            lines.append("fallback to 8-bit weights: \(fallback.widenedLayers.isEmpty ? "none" : fallback.widenedLayers.joined(separator: ", "))"
                         + (fallback.metTarget ? "" : " (target not met with every layer at 8 bits)"))
        }
        return lines.joined(separator: "\n")
    }

    /// One row per layer (`scope` `layer`) and per graph output (`scope` `output`), raw numbers.
    func csv() -> String {
        var table = TextTable([("scope", .left), ("name", .left), ("op", .left), ("form", .left), ("weights", .left)]
                              + Self.errorFields(nil).map { ($0.0, .right) })
        func numbers(_ error: ErrorStatistics?) -> [String] {
            Self.errorFields(error).map { _, value in
                switch value {
                case .number(let number): "\(number)"
                case .bool(let flag): "\(flag)"
                default: ""
                }
            }
        }
        for layer in result.layers {
            table.append(["layer", layer.node, layer.operation.rawValue, Self.form(layer), weights(layer)] + numbers(layer.error))
        }
        for (name, error) in result.outputs { table.append(["output", name, "", "", ""] + numbers(error)) }
        return table.csv()
    }

    /// The HTML report: SQNR per layer and per graph output as a bar chart, then every statistic in a table.
    func page() -> HTMLPage {
        let rows = result.layers.map { ($0.node, $0.error) } + result.outputs.map { ("output \($0.name)", Optional($0.error)) }
        let chart = BarChart(title: "SQNR per layer against the float model (calibration data)", axisTitle: "SQNR", unit: "dB",
                             series: [BarChart.Series(name: "SQNR", color: ChartPalette.compute)],
                             bars: rows.map { name, error in
                                 let decibels = error?.signalToQuantizationNoiseRatioDecibels ?? .nan
                                 return BarChart.Bar(label: name, segments: [decibels.isFinite ? decibels : 0],
                                                     note: decibels.isInfinite ? "exact" : nil)
                             },
                             preferLogarithmic: false, cssClass: "chart sqnr")
        let table = HTMLTable(titles: ["name"] + Self.errorColumns.map(\.0), rows: rows.map { name, error in
            [name] + Self.errorColumns.map { _, statistic in error.map { String(format: "%.6g", $0[keyPath: statistic]) } ?? "" }
        })
        return HTMLPage(title: "kiln quantize: \(result.graph.name)", sections: [chart.svg(), table.html()])
    }

    static func errorObject(_ error: ErrorStatistics?) -> JSONValue {
        guard let error else { return .null }
        return .object(JSONObject(errorFields(error) + [("count", .integer(Int64(error.count)))]))
    }

    func json() -> String {
        let layers = result.layers.map { layer -> JSONValue in
            var fields: [(String, JSONValue)] = [
                ("layer", .string(layer.node)), ("op", .string(layer.operation.rawValue)), ("form", .string(layer.form.rawValue)),
                ("output", KilnModelFile.encodeType(layer.outputType)),
                ("error", Self.errorObject(layer.error)),
            ]
            if let fused = layer.fusedActivation { fields.append(("fusedActivation", .string(fused.rawValue))) }
            if let weights = layer.weightType { fields.append(("weights", KilnModelFile.encodeType(weights))) }
            if let sparsity = layer.weightSparsity { fields.append(("weightSparsity", .number(sparsity))) }
            return .object(JSONObject(fields))
        }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)),
            ("schemaVersion", .integer(Self.schemaVersion)),
            ("model", .string(result.graph.name)),
            ("output", .string(output)),
            ("layers", .array(layers)),
            ("outputs", .array(result.outputs.map { name, error in
                .object(JSONObject([("name", .string(name)), ("error", Self.errorObject(error))]))
            })),
            ("binaryLayers", .array(result.binaryLayers.map { .string($0) })),
            ("floatNodes", .array(result.floatNodes.map { .string($0) })),
            ("fallback", fallback.map { outcome in
                .object(JSONObject([("widenedLayers", .array(outcome.widenedLayers.map { .string($0) })), ("metTarget", .bool(outcome.metTarget))]))
            } ?? .null),
        ])))
    }
}
