"""Fixed standardisation statistics per template, so that MoEE concat works for one text.

The paper z-scores HS and RW with statistics of the evaluation batch; a playground needs results that
do not depend on what else is on screen. For each template of shared/MOEE.md this embeds a fixed
reference set (256 held-out corpus sentences, never STS) with the HF reference implementation,
last-token pooling, and stores per-dimension mean and population std of HS, RW softmax and RW logits
in moee_reference_stats.{json,bin} (the tensor-file format of models/tensor-file.ts).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import load_reference, position_ids_for  # noqa: E402
from goldens import Blob  # noqa: E402
from templates import TEMPLATES, apply_template  # noqa: E402

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "moee-demo"
REFERENCE_SIZE = 256


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--checkpoint", type=Path, help="fp32 weights, when the model folder does not commit them")
    args = parser.parse_args()
    model_dir = args.model
    torch.set_num_threads(2)
    rng = random.Random(11)
    lines = [l for l in (HERE / "work" / "corpus" / "heldout.txt").read_text(encoding="utf-8").splitlines()
             if 5 <= len(l.split()) <= 30]
    reference = rng.sample(lines, REFERENCE_SIZE)
    model = load_reference(args.checkpoint or model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.padding_side = "left"
    blob = Blob()
    entries = {}
    for template in TEMPLATES:
        hs_rows, soft_rows, logit_rows = [], [], []
        for start in range(0, REFERENCE_SIZE, 32):
            prompts = [apply_template(template, t) for t in reference[start:start + 32]]
            enc = tokenizer(prompts, return_tensors="pt", padding=True)
            pos = position_ids_for(enc["attention_mask"])
            out = model.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], position_ids=pos,
                              output_router_logits=True, use_cache=False)
            b, s = enc["input_ids"].shape
            hs_rows.append(out.last_hidden_state[:, -1].numpy())
            router = torch.stack([r.view(b, s, -1)[:, -1] for r in out.router_logits], dim=1)  # B, L, E
            logit_rows.append(router.reshape(b, -1).numpy())
            soft_rows.append(torch.softmax(router, dim=-1).reshape(b, -1).numpy())
        stats = {}
        for name, rows in (("hs", hs_rows), ("rw_softmax", soft_rows), ("rw_logits", logit_rows)):
            m = np.concatenate(rows).astype(np.float64)
            stats[name] = {"mean": blob.add(m.mean(0).astype(np.float32)), "std": blob.add(m.std(0).astype(np.float32))}
        entries[template] = stats
    manifest = {"about": "per-template standardisation statistics (mean, population std) over a fixed reference set; "
                         "models/build/reference_stats.py", "reference_size": REFERENCE_SIZE, "pooling": "last",
                # The texts themselves, so that a test can recompute the statistics with the engine.
                "texts": reference, "templates": entries}
    (model_dir / "moee_reference_stats.bin").write_bytes(b"".join(blob.parts))
    (model_dir / "moee_reference_stats.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"reference stats: {len(entries)} templates, {blob.offset / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
