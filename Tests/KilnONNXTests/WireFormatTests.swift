import KilnDiagnostics
import Testing
@testable import KilnONNX

/// Hand-built byte sequences for the protobuf wire-format reader's edge cases.
@Suite struct WireFormatTests {
    /// The single finding of a thrown diagnostic error.
    private func finding(_ body: () throws -> Void) -> Diagnostic? {
        do {
            try body()
            return nil
        } catch let error as DiagnosticError {
            return error.diagnostics.first
        } catch {
            return nil
        }
    }

    @Test func varintsUpToTenBytes() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 1 << 35, UInt64(Int64.max), UInt64.max] {
            var reader = ProtobufReader(bytes: ProtobufWriter.varint(value))
            #expect(try reader.readVarint(field: "test") == value)
            #expect(reader.isAtEnd)
        }
        #expect(ProtobufWriter.varint(UInt64.max).count == 10)
        // -1 as int64 / int32 is a 10-byte varint.
        var reader = ProtobufReader(bytes: ProtobufWriter.varint(UInt64(bitPattern: -1)))
        #expect(try reader.readVarint(field: "test") == UInt64.max)
    }

    @Test func elevenByteVarintIsRejected() {
        let bytes = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        let diagnostic = finding {
            var reader = ProtobufReader(bytes: bytes, fileName: "x.onnx")
            _ = try reader.readVarint(field: "TensorProto.dims")
        }
        #expect(diagnostic?.message == "varint in field 'TensorProto.dims' is longer than 10 bytes")
        #expect(diagnostic?.location.byteOffset == 0)
        #expect(diagnostic?.location.file == "x.onnx")
    }

    @Test func overflowingTenthByteIsRejected() {
        let bytes = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        let diagnostic = finding {
            var reader = ProtobufReader(bytes: bytes)
            _ = try reader.readVarint(field: "f")
        }
        #expect(diagnostic?.message == "varint in field 'f' overflows 64 bits")
    }

    @Test func truncatedVarint() {
        let diagnostic = finding {
            var reader = ProtobufReader(bytes: [0x08, 0x96])  // field 1 varint, then an unfinished varint
            let tag = try #require(try reader.readTag(in: "ModelProto"))
            _ = try reader.readInt64(tag, field: "ModelProto.ir_version")
        }
        #expect(diagnostic?.message == "truncated varint in field 'ModelProto.ir_version' (1 bytes, then end of data)")
        #expect(diagnostic?.location.byteOffset == 1)
    }

    @Test func lengthPastEnd() {
        // NodeProto.attribute (field 5) claims 500 bytes, 3 follow.
        var bytes: [UInt8] = [0x2A]
        bytes += ProtobufWriter.varint(500)
        bytes += [1, 2, 3]
        let diagnostic = finding {
            var reader = ProtobufReader(bytes: bytes)
            _ = try ONNXNode(protobuf: &reader)
        }
        #expect(diagnostic?.message == "truncated length-delimited field 'NodeProto.attribute' (needs 500 bytes, 3 left)")
        #expect(diagnostic?.location.byteOffset == 1)
    }

    @Test func hugeLengthDoesNotOverflow() {
        var bytes: [UInt8] = [0x4A]  // TensorProto.raw_data
        bytes += ProtobufWriter.varint(UInt64.max)
        let diagnostic = finding { _ = try ONNXTensor(bytes: bytes) }
        #expect(diagnostic?.message.hasPrefix("truncated length-delimited field 'TensorProto.raw_data' (needs 18446744073709551615 bytes") == true)
    }

    @Test func packedAndUnpackedRepeatedFieldsAgree() throws {
        var packed = ProtobufWriter()
        packed.packedVarints(1, [2, 3, -1])
        packed.int(2, 1)
        packed.packedFloats(4, [1.5, -2, 0.25, 3, 4, 5])
        var unpacked = ProtobufWriter()
        for dim: Int64 in [2, 3] { unpacked.int(1, dim) }
        unpacked.int(1, -1)
        unpacked.int(2, 1)
        for value: Float in [1.5, -2, 0.25, 3, 4, 5] { unpacked.float(4, value) }
        var mixed = ProtobufWriter()
        mixed.int(1, 2)
        mixed.packedVarints(1, [3, -1])
        mixed.int(2, 1)
        mixed.packedFloats(4, [1.5, -2])
        mixed.float(4, 0.25)
        mixed.packedFloats(4, [3, 4, 5])
        let a = try ONNXTensor(bytes: packed.bytes)
        let b = try ONNXTensor(bytes: unpacked.bytes)
        let c = try ONNXTensor(bytes: mixed.bytes)
        #expect(a.dims == [2, 3, -1])
        #expect(a.floatData == [1.5, -2, 0.25, 3, 4, 5])
        #expect(a == b)
        #expect(a == c)
    }

    @Test func packedInt32DataWithNegativeValues() throws {
        var writer = ProtobufWriter()
        writer.packedVarints(1, [3])
        writer.int(2, Int64(ONNXDataType.int8.rawValue))
        writer.packedVarints(5, [-128, 0, 127])  // negative int32 values are 10-byte varints
        let tensor = try ONNXTensor(bytes: writer.bytes)
        #expect(tensor.int32Data == [-128, 0, 127])
        #expect(try tensor.values() == .int8([-128, 0, 127]))
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        var writer = ProtobufWriter()
        writer.varint(1000, 12345)
        writer.fixed32(1001, 7)
        writer.fixed64(1002, 9)
        writer.string(1003, "ignored")
        writer.string(2, "Relu")
        writer.string(1, "x")
        writer.string(3, "n")  // NodeProto.name
        writer.string(4, "Relu")  // NodeProto.op_type
        writer.message(9) { $0.string(1, "metadata") }  // metadata_props (unknown to Kiln)
        let node = try ONNXNode(bytes: writer.bytes)
        #expect(node.opType == "Relu")
        #expect(node.name == "n")
        #expect(node.inputs == ["x"])
        #expect(node.outputs == ["Relu"])
    }

    @Test func groupsAndInvalidWireTypesAreRejected() {
        for (key, expected) in [
            // Field 15 is unknown to NodeProto, so the reader tries to skip it.
            (UInt8(0x7B), "unsupported group wire type in field 15 of NodeProto (ONNX does not use groups)"),
            (UInt8(0x7C), "unsupported group wire type in field 15 of NodeProto (ONNX does not use groups)"),
            // Field 1 is known: a group there is a wire-type mismatch.
            (UInt8(0x0B), "field 'NodeProto.input' has wire type start-group, expected length-delimited"),
            (UInt8(0x0E), "invalid wire type 6 for field 1 in NodeProto"),
            (UInt8(0x0F), "invalid wire type 7 for field 1 in NodeProto"),
            (UInt8(0x00), "invalid field number 0 in NodeProto"),
        ] {
            let diagnostic = finding { _ = try ONNXNode(bytes: [key, 0]) }
            #expect(diagnostic?.message == expected)
        }
    }

    @Test func wrongWireTypeForKnownField() {
        // NodeProto.op_type (field 4) sent as a varint.
        let diagnostic = finding { _ = try ONNXNode(bytes: [0x20, 0x01]) }
        #expect(diagnostic?.message == "field 'NodeProto.op_type' has wire type varint, expected length-delimited")
    }

    @Test func packedFixedWidthMustHoldWholeElements() {
        var writer = ProtobufWriter()
        writer.bytes(4, [0, 0, 0, 0, 0])
        let diagnostic = finding { _ = try ONNXTensor(bytes: writer.bytes) }
        #expect(diagnostic?.message == "packed field 'TensorProto.float_data' has 5 bytes, not a multiple of 4")
    }

    @Test func invalidUTF8IsRejected() {
        var writer = ProtobufWriter()
        writer.bytes(4, [0x52, 0xFF, 0x6C])
        let diagnostic = finding { _ = try ONNXNode(bytes: writer.bytes) }
        #expect(diagnostic?.message == "field 'NodeProto.op_type' is not valid UTF-8")
    }

    @Test func nestingDepthIsLimited() {
        // A graph whose node has a graph attribute whose node has ... 40 levels of subgraphs.
        var graph = ProtobufWriter()
        graph.message(1) { $0.string(4, "Relu") }
        for _ in 0 ..< 40 {
            let inner = graph.bytes
            var attribute = ProtobufWriter()
            attribute.string(1, "body")
            attribute.int(20, 5)
            attribute.bytes(6, inner)
            var node = ProtobufWriter()
            node.string(4, "Loop")
            node.bytes(5, attribute.bytes)
            graph = ProtobufWriter()
            graph.bytes(1, node.bytes)
        }
        var model = ProtobufWriter()
        model.int(1, 8)
        model.bytes(7, graph.bytes)
        let diagnostic = finding { _ = try ONNXModel(bytes: model.bytes, fileName: "deep.onnx") }
        #expect(diagnostic?.message.hasPrefix("messages are nested more than 64 levels deep") == true)
        #expect(diagnostic?.location.place?.hasPrefix("graph.node[0].attribute[0].g.node[0]") == true)
        #expect(diagnostic?.description.hasPrefix("deep.onnx: error: at graph.node[0].attribute[0].g.node[0]") == true)
    }

    @Test func errorsNameTheirPlaceInTheModel() {
        var model = ProtobufWriter()
        model.int(1, 7)
        model.message(7) { graph in
            graph.message(1) { $0.string(4, "Relu") }
            graph.message(1) { node in
                node.string(4, "Conv")
                node.message(5) { attribute in
                    attribute.string(1, "pads")
                    attribute.tag(8, 2)
                    attribute.bytes += [50, 1]  // packed ints: 50 bytes claimed, 1 left
                }
            }
        }
        let diagnostic = finding { _ = try ONNXModel(bytes: model.bytes, fileName: "m.onnx") }
        #expect(diagnostic?.location.place == "graph.node[1].attribute[0]")
        #expect(diagnostic?.message == "truncated length-delimited field 'AttributeProto.ints' (needs 50 bytes, 1 left)")
        #expect(diagnostic?.location.byteOffset != nil)
    }

    @Test func modelLevelChecks() {
        var old = ProtobufWriter()
        old.int(1, 2)
        old.message(7) { _ in }
        #expect(finding { _ = try ONNXModel(bytes: old.bytes) }?.message
            == "ONNX IR version 2 is not supported (Kiln reads IR version 3 and later)")
        var noGraph = ProtobufWriter()
        noGraph.int(1, 8)
        #expect(finding { _ = try ONNXModel(bytes: noGraph.bytes) }?.message == "the model has no graph")
        #expect(finding { _ = try ONNXModel(bytes: []) }?.message == "the model has no ir_version (is this an ONNX model file?)")
        var sparse = ProtobufWriter()
        sparse.int(1, 8)
        sparse.message(7) { $0.message(15) { _ in } }
        #expect(finding { _ = try ONNXModel(bytes: sparse.bytes) }?.message
            == "sparse initializers are not supported (convert them to dense initializers)")
    }

    @Test func attributeKinds() throws {
        func attribute(_ build: (inout ProtobufWriter) -> Void) throws -> ONNXAttribute {
            var writer = ProtobufWriter()
            build(&writer)
            var reader = ProtobufReader(bytes: writer.bytes)
            return try ONNXAttribute(protobuf: &reader)
        }
        #expect(try attribute { $0.string(1, "alpha"); $0.int(20, 1); $0.float(2, 0.5) }.value == .float(0.5))
        #expect(try attribute { $0.string(1, "axis"); $0.int(20, 2); $0.int(3, -1) }.value == .int(-1))
        #expect(try attribute { $0.string(1, "mode"); $0.int(20, 3); $0.string(4, "SAME") }.stringValue == "SAME")
        #expect(try attribute { $0.string(1, "pads"); $0.int(20, 7); $0.packedVarints(8, [1, 1, 0, 0]) }.value == .ints([1, 1, 0, 0]))
        #expect(try attribute { $0.string(1, "s"); $0.int(20, 6); $0.float(7, 1); $0.float(7, 2) }.value == .floats([1, 2]))
        #expect(try attribute { $0.string(1, "x"); $0.int(20, 8); $0.string(9, "a"); $0.string(9, "b") }.value == .strings([[97], [98]]))
        #expect(try attribute { $0.string(1, "empty"); $0.int(20, 7) }.value == .ints([]))
        // No type field (IR 1 style): inferred from the field present.
        #expect(try attribute { $0.string(1, "k"); $0.int(3, 4) }.value == .int(4))
        let tensor = try attribute { a in
            a.string(1, "value"); a.int(20, 4)
            a.message(5) { $0.int(2, 1); $0.float(4, 3) }
        }
        #expect(try {
            guard case .tensor(let t) = tensor.value else { return false }
            return try t.values() == .float([3])
        }())
        let graph = try attribute { a in
            a.string(1, "then_branch"); a.int(20, 5)
            a.message(6) { g in g.string(2, "sub"); g.message(1) { $0.string(4, "Identity") } }
        }
        guard case .graph(let subgraph) = graph.value else {
            Issue.record("expected a graph")
            return
        }
        #expect(subgraph.name == "sub")
        #expect(subgraph.nodes.map(\.opType) == ["Identity"])
        let reference = try attribute { $0.string(1, "alpha"); $0.int(20, 1); $0.string(21, "outer_alpha") }
        #expect(reference.value == .reference)
        #expect(reference.refAttrName == "outer_alpha")
        #expect(throws: DiagnosticError.self) { try attribute { $0.string(1, "t"); $0.int(20, 4) } }
        #expect(throws: DiagnosticError.self) { try attribute { $0.string(1, "t"); $0.int(20, 99) } }
        #expect(throws: DiagnosticError.self) { try attribute { $0.string(1, "sp"); $0.int(20, 11); $0.message(22) { _ in } } }
    }
}

extension ONNXNode {
    /// Decodes a standalone NodeProto (tests only).
    init(bytes: [UInt8]) throws(DiagnosticError) {
        var reader = ProtobufReader(bytes: bytes)
        try self.init(protobuf: &reader)
    }
}
