"""Turn dense SmolLM2-135M-Instruct into moee-smollm2, a genuine top-k Qwen2-MoE, by expert construction.

The method follows MoEfication (Zhang et al., Findings of ACL 2022) and LLaMA-MoE (2023): every
layer's SwiGLU FFN (1,536 neurons) is split into a shared expert and routed experts, and a linear
router per layer learns from the dense model's own activations which experts matter for a token.

Stages (each caches its output under work/smollm2/, so a rerun starts where it stopped):
  collect  dense forward over corpus text: every layer's FFN input at every token (fp16 on disk)
  build    per layer: shared neurons, neuron grouping, router fit, the Qwen2-MoE state dict;
           measures the grouping methods against each other on held-out tokens
  round    the 4-bit block form of every weight (moe_q4/): fresh Q4_1 blocks for the regrouped down
           projections, Q4_0 for the embedding; the browser's 4-bit file then holds the model exactly
  ppl      held-out perplexity of the dense and the MoE model on the same tokens, and the cosine
           between their last-token final hidden states

Neuron importance for a token is |a_j| * ||W_down[:, j]||, a_j = silu(g_j . x) * (u_j . x): the size
of neuron j's contribution to the FFN output. Routed experts are formed by balanced spherical k-means
on the neurons' importance profiles over corpus tokens (co-activation: neurons that fire together
share an expert, so a top-k choice keeps most of the output). Contiguous, random and weight-space
groupings are measured beside it (work/smollm2/build_report.json, quoted in the model card).

Everything here is seeded and deterministic on one machine; torch runs on two threads.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import LlamaForCausalLM, Qwen2MoeConfig, Qwen2MoeForCausalLM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smollm2_dense import WORK, load_dense  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "work" / "corpus"
SEQ = 128
DOC_SEP = 0  # <|endoftext|>, SmolLM2's document separator
SEED = 1234
COMPARE_EVERY = 5
Q4_BLOCK = 32  # Q4_1 block size of the GGUF weights


# ---------------------------------------------------------------- corpus windows

def windows(split: str, tokens: int, tokenizer, seed: int) -> torch.Tensor:
    """Random paragraphs of the split, joined by <|endoftext|>, cut into SEQ-token windows."""
    paragraphs = (CORPUS / f"{split}.txt").read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    rng.shuffle(paragraphs)
    ids: list[int] = []
    for p in paragraphs:
        ids.extend(tokenizer(p, add_special_tokens=False).input_ids)
        ids.append(DOC_SEP)
        if len(ids) >= tokens:
            break
    n = len(ids) // SEQ
    return torch.tensor(ids[: n * SEQ]).view(n, SEQ)


# ---------------------------------------------------------------- collect

@torch.no_grad()
def ffn_inputs(model: LlamaForCausalLM, batch: torch.Tensor) -> np.ndarray:
    """(layers, tokens, hidden) FFN inputs (post-attention RMSNorm output) of one batch."""
    captured: list[torch.Tensor] = []
    hooks = [layer.mlp.register_forward_pre_hook(lambda _m, args: captured.append(args[0].reshape(-1, args[0].shape[-1])))
             for layer in model.model.layers]
    try:
        model.model(input_ids=batch)
    finally:
        for h in hooks:
            h.remove()
    return torch.stack(captured).to(torch.float16).numpy()


def collect(train_tokens: int, eval_tokens: int) -> None:
    model, tokenizer = load_dense()
    for split, tokens, seed in (("train", train_tokens, SEED), ("heldout", eval_tokens, SEED + 1)):
        out = WORK / f"ffn_inputs_{split}.npy"
        if out.exists():
            continue
        data = windows(split, tokens, tokenizer, seed)
        parts = []
        t0 = time.time()
        for i in range(0, len(data), 8):
            parts.append(ffn_inputs(model, data[i:i + 8]))
            print(f"collect {split}: {min(i + 8, len(data))}/{len(data)} windows, {time.time() - t0:.0f} s", flush=True)
        np.save(out, np.concatenate(parts, axis=1))


# ---------------------------------------------------------------- build

def neuron_activations(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.silu(x @ w_gate.T) * (x @ w_up.T)


def balanced_kmeans(features: torch.Tensor, groups: int, seed: int, iters: int = 30) -> list[list[int]]:
    """Spherical k-means with equal-size clusters (greedy capacity-constrained assignment)."""
    n = features.shape[0]
    size = n // groups
    f = torch.nn.functional.normalize(features, dim=1)
    gen = torch.Generator().manual_seed(seed)
    centroids = f[torch.randperm(n, generator=gen)[:groups]].clone()
    assign = torch.zeros(n, dtype=torch.long)
    for _ in range(iters):
        sim = f @ centroids.T  # (n, groups)
        order = torch.argsort(sim.flatten(), descending=True)
        taken = [False] * n
        fill = [0] * groups
        chosen = [-1] * n
        for flat in order.tolist():
            j, g = divmod(flat, groups)
            if taken[j] or fill[g] >= size:
                continue
            taken[j] = True
            chosen[j] = g
            fill[g] += 1
        new = torch.tensor(chosen)
        if torch.equal(new, assign):
            break
        assign = new
        centroids = torch.nn.functional.normalize(torch.stack([f[assign == g].mean(0) for g in range(groups)]), dim=1)
    return [torch.nonzero(assign == g).flatten().tolist() for g in range(groups)]


def expert_outputs(acts: torch.Tensor, w_down: torch.Tensor, experts: list[list[int]]) -> torch.Tensor:
    """(experts, tokens, hidden): each routed expert's share of the FFN output."""
    return torch.stack([acts[:, e] @ w_down[:, e].T for e in experts])


def reconstruction_error(full: torch.Tensor, shared: torch.Tensor, per_expert: torch.Tensor,
                         selected: torch.Tensor, weights: torch.Tensor) -> float:
    """Mean over tokens of ||FFN_dense - FFN_moe|| / ||FFN_dense||; weights (tokens, top_k) sum to top_k."""
    tokens = torch.arange(full.shape[0])[:, None]
    routed = (per_expert.permute(1, 0, 2)[tokens, selected] * weights[..., None]).sum(1)
    return float(((full - shared - routed).norm(dim=1) / full.norm(dim=1).clamp_min(1e-6)).mean())


def oracle_selection(per_expert: torch.Tensor, top_k: int) -> torch.Tensor:
    return per_expert.norm(dim=2).T.topk(top_k, dim=1).indices


def fit_router(x: torch.Tensor, importance: torch.Tensor, ridge: float) -> torch.Tensor:
    """Least-squares router (experts, hidden): x -> log importance, centred per token (softmax is shift-free)."""
    target = torch.log(importance.clamp_min(1e-6))
    target = target - target.mean(dim=1, keepdim=True)
    x64, t64 = x.double(), target.double()
    gram = x64.T @ x64 + ridge * x64.shape[0] * torch.eye(x64.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, x64.T @ t64).T.float()


def topk_weights(logits: torch.Tensor, top_k: int, temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Qwen2-MoE routing with norm_topk_prob, router scaled by `temperature`; weights times top_k."""
    probs = torch.softmax(logits * temperature, dim=1)
    value, index = probs.topk(top_k, dim=1)
    return index, value / value.sum(1, keepdim=True) * top_k


def neuron_groupings(importance: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor, shared_size: int,
                     num_experts: int, expert_size: int, layer: int, compare: bool, rng: random.Random):
    """Shared neurons by mean contribution; routed neurons grouped one by one (co-activation k-means)."""
    inter = importance.shape[1]
    # Shared expert: the neurons with the largest mean contribution ("always active").
    shared = torch.argsort(importance.mean(0), descending=True)[:shared_size].sort().values
    is_shared = torch.zeros(inter, dtype=torch.bool)
    is_shared[shared] = True
    routed = torch.nonzero(~is_shared).flatten()
    profile = importance[:8192, routed].T  # (routed neurons, tokens)
    groupings = {"coactivation": [[int(routed[i]) for i in g] for g in balanced_kmeans(profile, num_experts, SEED + layer)]}
    if compare:  # the other groupings, measured on every 5th layer and the last
        groupings["weights"] = [[int(routed[i]) for i in g] for g in balanced_kmeans(
            torch.cat([w_gate[routed], w_up[routed]], dim=1), num_experts, SEED + layer)]
        groupings["contiguous"] = [routed[i * expert_size:(i + 1) * expert_size].tolist() for i in range(num_experts)]
        groupings["random"] = [[int(j) for j in g] for g in np.array_split(rng.sample(routed.tolist(), len(routed)), num_experts)]
    return shared, groupings


def block_groupings(acts: torch.Tensor, w_down: torch.Tensor, shared_size: int, num_experts: int, layer: int,
                    compare: bool, rng: random.Random):
    """The same, with the GGUF's Q4_1 blocks of the down projection (32 consecutive neurons) as the unit.

    The dense weights come as Q4_1 blocks along each matrix's input axis. Gate and up rows can be
    regrouped freely, but the down projection's blocks run along the neurons: an expert made of whole
    aligned blocks keeps every weight exactly representable in 4 bits, so the browser's 4-bit file
    equals the fp32 model. Shared blocks: the largest mean contribution; routed blocks grouped by
    co-activation (balanced k-means on each block's output-norm profile over corpus tokens).
    """
    inter = acts.shape[1]
    blocks = inter // Q4_BLOCK
    contribution = torch.stack([(acts[:, b * Q4_BLOCK:(b + 1) * Q4_BLOCK] @ w_down[:, b * Q4_BLOCK:(b + 1) * Q4_BLOCK].T).norm(dim=1)
                                for b in range(blocks)], dim=1)  # (tokens, blocks)
    shared_blocks = torch.argsort(contribution.mean(0), descending=True)[:shared_size // Q4_BLOCK].sort().values
    routed_blocks = [b for b in range(blocks) if b not in set(shared_blocks.tolist())]

    def neurons(block_ids) -> list[int]:
        return [n for b in sorted(int(x) for x in block_ids) for n in range(b * Q4_BLOCK, (b + 1) * Q4_BLOCK)]

    profile = contribution[:8192, routed_blocks].T
    groupings = {"coactivation": [neurons(routed_blocks[i] for i in g) for g in balanced_kmeans(profile, num_experts, SEED + layer)]}
    per_expert = len(routed_blocks) // num_experts
    if compare and per_expert > 1:
        groupings["contiguous"] = [neurons(routed_blocks[i * per_expert:(i + 1) * per_expert]) for i in range(num_experts)]
        shuffled = rng.sample(routed_blocks, len(routed_blocks))
        groupings["random"] = [neurons(shuffled[i * per_expert:(i + 1) * per_expert]) for i in range(num_experts)]
    return torch.tensor(neurons(shared_blocks.tolist())), groupings


def build(shared_size: int, num_experts: int, top_k: int, temperatures: list[float], temperature: float,
          ridge: float, out: Path, train_limit: int, granularity: str) -> None:
    torch.manual_seed(SEED)
    dense, tokenizer = load_dense()
    train = np.load(WORK / "ffn_inputs_train.npy", mmap_mode="r")
    heldout = np.load(WORK / "ffn_inputs_heldout.npy", mmap_mode="r")
    layers = dense.config.num_hidden_layers
    inter = dense.config.intermediate_size
    expert_size = (inter - shared_size) // num_experts
    assert expert_size * num_experts + shared_size == inter, "neurons must split evenly"
    report: dict = {"shared_size": shared_size, "num_experts": num_experts, "expert_size": expert_size,
                    "top_k": top_k, "granularity": granularity, "ridge": ridge, "temperature": temperature, "train_tokens": int(min(train.shape[1], train_limit)),
                    "heldout_tokens": int(heldout.shape[1]), "layers": []}
    state: dict[str, torch.Tensor] = {}
    rng = random.Random(SEED)
    for layer in range(layers):
        t0 = time.time()
        mlp = dense.model.layers[layer].mlp
        w_gate, w_up, w_down = mlp.gate_proj.weight.data, mlp.up_proj.weight.data, mlp.down_proj.weight.data
        x_train = torch.from_numpy(np.asarray(train[layer, :train_limit], dtype=np.float32))
        x_eval = torch.from_numpy(np.asarray(heldout[layer], dtype=np.float32))
        down_norm = w_down.norm(dim=0)
        acts_train = neuron_activations(x_train, w_gate, w_up)
        importance_train = acts_train.abs() * down_norm
        compare = layer % COMPARE_EVERY == 0 or layer == layers - 1
        if granularity == "block":
            shared, groupings = block_groupings(acts_train, w_down, shared_size, num_experts, layer, compare, rng)
        else:
            shared, groupings = neuron_groupings(importance_train, w_gate, w_up, shared_size, num_experts, expert_size, layer, compare, rng)
        acts_eval = neuron_activations(x_eval, w_gate, w_up)
        full_eval = acts_eval @ w_down.T
        shared_eval = acts_eval[:, shared] @ w_down[:, shared].T
        row: dict = {"layer": layer, "oracle_error": {}}
        for name, experts in groupings.items():
            per_expert = expert_outputs(acts_eval, w_down, experts)
            sel = oracle_selection(per_expert, top_k)
            row["oracle_error"][name] = reconstruction_error(full_eval, shared_eval, per_expert, sel, torch.ones_like(sel, dtype=torch.float32))
        experts = groupings["coactivation"]
        per_expert_train = expert_outputs(acts_train, w_down, experts)
        router = fit_router(x_train, per_expert_train.norm(dim=2).T, ridge)
        per_expert_eval = expert_outputs(acts_eval, w_down, experts)
        oracle = oracle_selection(per_expert_eval, top_k)
        logits = x_eval @ router.T
        row["router_error"] = {}
        for temp in temperatures:
            sel, w = topk_weights(logits, top_k, temp)
            row["router_error"][str(temp)] = reconstruction_error(full_eval, shared_eval, per_expert_eval, sel, w)
        sel, _ = topk_weights(logits, top_k, 1.0)
        row["router_recall"] = float(np.mean([len(set(a) & set(b)) / top_k for a, b in zip(sel.tolist(), oracle.tolist())]))
        row["seconds"] = round(time.time() - t0, 1)
        report["layers"].append(row)
        print(json.dumps(row), flush=True)
        prefix = f"model.layers.{layer}.mlp."
        # The router's scale is the routing temperature (a power of two, so the scaling is exact).
        state[prefix + "gate.weight"] = (router * temperature).contiguous()
        state[prefix + "experts.gate_up_proj"] = torch.stack([torch.cat([w_gate[e], w_up[e]]) for e in experts]).contiguous()
        # top_k times the down projection: norm_topk_prob weights sum to one over the chosen experts
        state[prefix + "experts.down_proj"] = torch.stack([w_down[:, e] * top_k for e in experts]).contiguous()
        state[prefix + "shared_expert.gate_proj.weight"] = w_gate[shared].contiguous()
        state[prefix + "shared_expert.up_proj.weight"] = w_up[shared].contiguous()
        # sigmoid(0) = 0.5 exactly: doubling the down projection keeps the shared neurons' output as is
        state[prefix + "shared_expert.down_proj.weight"] = (w_down[:, shared] * 2).contiguous()
        state[prefix + "shared_expert_gate.weight"] = torch.zeros(1, dense.config.hidden_size)
        report.setdefault("experts", []).append(experts)
        report.setdefault("shared", []).append(shared.tolist())
    for name, tensor in dense.state_dict().items():
        if ".mlp." not in name and name != "lm_head.weight":
            state[name] = tensor.contiguous()
    compared = [r for r in report["layers"] if len(r["oracle_error"]) > 1]
    # One block per expert leaves no other grouping of blocks to compare with.
    report["mean_oracle_error_compared_layers"] = {
        "layers": [r["layer"] for r in compared],
        **{m: float(np.mean([r["oracle_error"][m] for r in compared])) for m in compared[0]["oracle_error"]}} if compared else None
    report["mean_oracle_error"] = float(np.mean([r["oracle_error"]["coactivation"] for r in report["layers"]]))
    report["mean_router_error"] = {t: float(np.mean([r["router_error"][t] for r in report["layers"]])) for t in report["layers"][0]["router_error"]}
    report["mean_router_recall"] = float(np.mean([r["router_recall"] for r in report["layers"]]))
    out.mkdir(parents=True, exist_ok=True)
    config = moe_config(dense, shared_size, num_experts, expert_size, top_k)
    config.save_pretrained(out)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    tokenizer.save_pretrained(out)
    (out / "build_report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k.startswith("mean")}, indent=1))


def moe_config(dense: LlamaForCausalLM, shared_size: int, num_experts: int, expert_size: int, top_k: int) -> Qwen2MoeConfig:
    d = dense.config
    return Qwen2MoeConfig(
        vocab_size=d.vocab_size, hidden_size=d.hidden_size, num_hidden_layers=d.num_hidden_layers,
        num_attention_heads=d.num_attention_heads, num_key_value_heads=d.num_key_value_heads,
        intermediate_size=d.intermediate_size, moe_intermediate_size=expert_size,
        shared_expert_intermediate_size=shared_size, num_experts=num_experts, num_experts_per_tok=top_k,
        norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[],
        max_position_embeddings=d.max_position_embeddings, rope_parameters=dict(d.rope_parameters),
        rms_norm_eps=d.rms_norm_eps, tie_word_embeddings=True, use_sliding_window=False, qkv_bias=False,
        output_router_logits=False, router_aux_loss_coef=0.0, hidden_act="silu",
        bos_token_id=d.bos_token_id, eos_token_id=d.eos_token_id, pad_token_id=d.pad_token_id,
        architectures=["Qwen2MoeForCausalLM"],
    )


def set_temperature(model: Qwen2MoeForCausalLM, temperature: float) -> None:
    for layer in model.model.layers:
        layer.mlp.gate.weight.data *= temperature


# ---------------------------------------------------------------- round

def q4_1_round(w: torch.Tensor) -> torch.Tensor:
    """4-bit blocks of 32 along the last axis in the form the browser's kernel computes exactly.

    llama.cpp's Q4_1 stores w = d*q + m (fp16 d, m). MatMulNBits computes (q - zp)*scale, so a block
    is written with zp = -m/d; stored as fp16 that zp is off by up to 2^-11 relative, which moved the
    last-token hidden state (cosine 0.9985) and flipped 3.6% of top-8 expert sets. So the block's
    offset is itself rounded: w = (q - zp16)*d, with zp16 = fp16(-m/d). In fp32 that product is exact
    (q - zp16 and d both fit 12 bits), so the 4-bit file and this checkpoint hold the same numbers.
    On the GGUF's own Q4_1 blocks q and d are the GGUF's, and each weight moves by at most 2^-12 of
    the block minimum. A constant block (d = 0) stays as it is (the exporter writes it as 1 * m).
    """
    v = w.reshape(*w.shape[:-1], -1, Q4_BLOCK).float()
    lo = v.min(dim=-1, keepdim=True).values
    d = ((v.max(dim=-1, keepdim=True).values - lo) / 15).half().float()
    safe = torch.where(d > 0, d, 1)
    q = torch.where(d > 0, torch.round((v - lo) / safe), 0).clamp(0, 15)
    zp = (-lo / safe).half().float()
    return torch.where(d > 0, (q - zp) * d, lo).reshape(w.shape)


def is_block_weight(name: str) -> bool:
    """The weights the 4-bit file holds as MatMulNBits blocks (not routers, gates, norms, embedding)."""
    return (".self_attn." in name and name.endswith("_proj.weight")) or name.endswith("experts.gate_up_proj") or \
        name.endswith("experts.down_proj") or (".shared_expert." in name and name.endswith("_proj.weight"))


def q4_0_round(w: torch.Tensor) -> torch.Tensor:
    """llama.cpp's Q4_0 (blocks of 32: w = d*(q - 8), fp16 d, the largest |w| at q = 0), dequantised to fp32."""
    v = w.reshape(*w.shape[:-1], -1, Q4_BLOCK).float()
    extreme = v.gather(-1, v.abs().argmax(dim=-1, keepdim=True))
    d = (extreme / -8).half().float()
    q = torch.where(d != 0, torch.round(v / torch.where(d != 0, d, 1)) + 8, 8).clamp(0, 15)
    return (d * (q - 8)).reshape(w.shape)


def round_weights(moe_dir: Path, out: Path, embedding: str) -> None:
    """Give every weight of the MoE a 4-bit block form, so that the browser's 4-bit file holds it exactly.

    The construction keeps the GGUF's Q4_1 blocks for attention and the experts' gate/up rows, but the
    down projections' blocks run along the neurons, which the co-activation grouping regrouped: they
    are rounded to fresh Q4_1 blocks here. The Q8_0 token embedding (tied to the LM head) is rounded
    to Q4_0 (it halves the largest tensor; Q4_0 because the 4-bit embedding kernel has no float zero
    point). ppl measures what this rounding costs next to the construction itself.
    """
    from safetensors.torch import load_file
    state = load_file(str(moe_dir / "model.safetensors"))
    changed, worst = {}, {}
    for name, tensor in state.items():
        if is_block_weight(name):
            rounded = q4_1_round(tensor)
        elif name == "model.embed_tokens.weight" and embedding == "q4_0":
            rounded = q4_0_round(tensor)
        else:
            continue
        changed[name] = float(((rounded - tensor).norm() / tensor.norm()))
        worst[name] = float((rounded - tensor).abs().max())
        state[name] = rounded.contiguous()
    out.mkdir(parents=True, exist_ok=True)
    for f in moe_dir.iterdir():
        if f.name not in ("model.safetensors", "ppl_report.json"):
            shutil.copy(f, out / f.name)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    regrouped = [n for n in changed if "down_proj" in n]
    kept = [n for n in changed if "down_proj" not in n and n != "model.embed_tokens.weight"]
    summary = {"embedding": embedding, "rounded_tensors": len(changed),
               "down_projections_relative_change": float(np.mean([changed[n] for n in regrouped])),
               "gguf_blocks_relative_change": float(np.mean([changed[n] for n in kept])),
               "gguf_blocks_max_abs_change": max(worst[n] for n in kept),
               "embedding_relative_change": changed.get("model.embed_tokens.weight")}
    (out / "round_report.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary))


# ---------------------------------------------------------------- ppl

@torch.no_grad()
def perplexity_and_last_hs(model: torch.nn.Module, data: torch.Tensor) -> tuple[float, torch.Tensor]:
    """Next-token perplexity over the windows, and each window's final-norm hidden state at its last token."""
    total, count, last = 0.0, 0, []
    for i in range(0, len(data), 8):
        batch = data[i:i + 8]
        hidden = model.model(input_ids=batch, use_cache=False).last_hidden_state
        logits = model.lm_head(hidden[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1), reduction="sum")
        total += float(loss)
        count += batch[:, 1:].numel()
        last.append(hidden[:, -1])
    return math.exp(total / count), torch.cat(last)


def ppl(moe_dir: Path, tokens: int, temperatures: list[float]) -> None:
    dense, tokenizer = load_dense()
    # held-out text the router statistics never saw (another seed than collect's)
    data = windows("heldout", tokens, tokenizer, SEED + 7)
    result: dict = {"tokens": int(data[:, 1:].numel()), "windows": len(data)}
    t0 = time.time()
    result["dense_ppl"], dense_hs = perplexity_and_last_hs(dense, data)
    print(json.dumps(result), f"{time.time() - t0:.0f} s", flush=True)
    moe = Qwen2MoeForCausalLM.from_pretrained(moe_dir, experts_implementation="eager").eval()
    applied = 1.0
    for temp in temperatures:
        set_temperature(moe, temp / applied)
        applied = temp
        p, moe_hs = perplexity_and_last_hs(moe, data)
        cos = torch.nn.functional.cosine_similarity(moe_hs, dense_hs, dim=1)
        result[f"moe_ppl@{temp}"] = p
        result[f"hs_cosine@{temp}"] = {"mean": float(cos.mean()), "min": float(cos.min())}
        print(json.dumps(result), f"{time.time() - t0:.0f} s", flush=True)
    (moe_dir / "ppl_report.json").write_text(json.dumps(result, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="stage", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--train-tokens", type=int, default=49152)
    c.add_argument("--eval-tokens", type=int, default=8192)
    b = sub.add_parser("build")
    b.add_argument("--shared", type=int, default=1024)
    b.add_argument("--experts", type=int, default=16)
    b.add_argument("--top-k", type=int, default=8)
    b.add_argument("--ridge", type=float, default=1e-3)
    b.add_argument("--temperatures", type=float, nargs="+", default=[0.05, 0.25, 1.0])
    # Measured (build_report.json): 0.05 and 0.25 reconstruct the FFN equally well (0.2109 vs 0.2116), 1.0 is
    # worse (0.2214); 0.25 keeps more contrast in the softmax RW.
    b.add_argument("--temperature", type=float, default=0.25)
    b.add_argument("--train-limit", type=int, default=24576)
    b.add_argument("--granularity", choices=("neuron", "block"), default="neuron",
                   help="group single neurons, or the GGUF's Q4_1 blocks of 32 (keeps the 4-bit weights exact)")
    b.add_argument("--out", type=Path, default=WORK / "moe")
    r = sub.add_parser("round")
    r.add_argument("--moe", type=Path, default=WORK / "moe")
    r.add_argument("--out", type=Path, default=WORK / "moe_q4")
    r.add_argument("--embedding", choices=("q8_0", "q4_0"), default="q8_0",
                   help="keep the GGUF's Q8_0 embedding, or round it to Q4_0 (measured: ppl_report.json)")
    p = sub.add_parser("ppl")
    p.add_argument("--moe", type=Path, default=WORK / "moe")
    p.add_argument("--tokens", type=int, default=16384)
    p.add_argument("--temperatures", type=float, nargs="+", default=[1.0],
                   help="router scales to measure, relative to the saved model's router (1.0: as built)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.stage == "collect":
        collect(args.train_tokens, args.eval_tokens)
    elif args.stage == "build":
        build(args.shared, args.experts, args.top_k, args.temperatures, args.temperature, args.ridge, args.out, args.train_limit, args.granularity)
    elif args.stage == "round":
        round_weights(args.moe, args.out, args.embedding)
    else:
        ppl(args.moe, args.tokens, args.temperatures)


if __name__ == "__main__":
    main()
