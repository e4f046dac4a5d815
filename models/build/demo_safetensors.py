"""Rebuild models/moee-demo/model.safetensors, bit for bit, from onnx/model.onnx.

The fp32 PyTorch weights (what HF transformers' Qwen2MoeForCausalLM loads: bench/hf_reference.py,
goldens.py and the other references) are not committed: onnx/model.onnx already holds the same fp32
tensors, and a second copy would cost 23.8 MB of the models/ budget. This script reads them back.

The mapping, fixed by export.py (torch.onnx's TorchScript exporter on the HF module tree):
- embeddings, norms and attention biases keep their HF names as ONNX initializers;
- every nn.Linear weight W is folded to W^T, the second input of the MatMul node named after its
  module (/model/layers.0/self_attn/q_proj/MatMul -> model.layers.0.self_attn.q_proj.weight);
- the routed experts are one fused gate_up_proj and one down_proj per layer in the HF model,
  unrolled by export.py's static expert loop into MatMul nodes /model/layers.{i}/mlp/experts/MatMul_{k}
  (k = 2e: gate_up_proj[e]^T, gate rows first; k = 2e + 1: down_proj[e]^T); the file keeps HF's
  checkpoint layout of separate experts.{e}.gate_proj / up_proj / down_proj weights;
- the LM head is tied to the embedding (config.json), so neither file stores it separately.

`--check FILE` compares the rebuild with FILE, tensor by tensor and byte for byte, and exits
non-zero on any difference.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors import safe_open
from safetensors.numpy import save_file

DEMO = Path(__file__).resolve().parents[1] / "moee-demo"
WEIGHTS = DEMO / "model.safetensors"
LINEAR = re.compile(r"/(model/layers\.\d+/(?:self_attn|mlp)/\w+(?:/\w+)?)/MatMul")
EXPERTS = re.compile(r"/model/layers\.(\d+)/mlp/experts/MatMul(?:_(\d+))?")


def state_dict(model_dir: Path = DEMO) -> dict[str, np.ndarray]:
    """The HF checkpoint's tensors, by name, read from model_dir/onnx/model.onnx."""
    cfg = json.loads((model_dir / "config.json").read_text())
    if not cfg["tie_word_embeddings"]:
        raise RuntimeError("the ONNX file holds no separate lm_head weight to rebuild an untied one from")
    graph = onnx.load(str(model_dir / "onnx" / "model.onnx")).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {name: array for name, array in inits.items() if not name.startswith("onnx::")}
    ffn = cfg["moe_intermediate_size"]
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        weight = inits[node.input[1]].T
        if experts := EXPERTS.fullmatch(node.name):
            layer, k = int(experts[1]), int(experts[2] or 0)
            prefix = f"model.layers.{layer}.mlp.experts.{k // 2}."
            if k % 2:
                state[prefix + "down_proj.weight"] = weight
            else:
                state[prefix + "gate_proj.weight"], state[prefix + "up_proj.weight"] = weight[:ffn], weight[ffn:]
        elif linear := LINEAR.fullmatch(node.name):
            state[linear[1].replace("/", ".") + ".weight"] = weight
        else:
            raise RuntimeError(f"MatMul {node.name} with a weight that maps to no checkpoint tensor")
    per_layer = 14 + 3 * cfg["num_experts"]
    expected = 2 + cfg["num_hidden_layers"] * per_layer
    if len(state) != expected:
        raise RuntimeError(f"{len(state)} tensors rebuilt, config.json implies {expected}")
    return {name: np.ascontiguousarray(array) for name, array in state.items()}


def write(path: Path = WEIGHTS, model_dir: Path = DEMO) -> Path:
    """Write the checkpoint as save_pretrained does (safetensors, metadata format=pt)."""
    save_file(state_dict(model_dir), str(path), metadata={"format": "pt"})
    return path


def ensure(model_dir: Path) -> None:
    """Rebuild the demo's weights when model_dir is the demo folder and they are missing."""
    if model_dir.resolve() == DEMO and not WEIGHTS.exists():
        print(f"rebuilding {WEIGHTS} from onnx/model.onnx (models/build/demo_safetensors.py)", file=sys.stderr)
        write()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def differences(ours: Path, theirs: Path) -> list[str]:
    """Every key, dtype, shape, value and metadata difference between two safetensors files."""
    found = []
    with safe_open(str(ours), "np") as a, safe_open(str(theirs), "np") as b:
        if a.metadata() != b.metadata():
            found.append(f"metadata {a.metadata()} != {b.metadata()}")
        keys_a, keys_b = set(a.keys()), set(b.keys())
        found += [f"missing from the rebuild: {k}" for k in sorted(keys_b - keys_a)]
        found += [f"not in {theirs}: {k}" for k in sorted(keys_a - keys_b)]
        for key in sorted(keys_a & keys_b):
            x, y = a.get_tensor(key), b.get_tensor(key)
            if x.dtype != y.dtype or x.shape != y.shape:
                found.append(f"{key}: {x.dtype}{list(x.shape)} != {y.dtype}{list(y.shape)}")
            elif x.tobytes() != y.tobytes():
                found.append(f"{key}: {int((x.view(np.uint8) != y.view(np.uint8)).sum())} bytes differ")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEMO, help="model folder (config.json, onnx/model.onnx)")
    parser.add_argument("--out", type=Path, help="where to write (default: MODEL/model.safetensors)")
    parser.add_argument("--check", type=Path, metavar="FILE", help="compare a rebuild with FILE instead of writing")
    args = parser.parse_args()
    if args.check is None:
        out = write(args.out or args.model / "model.safetensors", args.model)
        print(f"wrote {out} (sha256 {sha256(out)})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        ours = write(Path(tmp) / "model.safetensors", args.model)
        found = differences(ours, args.check)
        same_bytes = ours.read_bytes() == args.check.read_bytes()
        print(f"rebuild sha256 {sha256(ours)}, {args.check} sha256 {sha256(args.check)}: "
              f"{'byte-identical' if same_bytes else 'files differ'}; "
              f"{'every tensor identical' if not found else f'{len(found)} tensor or metadata difference(s)'}")
    for line in found:
        print("  " + line)
    if found or not same_bytes:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
