"""Figures for the model card: parameters, held-out perplexity, per-layer expert load, loss curve PNG."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import load_reference  # noqa: E402

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "moee-demo"


@torch.no_grad()
def main() -> None:
    torch.set_num_threads(2)
    model = load_reference(MODEL)
    cfg = model.config
    total = sum(p.numel() for p in model.parameters())
    expert_params = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    active = total - expert_params + expert_params * cfg.num_experts_per_tok // cfg.num_experts
    held = np.load(HERE / "work" / "heldout_ids.npy").astype(np.int64)
    seq, windows = 128, 512
    loads = np.zeros((cfg.num_hidden_layers, cfg.num_experts))
    nll, count = 0.0, 0
    for start in range(0, windows, 32):
        x = torch.stack([torch.from_numpy(held[(start + j) * seq:(start + j + 1) * seq]) for j in range(32)])
        out = model(input_ids=x, output_router_logits=True, use_cache=False)
        # Next-token cross-entropy alone: with labels and output_router_logits, HF's `loss` would also
        # carry router_aux_loss_coef × the balancing loss (0.2 nats at the stage-2 coefficient).
        nll += float(torch.nn.functional.cross_entropy(out.logits[:, :-1].reshape(-1, out.logits.shape[-1]), x[:, 1:].reshape(-1), reduction="sum"))
        count += x[:, 1:].numel()
        for layer, logits in enumerate(out.router_logits):
            top = torch.topk(logits, cfg.num_experts_per_tok, dim=-1).indices.reshape(-1)
            loads[layer] += np.bincount(top.numpy(), minlength=cfg.num_experts)
    share = loads / loads.sum(axis=1, keepdims=True)
    # Stage 1 (from scratch) and stage 2 (the per-layer balancing continuation), one curve.
    stage1 = [json.loads(l) for l in (MODEL / "training" / "train_log.jsonl").read_text().splitlines()]
    stage2 = [json.loads(l) for l in (MODEL / "training" / "train_log_stage2.jsonl").read_text().splitlines()]
    log = stage1 + [{**r, "step": len(stage1) + r["step"]} for r in stage2]
    stats = {
        "parameters_total": total, "parameters_active_per_token": active,
        "heldout_tokens": count, "heldout_loss": nll / count, "heldout_perplexity": math.exp(nll / count),
        "expert_load_share": share.round(4).tolist(),
        "min_expert_share": float(share.min()), "max_expert_share": float(share.max()),
        "train_steps": len(log), "train_seconds": stage1[-1]["elapsed_s"] + stage2[-1]["elapsed_s"],
        "stage1_steps": len(stage1), "stage1_seconds": stage1[-1]["elapsed_s"],
        "stage2_steps": len(stage2), "stage2_seconds": stage2[-1]["elapsed_s"],
    }
    (MODEL / "training" / "card_stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = [r["step"] for r in log]
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=100)
    ax.plot(steps, [r["lm_loss"] for r in log], lw=0.6, label="train LM loss")
    ax.plot([r["step"] for r in log if "heldout_loss" in r], [r["heldout_loss"] for r in log if "heldout_loss" in r], "o-", label="held-out loss")
    ax.axvline(len(stage1), color="grey", lw=0.8, ls="--")
    ax.text(len(stage1), ax.get_ylim()[1], "stage 2: per-layer balancing → ", va="top", ha="right", fontsize=8, color="grey")
    ax.set_xlabel("step (32 × 128 tokens)")
    ax.set_ylabel("cross-entropy (nats)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(MODEL / "training" / "loss_curve.png")
    print(json.dumps({k: v for k, v in stats.items() if k != "expert_load_share"}))
    for layer, row in enumerate(share):
        print(f"layer {layer}: " + " ".join(f"{v * 100:4.1f}" for v in row))


if __name__ == "__main__":
    main()
