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
///   for ``generations`` generations; the two best survive each generation. With ``islands``
///   greater than one, that many populations evolve independently, each from its own seed
///   (the island model), and the answer is the best of all of them.
///
/// Islands are what a sharded search splits (`kiln tune --shard K/N`, like `kiln sweep`): each
/// shard explores its islands (``explore(_:calibration:data:islands:)``), and
/// ``conclude(_:calibration:data:explorations:)`` joins the shards into exactly the result of the
/// unsharded ``tune(_:calibration:data:)``.
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
    public struct Point: Sendable, Equatable {
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
        /// The seconds of host kernels and host-link transfers (resource other than the
        /// accelerator), which the accelerator's widths do not change.
        public var hostAndLinkSeconds: Double?
        /// Top-1 accuracy with labels, else the output SQNR in dB against the float model.
        public var accuracy: Double?
        /// Why the configuration could not be evaluated, or nil.
        public var failure: String?

        /// Creates a point (as a shard file reads back); a configuration not yet evaluated has only widths.
        public init(widths: [LayerWidths], cost: Double? = nil, latencySeconds: Double? = nil, energyJoules: Double? = nil,
                    memoryBytes: Int? = nil, hostAndLinkSeconds: Double? = nil, accuracy: Double? = nil, failure: String? = nil) {
            self.widths = widths
            self.cost = cost
            self.latencySeconds = latencySeconds
            self.energyJoules = energyJoules
            self.memoryBytes = memoryBytes
            self.hostAndLinkSeconds = hostAndLinkSeconds
            self.accuracy = accuracy
            self.failure = failure
        }
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
        /// Every configuration evaluated, in the order the search evaluated it (island by
        /// island, each configuration where it was first evaluated; index 0: the widest).
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

    /// What one process explored of a search (all islands, or one shard's).
    public struct Exploration: Sendable {
        /// The configurations one island evaluated.
        public struct Island: Sendable {
            /// The island, from 0.
            public var number: Int
            /// Its configurations in the order it first evaluated them (the first: the widest).
            public var points: [Point]

            /// Creates an island's record.
            public init(number: Int, points: [Point]) {
                self.number = number
                self.points = points
            }
        }

        /// The tuned layers, as ``Result/layers``.
        public var layers: [String]
        /// The weight widths, as ``Result/weightChoices``.
        public var weightChoices: [Int]
        /// The activation widths, as ``Result/activationChoices``.
        public var activationChoices: [Int]
        /// Whether accuracies are top-1 rather than SQNR.
        public var accuracyIsTopOne: Bool
        /// The budget's limit in the metric's unit.
        public var limit: Double
        /// The islands explored, in the order given.
        public var islands: [Island]

        /// Creates an exploration (as a shard file reads back).
        public init(layers: [String], weightChoices: [Int], activationChoices: [Int], accuracyIsTopOne: Bool, limit: Double, islands: [Island]) {
            self.layers = layers
            self.weightChoices = weightChoices
            self.activationChoices = activationChoices
            self.accuracyIsTopOne = accuracyIsTopOne
            self.limit = limit
            self.islands = islands
        }
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
    /// The independent populations of the evolutionary search (the greedy search has one).
    public var islands = 1

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

    /// Searches for the widths of `source`: every island explored in one process, then
    /// ``conclude(_:calibration:data:explorations:)``.
    /// - Parameters:
    ///   - source: a float model.
    ///   - calibration: calibration inputs of its only input (leading dimension = samples).
    ///   - data: evaluation inputs and labels; nil scores SQNR against the float model on the calibration inputs.
    /// - Throws: ``DiagnosticError`` when the model cannot be quantized, or the widest
    ///   configuration cannot be compiled or simulated on the target.
    public func tune(_ source: Graph, calibration: Tensor, data: (samples: Tensor, labels: [Int64])?) throws(DiagnosticError) -> Result {
        var state = try SearchState(tuner: self, source: source, calibration: calibration, data: data)
        let exploration = try state.explore(islands: Array(0..<islands))
        return try state.conclude([exploration])
    }

    /// Explores the given islands only (one shard of a sharded search, `kiln tune --shard K/N`).
    /// Each island's search depends on nothing outside it, so the explorations of disjoint
    /// island sets, concluded together, give exactly the result of ``tune(_:calibration:data:)``.
    /// - Parameter islands: island numbers in `0..<`\ ``islands``, each at most once.
    /// - Throws: ``DiagnosticError`` as ``tune(_:calibration:data:)``, or for an island number out of range.
    public func explore(_ source: Graph, calibration: Tensor, data: (samples: Tensor, labels: [Int64])?,
                        islands numbers: [Int]) throws(DiagnosticError) -> Exploration {
        guard numbers.allSatisfy({ (0..<islands).contains($0) }), Set(numbers).count == numbers.count else {
            throw DiagnosticError(.error("islands \(numbers.map(String.init).joined(separator: ", ")) are not distinct numbers from 0 to \(islands - 1)"))
        }
        var state = try SearchState(tuner: self, source: source, calibration: calibration, data: data)
        return try state.explore(islands: numbers)
    }

    /// The answer of explorations that together cover every island once (the shards of a
    /// sharded search): their configurations joined in island order, each configuration once
    /// (where it was first explored), and the best of them chosen as ``tune(_:calibration:data:)``
    /// chooses, its model quantized from `source`.
    /// - Throws: ``DiagnosticError`` when an island is missing or given twice, when the
    ///   explorations were made for other layers, formats or budget, or when the widest
    ///   configuration, evaluated again here, differs from theirs (another model, target or data set).
    public func conclude(_ source: Graph, calibration: Tensor, data: (samples: Tensor, labels: [Int64])?,
                         explorations: [Exploration]) throws(DiagnosticError) -> Result {
        var state = try SearchState(tuner: self, source: source, calibration: calibration, data: data)
        return try state.conclude(explorations)
    }

    /// The seed of island `number`'s random choices: island 0 takes ``seed`` itself (so one
    /// island is the plain population search), island i > 0 the i-th value of a
    /// ``KilnConformance/SeededGenerator`` seeded with ``seed``.
    public func seed(ofIsland number: Int) -> UInt64 {
        guard number > 0 else { return seed }
        var random = SeededGenerator(seed: seed)
        for _ in 1..<number { _ = random.next() }
        return random.next()
    }
}

/// The explored configurations of one search, each evaluated once.
private struct SearchState {
    let tuner: PrecisionTuner
    let source: Graph
    let feeds: [String: Tensor]
    let layers: [String]
    let data: EvaluationData
    let accuracyIsTopOne: Bool
    let weightChoices: [Int]
    let activationChoices: [Int]
    /// Every layer at the widest formats, and at the narrowest.
    let widest: [PrecisionTuner.LayerWidths], narrowest: [PrecisionTuner.LayerWidths]
    /// The widest configuration's evaluation (``points`` index 0) and the budget's limit it sets.
    private(set) var baseline: PrecisionTuner.Point
    private(set) var limit: Double
    var points: [PrecisionTuner.Point] = []
    var index: [[PrecisionTuner.LayerWidths]: Int] = [:]
    var models: [[Int]: Graph] = [:]
    /// The island being explored: indices in ``points`` in the order it first evaluated them.
    var visits: [Int] = []
    var visited: Set<Int> = []

    /// Checks the model, finds its layers and the target's choices, and evaluates the widest
    /// configuration, which sets the budget's limit.
    init(tuner: PrecisionTuner, source: Graph, calibration: Tensor, data: (samples: Tensor, labels: [Int64])?) throws(DiagnosticError) {
        guard EvaluationModel.computesInFloat(source), let input = source.inputs.first, source.inputs.count == 1 else {
            throw DiagnosticError(.error("kiln tune takes a float model with one input; '\(source.name)' \(source.inputs.count == 1 ? "is already quantized" : "has \(source.inputs.count) inputs")"))
        }
        guard tuner.islands >= 1 else { throw DiagnosticError(.error("\(tuner.islands) islands: a search has at least one")) }
        guard tuner.search == .evolutionary || tuner.islands == 1 else {
            throw DiagnosticError(.error("\(tuner.islands) islands: the greedy search is one chain of dependent steps and has exactly one island; islands are independent populations of the evolutionary search"))
        }
        (weightChoices, activationChoices) = try tuner.choices()
        feeds = [input: calibration]
        let widestOptions = QuantizationOptions(weightBits: weightChoices[0], activationBits: activationChoices[0])
        layers = try PostTrainingQuantizer(options: widestOptions).quantize(source, calibration: feeds).layers
            .filter { $0.weightType != nil && !$0.hasBinaryWeights }.map(\.node)
        guard !layers.isEmpty else { throw DiagnosticError(.error("'\(source.name)' has no layer with weights to tune")) }
        if let data {
            self.data = try EvaluationData(inputs: [input: data.samples], labels: data.labels)
        } else {
            self.data = try EvaluationData(inputs: feeds, referenceOf: EvaluationModel(source, calibration: nil))
        }
        self.tuner = tuner
        self.source = source
        accuracyIsTopOne = data != nil
        widest = .init(repeating: .init(weights: weightChoices[0], activations: activationChoices[0]), count: layers.count)
        narrowest = .init(repeating: .init(weights: weightChoices.last!, activations: activationChoices.last!), count: layers.count)
        limit = .infinity
        baseline = PrecisionTuner.Point(widths: widest)
        baseline = try evaluate(widest)
        guard let widestCost = baseline.cost else {
            throw DiagnosticError(.error("\(tuner.target.name) cannot run '\(source.name)' at its widest formats: \(baseline.failure ?? "")"))
        }
        limit = tuner.budget.absoluteLimit(widest: widestCost)
    }

    /// Runs the search of each island in turn. An island that meets no budget also evaluates
    /// the narrowest configuration, the floor the over-budget reason quotes.
    mutating func explore(islands numbers: [Int]) throws(DiagnosticError) -> PrecisionTuner.Exploration {
        var islands: [PrecisionTuner.Exploration.Island] = []
        for number in numbers {
            visits = []
            visited = []
            switch tuner.search {
            case .greedy: try greedy(from: widest)
            case .evolutionary: try evolve(seed: tuner.seed(ofIsland: number))
            }
            if !visits.contains(where: { (points[$0].cost ?? .infinity) <= limit }) { _ = try evaluate(narrowest) }
            islands.append(.init(number: number, points: visits.map { points[$0] }))
        }
        return PrecisionTuner.Exploration(layers: layers, weightChoices: weightChoices, activationChoices: activationChoices,
                                          accuracyIsTopOne: accuracyIsTopOne, limit: limit, islands: islands)
    }

    /// The answer of explorations covering every island once.
    mutating func conclude(_ explorations: [PrecisionTuner.Exploration]) throws(DiagnosticError) -> PrecisionTuner.Result {
        for exploration in explorations {
            guard exploration.layers == layers, exploration.weightChoices == weightChoices, exploration.activationChoices == activationChoices,
                  exploration.accuracyIsTopOne == accuracyIsTopOne, exploration.limit == limit else {
                throw DiagnosticError(.error("an exploration of layers \(exploration.layers.joined(separator: ", ")) with weight widths \(exploration.weightChoices), activation widths \(exploration.activationChoices) and limit \(exploration.limit) does not belong to this search (layers \(layers.joined(separator: ", ")), \(weightChoices), \(activationChoices), limit \(limit))"))
            }
        }
        let islands = explorations.flatMap(\.islands).sorted { $0.number < $1.number }
        guard islands.map(\.number) == Array(0..<tuner.islands) else {
            let numbers = islands.map(\.number)
            let missing = (0..<tuner.islands).filter { !numbers.contains($0) }
            throw DiagnosticError(.error("the explorations hold islands \(numbers.map(String.init).joined(separator: ", ")) of \(tuner.islands)"
                                         + (missing.isEmpty ? "; an island is given twice" : "; missing: \(missing.map(String.init).joined(separator: ", "))")))
        }
        guard let first = islands.first?.points.first, first == baseline else {
            throw DiagnosticError(.error("the explorations' widest configuration is not what this model, target and data give (evaluated again: \(baseline.cost.map { "\($0)" } ?? "no cost"), accuracy \(baseline.accuracy.map { "\($0)" } ?? "none")); they come from another model, target or data set"))
        }
        var merged: [PrecisionTuner.Point] = []
        var seen: [[PrecisionTuner.LayerWidths]: Int] = [:]
        for island in islands {
            for point in island.points {
                if let known = seen[point.widths] {
                    guard merged[known] == point else {
                        throw DiagnosticError(.error("island \(island.number) evaluated \(point.widths.map(\.label).joined(separator: " ")) differently from an earlier island; the explorations come from different searches"))
                    }
                    continue
                }
                seen[point.widths] = merged.count
                merged.append(point)
            }
        }
        var chosen = 0
        for candidate in merged.indices where better(merged[candidate], merged[chosen]) { chosen = candidate }
        let met = (merged[chosen].cost ?? .infinity) <= limit
        let widths = merged[chosen].widths
        return PrecisionTuner.Result(layers: layers, weightChoices: weightChoices, activationChoices: activationChoices,
                                     accuracyIsTopOne: accuracyIsTopOne, limit: limit, points: merged, chosen: chosen, metBudget: met,
                                     reason: met ? nil : overBudgetReason(merged, chosen: chosen, floor: seen[narrowest].map { merged[$0] }),
                                     model: try quantize(widths), layerBits: layerBits(widths))
    }

    /// Why nothing meets the budget: the narrowest configuration's cost (every island that
    /// missed the budget evaluated it) and, for latency, the share no width changes.
    func overBudgetReason(_ points: [PrecisionTuner.Point], chosen: Int, floor: PrecisionTuner.Point?) -> String {
        let unit = tuner.budget.metric.unit
        func text(_ value: Double) -> String { String(format: "%.4g %@", value, unit) }
        let target = tuner.target.name
        var reason = "with every layer at the narrowest formats \(target) declares (i\(weightChoices.last!) weights, \(activationChoices.last!)-bit activations) the \(tuner.budget.metric.rawValue) is \(floor?.cost.map(text) ?? "not available (\(floor?.failure ?? ""))"), above the budget of \(text(limit))"
        if let floorCost = floor?.cost, let widestCost = baseline.cost {
            reason += String(format: " (%.1f%% of the widest configuration's)", 100 * floorCost / widestCost)
            if tuner.budget.metric == .latency, let fixed = floor?.hostAndLinkSeconds, fixed > 0 {
                reason += String(format: "; %.4g s of it (%.0f%%) is host kernels and host-link transfers, which no width changes", fixed, 100 * fixed / floorCost)
            }
        }
        let answer = points[chosen]
        return reason + "; the answer is the cheapest configuration explored, \(answer.widths.map(\.label).joined(separator: " ")) at \(answer.cost.map(text) ?? "?")"
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

    /// Evaluates a configuration once (later calls return the recorded point) and records it
    /// as a visit of the island being explored.
    mutating func evaluate(_ widths: [PrecisionTuner.LayerWidths]) throws(DiagnosticError) -> PrecisionTuner.Point {
        if let known = index[widths] {
            if visited.insert(known).inserted { visits.append(known) }
            return points[known]
        }
        var point = PrecisionTuner.Point(widths: widths)
        let model = EvaluationModel(source, quantizedAs: try quantize(widths), calibration: feeds, layerBits: layerBits(widths))
        do {
            let result = try tuner.evaluation.run(model: model, target: tuner.target, data: data)
            point.cost = tuner.budget.value(of: result.program, cost: result.cost)
            point.latencySeconds = result.cost.latencySeconds
            point.energyJoules = result.cost.energy.total
            point.memoryBytes = result.program.weightBytes + result.program.peakActivationBytes
            point.hostAndLinkSeconds = result.cost.steps.filter { $0.resource != .accelerator }.reduce(0) { $0 + $1.seconds }
            point.accuracy = result.score?.topOne ?? result.score?.sqnrDecibels
        } catch {
            point.failure = error.diagnostics.map(\.message).joined(separator: "; ")
        }
        index[widths] = points.count
        visited.insert(points.count)
        visits.append(points.count)
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
    mutating func evolve(seed: UInt64) throws(DiagnosticError) {
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
