import Foundation
import KilnDiagnostics

extension ONNXGraph {
    /// Loads the external data of every tensor in the graph: initializers, tensor attributes
    /// and, recursively, the tensors of subgraph attributes.
    /// - Parameter directory: the directory of the model file.
    public mutating func loadExternalData(relativeTo directory: URL) throws(DiagnosticError) {
        for index in initializers.indices where initializers[index].dataLocation == .external {
            try initializers[index].loadExternalData(relativeTo: directory)
        }
        for nodeIndex in nodes.indices {
            for attributeIndex in nodes[nodeIndex].attributes.indices {
                var value = nodes[nodeIndex].attributes[attributeIndex].value
                switch value {
                case .tensor(var tensor) where tensor.dataLocation == .external:
                    try tensor.loadExternalData(relativeTo: directory)
                    value = .tensor(tensor)
                case .tensors(var tensors):
                    for index in tensors.indices { try tensors[index].loadExternalData(relativeTo: directory) }
                    value = .tensors(tensors)
                case .graph(var graph):
                    try graph.loadExternalData(relativeTo: directory)
                    value = .graph(graph)
                case .graphs(var graphs):
                    for index in graphs.indices { try graphs[index].loadExternalData(relativeTo: directory) }
                    value = .graphs(graphs)
                default:
                    continue
                }
                nodes[nodeIndex].attributes[attributeIndex].value = value
            }
        }
    }
}
