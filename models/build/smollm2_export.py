"""Export moee-smollm2 to the HF layout the app serves: config, tokenizer, goldens and a 4-bit ONNX.

Writes into models/moee-smollm2/:
  config.json, generation_config.json, tokenizer.json, tokenizer_config.json (HF layout)
  onnx/model_q4.onnx   the checkpoint's own 4-bit blocks, recovered exactly (gguf_exact.py): every
                       projection as 4-bit MatMulNBits (blocks of 32, fp16 scales and float zero
                       points), the token embedding as the GGUF's 8-bit Q8_0 GatherBlockQuantized,
                       whose bytes the tied LM head shares
  build/quantize_report.json  how many matrices were exact, how many re-quantised
and, under work/smollm2/onnx/ (not committed, 540 MB): model.onnx, the fp32 graph the 4-bit file is
quantised from and that verify_onnx.py checks to 1e-4.

The static experts loop of export.py (registered in HF's ExpertsInterface) keeps every expert in the
graph whatever the example batch routes to; check_complete() counts them.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import onnx
import torch
from transformers import AutoTokenizer, GenerationConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import OPSET, check_complete, load_reference, logits_only, position_ids_for  # noqa: E402
from smollm2_dense import WORK  # noqa: E402
import compact_onnx  # noqa: E402
import gguf_exact  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "moee-smollm2"


def quantize_q4(fp32: Path, out: Path, keep_fp32: list[str], fallback_bits: int) -> gguf_exact.Report:
    model = onnx.load(str(fp32))
    report = gguf_exact.quantize(model, set(keep_fp32), fallback_bits)
    compact_onnx.compact(model)  # 7.3 MB of names and repeated Constants down to 2.1 MB; same arithmetic
    onnx.save(model, str(out))
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", type=Path, default=WORK / "moe_q4", help="the rounded MoE (smollm2_moefy.py round)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quantize-only", action="store_true", help="reuse work/smollm2/onnx/model.onnx")
    parser.add_argument("--fallback-bits", type=int, default=8, choices=(4, 8),
                        help="bits for the weights that are not 4-bit blocks (none after smollm2_moefy.py round)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = load_reference(args.checkpoint)
    cfg = model.config
    tokenizer = AutoTokenizer.from_pretrained(args.checkpoint)

    args.out.mkdir(parents=True, exist_ok=True)
    config = json.loads((args.checkpoint / "config.json").read_text())
    for key in ("_experts_implementation", "_attn_implementation"):
        config.pop(key, None)
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    shutil.copy(args.checkpoint / "tokenizer.json", args.out / "tokenizer.json")
    tok_config = json.loads((args.checkpoint / "tokenizer_config.json").read_text())
    # HF 5 writes its generic backend's name; SmolLM2's own tokenizer_config says GPT2Tokenizer, which
    # Transformers.js knows (the tokenizer itself is tokenizer.json either way).
    tok_config.update(tokenizer_class="GPT2Tokenizer", model_max_length=cfg.max_position_embeddings)
    for key in ("is_local", "local_files_only", "backend"):
        tok_config.pop(key, None)
    (args.out / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n")
    GenerationConfig(bos_token_id=cfg.bos_token_id, eos_token_id=cfg.eos_token_id, pad_token_id=cfg.pad_token_id,
                     max_new_tokens=16, do_sample=False).save_pretrained(args.out)

    # A small left-padded example of corpus-like text; the static loop makes its routing irrelevant.
    texts = ["The river rose after three days of rain, and the bridge was closed.",
             "A compiler translates source code into machine instructions."]
    tokenizer.padding_side = "left"
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    mask = enc["attention_mask"]
    batch = (enc["input_ids"], mask, position_ids_for(mask))

    model.config._experts_implementation = "static_loop"
    work_onnx = WORK / "onnx"
    work_onnx.mkdir(parents=True, exist_ok=True)
    fp32 = work_onnx / "model.onnx"
    if not args.quantize_only:
        trace(model, batch, fp32)
    check_complete(fp32, cfg.num_hidden_layers, cfg.num_experts)
    graph = onnx.load(str(fp32), load_external_data=False).graph
    keep = [n.name for n in graph.node if re.fullmatch(r"/model/layers\.\d+/mlp/(gate|shared_expert_gate)/MatMul", n.name)]
    (args.out / "onnx").mkdir(exist_ok=True)
    report = quantize_q4(fp32, args.out / "onnx" / "model_q4.onnx", keep, args.fallback_bits)
    summary = {"exact_q4_1": report.exact_q4_1, "exact_q8_0": report.exact_q8_0, "exact_q4_0": report.exact_q4_0, "tied_head": report.tied_head,
               "requantised": len(report.requantised), "fallback_bits": args.fallback_bits,
               "max_abs_error_exact": max(v for k, v in report.max_abs_error.items() if k not in report.requantised),
               "max_abs_error_requantised": max((report.max_abs_error[k] for k in report.requantised), default=0.0)}
    (args.out / "build" / "quantize_report.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))
    for f in sorted([fp32, *(args.out / "onnx").iterdir()]):
        print(f"{f}: {f.stat().st_size / 1e6:.2f} MB")


def trace(model: torch.nn.Module, batch: tuple[torch.Tensor, ...], fp32: Path) -> None:
    axes = {"batch_size": 0, "sequence_length": 1}
    torch.onnx.export(
        logits_only(model), batch, str(fp32),
        input_names=["input_ids", "attention_mask", "position_ids"], output_names=["logits"],
        dynamic_axes={name: {v: k for k, v in axes.items()} for name in ("input_ids", "attention_mask", "position_ids", "logits")},
        opset_version=OPSET, do_constant_folding=True, dynamo=False,
    )


if __name__ == "__main__":
    main()
