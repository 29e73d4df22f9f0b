import KilnIR
import KilnInterpreter

/// Runs a one-input float graph on one sample.
struct KilnInterpreterHarness {
    let interpreter: ReferenceInterpreter
    let input: String
    let shape: [Int]

    init(graph: Graph) throws {
        interpreter = try ReferenceInterpreter(graph: graph)
        input = graph.inputs[0]
        shape = graph.types[input]!.shape
    }

    func run(_ values: [Float]) throws -> [Float] {
        try interpreter.run([input: Tensor(shape: shape, floats: values)])[0].floats ?? []
    }
}
