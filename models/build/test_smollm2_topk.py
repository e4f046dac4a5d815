"""moee-smollm2 is a real top-k MoE: an expert the router did not choose contributes nothing.

For the last token of two sentences, at layers 0, 14 and 29, run the HF MoE block (eager experts)
with one routed expert's weights zeroed: an expert the router did not choose leaves the block's
output bit-identical; a chosen one changes it. Run: python test_smollm2_topk.py (writes ../moee-smollm2/build/topk_test.json).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from transformers import AutoTokenizer, Qwen2MoeForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smollm2_dense import WORK  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "moee-smollm2" / "build" / "topk_test.json"
LAYERS = (0, 14, 29)
TEXTS = ["The river rose after three days of rain.", "Compilers translate source code into machine instructions."]


@torch.no_grad()
def main() -> None:
    torch.set_num_threads(2)
    model = Qwen2MoeForCausalLM.from_pretrained(WORK / "moe_q4", experts_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(WORK / "moe_q4")
    k = model.config.num_experts_per_tok
    checks = []
    for text in TEXTS:
        ids = tokenizer(text, return_tensors="pt").input_ids
        inputs: dict[int, torch.Tensor] = {}
        hooks = [model.model.layers[i].mlp.register_forward_pre_hook(lambda _m, a, i=i: inputs.__setitem__(i, a[0]))
                 for i in LAYERS]
        model(input_ids=ids, use_cache=False)
        for h in hooks:
            h.remove()
        for layer in LAYERS:
            block = model.model.layers[layer].mlp
            x = inputs[layer][:, -1:].contiguous()  # the last token alone: top-k of its own
            base = block(x)
            chosen = torch.topk(block.gate.weight @ x.flatten(), k).indices.tolist()
            unchosen = next(e for e in range(model.config.num_experts) if e not in chosen)
            for expert, selected in ((unchosen, False), (chosen[0], True)):
                saved = block.experts.down_proj.data[expert].clone()
                block.experts.down_proj.data[expert] = 0
                diff = float((block(x) - base).abs().max())
                block.experts.down_proj.data[expert] = saved
                checks.append({"text": text, "layer": layer, "expert": expert, "selected": selected, "max_abs_change": diff})
                ok = diff > 1e-4 if selected else diff == 0.0
                print(json.dumps(checks[-1]), "ok" if ok else "FAIL", flush=True)
                if not ok:
                    raise SystemExit("top-k check failed")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"checks": checks}, indent=1) + "\n")


if __name__ == "__main__":
    main()
