"""Export moee-smollm2 to the HF layout the app serves: config, tokenizer, goldens and a 4-bit ONNX.

Writes into models/moee-smollm2/:
  config.json, generation_config.json, tokenizer.json, tokenizer_config.json (HF layout)
  onnx/model_q4.onnx   every MatMul but the routers and the shared-expert gate as 4-bit
                       MatMulNBits (blocks of 64, asymmetric), the token embedding as 4-bit
                       GatherBlockQuantized; the LM head gets its own 4-bit copy of the tied
                       embedding (a Transpose of a quantised Gather table is not a MatMul weight)
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
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
from transformers import AutoTokenizer, GenerationConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import OPSET, check_complete, load_reference, logits_only, position_ids_for  # noqa: E402
from smollm2_dense import WORK  # noqa: E402

HERE = Path(__file__).resolve().parent
BLOCK_SIZE = 64
OUT = HERE.parent / "moee-smollm2"


def quantize_q4(fp32: Path, out: Path, keep_fp32: list[str]) -> None:
    model = onnx.load(str(fp32))
    # Blocks of 64: with fp32 scales and 4-bit zero points, blocks of 32 cost 5.25 bits a weight (112.7 MB,
    # over the 100 MB budget); blocks of 64 cost 4.6 bits.
    config = DefaultWeightOnlyQuantConfig(block_size=BLOCK_SIZE, is_symmetric=False, bits=4,
                                          op_types_to_quantize=("MatMul", "Gather"),
                                          quant_axes=(("MatMul", 0), ("Gather", 1)))
    quantizer = MatMulNBitsQuantizer(model, nodes_to_exclude=keep_fp32, algo_config=config)
    quantizer.process()
    quantizer.model.save_model_to_file(str(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", type=Path, default=WORK / "moe")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quantize-only", action="store_true", help="reuse work/smollm2/onnx/model.onnx")
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
    quantize_q4(fp32, args.out / "onnx" / "model_q4.onnx", keep)
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
