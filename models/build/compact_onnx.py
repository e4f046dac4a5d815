"""Shrink an exported graph's bookkeeping without touching what it computes.

A torch.onnx export of moee-smollm2 holds 40,675 nodes, mostly the static expert loops of 30
layers, and their long scoped value names ("/model/layers.12/mlp/experts/Gather_3_output_0") and
one Constant node per use of every axis, shape and expert id cost 7.3 MB beside 97.7 MB of weights.
Three edits, each leaving every op, input order and weight as it was (the logits stay bit-identical,
checked by `python compact_onnx.py IN OUT --check`):

- identical Constant nodes (11,380 in moee-smollm2, 38 distinct) become one each, placed first;
- intermediate value names become short ids; graph inputs, outputs and initializers keep theirs;
- node names become short ids, except what the engine reads by name (models/conventions.ts and
  models/graph-edits.ts): the `/model/layers.{i}/mlp/` and `.../mlp/experts/` scopes are kept as
  prefixes, `mlp/gate/MatMul` (the router) and `mlp/Add` (routed + shared sum) whole, and
  `/model/norm/...` (the final norm) untouched.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import onnx

MLP_SCOPE = re.compile(r"^(/model/layers\.\d+/mlp/(?:experts/)?)(.*)$")
NAMES_READ_WHOLE = {"Add", "gate/MatMul"}
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = DIGITS[r] + out
        if n == 0:
            return out


def constant_key(node: onnx.NodeProto) -> bytes:
    parts = []
    for attribute in node.attribute:
        copy = onnx.AttributeProto()
        copy.CopyFrom(attribute)
        if copy.HasField("t"):
            copy.t.name = ""
        parts.append(copy.SerializeToString())
    return b"|".join(parts)


def compact(model: onnx.ModelProto) -> dict[str, int]:
    graph = model.graph
    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in graph.node for a in n.attribute):
        raise ValueError("graphs with subgraphs (If/Loop/Scan) are not handled")
    kept = {v.name for v in graph.input} | {v.name for v in graph.output} | {t.name for t in graph.initializer}

    first: dict[bytes, str] = {}
    alias: dict[str, str] = {}
    constants, rest = [], []
    for node in graph.node:
        if node.op_type == "Constant" and len(node.output) == 1 and node.output[0] not in kept:
            key = constant_key(node)
            if key in first:
                alias[node.output[0]] = first[key]
                continue
            first[key] = node.output[0]
            constants.append(node)
        else:
            rest.append(node)
    nodes = constants + rest

    short: dict[str, str] = {}

    def rename(value: str) -> str:
        value = alias.get(value, value)
        if value == "" or value in kept:
            return value
        if value not in short:
            short[value] = "v" + base36(len(short))
        return short[value]

    for i, node in enumerate(nodes):
        node.input[:] = [rename(v) for v in node.input]
        node.output[:] = [rename(v) for v in node.output]
        node.doc_string = ""
        if node.name.startswith("/model/norm/"):
            continue
        scope = MLP_SCOPE.match(node.name)
        if scope and scope.group(2) in NAMES_READ_WHOLE:
            continue
        node.name = (scope.group(1) if scope else "") + "n" + base36(i)
    for info in graph.value_info:
        info.name = rename(info.name)
    del graph.node[:]
    graph.node.extend(nodes)
    return {"constants_kept": len(constants), "constants_merged": len(alias), "values_renamed": len(short)}


def logits_equal(a: Path, b: Path) -> bool:
    """Both files on onnxruntime (CPU) for one padded batch of random ids: bit-identical logits?"""
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    sessions = [ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"]) for p in (a, b)]
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 1000, size=(3, 17)).astype(np.int64)
    mask = np.ones_like(ids)
    mask[1, :5] = 0
    feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": np.maximum(np.cumsum(mask, 1) - 1, 0)}
    names = {i.name for i in sessions[0].get_inputs()}
    x, y = (s.run(None, {k: v for k, v in feeds.items() if k in names})[0] for s in sessions)
    return bool(np.array_equal(x, y))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--check", action="store_true", help="run both files and require identical logits")
    args = parser.parse_args()
    model = onnx.load(str(args.source))
    report = compact(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(args.out))
    print(report, args.source.stat().st_size, "->", args.out.stat().st_size, "bytes")
    if args.check and not logits_equal(args.source, args.out):
        sys.exit("logits differ")


if __name__ == "__main__":
    main()
