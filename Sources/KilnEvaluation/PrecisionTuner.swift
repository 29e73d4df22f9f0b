import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnQuantizer
import KilnTargets

/// Chooses per-layer weight and activation widths of a float model for one target: the widths
/// come from the target's own `numerics.storageFormats`, each configuration is quantized by
/// ``KilnQuantizer/PostTrainingQuantizer`` (per-layer weight widths), compiled for the target
/// with the per-layer widths as ``KilnCompiler/CompileOptions/layerBits``, priced by the target's
/// cost model and scored by bit-exact functional simulation of the compiled program
/// (``Evaluation``). The answer is the most accurate configuration within the budget (ties: the
/// cheaper, then the earlier explored); when none fits, the cheapest, with the reason.
///
/// Two searches, both deterministic (the same seed gives the same configurations in the same
/// order, so the same model file byte for byte):
/// * ``Search/greedy``: from every layer at its widest formats, each step measures every layer's
///   sensitivity to one step narrower (weights or activations) and takes the step that saves the
///   most cost per unit of accuracy lost (where no step saves cost, the one that loses the least
///   accuracy without adding cost), until the budget is met or nothing narrower remains.
/// * ``Search/evolutionary``: a population seeded with the widest and narrowest configurations
///   and random ones evolves by tournament selection, uniform crossover and one-gene mutation
///   for ``generations`` generations; the two best survive each generation.
public struct PrecisionTuner: Sendable {
    /// The search strategy.
    public enum Search: String, Sendable, Hashable, CaseIterable {
        /// Sensitivity-guided greedy narrowing.
        case greedy
        /// A seeded genetic population search.
        case evolutionary
    }

    /// One layer's widths.
    public struct LayerWidths: Sendable, Hashable {
        /// Signed weight bits.
        public var weights: Int
        /// Activation (output) bits.
        public var activations: Int

        /// Creates widths.
        public init(weights: Int, activations: Int) {
            self.weights = weights
            self.activations = activations
        }

        /// `w4a8`: the weight and activation bits.
        public var label: String { "w\(weights)a\(activations)" }
    }

    /// One explored configuration and what the target made of it.
    public struct Point: Sendable {
        /// The widths, one per ``Result/layers`` entry.
        public var widths: [LayerWidths]
        /// The budget metric's value (nil when the configuration did not compile).
        public var cost: Double?
        /// Seconds per inference.
        public var latencySeconds: Double?
        /// Joules per inference.
        public var energyJoules: Double?
        /// Weights plus peak activation bytes.
        public var memoryBytes: Int?
        /// The seconds of host kernels and host-link transfers (placement other than the
        /// accelerator), which the accelerator's widths do not change.
        public var hostAndLinkSeconds: Double?
        /// Top-1 accuracy with labels, else the output SQNR in dB against the float model.
        public var accuracy: Double?
        /// Why the configuration could not be evaluated, or nil.
        public var failure: String?
    }

    /// What a search found.
    public struct Result: Sendable {
        /// The tuned layers (conv / dense / matmul nodes with weights), in graph order.
        public var layers: [String]
        /// The weight widths the target declares that Kiln's quantizer produces, widest first.
        public var weightChoices: [Int]
        /// The activation widths, widest first.
        public var activationChoices: [Int]
        /// Whether ``Point/accuracy`` is top-1 (labels) rather than SQNR in dB.
        public var accuracyIsTopOne: Bool
        /// The budget's limit in the metric's unit.
        public var limit: Double
        /// Every configuration evaluated, in the order the search evaluated it (index 0: the widest).
        public var points: [Point]
        /// The index in ``points`` of the answer.
        public var chosen: Int
        /// Whether the answer meets the budget.
        public var metBudget: Bool
        /// Why no configuration meets the budget, or nil.
        public var reason: String?
        /// The answer's quantized model (what `kiln tune --output` writes).
        public var model: Graph
        /// The answer's per-layer widths as compile options name them.
        public var layerBits: [String: (weights: Int, activations: Int)]
    }

    /// How models are compiled, priced and simulated.
    public let evaluation: Evaluation
    /// The target.
    public let target: TargetDescription
    /// The budget.
    public let budget: TuningBudget
    /// The search.
    public let search: Search
    /// The seed of the evolutionary search's random choices.
    public let seed: UInt64
    /// The evolutionary population size.
    public var populationSize = 8
    /// The evolutionary generations after the first.
    public var generations = 4

    /// Creates a tuner.
    public init(evaluation: Evaluation, target: TargetDescription, budget: TuningBudget, search: Search, seed: UInt64) {
        self.evaluation = evaluation
        self.target = target
        self.budget = budget
        self.search = search
        self.seed = seed
    }

    /// The widths the target runs that Kiln's quantizer produces (2–8 bit integers), widest
    /// first: for weights the signed integer formats of `numerics.storageFormats` (which a
    /// family's kernels take as constant operands, e.g. CMSIS-NN's s4 weights next to s8
    /// activations), for activations the integer formats the target's `conv2d` / `dense` /
    /// `matmul` ops are declared at in `ops[]` (their input's format decides where they run).
    /// - Throws: ``DiagnosticError`` naming the target's file when it declares none.
    public func choices() throws(DiagnosticError) -> (weights: [Int], activations: [Int]) {
        var weights = Set<Int>(), activations = Set<Int>()
        for format in target.numerics.storageFormats {
            guard case .integer(let bits, true) = format, QuantizationOptions.supportedBits.contains(bits) else { continue }
            weights.insert(bits)
        }
        let layerFormats = [OperatorKind.conv2d, .dense, .matmul].compactMap { target.support(for: $0)?.formats }.joined()
        for format in layerFormats {
            guard case .integer(let bits, _) = format, QuantizationOptions.supportedBits.contains(bits) else { continue }
            activations.insert(bits)
        }
        guard !weights.isEmpty, !activations.isEmpty else {
            throw DiagnosticError(.error("\(target.name) declares no signed integer format of 2–8 bits for weights (numerics.storageFormats: \(target.numerics.storageFormats.map(\.name).joined(separator: ", "))) or no integer format of 2–8 bits its conv2d / dense / matmul run at (ops[]: \(Array(Set(layerFormats.map(\.name))).sorted().joined(separator: ", "))); kiln tune chooses among those only",
                                         file: target.file))
        }
        return (weights.sorted(by: >), activations.sorted(by: >))
    }

    /// Searches for the widths of `source`.
    /// - Parameters:
    ///   - source: a float model.
    ///   - calibration: calibration inputs of its only input (leading dimension = samples).
    ///   - data: evaluation inputs and labels; nil scores SQNR against the float model on the calibration inputs.
    /// - Throws: ``DiagnosticError`` when the model cannot be quantized, or the widest
    ///   configuration cannot be compiled or simulated on the target.
    public func tune(_ source: Graph, calibration: Tensor, data: (samples: Tensor, labels: [Int64])?) throws(DiagnosticError) -> Result {
        guard EvaluationModel.computesInFloat(source), let input = source.inputs.first, source.inputs.count == 1 else {
            throw DiagnosticError(.error("kiln tune takes a float model with one input; '\(source.name)' \(source.inputs.count == 1 ? "is already quantized" : "has \(source.inputs.count) inputs")"))
        }
        let (weightChoices, activationChoices) = try choices()
        let feeds = [input: calibration]
        let widestOptions = QuantizationOptions(weightBits: weightChoices[0], activationBits: activationChoices[0])
        let layers = try PostTrainingQuantizer(options: widestOptions).quantize(source, calibration: feeds).layers
            .filter { $0.weightType != nil && !$0.hasBinaryWeights }.map(\.node)
        guard !layers.isEmpty else { throw DiagnosticError(.error("'\(source.name)' has no layer with weights to tune")) }
        let scoring: EvaluationData
        if let data {
            scoring = try EvaluationData(inputs: [input: data.samples], labels: data.labels)
        } else {
            scoring = try EvaluationData(inputs: feeds, referenceOf: EvaluationModel(source, calibration: nil))
        }
        var state = SearchState(tuner: self, source: source, feeds: feeds, layers: layers, data: scoring,
                                weightChoices: weightChoices, activationChoices: activationChoices)
        let widest = [LayerWidths](repeating: LayerWidths(weights: weightChoices[0], activations: activationChoices[0]), count: layers.count)
        let narrowest = [LayerWidths](repeating: LayerWidths(weights: weightChoices.last!, activations: activationChoices.last!), count: layers.count)
        let baseline = try state.evaluate(widest)
        guard let widestCost = baseline.cost else {
            throw DiagnosticError(.error("\(target.name) cannot run '\(source.name)' at its widest formats: \(baseline.failure ?? "")"))
        }
        state.limit = budget.absoluteLimit(widest: widestCost)
        switch search {
        case .greedy: try state.greedy(from: widest)
        case .evolutionary: try state.evolve(widest: widest, narrowest: narrowest, seed: seed)
        }
        var chosen = state.best()
        let met = (state.points[chosen].cost ?? .infinity) <= state.limit
        var reason: String?
        if !met {
            // Over the budget the answer is the cheapest configuration explored, the narrowest included.
            let floor = try state.evaluate(narrowest)
            chosen = state.best()
            let unit = budget.metric.unit
            func text(_ value: Double) -> String { String(format: "%.4g %@", value, unit) }
            if let floorCost = floor.cost, floorCost <= state.limit {
                reason = "the \(search.rawValue) search found no configuration within the budget of \(text(state.limit))"
            } else {
                reason = "with every layer at the narrowest formats \(target.name) declares (i\(weightChoices.last!) weights, \(activationChoices.last!)-bit activations) the \(budget.metric.rawValue) is \(floor.cost.map(text) ?? "not available (\(floor.failure ?? ""))"), above the budget of \(text(state.limit))"
                if let floorCost = floor.cost {
                    reason! += String(format: " (%.1f%% of the widest configuration's)", 100 * floorCost / widestCost)
                }
                if budget.metric == .latency, let fixed = floor.hostAndLinkSeconds, fixed > 0, let floorCost = floor.cost {
                    reason! += String(format: "; %.4g s of it (%.0f%%) is host kernels and host-link transfers, which no width changes", fixed, 100 * fixed / floorCost)
                }
            }
            let answer = state.points[chosen]
            reason! += "; the answer is the cheapest configuration explored, \(answer.widths.map(\.label).joined(separator: " ")) at \(answer.cost.map(text) ?? "?")"
        }
        let widths = state.points[chosen].widths
        return Result(layers: layers, weightChoices: weightChoices, activationChoices: activationChoices,
                      accuracyIsTopOne: data != nil, limit: state.limit, points: state.points, chosen: chosen, metBudget: met,
                      reason: reason, model: try state.quantize(widths), layerBits: state.layerBits(widths))
    }
}

/// The explored configurations of one search, each evaluated once.
private struct SearchState {
    let tuner: PrecisionTuner
    let source: Graph
    let feeds: [String: Tensor]
    let layers: [String]
    let data: EvaluationData
    let weightChoices: [Int]
    let activationChoices: [Int]
    var limit = Double.infinity
    var points: [PrecisionTuner.Point] = []
    var index: [[PrecisionTuner.LayerWidths]: Int] = [:]
    var models: [[Int]: Graph] = [:]

    init(tuner: PrecisionTuner, source: Graph, feeds: [String: Tensor], layers: [String], data: EvaluationData,
         weightChoices: [Int], activationChoices: [Int]) {
        self.tuner = tuner; self.source = source; self.feeds = feeds; self.layers = layers; self.data = data
        self.weightChoices = weightChoices; self.activationChoices = activationChoices
    }

    /// The post-training quantization with these per-layer weight widths (activations at the widest width).
    mutating func quantize(_ widths: [PrecisionTuner.LayerWidths]) throws(DiagnosticError) -> Graph {
        let key = widths.map(\.weights)
        if let model = models[key] { return model }
        var options = QuantizationOptions(weightBits: weightChoices[0], activationBits: activationChoices[0])
        for (layer, width) in zip(layers, widths) where width.weights != weightChoices[0] { options.layerWeightBits[layer] = width.weights }
        let model = try PostTrainingQuantizer(options: options).quantize(source, calibration: feeds).graph
        models[key] = model
        return model
    }

    /// The widths as compile options name them (by layer).
    func layerBits(_ widths: [PrecisionTuner.LayerWidths]) -> [String: (weights: Int, activations: Int)] {
        Dictionary(uniqueKeysWithValues: zip(layers, widths).map { ($0, (weights: $1.weights, activations: $1.activations)) })
    }

    /// Evaluates a configuration once (later calls return the recorded point).
    mutating func evaluate(_ widths: [PrecisionTuner.LayerWidths]) throws(DiagnosticError) -> PrecisionTuner.Point {
        if let known = index[widths] { return points[known] }
        var point = PrecisionTuner.Point(widths: widths)
        let model = EvaluationModel(source, quantizedAs: try quantize(widths), calibration: feeds, layerBits: layerBits(widths))
        do {
            let result = try tuner.evaluation.run(model: model, target: tuner.target, data: data)
            point.cost = tuner.budget.value(of: result.program, cost: result.cost)
            point.latencySeconds = result.cost.latencySeconds
            point.energyJoules = result.cost.energy.total
            point.memoryBytes = result.program.weightBytes + result.program.peakActivationBytes
            point.hostAndLinkSeconds = result.cost.steps.filter { $0.placement != .accelerator }.reduce(0) { $0 + $1.seconds }
            point.accuracy = result.score?.topOne ?? result.score?.sqnrDecibels
        } catch {
            point.failure = error.diagnostics.map(\.message).joined(separator: "; ")
        }
        index[widths] = points.count
        points.append(point)
        return point
    }

    /// Whether point `a` is a better answer than `b`: within the budget first, then more
    /// accurate and cheaper; outside it, cheaper and then more accurate.
    func better(_ a: PrecisionTuner.Point, _ b: PrecisionTuner.Point) -> Bool {
        let costA = a.cost ?? .infinity, costB = b.cost ?? .infinity
        let accuracyA = a.accuracy ?? -.infinity, accuracyB = b.accuracy ?? -.infinity
        let fitsA = costA <= limit, fitsB = costB <= limit
        if fitsA != fitsB { return fitsA }
        // Costs that differ only by the rounding of the cost model's sums (relative 1e-9) are equal.
        let sameCost = costA == costB || abs(costA - costB) <= 1e-9 * max(abs(costA), abs(costB))
        if fitsA { return accuracyA != accuracyB ? accuracyA > accuracyB : !sameCost && costA < costB }
        return !sameCost ? costA < costB : accuracyA > accuracyB
    }

    /// The index of the best explored point (the earliest among equals).
    func best() -> Int {
        points.indices.reduce(0) { better(points[$1], points[$0]) ? $1 : $0 }
    }

    /// The configurations one step narrower than `widths` in one layer's weights or activations.
    func narrowerSteps(_ widths: [PrecisionTuner.LayerWidths]) -> [[PrecisionTuner.LayerWidths]] {
        var steps: [[PrecisionTuner.LayerWidths]] = []
        for layer in widths.indices {
            if let next = weightChoices.first(where: { $0 < widths[layer].weights }) {
                var step = widths; step[layer].weights = next; steps.append(step)
            }
            if let next = activationChoices.first(where: { $0 < widths[layer].activations }) {
                var step = widths; step[layer].activations = next; steps.append(step)
            }
        }
        return steps
    }

    /// Sensitivity-guided greedy narrowing from `widths` until the budget is met.
    mutating func greedy(from widths: [PrecisionTuner.LayerWidths]) throws(DiagnosticError) {
        var current = try evaluate(widths)
        while (current.cost ?? .infinity) > limit {
            var bestStep: PrecisionTuner.Point?
            var bestKey = (saves: false, score: -Double.infinity)
            for step in narrowerSteps(current.widths) {
                let point = try evaluate(step)
                guard let cost = point.cost, let accuracy = point.accuracy, let currentCost = current.cost, cost <= currentCost else { continue }
                let lost = max(0, (current.accuracy ?? accuracy) - accuracy)
                // Cost saved per unit of accuracy lost: the least sensitive layer's step wins. On a
                // plateau, where no single step saves cost (a dataflow pipeline's slowest stage is
                // elsewhere), the step that loses the least accuracy, so later steps can reach the
                // stage that limits. Every step narrows a width, so the walk ends.
                let saved = currentCost - cost
                let saves = saved > 1e-9 * currentCost
                let key = (saves: saves, score: saves ? saved / (lost + 1e-9) : -lost)
                if key.saves != bestKey.saves ? key.saves : key.score > bestKey.score { bestKey = key; bestStep = point }
            }
            guard let bestStep else { return }
            current = bestStep
        }
    }

    /// The seeded population search.
    mutating func evolve(widest: [PrecisionTuner.LayerWidths], narrowest: [PrecisionTuner.LayerWidths], seed: UInt64) throws(DiagnosticError) {
        var random = SeededGenerator(seed: seed)
        func randomGene(_ random: inout SeededGenerator) -> PrecisionTuner.LayerWidths {
            PrecisionTuner.LayerWidths(weights: weightChoices[Int.random(in: 0..<weightChoices.count, using: &random)],
                                       activations: activationChoices[Int.random(in: 0..<activationChoices.count, using: &random)])
        }
        let size = max(tuner.populationSize, 2)
        var population = [widest, narrowest]
        while population.count < size { population.append(layers.map { _ in randomGene(&random) }) }
        for generation in 0...tuner.generations {
            var ranked: [PrecisionTuner.Point] = []
            for member in population { ranked.append(try evaluate(member)) }
            ranked.sort { better($0, $1) }
            guard generation < tuner.generations else { return }
            var next = ranked.prefix(2).map(\.widths)
            func tournament(_ random: inout SeededGenerator) -> [PrecisionTuner.LayerWidths] {
                let a = ranked[Int.random(in: 0..<ranked.count, using: &random)], b = ranked[Int.random(in: 0..<ranked.count, using: &random)]
                return better(b, a) ? b.widths : a.widths
            }
            while next.count < size {
                let mother = tournament(&random), father = tournament(&random)
                var child = mother.indices.map { Bool.random(using: &random) ? mother[$0] : father[$0] }
                child[Int.random(in: 0..<child.count, using: &random)] = randomGene(&random)
                next.append(child)
            }
            population = next
        }
    }
}
