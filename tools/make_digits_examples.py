#!/usr/bin/env python3
"""Regenerate Kiln's digits examples and the qdq-cnn ONNX import fixture.

Python is only used to *produce* files; Kiln never runs it.

Writes
  examples/digits/   data (.npy), float models (mlp, cnn, dscnn_residual, bnn .onnx),
                     ORT static QDQ quantized models (*_qdq.onnx), ORT reference outputs
                     (*_ort.npy, *_qdq_ort_codes.npy) and summary.json
  Tests/Fixtures/qdq-cnn/
                     dscnn_residual_qdq.onnx, test_x_nchw.npy (first 256 test images),
                     ort.npy, ort_codes.npy, optimized_ops.json

READMEs are written by hand and are not touched by this script.

Usage (from the repository root):
  python3 tools/make_digits_examples.py            # train + export + quantize + references
  python3 tools/make_digits_examples.py --check    # also re-run ORT per image and compare

Everything is deterministic given the seeds in SEEDS (JAX on CPU, fixed batch order from
numpy RandomState). Bit-identical weights are expected on the same jax/jaxlib version and
CPU family; other setups may differ in the last float bits (and then everything downstream).
"""
import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

jax.config.update("jax_default_matmul_precision", "highest")

import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnxruntime.quantization import (  # noqa: E402
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "examples", "digits")
FIX = os.path.join(ROOT, "Tests", "Fixtures", "qdq-cnn")

SPLIT_SEED = 0          # train_test_split random_state (same as the shared fixture)
SEEDS = {"mlp": 101, "cnn": 102, "dscnn_residual": 103, "bnn": 104}
HPARAMS = {
    # l2 = 0: with Adam, an L2 term drives the weights of dead ReLU units towards 0
    # (1e-23 seen), which gives per-channel weight scales ~1e-27 and int32 biases near
    # saturation after quantization - legal, but not what an example should exercise.
    "mlp":            dict(epochs=100, batch=32, lr=2e-3, l2=0.0),
    "cnn":            dict(epochs=60, batch=32, lr=3e-3, l2=0.0),
    "dscnn_residual": dict(epochs=60, batch=32, lr=3e-3, l2=0.0),
    "bnn":            dict(epochs=150, batch=32, lr=5e-3, l2=0.0),
}
BN_EPS = 1e-5
OPSET = 13
IR_VERSION = 8
N_CALIB = 100
N_FIXTURE = 256


# --------------------------------------------------------------------------- data

def load_data():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=SPLIT_SEED)
    return xtr, xte, ytr, yte


# --------------------------------------------------------------------------- layers

def conv(x, w, stride=1, pad=1, groups=1):
    return lax.conv_general_dilated(
        x, w, (stride, stride), [(pad, pad), (pad, pad)],
        dimension_numbers=("NCHW", "OIHW", "NCHW"), feature_group_count=groups)


def add_bias(x, b):
    return x + b[None, :, None, None]


def maxpool2(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def batchnorm(x, p, name, stats, collect):
    """stats=None: use batch statistics (training) and record them in collect."""
    if stats is None:
        mean = jnp.mean(x, axis=(0, 2, 3))
        var = jnp.var(x, axis=(0, 2, 3))   # biased variance
        collect[name] = (mean, var)
    else:
        mean, var = stats[name]
    inv = p[name + ".gamma"] / jnp.sqrt(var + BN_EPS)
    return (x - mean[None, :, None, None]) * inv[None, :, None, None] + p[name + ".beta"][None, :, None, None]


@jax.custom_vjp
def sign_ste(x):
    return jnp.sign(x)          # same as ONNX Sign: sign(0) = 0


def _sign_fwd(x):
    return jnp.sign(x), x


def _sign_bwd(x, g):
    return (g * (jnp.abs(x) <= 1.0).astype(g.dtype),)   # clipped identity (hard-tanh STE)


sign_ste.defvjp(_sign_fwd, _sign_bwd)


@jax.custom_vjp
def binarize_w(w):
    return jnp.where(w >= 0, 1.0, -1.0).astype(w.dtype)   # never 0


def _binw_fwd(w):
    return binarize_w(w), w


def _binw_bwd(w, g):
    return (g * (jnp.abs(w) <= 1.0).astype(g.dtype),)


binarize_w.defvjp(_binw_fwd, _binw_bwd)


def gemm(x, w, b):  # w is [out, in] like ONNX Gemm transB=1
    return x @ w.T + b


# --------------------------------------------------------------------------- models

def he(key, shape, fan_in):
    return (jax.random.normal(key, shape, jnp.float32) * np.sqrt(2.0 / fan_in)).astype(jnp.float32)


def init_mlp(key):
    k = jax.random.split(key, 2)
    return {"fc1.weight": he(k[0], (64, 64), 64), "fc1.bias": jnp.zeros(64),
            "fc2.weight": he(k[1], (10, 64), 64) * 0.5, "fc2.bias": jnp.zeros(10)}


def fwd_mlp(p, x, stats=None, collect=None):
    h = jax.nn.relu(gemm(x, p["fc1.weight"], p["fc1.bias"]))
    return gemm(h, p["fc2.weight"], p["fc2.bias"])


def init_cnn(key):
    k = jax.random.split(key, 3)
    return {"conv1.weight": he(k[0], (8, 1, 3, 3), 9),
            "bn1.gamma": jnp.ones(8), "bn1.beta": jnp.zeros(8),
            "conv2.weight": he(k[1], (16, 8, 3, 3), 72),
            "bn2.gamma": jnp.ones(16), "bn2.beta": jnp.zeros(16),
            "fc.weight": he(k[2], (10, 64), 64) * 0.5, "fc.bias": jnp.zeros(10)}


def fwd_cnn(p, x, stats=None, collect=None):
    h = conv(x, p["conv1.weight"])
    h = maxpool2(jax.nn.relu(batchnorm(h, p, "bn1", stats, collect)))
    h = conv(h, p["conv2.weight"])
    h = maxpool2(jax.nn.relu(batchnorm(h, p, "bn2", stats, collect)))
    h = h.reshape(h.shape[0], -1)
    return gemm(h, p["fc.weight"], p["fc.bias"])


def init_dscnn(key):
    k = jax.random.split(key, 5)
    return {"conv1.weight": he(k[0], (16, 1, 3, 3), 9), "conv1.bias": jnp.zeros(16),
            "dw.weight": he(k[1], (16, 1, 3, 3), 9), "dw.bias": jnp.zeros(16),
            "pw.weight": he(k[2], (16, 16, 1, 1), 16) * 0.5, "pw.bias": jnp.zeros(16),
            "conv3.weight": he(k[3], (32, 16, 3, 3), 144), "conv3.bias": jnp.zeros(32),
            "fc.weight": he(k[4], (10, 32), 32) * 0.5, "fc.bias": jnp.zeros(10)}


def fwd_dscnn(p, x, stats=None, collect=None):
    r = jax.nn.relu(add_bias(conv(x, p["conv1.weight"]), p["conv1.bias"]))
    h = jax.nn.relu(add_bias(conv(r, p["dw.weight"], groups=16), p["dw.bias"]))
    h = add_bias(conv(h, p["pw.weight"], pad=0), p["pw.bias"])
    h = maxpool2(jax.nn.relu(h + r))
    h = jax.nn.relu(add_bias(conv(h, p["conv3.weight"], stride=2), p["conv3.bias"]))
    h = jnp.mean(h, axis=(2, 3))
    return gemm(h, p["fc.weight"], p["fc.bias"])


def init_bnn(key):
    k = jax.random.split(key, 4)
    return {"conv1.weight": he(k[0], (32, 1, 3, 3), 9),
            "bn1.gamma": jnp.ones(32), "bn1.beta": jnp.zeros(32),
            "conv2.weight": jax.random.uniform(k[1], (64, 32, 3, 3), jnp.float32, -0.1, 0.1),
            "bn2.gamma": jnp.ones(64), "bn2.beta": jnp.zeros(64),
            "conv3.weight": jax.random.uniform(k[2], (64, 64, 3, 3), jnp.float32, -0.1, 0.1),
            "bn3.gamma": jnp.ones(64), "bn3.beta": jnp.zeros(64),
            "fc.weight": he(k[3], (10, 256), 256) * 0.5, "fc.bias": jnp.zeros(10)}


BNN_BINARY = ("conv2.weight", "conv3.weight")


def fwd_bnn(p, x, stats=None, collect=None, taps=None):
    h = conv(x, p["conv1.weight"])
    h = batchnorm(h, p, "bn1", stats, collect)
    if taps is not None:
        taps["bn1"] = h
    h = sign_ste(h)
    h = conv(h, binarize_w(p["conv2.weight"]))          # zero padding of the +-1 map
    h = batchnorm(h, p, "bn2", stats, collect)
    if taps is not None:
        taps["bn2"] = h
    h = maxpool2(sign_ste(h))
    h = conv(h, binarize_w(p["conv3.weight"]))
    h = batchnorm(h, p, "bn3", stats, collect)
    if taps is not None:
        taps["bn3"] = h
    h = maxpool2(sign_ste(h))
    h = h.reshape(h.shape[0], -1)
    return gemm(h, p["fc.weight"], p["fc.bias"])


MODELS = {
    "mlp": (init_mlp, fwd_mlp, "flat", False),
    "cnn": (init_cnn, fwd_cnn, "nchw", True),
    "dscnn_residual": (init_dscnn, fwd_dscnn, "nchw", False),
    "bnn": (init_bnn, fwd_bnn, "nchw", True),
}


# --------------------------------------------------------------------------- training

def train(name, xtr, ytr):
    init, fwd, _, has_bn = MODELS[name]
    hp = HPARAMS[name]
    seed = SEEDS[name]
    params = init(jax.random.PRNGKey(seed))
    rng = np.random.RandomState(seed)
    n = len(xtr)
    steps_per_epoch = n // hp["batch"]
    total = hp["epochs"] * steps_per_epoch

    def loss_fn(p, xb, yb):
        logits = fwd(p, xb, None, {})
        lse = jax.nn.logsumexp(logits, axis=1)
        ce = jnp.mean(lse - jnp.take_along_axis(logits, yb[:, None], axis=1)[:, 0])
        l2 = sum(jnp.sum(v * v) for k, v in p.items() if k.endswith(".weight") and k not in BNN_BINARY)
        return ce + hp["l2"] * l2

    b1, b2, eps = 0.9, 0.999, 1e-8

    @jax.jit
    def step(p, m, v, t, xb, yb):
        loss, g = jax.value_and_grad(loss_fn)(p, xb, yb)
        lr = hp["lr"] * 0.5 * (1.0 + jnp.cos(jnp.pi * t / total))   # cosine decay to 0
        m = jax.tree_util.tree_map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: b2 * a + (1 - b2) * b * b, v, g)
        tt = t + 1.0
        p = {k: p[k] - lr * (m[k] / (1 - b1 ** tt)) / (jnp.sqrt(v[k] / (1 - b2 ** tt)) + eps) for k in p}
        p = {k: (jnp.clip(w, -1.0, 1.0) if k in BNN_BINARY else w) for k, w in p.items()}
        return p, m, v, loss

    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    t = 0
    t0 = time.time()
    for ep in range(hp["epochs"]):
        perm = rng.permutation(n)
        for s in range(steps_per_epoch):
            idx = perm[s * hp["batch"]:(s + 1) * hp["batch"]]
            params, m, v, loss = step(params, m, v, jnp.float32(t), xtr[idx], ytr[idx])
            t += 1
        if (ep + 1) % 20 == 0 or ep == hp["epochs"] - 1:
            print(f"  [{name}] epoch {ep + 1}/{hp['epochs']} loss {float(loss):.4f} ({time.time() - t0:.0f}s)", flush=True)

    stats = None
    if has_bn:
        # Population statistics: one training-mode pass over the whole training set.
        # (Evaluating with these stats on the training set reproduces that pass exactly.)
        collect = {}
        fwd(params, xtr, None, collect)
        stats = {k: (np.asarray(a, np.float32), np.asarray(b, np.float32)) for k, (a, b) in collect.items()}
    params = {k: np.asarray(w, np.float32) for k, w in params.items()}
    for k in BNN_BINARY if name == "bnn" else ():
        params[k] = np.where(params[k] >= 0, 1.0, -1.0).astype(np.float32)
    return params, stats


# --------------------------------------------------------------------------- ONNX export

def _init(name, arr):
    return numpy_helper.from_array(np.ascontiguousarray(arr), name)


def make_model(name, nodes, inits, in_shape):
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N"] + list(in_shape))
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])
    g = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="kiln tools/make_digits_examples.py", producer_version="1")
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m, full_check=True)
    return m


def export(name, p, stats):
    N = helper.make_node
    inits = []
    nodes = []

    def w(k, arr=None):
        inits.append(_init(k, p[k] if arr is None else arr))
        return k

    def convn(x, y, wk, bk=None, stride=1, pad=1, groups=1):
        ins = [x, w(wk)] + ([w(bk)] if bk else [])
        k = p[wk].shape[2]
        nodes.append(N("Conv", ins, [y], name=y, kernel_shape=[k, k], strides=[stride, stride],
                       pads=[pad] * 4, group=groups, dilations=[1, 1]))
        return y

    def bn(x, y, nm):
        mean, var = stats[nm]
        nodes.append(N("BatchNormalization", [x, w(nm + ".gamma"), w(nm + ".beta"),
                                              w(nm + ".running_mean", mean), w(nm + ".running_var", var)],
                       [y], name=y, epsilon=BN_EPS))
        return y

    def un(op, x, y, **kw):
        nodes.append(N(op, [x], [y], name=y, **kw))
        return y

    def gemmn(x, y, wk, bk):
        nodes.append(N("Gemm", [x, w(wk), w(bk)], [y], name=y, alpha=1.0, beta=1.0, transA=0, transB=1))
        return y

    def mp(x, y):
        return un("MaxPool", x, y, kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0])

    if name == "mlp":
        h = un("Relu", gemmn("input", "fc1", "fc1.weight", "fc1.bias"), "relu1")
        gemmn(h, "logits", "fc2.weight", "fc2.bias")
        shape = [64]
    elif name == "cnn":
        h = mp(un("Relu", bn(convn("input", "conv1", "conv1.weight"), "bn1", "bn1"), "relu1"), "pool1")
        h = mp(un("Relu", bn(convn(h, "conv2", "conv2.weight"), "bn2", "bn2"), "relu2"), "pool2")
        h = un("Flatten", h, "flatten", axis=1)
        gemmn(h, "logits", "fc.weight", "fc.bias")
        shape = [1, 8, 8]
    elif name == "dscnn_residual":
        r = un("Relu", convn("input", "conv1", "conv1.weight", "conv1.bias"), "relu1")
        h = un("Relu", convn(r, "dw", "dw.weight", "dw.bias", groups=16), "relu_dw")
        h = convn(h, "pw", "pw.weight", "pw.bias", pad=0)
        nodes.append(N("Add", [h, r], ["add"], name="add"))
        h = mp(un("Relu", "add", "relu_add"), "pool")
        h = un("Relu", convn(h, "conv3", "conv3.weight", "conv3.bias", stride=2), "relu3")
        h = un("Flatten", un("GlobalAveragePool", h, "gap"), "flatten", axis=1)
        gemmn(h, "logits", "fc.weight", "fc.bias")
        shape = [1, 8, 8]
    elif name == "bnn":
        h = un("Sign", bn(convn("input", "conv1", "conv1.weight"), "bn1", "bn1"), "sign1")
        h = mp(un("Sign", bn(convn(h, "bconv2", "conv2.weight"), "bn2", "bn2"), "sign2"), "pool2")
        h = mp(un("Sign", bn(convn(h, "bconv3", "conv3.weight"), "bn3", "bn3"), "sign3"), "pool3")
        h = un("Flatten", h, "flatten", axis=1)
        gemmn(h, "logits", "fc.weight", "fc.bias")
        shape = [1, 8, 8]
    return make_model(name, nodes, inits, shape)


# --------------------------------------------------------------------------- ORT helpers

def session(path_or_bytes, level=ort.GraphOptimizationLevel.ORT_ENABLE_ALL, optimized_path=None):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = level
    if optimized_path:
        so.optimized_model_filepath = optimized_path
    return ort.InferenceSession(path_or_bytes, so, providers=["CPUExecutionProvider"])


def op_list(model):
    return [(n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}") for n in model.graph.node]


class Reader(CalibrationDataReader):
    def __init__(self, x):
        self.x = x
        self.i = 0

    def get_next(self):
        if self.i >= len(self.x):
            return None
        d = {"input": self.x[self.i:self.i + 1]}
        self.i += 1
        return d

    def rewind(self):
        self.i = 0


def final_dq(model):
    (dq,) = [n for n in model.graph.node if n.output[0] == "logits"]
    assert dq.op_type == "DequantizeLinear", dq.op_type
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return dq, inits[dq.input[1]], inits[dq.input[2]]


def codes_model(model):
    """Copy of the QDQ model whose only output is the uint8 tensor feeding the final DQ."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    dq, _, zp = final_dq(m)
    assert zp.dtype == np.uint8
    del m.graph.output[:]
    m.graph.output.append(helper.make_tensor_value_info(dq.input[0], TensorProto.UINT8, ["N", 10]))
    return m


def optimized_nodes(qmodel, opt):
    """ORT-optimized nodes with attributes and the QDQ group of the shipped file each one replaced."""
    prod = {o: n for n in qmodel.graph.node for o in n.output}
    byname = {n.name: n for n in qmodel.graph.node}
    res = []
    for n in opt.graph.node:
        attrs = {}
        for a in n.attribute:
            v = helper.get_attribute_value(a)
            if isinstance(v, bytes):
                v = v.decode()
            if isinstance(v, (int, float, str)) or (isinstance(v, list) and all(isinstance(e, (int, float)) for e in v)):
                attrs[a.name] = v
            else:
                attrs[a.name] = "<" + type(v).__name__ + ">"
        # ORT keeps the original node name (plus "_token_<k>" when a transformer re-creates it)
        base = re.sub(r"(_token_\d+)+$", "", n.name)
        core = byname.get(base)
        if core is None:
            src = "layout change inserted by ORT (NhwcTransformer)" if n.op_type == "Transpose" else None
        elif core.op_type in ("QuantizeLinear", "DequantizeLinear"):
            src = f"{core.op_type} ({core.name})"
        else:
            dqs = [i for i in core.input if i in prod and prod[i].op_type == "DequantizeLinear"]
            qs = [c.op_type for c in qmodel.graph.node if core.output[0] in c.input]
            src = f"DQ({', '.join(dqs)}) -> {core.op_type} ({core.name}) -> {'/'.join(qs)}"
        res.append(dict(op=(n.domain + "." if n.domain else "") + n.op_type, name=n.name,
                        inputs=list(n.input), outputs=list(n.output), attributes=attrs, replaces=src))
    return res


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="also run ORT one image at a time and compare")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(FIX, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="kiln_digits_")

    xtr, xte, ytr, yte = load_data()
    assert xtr.shape == (1257, 64) and xte.shape == (540, 64)
    data = {
        "test_x_nchw.npy": xte.reshape(-1, 1, 8, 8),
        "test_x_flat.npy": xte,
        "test_y.npy": yte,
        "calibration_x_nchw.npy": xtr[:N_CALIB].reshape(-1, 1, 8, 8),
        "calibration_x_flat.npy": xtr[:N_CALIB],
    }
    for k, a in data.items():
        np.save(os.path.join(OUT, k), a)
    xin = {"flat": (xtr, xte, xtr[:N_CALIB]),
           "nchw": (xtr.reshape(-1, 1, 8, 8), xte.reshape(-1, 1, 8, 8), xtr[:N_CALIB].reshape(-1, 1, 8, 8))}

    summary = {
        "generator": "tools/make_digits_examples.py",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "onnx": onnx.__version__,
                     "onnxruntime": ort.__version__, "scikit-learn": sklearn.__version__,
                     "jax": jax.__version__, "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else None},
        "machine": platform.machine(),
        "data": {"source": "sklearn.datasets.load_digits, x = data/16 float32",
                 "split": f"train_test_split(test_size=0.3, random_state={SPLIT_SEED})",
                 "n_train": len(xtr), "n_test": len(xte), "calibration": f"first {N_CALIB} training images"},
        "seeds": SEEDS, "hyperparameters": HPARAMS,
        "ort_session": "CPUExecutionProvider, intra_op_num_threads=1, inter_op_num_threads=1, ORT_ENABLE_ALL, "
                       "whole test split as one batch [540,...]",
        "models": {},
    }
    try:
        import jaxlib
        summary["versions"]["jaxlib"] = jaxlib.__version__
    except Exception:
        pass

    for name in ["mlp", "cnn", "dscnn_residual", "bnn"]:
        init, fwd, layout, has_bn = MODELS[name]
        xt, xe, xc = xin[layout]
        print(f"training {name} (seed {SEEDS[name]})", flush=True)
        params, stats = train(name, xt, ytr)
        model = export(name, params, stats)
        fpath = os.path.join(OUT, f"{name}.onnx")
        onnx.save(model, fpath)

        info = {"float": {"file": f"{name}.onnx", "ops": op_list(model)}}
        jax_logits = np.asarray(fwd(params, xe, stats, None))
        sess = session(fpath)
        y = sess.run(["logits"], {"input": xe})[0].astype(np.float32)
        np.save(os.path.join(OUT, f"{name}_ort.npy"), y)
        info["float"].update(top1=float(np.mean(y.argmax(1) == yte)), correct=int(np.sum(y.argmax(1) == yte)),
                             jax_top1=float(np.mean(jax_logits.argmax(1) == yte)),
                             max_abs_diff_jax_vs_ort=float(np.max(np.abs(jax_logits - y))))
        print(f"  float top-1 (ORT) {info['float']['top1']:.4f}, |jax-ort| {info['float']['max_abs_diff_jax_vs_ort']:.2e}")

        if name == "bnn":
            info["float"]["binary_weights_pm1"] = all(
                set(np.unique(params[k]).tolist()) <= {-1.0, 1.0} for k in BNN_BINARY)
            info["float"]["sign_inputs"] = bnn_sign_report(model, params, stats, xe, tmp)
            summary["models"][name] = info
            continue

        # ---- ORT static quantization, QDQ
        pre = os.path.join(tmp, f"{name}_pre.onnx")
        quant_pre_process(fpath, pre, skip_optimization=False)
        # The pre-processed model (ORT basic-level optimisation + shape inference; this is
        # where cnn's BatchNormalization is folded into its Conv) lists every opset domain
        # ORT knows (ai.onnx.ml, com.microsoft.nchwc, org.pytorch.aten, ...). Keep only the
        # domains its nodes use so the quantizer output stays clean. The *quantizer's*
        # output is shipped unmodified.
        pm = onnx.load(pre)
        used = {n.domain for n in pm.graph.node} | {""}
        keep = [o for o in pm.opset_import if o.domain in used or (o.domain == "ai.onnx")]
        del pm.opset_import[:]
        pm.opset_import.extend(keep)
        onnx.save(pm, pre)
        info["preprocessed_ops"] = op_list(pm)
        qpath = os.path.join(OUT, f"{name}_qdq.onnx")
        quantize_static(pre, qpath, Reader(xc), quant_format=QuantFormat.QDQ, per_channel=True,
                        reduce_range=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax)
        qmodel = onnx.load(qpath)
        opt_path = os.path.join(tmp, f"{name}_qdq_opt.onnx")
        qsess = session(qpath, optimized_path=opt_path)
        yq = qsess.run(["logits"], {"input": xe})[0].astype(np.float32)
        np.save(os.path.join(OUT, f"{name}_qdq_ort.npy"), yq)
        csess = session(codes_model(qmodel).SerializeToString())
        codes = csess.run(None, {"input": xe})[0]
        assert codes.dtype == np.uint8 and codes.shape == (540, 10)
        np.save(os.path.join(OUT, f"{name}_qdq_ort_codes.npy"), codes)
        _, sc, zp = final_dq(qmodel)
        deq = (codes.astype(np.int32) - np.int32(zp)).astype(np.float32) * np.float32(sc)
        assert np.array_equal(deq, yq), "codes do not dequantize to the ORT output"
        opt_ops = op_list(onnx.load(opt_path))
        opt_nodes = optimized_nodes(qmodel, onnx.load(opt_path))
        qi = {t.name: numpy_helper.to_array(t) for t in qmodel.graph.initializer}
        wsc = [v for k, v in qi.items() if k.endswith("weight_scale")]
        bq = [v for k, v in qi.items() if k.endswith("bias_quantized")]
        info["qdq_numerics"] = {"min_weight_scale": float(min(v.min() for v in wsc)),
                                "max_weight_scale": float(max(v.max() for v in wsc)),
                                "max_abs_bias_int32": int(max(np.abs(v.astype(np.int64)).max() for v in bq))}
        print("  ", info["qdq_numerics"])
        info["qdq"] = {"file": f"{name}_qdq.onnx", "ops": op_list(qmodel),
                       "opsets": {o.domain or "ai.onnx": o.version for o in qmodel.opset_import},
                       "ort_enable_all_optimized_ops": opt_ops,
                       "ort_enable_all_kernels": [f"{d['op']} <= {d['replaces']}" for d in opt_nodes],
                       "top1": float(np.mean(yq.argmax(1) == yte)), "correct": int(np.sum(yq.argmax(1) == yte)),
                       "output_scale": float(sc), "output_zero_point": int(zp),
                       "codes_dequantize_exactly_to_ort_output": True,
                       "float_vs_int8_top1_agreement": float(np.mean(yq.argmax(1) == y.argmax(1)))}
        print(f"  int8 QDQ top-1 (ORT) {info['qdq']['top1']:.4f}; optimized ops: {opt_ops}")
        if args.check:
            per = np.concatenate([csess.run(None, {"input": xe[i:i + 1]})[0] for i in range(len(xe))])
            info["qdq"]["codes_batch1_equal_batch540"] = bool(np.array_equal(per, codes))
            print(f"  per-image codes equal batch codes: {info['qdq']['codes_batch1_equal_batch540']}")
        summary["models"][name] = info

        if name == "dscnn_residual":
            shutil.copyfile(qpath, os.path.join(FIX, "dscnn_residual_qdq.onnx"))
            xf = xe[:N_FIXTURE].reshape(-1, 1, 8, 8)
            np.save(os.path.join(FIX, "test_x_nchw.npy"), xf)
            c256 = csess.run(None, {"input": xf})[0]
            y256 = qsess.run(["logits"], {"input": xf})[0]
            assert np.array_equal(c256, codes[:N_FIXTURE]) and np.array_equal(y256, yq[:N_FIXTURE])
            np.save(os.path.join(FIX, "ort_codes.npy"), c256)
            np.save(os.path.join(FIX, "ort.npy"), y256.astype(np.float32))
            with open(os.path.join(FIX, "optimized_ops.json"), "w") as f:
                json.dump({"onnxruntime": ort.__version__, "level": "ORT_ENABLE_ALL", "cpu_ep": True,
                           "qdq_ops": op_list(qmodel), "optimized_ops": opt_ops,
                           "optimized_nodes": opt_nodes}, f, indent=1)

    files = sorted(f for f in os.listdir(OUT) if f.endswith((".onnx", ".npy")))
    summary["sha256"] = {f: sha256(os.path.join(OUT, f)) for f in files}
    summary["fixture_sha256"] = {f: sha256(os.path.join(FIX, f)) for f in sorted(os.listdir(FIX))
                                 if f.endswith((".onnx", ".npy", ".json"))}
    summary["top1"] = {}
    for name, info in summary["models"].items():
        summary["top1"][name] = info["float"]["top1"]
        if "qdq" in info:
            summary["top1"][name + "_qdq"] = info["qdq"]["top1"]
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("top-1:", json.dumps(summary["top1"]), f"; examples/digits total {total / 1024:.0f} KiB")
    shutil.rmtree(tmp)


def bnn_sign_report(model, params, stats, xe, tmp):
    """Inputs of the Sign nodes (BN outputs) on the test set, as ORT computes them."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for t in ("bn1", "bn2", "bn3"):
        m.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    rep = {}
    for level_name, level in (("ORT_ENABLE_ALL", ort.GraphOptimizationLevel.ORT_ENABLE_ALL),
                              ("ORT_DISABLE_ALL", ort.GraphOptimizationLevel.ORT_DISABLE_ALL)):
        s = session(m.SerializeToString(), level=level)
        outs = s.run(["bn1", "bn2", "bn3"], {"input": xe})
        rep[level_name] = {t: {"exact_zeros": int(np.sum(o == 0)), "min_abs": float(np.min(np.abs(o))),
                               "count": int(o.size)} for t, o in zip(("bn1", "bn2", "bn3"), outs)}
    # thresholds for the binary layers: sign(BN(acc)) flips at acc = tau (acc is an integer)
    taus = {}
    for nm in ("bn2", "bn3"):
        mean, var = stats[nm]
        g, b = params[nm + ".gamma"].astype(np.float64), params[nm + ".beta"].astype(np.float64)
        tau = mean.astype(np.float64) - b * np.sqrt(var.astype(np.float64) + BN_EPS) / g
        taus[nm] = {"min_distance_of_threshold_to_integer": float(np.min(np.abs(tau - np.round(tau)))),
                    "negative_gamma_channels": int(np.sum(g < 0)), "zero_gamma_channels": int(np.sum(g == 0))}
    rep["binary_thresholds"] = taus
    print("  bnn Sign inputs:", json.dumps(rep))
    return rep


if __name__ == "__main__":
    sys.exit(main())
