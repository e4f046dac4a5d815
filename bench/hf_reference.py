"""The PyTorch / HF transformers reference for `npm run bench`: Qwen2MoeForCausalLM on
models/moee-demo/model.safetensors, driven over stdin so that Node can time it side by side with
our engine, one pass each, alternating. That file is not committed: when it is missing it is rebuilt
first, bit for bit from onnx/model.onnx (models/build/demo_safetensors.py).

Protocol (one JSON object per line):
  in : {"threads": 1, "batches": [{"input_ids": [[...]], "attention_mask": [[...]], "position_ids": [[...]]}, ...]}
  out: {"ready": true, "torch": "...", "transformers": "..."}
  in : {"run": "fp32"} or {"run": "int8"}, optionally "logits_to_keep": 1   (one pass over every batch)
  out: {"ms": 123.4}
  in : {"quit": true}
The batches are the engine's own (same tokens, left padding, positions), built in bench/run.ts.
Every pass returns what the engine returns: logits, every router's logits and the final-norm
hidden state (output_router_logits, output_hidden_states); with "logits_to_keep": 1 the LM head runs at
the last position only (HF's own option; left padding makes that every row's last real token). int8 is torch's dynamic quantisation
of nn.Linear modules (qint8 weights, activations quantised at run time); Qwen2-MoE keeps its routed
experts as fused 3-D parameters, not nn.Linear, so those stay fp32: say so wherever it is quoted.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import Qwen2MoeForCausalLM

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "models" / "build"))
from demo_safetensors import ensure  # noqa: E402

MODEL = ROOT / "models" / "moee-demo"


def main() -> None:
    setup = json.loads(sys.stdin.readline())
    torch.set_num_threads(setup["threads"])
    torch.set_num_interop_threads(1)
    ensure(MODEL)
    fp32 = Qwen2MoeForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    int8 = torch.ao.quantization.quantize_dynamic(
        Qwen2MoeForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval(), {torch.nn.Linear}, dtype=torch.qint8)
    models = {"fp32": fp32, "int8": int8}
    batches = [{k: torch.tensor(v, dtype=torch.long) for k, v in b.items()} for b in setup["batches"]]

    def run(model: torch.nn.Module, logits_to_keep: int = 0) -> None:
        with torch.inference_mode():
            for b in batches:
                model(**b, output_router_logits=True, output_hidden_states=True, logits_to_keep=logits_to_keep)

    for m in models.values():
        run(m)  # warm-up
        run(m, 1)
    print(json.dumps({"ready": True, "torch": torch.__version__, "transformers": transformers.__version__,
                      "threads": torch.get_num_threads(),
                      "experts_implementation": getattr(fp32.config, "_experts_implementation", None)}), flush=True)
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("quit"):
            break
        t = time.perf_counter()
        run(models[msg["run"]], int(msg.get("logits_to_keep", 0)))
        print(json.dumps({"ms": (time.perf_counter() - t) * 1000}), flush=True)


if __name__ == "__main__":
    main()
