"""Train the demo MoE model: plain next-token language modelling with the router's load-balancing loss.

Two stages, both plain language modelling on the same corpus (the model card gives the commands):
1. from scratch, 3000 steps, HF's own load-balancing loss (`--balance joint`, coefficient 0.02);
2. `--init-from` stage 1, a short continuation with the balancing loss applied to each layer on its
   own (`--balance per-layer`): stage 1 left some experts of single layers with almost no tokens,
   because HF's loss balances expert *indices* over all layers jointly.

Deterministic: one seed drives initialisation and batch sampling, torch runs on two threads with
deterministic algorithms, so a rerun reproduces the logged loss curve (see --max-steps and
check_repro.py). Logs one JSON line per step to the --log file.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

# Sleep, don't spin, while waiting at OpenMP barriers: on a shared 2-core machine a spinning thread
# burns the core its partner needs, and steps went from 1.1 s to 7-14 s with other work running.
# Numerics are unchanged (same threads, same reduction order).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import Qwen2MoeForCausalLM
from transformers.models.qwen2_moe.modeling_qwen2_moe import load_balancing_loss_func

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config import EOS_ID, demo_config  # noqa: E402

HERE = Path(__file__).resolve().parent
MODEL_DIR = HERE.parent / "moee-demo"
WORK = HERE / "work"


def token_stream(tokenizer: Tokenizer, path: Path, cache: Path) -> np.ndarray:
    """All paragraphs of `path`, each followed by <|endoftext|>, as one uint16 id stream (cached)."""
    if cache.exists() and cache.stat().st_mtime > path.stat().st_mtime:
        return np.load(cache)
    lines = path.read_text(encoding="utf-8").splitlines()
    ids: list[int] = []
    for start in range(0, len(lines), 10000):
        for enc in tokenizer.encode_batch(lines[start:start + 10000]):
            ids.extend(enc.ids)
            ids.append(EOS_ID)
    stream = np.asarray(ids, dtype=np.uint16)
    np.save(cache, stream)
    return stream


def per_layer_balance_loss(router_logits: tuple[torch.Tensor, ...], num_experts: int, top_k: int) -> torch.Tensor:
    """HF's Switch-style load-balancing loss applied to each layer on its own, averaged.

    HF concatenates every layer's router logits and balances expert *indices* across layers jointly,
    so expert 3 starving in layer 0 is offset by expert 3 crowding layer 2: an earlier run with it
    alone (coefficients 0.02, 0.1 and 1.0 tried) left experts below 0.1% of tokens in every layer.
    """
    losses = [load_balancing_loss_func((logits,), num_experts, top_k) for logits in router_logits]
    return torch.stack(losses).mean()


def batch_at(stream: torch.Tensor, gen: torch.Generator, batch: int, seq: int) -> torch.Tensor:
    starts = torch.randint(0, stream.numel() - seq - 1, (batch,), generator=gen)
    return torch.stack([stream[s:s + seq] for s in starts.tolist()]).long()


@torch.no_grad()
def heldout_loss(model: Qwen2MoeForCausalLM, stream: torch.Tensor, seq: int, max_windows: int) -> float:
    model.eval()
    n = min(max_windows, (stream.numel() - 1) // seq)
    total, count = 0.0, 0
    for i in range(0, n, 32):
        rows = [stream[j * seq:(j + 1) * seq] for j in range(i, min(n, i + 32))]
        x = torch.stack(rows).long()
        out = model(input_ids=x, labels=x)
        total += float(out.loss) * x.numel()
        count += x.numel()
    model.train()
    return total / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--steps", type=int, default=3000, help="length of the LR schedule")
    parser.add_argument("--max-steps", type=int, default=None, help="stop early (reproducibility checks)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--log", type=Path, default=WORK / "train_log.jsonl")
    parser.add_argument("--out", type=Path, default=WORK / "checkpoint")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--balance", choices=("joint", "per-layer"), default="joint",
                        help="HF's load-balancing loss over all layers at once, or per layer (see per_layer_balance_loss)")
    parser.add_argument("--aux-coef", type=float, default=0.02, help="weight of the load-balancing loss")
    parser.add_argument("--init-from", type=Path, default=None, help="continue from these weights (HF folder)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.manual_seed(args.seed)
    WORK.mkdir(parents=True, exist_ok=True)

    tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    train = torch.from_numpy(token_stream(tokenizer, WORK / "corpus" / "train.txt", WORK / "train_ids.npy").astype(np.int32))
    held = torch.from_numpy(token_stream(tokenizer, WORK / "corpus" / "heldout.txt", WORK / "heldout_ids.npy").astype(np.int32))
    print(f"train tokens {train.numel():,}  held-out tokens {held.numel():,}", flush=True)

    config = demo_config(tokenizer.get_vocab_size())
    config.router_aux_loss_coef = args.aux_coef
    # grouped_mm is HF's faster experts kernel; the same weights, so the eager reference applies unchanged.
    if args.init_from is not None:
        model = Qwen2MoeForCausalLM.from_pretrained(args.init_from, config=config, experts_implementation="grouped_mm")
    else:
        model = Qwen2MoeForCausalLM._from_config(config, experts_implementation="grouped_mm")
    model.train()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters {n_params:,}", flush=True)

    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.95), eps=1e-8,
    )

    def lr_at(step: int) -> float:
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    gen = torch.Generator().manual_seed(args.seed)
    last = args.max_steps if args.max_steps is not None else args.steps
    started = time.time()
    with args.log.open("w") as log:
        for step in range(last):
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
            x = batch_at(train, gen, args.batch, args.seq)
            out = model(input_ids=x, labels=x, output_router_logits=True)
            lm_loss = out.loss - config.router_aux_loss_coef * out.aux_loss
            if args.balance == "joint":
                balance, loss = out.aux_loss, out.loss  # exactly HF's objective
            else:
                balance = per_layer_balance_loss(out.router_logits, config.num_experts, config.num_experts_per_tok)
                loss = lm_loss + config.router_aux_loss_coef * balance
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            record = {
                "step": step, "loss": float(loss), "lm_loss": float(lm_loss), "aux_loss": float(balance), "lr": lr_at(step), "grad_norm": float(grad_norm),
                "elapsed_s": round(time.time() - started, 2),
            }
            if (step + 1) % 500 == 0 or step + 1 == last:
                record["heldout_loss"] = heldout_loss(model, held, args.seq, 256)
                model.save_pretrained(args.out)
            log.write(json.dumps(record) + "\n")
            log.flush()
            if step % 50 == 0 or "heldout_loss" in record:
                print(json.dumps(record), flush=True)
    model.save_pretrained(args.out)
    print(f"done in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
