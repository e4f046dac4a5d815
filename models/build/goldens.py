"""Golden tensors from the HF reference implementation, for the engine's tests.

For 16 fixed texts (none of them seen by the exporter's example batch) under the templates `none`
and `prompteol`, with left and right padding, the HF Qwen2MoeForCausalLM (eager attention, eager
experts) records per text: the last-real-token router logits of every layer, the final-norm hidden
state, the top-k expert ids of every real token in every layer, and the top-5 next tokens.

Stored as goldens.json (manifest: texts, prompts, ids, tensor shapes and byte offsets) plus
goldens.bin (little-endian float32 / int32), read by models/goldens.ts and read_goldens() here.
Position ids skip padding (cumsum of the mask), so a text gets the same numbers whatever its padding.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import load_reference, position_ids_for  # noqa: E402
from templates import apply_template  # noqa: E402

HERE = Path(__file__).resolve().parent

GOLDEN_TEXTS = [
    "The meeting starts at 5.30 p.m.",
    "The meeting starts at 17h30.",
    "They narrowly avoided a catastrophe.",
    "They managed to prevent a disaster.",
    "A dog is running across the green field",
    "The stock market fell sharply on Monday morning.",
    "I love this song, it always makes me happy!",
    "Water boils at one hundred degrees Celsius at sea level.",
    "Can you pass me the salt, please?",
    "The king gave his daughter a golden ring",
    "Café society in Zürich — naïve but charming…",
    "数学是科学的语言。",
    "Compilers translate source code into machine instructions.",
    "She sells sea shells by the sea shore.",
    "Rain",
    "In the beginning of the long and weary winter, the villagers gathered wood, salted fish, "
    "repaired their roofs and told each other stories of the summers they remembered best.",
]
TEMPLATES = ["none", "prompteol"]
PADDINGS = ["left", "right"]


class Blob:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def add(self, array: np.ndarray) -> dict[str, object]:
        if array.dtype == np.float32:
            dtype = "float32"
        elif array.dtype == np.int32:
            dtype = "int32"
        else:
            raise TypeError(array.dtype)
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        entry = {"dtype": dtype, "shape": list(array.shape), "offset": self.offset, "length": len(data)}
        self.parts.append(data)
        self.offset += len(data)
        return entry


def last_real_token(mask: torch.Tensor, padding: str) -> torch.Tensor:
    """Per row, the position of the last real token: the end with left padding, length - 1 with right."""
    seq = mask.shape[1]
    return torch.tensor([seq - 1 if padding == "left" else int(length) - 1 for length in mask.sum(-1)])


def golden_batches(tokenizer, texts: list[str]):
    """The goldens' inputs: `texts` under each template, left- and right-padded, tokenised as one batch."""
    for template in TEMPLATES:
        prompts = [apply_template(template, t) for t in texts]
        for padding in PADDINGS:
            tokenizer.padding_side = padding
            yield template, padding, prompts, tokenizer(prompts, return_tensors="pt", padding=True)


def golden_case(blob: Blob, tokenizer, template: str, padding: str, prompts: list[str], enc, router: torch.Tensor,
                hidden: torch.Tensor, logits: torch.Tensor, k: int) -> dict:
    """One case of the manifest from a forward pass: router logits [B, L, S, E], final-norm hidden
    state [B, S, H] and LM logits [B, S, V], read at the last real token (top-k experts at every token)."""
    mask = enc["attention_mask"]
    last = last_real_token(mask, padding)
    rows = torch.arange(mask.shape[0])
    router = router.float()
    topk = torch.topk(router, k, dim=-1).indices.permute(0, 2, 1, 3).to(torch.int32)  # B, S, L, k
    topk[mask == 0] = -1
    top5 = torch.topk(logits[rows, last, :].float(), 5, dim=-1)
    return {
        "template": template,
        "padding": padding,
        "prompts": prompts,
        "input_ids": blob.add(enc["input_ids"].to(torch.int32).numpy()),
        "attention_mask": blob.add(mask.to(torch.int32).numpy()),
        "router_logits_last": blob.add(router[rows, :, last, :].contiguous().numpy()),
        "hidden_state_last": blob.add(hidden.float()[rows, last, :].contiguous().numpy()),
        "topk_experts": blob.add(topk.contiguous().numpy()),
        "top5_next_ids": blob.add(top5.indices.to(torch.int32).numpy()),
        "top5_next_logits": blob.add(top5.values.numpy()),
        "top5_next_tokens": [[tokenizer.decode([int(i)]) for i in row] for row in top5.indices],
    }


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=HERE.parent / "moee-demo")
    parser.add_argument("--checkpoint", type=Path, help="fp32 weights, when the model folder does not commit them")
    args = parser.parse_args()
    torch.set_num_threads(2)
    model = load_reference(args.checkpoint or args.model)
    cfg = model.config
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    blob = Blob()
    cases = []
    for template, padding, prompts, enc in golden_batches(tokenizer, GOLDEN_TEXTS):
        mask = enc["attention_mask"]
        pos = position_ids_for(mask)
        out = model(input_ids=enc["input_ids"], attention_mask=mask, position_ids=pos,
                    output_router_logits=True, use_cache=False)
        hidden = model.model(input_ids=enc["input_ids"], attention_mask=mask, position_ids=pos,
                             use_cache=False).last_hidden_state
        batch, seq = mask.shape
        router = torch.stack([r.view(batch, seq, -1) for r in out.router_logits], dim=1)  # B, L, S, E
        cases.append(golden_case(blob, tokenizer, template, padding, prompts, enc, router, hidden, out.logits,
                                 cfg.num_experts_per_tok))
    manifest = {
        "about": "HF transformers Qwen2MoeForCausalLM (eager) reference tensors; see models/build/goldens.py",
        "model": {"num_hidden_layers": cfg.num_hidden_layers, "num_experts": cfg.num_experts,
                  "num_experts_per_tok": cfg.num_experts_per_tok, "hidden_size": cfg.hidden_size},
        "texts": GOLDEN_TEXTS,
        "position_ids": "cumsum(attention_mask) - 1, pads set to 1",
        "cases": cases,
    }
    out_dir = args.model / "goldens"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "goldens.bin").write_bytes(b"".join(blob.parts))
    (out_dir / "goldens.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"goldens: {len(cases)} cases, {blob.offset / 1e3:.0f} kB")


def read_goldens(model_dir: Path) -> dict:
    """The manifest with every tensor entry replaced by its numpy array."""
    manifest = json.loads((model_dir / "goldens" / "goldens.json").read_text())
    raw = (model_dir / "goldens" / "goldens.bin").read_bytes()
    for case in manifest["cases"]:
        for key, value in list(case.items()):
            if isinstance(value, dict) and "offset" in value:
                dtype = np.dtype(value["dtype"]).newbyteorder("<")
                arr = np.frombuffer(raw, dtype=dtype, count=value["length"] // dtype.itemsize, offset=value["offset"])
                case[key] = arr.reshape(value["shape"])
    return manifest


if __name__ == "__main__":
    main()
