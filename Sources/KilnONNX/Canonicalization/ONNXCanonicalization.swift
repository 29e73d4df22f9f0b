import KilnIR

/// The canonicalization pipeline run after ONNX import, in order.
enum ONNXCanonicalization {
    static var pipeline: [any GraphPass] {
        [
            // Identity / Dropout / same-type Cast were imported as no-op reshapes.
            RemoveIdentities(),
            // Weight transposes, reshapes... of constants; dequantized weights stay for fuse-qdq.
            FoldConstants(foldingDequantize: false),
            // Dequantize below max pools and flattens, so the next layer sees the codes.
            HoistDequantize(),
            // Float ±1 layers (QONNX BipolarQuant) with batchNorm + sign → binary layers with thresholds.
            FuseBinaryLayers(),
            // BatchNormalization into the float conv / dense before it.
            FoldBatchNormalization(),
            // DequantizeLinear → op → QuantizeLinear groups into quantized ops.
            FuseQuantizedPatterns(),
            // The float ops and dequantizes the fusion made unused.
            RemoveDeadNodes(),
            // Dequantized weights of ops left in float become float constants.
            FoldConstants(foldingDequantize: true),
            RemoveDeadNodes(),
        ]
    }
}
