import KilnDiagnostics

/// The builtin options of an operator, decoded from whichever options table its type has
/// (fields of other types keep their schema defaults).
public struct TFLiteOptions: Sendable, Hashable {
    /// How the operator's `builtin_options` union is tagged (`BuiltinOptions` index; 0: none).
    public var type: Int = 0
    /// `SAME` (0) or `VALID` (1) padding of convolutions and pooling.
    public var padding: Int = 0
    /// Horizontal and vertical strides.
    public var strideWidth = 1, strideHeight = 1
    /// Horizontal and vertical dilation factors.
    public var dilationWidth = 1, dilationHeight = 1
    /// Pooling window width and height.
    public var filterWidth = 1, filterHeight = 1
    /// Depthwise convolution's depth multiplier.
    public var depthMultiplier = 1
    /// The fused activation (`ActivationFunctionType`: 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6,
    /// 4 tanh, 5 sign_bit).
    public var activation = 0
    /// FULLY_CONNECTED's `weights_format` (0: default) and `keep_num_dims`.
    public var weightsFormat = 0, keepNumberOfDimensions = false
    /// SOFTMAX's beta.
    public var beta: Float = 1
    /// The axis of CONCATENATION and GATHER.
    public var axis = 0
    /// GATHER's batch dimensions.
    public var batchDimensions = 0
    /// MEAN's `keep_dims`.
    public var keepDimensions = false
    /// SQUEEZE's dimensions.
    public var squeezeDimensions: [Int] = []
    /// RESHAPE's `new_shape` (the shape tensor takes precedence).
    public var newShape: [Int] = []
    /// STRIDED_SLICE's masks.
    public var beginMask = 0, endMask = 0, ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0
    /// STRIDED_SLICE's `offset`.
    public var offset = false
    /// LEAKY_RELU's alpha.
    public var alpha: Float = 0
    /// RESIZE_*'s `align_corners` and `half_pixel_centers`.
    public var alignCorners = false, halfPixelCenters = false
    /// BATCH_MATMUL's `adj_x` and `adj_y`.
    public var adjointX = false, adjointY = false
    /// GELU's `approximate`.
    public var approximate = false

    init(type: Int, table: FlatBufferTable?) throws(DiagnosticError) {
        self.type = type
        guard let table else { return }
        func int(_ id: Int, _ name: String, _ fallback: Int64 = 0) throws(DiagnosticError) -> Int {
            Int(try table.signed(id, name, width: 4, default: fallback))
        }
        func byte(_ id: Int, _ name: String) throws(DiagnosticError) -> Int { Int(try table.signed(id, name, width: 1)) }
        switch type {
        case 1:  // Conv2DOptions
            padding = try byte(0, "padding"); strideWidth = try int(1, "stride_w"); strideHeight = try int(2, "stride_h")
            activation = try byte(3, "fused_activation_function")
            dilationWidth = try int(4, "dilation_w_factor", 1); dilationHeight = try int(5, "dilation_h_factor", 1)
        case 2:  // DepthwiseConv2DOptions
            padding = try byte(0, "padding"); strideWidth = try int(1, "stride_w"); strideHeight = try int(2, "stride_h")
            depthMultiplier = try int(3, "depth_multiplier"); activation = try byte(4, "fused_activation_function")
            dilationWidth = try int(5, "dilation_w_factor", 1); dilationHeight = try int(6, "dilation_h_factor", 1)
        case 5:  // Pool2DOptions
            padding = try byte(0, "padding"); strideWidth = try int(1, "stride_w"); strideHeight = try int(2, "stride_h")
            filterWidth = try int(3, "filter_width"); filterHeight = try int(4, "filter_height")
            activation = try byte(5, "fused_activation_function")
        case 8:  // FullyConnectedOptions
            activation = try byte(0, "fused_activation_function"); weightsFormat = try byte(1, "weights_format")
            keepNumberOfDimensions = try table.bool(2, "keep_num_dims")
        case 9: beta = try table.float(0, "beta")  // SoftmaxOptions
        case 10: axis = try int(0, "axis"); activation = try byte(1, "fused_activation_function")  // ConcatenationOptions
        case 11, 21, 28: activation = try byte(0, "fused_activation_function")  // Add, Mul, Sub
        case 15, 74:  // ResizeBilinearOptions, ResizeNearestNeighborOptions
            let base = type == 15 ? 2 : 0
            alignCorners = try table.bool(base, "align_corners"); halfPixelCenters = try table.bool(base + 1, "half_pixel_centers")
        case 17: newShape = try table.integers(0, "new_shape", width: 4, signed: true).map { Int($0) }  // ReshapeOptions
        case 23: axis = try int(0, "axis"); batchDimensions = try int(1, "batch_dims")  // GatherOptions
        case 27: keepDimensions = try table.bool(0, "keep_dims")  // ReducerOptions
        case 30: squeezeDimensions = try table.integers(0, "squeeze_dims", width: 4, signed: true).map { Int($0) }
        case 32:  // StridedSliceOptions
            beginMask = try int(0, "begin_mask"); endMask = try int(1, "end_mask"); ellipsisMask = try int(2, "ellipsis_mask")
            newAxisMask = try int(3, "new_axis_mask"); shrinkAxisMask = try int(4, "shrink_axis_mask"); offset = try table.bool(5, "offset")
        case 75: alpha = try table.float(0, "alpha")  // LeakyReluOptions
        case 101: adjointX = try table.bool(0, "adj_x"); adjointY = try table.bool(1, "adj_y")  // BatchMatMulOptions
        case 116: approximate = try table.bool(0, "approximate")  // GeluOptions
        default: break
        }
    }
}
