"""Export the trained demo model to the Hugging Face layout that HF transformers and Transformers.js load.

Writes config.json, generation_config.json and model.safetensors (fp32; not committed, as
demo_safetensors.py rebuilds it bit for bit from onnx/model.onnx) beside the tokenizer, then
onnx/model.onnx (fp32, torch.onnx's TorchScript exporter, which keeps module-scoped node names such
as /model/layers.0/mlp/gate/MatMul) and onnx/model_quantized.onnx (int8 weights, see
quantize_int8; the routers left in fp32 as real exporters do). Router and hidden-state outputs are NOT added here: the
engine taps them at load time by naming convention, as it does for models from the Hub.

HF's eager experts forward loops over the experts that the batch routes to (`expert_hit`), and
tracing unrolls that loop into a Split of fixed size: the graph then fails on any batch that reaches
fewer experts than the example did, and drops an expert the example never reached. The export runs
`static_loop_experts_forward` instead: the same per-expert computation in the same order, over all
experts with a loop bound that does not depend on the data (an expert with no tokens multiplies an
empty tensor). It is registered in HF's own ExpertsInterface, and the goldens from the eager
implementation check that nothing changed. The example still reaches every expert, belt and braces.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
from tokenizers import Tokenizer
from transformers import GenerationConfig, Qwen2MoeForCausalLM
from transformers.integrations.moe import ALL_EXPERTS_FUNCTIONS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from config import EOS_ID  # noqa: E402
from demo_safetensors import ensure  # noqa: E402

HERE = Path(__file__).resolve().parent
OPSET = 18


def static_loop_experts_forward(
    self: torch.nn.Module, hidden_states: torch.Tensor, top_k_index: torch.Tensor, top_k_weights: torch.Tensor
) -> torch.Tensor:
    """Qwen2MoeExperts.forward with a static loop over all experts (export-friendly, same numbers)."""
    final = torch.zeros_like(hidden_states)
    routed = top_k_index.transpose(0, 1)  # (top_k, tokens), the order HF's eager loop visits them in
    for expert in range(self.num_experts):
        top_k_pos, token_idx = torch.where(routed == expert)
        gate, up = torch.nn.functional.linear(hidden_states[token_idx], self.gate_up_proj[expert]).chunk(2, dim=-1)
        out = torch.nn.functional.linear(self.act_fn(gate) * up, self.down_proj[expert])
        out = out * top_k_weights[token_idx, top_k_pos, None]
        final.index_add_(0, token_idx, out.to(final.dtype))
    return final


ALL_EXPERTS_FUNCTIONS.register("static_loop", static_loop_experts_forward)


def logits_only(model: Qwen2MoeForCausalLM) -> Qwen2MoeForCausalLM:
    """The model itself, its forward narrowed to (input_ids, attention_mask, position_ids) -> logits.

    Patching the instance rather than wrapping it keeps the exporter's scope names those of the HF
    module tree (/model/layers.0/..., /lm_head/...), which is what the engine's conventions expect.
    """
    full_forward = model.forward

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor) -> torch.Tensor:
        return full_forward(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                            use_cache=False).logits

    model.forward = forward
    return model


def position_ids_for(mask: torch.Tensor) -> torch.Tensor:
    """Positions that skip padding (as HF generate and Transformers.js compute them)."""
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


def load_reference(checkpoint: Path) -> Qwen2MoeForCausalLM:
    ensure(checkpoint)  # the demo folder does not commit its safetensors
    model = Qwen2MoeForCausalLM.from_pretrained(checkpoint, attn_implementation="eager", experts_implementation="eager")
    return model.eval()


def example_batch(model: Qwen2MoeForCausalLM, tokenizer: Tokenizer, texts: list[str], seq: int,
                  max_texts: int = 64) -> dict[str, torch.Tensor]:
    """A left-padded batch of held-out text, grown until every expert of every layer is reached.

    With the static expert loop the graph holds every expert whatever the example routes to; the
    coverage is belt and braces, so after `max_texts` texts the export goes on and says what was missed.
    """
    cfg = model.config
    rows: list[list[int]] = []
    hit: set[tuple[int, int]] = set()
    for text in texts:
        ids = tokenizer.encode(text).ids[:seq]
        if len(ids) < 8:
            continue
        rows.append(ids)
        hit |= experts_hit(model, pad_left([ids]))
        if len(hit) == cfg.num_experts * cfg.num_hidden_layers or len(rows) >= max_texts:
            break
    missed = cfg.num_experts * cfg.num_hidden_layers - len(hit)
    print(f"export example: {len(rows)} texts reach {len(hit)} (layer, expert) pairs; {missed} unreached", flush=True)
    return pad_left(rows)


def pad_left(rows: list[list[int]]) -> dict[str, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), EOS_ID, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r):] = torch.tensor(r)
        mask[i, width - len(r):] = 1
    return {"input_ids": ids, "attention_mask": mask, "position_ids": position_ids_for(mask)}


@torch.no_grad()
def experts_hit(model: Qwen2MoeForCausalLM, batch: dict[str, torch.Tensor]) -> set[tuple[int, int]]:
    """(layer, expert) pairs that some real token of the batch is routed to."""
    out = model(**batch, output_router_logits=True, use_cache=False)
    k = model.config.num_experts_per_tok
    real = batch["attention_mask"].reshape(-1).bool()
    return {(layer, int(e)) for layer, logits in enumerate(out.router_logits)
            for e in torch.topk(logits[real], k, dim=-1).indices.unique()}


def check_complete(path: Path, layers: int, experts: int) -> None:
    graph = onnx.load(str(path), load_external_data=False).graph
    names = [n.name for n in graph.node]
    for layer in range(layers):
        if f"/model/layers.{layer}/mlp/gate/MatMul" not in names:
            raise RuntimeError(f"router MatMul of layer {layer} not found")
        # one down-projection MatMul per expert the trace unrolled
        down = [n for n in graph.node if n.name.startswith(f"/model/layers.{layer}/mlp/experts/") and n.op_type == "MatMul"]
        if len(down) < 2 * experts:
            raise RuntimeError(f"layer {layer}: only {len(down)} expert MatMuls, expected {2 * experts}")


def share_tied_embedding(path: Path) -> None:
    """Point the LM head at the (tied) embedding through a Transpose instead of a folded, duplicated copy.

    Constant folding turns lm_head's x @ E^T into a second 5 MB initializer; a Transpose node keeps
    one copy of the tied weight, as the PyTorch model has, for the repo's size budget.
    """
    model = onnx.load(str(path))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    head = next(n for n in graph.node if n.name == "/lm_head/MatMul")
    embed_name = next(n.input[0] for n in graph.node if n.name == "/model/embed_tokens/Gather")
    folded = inits.get(head.input[1])
    if folded is None:
        return
    embed = numpy_helper.to_array(inits[embed_name])
    if not np.array_equal(numpy_helper.to_array(folded), embed.T):
        raise RuntimeError("lm_head weight is not the transposed embedding: not tied?")
    transposed = f"{embed_name}_transposed"
    graph.node.insert(0, onnx.helper.make_node("Transpose", [embed_name], [transposed], name="/lm_head/Transpose", perm=[1, 0]))
    head.input[1] = transposed
    graph.initializer.remove(folded)
    onnx.save(model, str(path))


def quantize_int8(fp32: Path, out: Path, routers: list[str]) -> None:
    """int8 weights, fp32 activations: MatMulNBits with 8 bits, blocks of 32, routers left in fp32.

    Dynamic int8 (quantize_dynamic, activations quantised per tensor at run time) was measured on
    this model at HS cosine 0.9958 and 96.9% equal top-2 expert sets against the HF goldens, short of
    the 0.999 / 99% bar; weight-only int8 keeps the activations exact and clears it (model card).
    """
    model = onnx.load(str(fp32))
    config = DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, bits=8)
    quantizer = MatMulNBitsQuantizer(model, nodes_to_exclude=routers, algo_config=config)
    quantizer.process()
    quantizer.model.save_model_to_file(str(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", type=Path, default=HERE / "work" / "checkpoint")
    parser.add_argument("--out", type=Path, default=HERE.parent / "moee-demo")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)

    model = load_reference(args.checkpoint)
    config = model.config
    tokenizer = Tokenizer.from_file(str(args.out / "tokenizer.json"))

    # HF layout: config, generation config, fp32 weights (what the HF reference and the paper's code load).
    model.save_pretrained(args.out)
    GenerationConfig(bos_token_id=EOS_ID, eos_token_id=EOS_ID, pad_token_id=EOS_ID, max_new_tokens=16,
                     do_sample=False).save_pretrained(args.out)
    cfg = json.loads((args.out / "config.json").read_text())
    cfg.pop("_experts_implementation", None)
    cfg.pop("_attn_implementation", None)
    (args.out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")

    heldout = (HERE / "work" / "corpus" / "heldout.txt").read_text(encoding="utf-8").splitlines()
    batch = example_batch(model, tokenizer, heldout, seq=64)

    model.config._experts_implementation = "static_loop"
    onnx_dir = args.out / "onnx"
    onnx_dir.mkdir(exist_ok=True)
    fp32 = onnx_dir / "model.onnx"
    torch.onnx.export(
        logits_only(model), (batch["input_ids"], batch["attention_mask"], batch["position_ids"]), str(fp32),
        input_names=["input_ids", "attention_mask", "position_ids"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "position_ids": {0: "batch_size", 1: "sequence_length"},
                      "logits": {0: "batch_size", 1: "sequence_length"}},
        opset_version=OPSET, do_constant_folding=True, dynamo=False,
    )
    check_complete(fp32, config.num_hidden_layers, config.num_experts)

    graph = onnx.load(str(fp32)).graph
    routers = [n.name for n in graph.node if re.fullmatch(r"/model/layers\.\d+/mlp/gate/MatMul", n.name)]
    share_tied_embedding(fp32)
    quantize_int8(fp32, onnx_dir / "model_quantized.onnx", routers)
    for f in sorted(onnx_dir.iterdir()):
        print(f"{f.name}: {f.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
