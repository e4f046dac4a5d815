"""The reference check: onnxruntime on the exported files, routers tapped, against the HF goldens.

Promotes each /model/layers.{i}/mlp/gate/MatMul output and the final-norm output to graph outputs
(the same tap the TypeScript engine makes), runs the golden batches, and reports the worst absolute
router-logit and hidden-state error for fp32, and HS cosine and top-k expert-set agreement for int8.
Writes the figures to goldens/onnx_check.json for the model card.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import position_ids_for  # noqa: E402
from goldens import read_goldens  # noqa: E402

HERE = Path(__file__).resolve().parent


def tapped_session(path: Path) -> tuple[ort.InferenceSession, list[str], str]:
    model = onnx.load(str(path))
    nodes = list(model.graph.node)
    routers = sorted((n for n in nodes if re.fullmatch(r"/model/layers\.\d+/mlp/gate/MatMul", n.name)),
                     key=lambda n: int(re.search(r"\d+", n.name).group()))
    quant_ops = {"DynamicQuantizeLinear", "QuantizeLinear", "DequantizeLinear"}
    norm = [n for n in nodes if n.name.startswith("/model/norm/") and n.op_type not in quant_ops][-1]
    outputs = [n.output[0] for n in routers] + [norm.output[0]]
    for name in outputs:
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    session = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return session, outputs[:-1], outputs[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=HERE.parent / "moee-demo")
    parser.add_argument("--files", type=Path, nargs="+", help="ONNX files to check (default: the model's onnx/ files)")
    args = parser.parse_args()
    files = args.files or [args.model / "onnx" / "model.onnx", args.model / "onnx" / "model_quantized.onnx"]
    goldens = read_goldens(args.model)
    k = goldens["model"]["num_experts_per_tok"]
    report: dict[str, dict[str, float]] = {}
    for path in files:
        file = path.name
        session, router_names, hs_name = tapped_session(path)
        worst_router = worst_hs = 0.0
        min_cos = 1.0
        agree = total = 0
        for case in goldens["cases"]:
            ids = case["input_ids"].astype(np.int64)
            mask = case["attention_mask"].astype(np.int64)
            pos = position_ids_for(__import__("torch").from_numpy(mask)).numpy()
            results = session.run(router_names + [hs_name], {"input_ids": ids, "attention_mask": mask, "position_ids": pos})
            batch, seq = ids.shape
            router = np.stack([r.reshape(batch, seq, -1) for r in results[:-1]], axis=1)  # B, L, S, E
            hidden = results[-1]
            lengths = mask.sum(-1)
            last = [seq - 1 if case["padding"] == "left" else int(lengths[i]) - 1 for i in range(batch)]
            router_last = router[np.arange(batch), :, last, :]
            hs_last = hidden[np.arange(batch), last, :]
            worst_router = max(worst_router, float(np.abs(router_last - case["router_logits_last"]).max()))
            worst_hs = max(worst_hs, float(np.abs(hs_last - case["hidden_state_last"]).max()))
            gold_hs = case["hidden_state_last"]
            cos = (hs_last * gold_hs).sum(-1) / (np.linalg.norm(hs_last, axis=-1) * np.linalg.norm(gold_hs, axis=-1))
            min_cos = min(min_cos, float(cos.min()))
            ours = np.argsort(-router, axis=-1)[..., :k].transpose(0, 2, 1, 3)  # B, S, L, k
            gold = case["topk_experts"]
            for b in range(batch):
                for s in range(seq):
                    if mask[b, s] == 0:
                        continue
                    for layer in range(router.shape[1]):
                        total += 1
                        agree += set(ours[b, s, layer]) == set(gold[b, s, layer])
        report[file] = {"max_abs_router_logit_error": worst_router, "max_abs_hidden_state_error": worst_hs,
                        "min_hidden_state_cosine": min_cos, "topk_set_agreement": agree / total,
                        "tokens_x_layers": total}
        print(file, json.dumps(report[file]))
    (args.model / "goldens" / "onnx_check.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
