"""One-op QDQ models run by ONNX Runtime over every pair of input codes (Tests/Fixtures/ort-qlinear).

Also DQ -> LeakyRelu | Sigmoid -> Q (fused to QLinearLeakyRelu / QLinearSigmoid) over all 256 codes.

Each model is `DequantizeLinear(A), DequantizeLinear(B) -> Add | Mul -> QuantizeLinear` on 8-bit codes,
which ONNX Runtime's graph optimizer fuses into com.microsoft QLinearAdd / QLinearMul (recorded in
summary.json). The inputs are all 65,536 code pairs: A[i, j] = code i, B[i, j] = code j (shape [256, 256]).
The `_rowscalar` variants give B shape [256, 1] (one code per row), which ORT runs through its
scalar-operand kernel path. The inputs are not stored (tests rebuild them). Scales and zero points are drawn from a seeded generator and stored in the
model. Outputs are the uint8 / int8 codes ORT computes (`<name>_ort.npy`).

Run from the repository root:  python3 tools/ort_arithmetic/make_qlinear_fixtures.py
Versions: numpy 2.4.6, onnx 1.23.2, onnxruntime 1.32.0 (x86-64, AVX2 without VNNI).
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

OUT = "Tests/Fixtures/ort-qlinear"


def model(op, signed, scales, zeros, b_shape):
    dtype = TensorProto.INT8 if signed else TensorProto.UINT8
    inits = []
    for name, scale, zero in zip("abc", scales, zeros):
        inits.append(helper.make_tensor(f"{name}_scale", TensorProto.FLOAT, [], [scale]))
        inits.append(helper.make_tensor(f"{name}_zero", dtype, [], [zero]))
    nodes = [
        helper.make_node("DequantizeLinear", ["A", "a_scale", "a_zero"], ["a"]),
        helper.make_node("DequantizeLinear", ["B", "b_scale", "b_zero"], ["b"]),
        helper.make_node(op, ["a", "b"], ["c"]),
        helper.make_node("QuantizeLinear", ["c", "c_scale", "c_zero"], ["C"]),
    ]
    graph = helper.make_graph(nodes, f"q{op.lower()}",
                              [helper.make_tensor_value_info("A", dtype, [256, 256]),
                               helper.make_tensor_value_info("B", dtype, b_shape)],
                              [helper.make_tensor_value_info("C", dtype, [256, 256])], inits)
    return checked(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))


def checked(model):
    """The model at IR version 8 (what ORT 1.32 and Kiln read), checked by onnx."""
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def fused_ops(path):
    options = ort.SessionOptions()
    options.optimized_model_filepath = path + ".opt"
    ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    ops = sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in onnx.load(path + ".opt").graph.node})
    os.remove(path + ".opt")
    return ops


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261206)
    summary = {"onnxruntime": ort.__version__, "models": {}}
    for op in ["Add", "Mul"]:
        for signed in [False, True]:
            for row_scalar in [False, True]:
                low, high = (-128, 127) if signed else (0, 255)
                scales = [float(np.float32(rng.uniform(0.005, 0.05))) for _ in range(3)]
                if op == "Mul":
                    scales[2] = float(np.float32(scales[0] * scales[1] * rng.uniform(100, 260)))
                zeros = [int(rng.integers(low + 20, high - 20)) for _ in range(3)]
                name = f"{op.lower()}_{'s8' if signed else 'u8'}{'_rowscalar' if row_scalar else ''}"
                b_shape = [256, 1] if row_scalar else [256, 256]
                path = os.path.join(OUT, name + ".onnx")
                onnx.save(model(op, signed, scales, zeros, b_shape), path)
                codes = np.arange(low, high + 1, dtype=np.int8 if signed else np.uint8)
                a = np.repeat(codes[:, None], 256, axis=1)
                b = codes[:, None].copy() if row_scalar else np.repeat(codes[None, :], 256, axis=0)
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1
                session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
                c = session.run(None, {"A": a, "B": b})[0]
                np.save(os.path.join(OUT, name + "_ort.npy"), c)
                deq = lambda q, i: (q.astype(np.float64) - zeros[i]) * scales[i]
                exact = deq(a, 0) + deq(b, 1) if op == "Add" else deq(a, 0) * deq(b, 1)
                naive = np.clip(np.rint(exact / scales[2]) + zeros[2], low, high)
                summary["models"][name] = {"scales": scales, "zero_points": zeros, "ort_optimized_ops": fused_ops(path),
                                           "codes_differing_from_real_arithmetic": int((naive != c).sum())}
    # Unary: DQ -> LeakyRelu | Sigmoid -> Q (ORT: QLinearLeakyRelu / QLinearSigmoid) over all 256 codes.
    for op in ["LeakyRelu", "Sigmoid"]:
        for signed in [False, True]:
            dtype = TensorProto.INT8 if signed else TensorProto.UINT8
            low, high = (-128, 127) if signed else (0, 255)
            sx = float(np.float32(rng.uniform(0.01, 0.06)))
            sy = float(np.float32(rng.uniform(0.002, 0.02) if op == "Sigmoid" else rng.uniform(0.01, 0.06)))
            zx = int(rng.integers(low + 30, high - 30))
            zy = low if op == "Sigmoid" else int(rng.integers(low + 30, high - 30))
            inits = [helper.make_tensor("x_scale", TensorProto.FLOAT, [], [sx]), helper.make_tensor("x_zero", dtype, [], [zx]),
                     helper.make_tensor("y_scale", TensorProto.FLOAT, [], [sy]), helper.make_tensor("y_zero", dtype, [], [zy])]
            attributes = {"alpha": 0.1} if op == "LeakyRelu" else {}
            nodes = [helper.make_node("DequantizeLinear", ["X", "x_scale", "x_zero"], ["x"]),
                     helper.make_node(op, ["x"], ["y"], **attributes),
                     helper.make_node("QuantizeLinear", ["y", "y_scale", "y_zero"], ["Y"])]
            graph = helper.make_graph(nodes, op.lower(), [helper.make_tensor_value_info("X", dtype, [256])],
                                      [helper.make_tensor_value_info("Y", dtype, [256])], inits)
            unary = checked(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
            name = f"{op.lower()}_{'s8' if signed else 'u8'}"
            path = os.path.join(OUT, name + ".onnx")
            onnx.save(unary, path)
            codes = np.arange(low, high + 1, dtype=np.int8 if signed else np.uint8)
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            y = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"]).run(None, {"X": codes})[0]
            np.save(os.path.join(OUT, name + "_ort.npy"), y)
            summary["models"][name] = {"scales": [sx, sy], "zero_points": [zx, zy], "ort_optimized_ops": fused_ops(path)}
    with open(os.path.join(OUT, "summary.json"), "w") as handle:
        json.dump(summary, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
