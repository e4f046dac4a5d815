"""Reference matmul FLOP counts for bench/flops.ts: torch's FlopCounterMode on the HF model's own
forward (eager attention and experts, so every product is a counted mm/bmm), written to
tests/fixtures/flops.json. Full-length rows (no padding) so that every position is a real token.
`flops`: the LM head at every position (HF's default); `last_token_flops`: with logits_to_keep=1,
the head at the last position only, which is what bench/flops.ts's usefulFlops counts as work.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import Qwen2MoeForCausalLM

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "models" / "build"))
from demo_safetensors import ensure  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    ensure(ROOT / "models" / "moee-demo")
    model = Qwen2MoeForCausalLM.from_pretrained(ROOT / "models" / "moee-demo", dtype=torch.float32,
                                                attn_implementation="eager",
                                                experts_implementation="eager").eval()
    gen = torch.Generator().manual_seed(7)
    cases = []
    for batch, seq in [(1, 9), (4, 17), (32, 24)]:
        ids = torch.randint(10, model.config.vocab_size, (batch, seq), generator=gen)
        counts = []
        for logits_to_keep in (0, 1):
            counter = FlopCounterMode(display=False)
            with torch.inference_mode(), counter:
                model(input_ids=ids, attention_mask=torch.ones_like(ids), logits_to_keep=logits_to_keep)
            counts.append(counter.get_total_flops())
        cases.append({"batch": batch, "seq": seq, "flops": counts[0], "last_token_flops": counts[1]})
    out = ROOT / "tests" / "fixtures" / "flops.json"
    out.write_text(json.dumps({"cases": cases}, indent=1) + "\n")
    print(cases)


if __name__ == "__main__":
    main()
