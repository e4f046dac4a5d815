"""Weight-only quantisation of moee-smollm2's fp32 ONNX that gives back the GGUF's own blocks.

The dense weights come from a Q4_1 GGUF (token embedding Q8_0), so every fp32 weight the exporter
wrote is d·q + m (Q4_1) or d·q (Q8_0) of fp16 block parameters, blocks of 32 along the input axis.
Re-quantising those values with fresh 4-bit blocks (what onnxruntime's MatMulNBitsQuantizer does)
adds a second rounding on top of the first: measured on this model, the last-token hidden state
then fell to cosine 0.917 against HF and top-k expert sets agreed on 25% of (token, layer) pairs.
Instead the checkpoint itself is given 4-bit block form first (smollm2_moefy.py round: the GGUF's
Q4_1 blocks with their offset rounded to an fp16 zero point, the regrouped down projections as
fresh blocks), and here each block's (q, d, zp) is recovered exactly from the fp32 values and
written as a MatMulNBits with float zero points: the 4-bit file holds the same numbers as the fp32
checkpoint. A block that is not in that form is re-quantised to `fallback_bits` and counted in the
report (none for moee-smollm2).

Scales and zero points are stored fp16 (as in the GGUF) and cast to fp32 by a Cast node, which
onnxruntime folds at session creation; the embedding table is stored once, as Q8_0, and the tied
LM head reads the same bytes through a Reshape.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BLOCK = 32
MS = "com.microsoft"


@dataclass
class Blocks:
    """A weight [N, K] as blocks along K: codes [N, K/32, 32] (unsigned), fp16 scales and zero points."""
    codes: np.ndarray
    scales: np.ndarray
    zero_points: np.ndarray | None  # fp16 zero points, uint8 ones (8-bit), or None (the default 2^(bits-1))
    bits: int


@dataclass
class Report:
    exact_q4_1: int = 0
    exact_q8_0: int = 0
    exact_q4_0: int = 0
    requantised: list[str] = field(default_factory=list)
    tied_head: bool = False
    max_abs_error: dict[str, float] = field(default_factory=dict)


def recover_q4_1(w: np.ndarray) -> Blocks | None:
    """Exact 4-bit blocks of w [N, K] (blocks of 32 along K) in the form w = (q − zp)·d with fp16 d
    and zp, which smollm2_moefy.py's round stage gives every block weight; None if any block is not."""
    n, k = w.shape
    if k % BLOCK:
        return None
    v = w.reshape(n, k // BLOCK, BLOCK)
    lo = v.min(axis=2)
    d = ((v.max(axis=2) - lo) / 15).astype(np.float16)
    d32 = d.astype(np.float32)
    flat = d32 == 0
    safe = np.where(flat, 1, d32)
    zp = np.where(flat, 0, -lo / safe).astype(np.float16)
    q = np.where(flat[..., None], 1, np.clip(np.rint(v / safe[..., None] + zp.astype(np.float32)[..., None]), 0, 15))
    # a constant block is written as (1 − 0)·value
    scale = np.where(flat, lo.astype(np.float16), d)
    if not np.array_equal(scale.astype(np.float32), np.where(flat, lo, d32)):
        return None
    if not ((q - zp.astype(np.float32)[..., None]) * scale.astype(np.float32)[..., None] == v).all():
        return None
    return Blocks(q.astype(np.uint8), scale.reshape(-1), zp.reshape(-1), 4)


def recover_q8_0(w: np.ndarray) -> Blocks | None:
    """Exact Q8_0 blocks of w [N, K]: w = d·q, q in [−127, 127]; codes stored as q + 128."""
    n, k = w.shape
    if k % BLOCK:
        return None
    v = w.reshape(n, k // BLOCK, BLOCK)
    d = (np.abs(v).max(axis=2) / 127).astype(np.float16)
    d32 = d.astype(np.float32)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(d32 > 0, np.rint(v / d32), 0)
    if np.abs(q).max() > 127 or not ((d32 * q) == v).all():
        return None
    return Blocks((q + 128).astype(np.uint8), d.reshape(-1), None, 8)


def recover_q4_0(w: np.ndarray) -> Blocks | None:
    """Exact Q4_0 blocks of w [N, K]: w = d·(q − 8), q in [0, 15], the largest |w| at q = 0."""
    n, k = w.shape
    if k % BLOCK:
        return None
    v = w.reshape(n, k // BLOCK, BLOCK)
    extreme = np.take_along_axis(v, np.abs(v).argmax(axis=2)[..., None], axis=2)[..., 0]
    d = (extreme / -8).astype(np.float16)
    d32 = d.astype(np.float32)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(d32 != 0, np.rint(v / d32) + 8, 8)
    if q.min() < 0 or q.max() > 15 or not ((d32 * (q - 8)) == v).all():
        return None
    return Blocks(q.astype(np.uint8), d.reshape(-1), None, 4)


def requantise(w: np.ndarray, bits: int) -> Blocks:
    """Asymmetric blocks of 32 along K with an fp16 scale (fresh rounding). Zero points: fp16 at
    4 bits; uint8 at 8 bits (onnxruntime's CPU kernel has no float zero points for 8-bit weights)."""
    n, k = w.shape
    v = w.reshape(n, k // BLOCK, BLOCK)
    lo, hi = np.minimum(v.min(axis=2), 0), np.maximum(v.max(axis=2), 0)
    levels = 2 ** bits - 1
    scale = ((hi - lo) / levels).astype(np.float16)
    scale = np.where(scale == 0, np.float16(2 ** -24), scale)
    s32 = scale.astype(np.float32)
    zp = np.rint(-lo / s32).clip(0, levels).astype(np.uint8) if bits == 8 else (-lo / s32).astype(np.float16)
    q = np.clip(np.rint(v / s32[..., None] + zp.astype(np.float32)[..., None]), 0, levels)
    return Blocks(q.astype(np.uint8), scale.reshape(-1), zp.reshape(-1), bits)


def dequantise(b: Blocks) -> np.ndarray:
    """What onnxruntime's kernels compute: (q − zp)·scale in fp32."""
    n, nb, _ = b.codes.shape
    s = b.scales.astype(np.float32).reshape(n, nb, 1)
    zp = (b.zero_points.astype(np.float32).reshape(n, nb, 1) if b.zero_points is not None else np.float32(2 ** (b.bits - 1)))
    return ((b.codes.astype(np.float32) - zp) * s).reshape(n, -1)


def packed(b: Blocks) -> np.ndarray:
    """MatMulNBits' B layout [N, K/32, blob]: 4-bit codes two a byte, low nibble first."""
    if b.bits == 8:
        return b.codes
    return (b.codes[..., 0::2] | (b.codes[..., 1::2] << 4)).astype(np.uint8)


def quantize(model: onnx.ModelProto, keep_fp32: set[str], fallback_bits: int = 8) -> Report:
    """Rewrite every MatMul with an initializer weight (but `keep_fp32`) and the token embedding, in place."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    report = Report()
    new_nodes: list[onnx.NodeProto] = []
    new_inits: list[onnx.TensorProto] = []
    dead_inits: set[str] = set()
    embedding: tuple[str, np.ndarray, Blocks] | None = None

    def fp32_params(prefix: str, b: Blocks) -> tuple[str, str | None]:
        """fp16 initializers of scales (and zero points) and the Casts that make them fp32."""
        names = []
        for kind, values in (("scales", b.scales), ("zero_points", b.zero_points)):
            if values is None:
                names.append(None)
                continue
            if values.dtype == np.uint8:  # 8-bit zero points: the kernel reads the bytes as they are
                new_inits.append(numpy_helper.from_array(values, f"{prefix}_{kind}"))
                names.append(f"{prefix}_{kind}")
                continue
            new_inits.append(numpy_helper.from_array(values, f"{prefix}_{kind}_f16"))
            new_nodes.append(helper.make_node("Cast", [f"{prefix}_{kind}_f16"], [f"{prefix}_{kind}"], to=TensorProto.FLOAT,
                                              name=f"{prefix}_{kind}_Cast"))
            names.append(f"{prefix}_{kind}")
        return names[0], names[1]

    # The token embedding first: the tied head reuses its bytes.
    for node in graph.node:
        if node.op_type == "Gather" and node.input[0] in inits and len(numpy_helper.to_array(inits[node.input[0]]).shape) == 2:
            table = numpy_helper.to_array(inits[node.input[0]])
            if table.shape[0] < 1000:
                continue
            blocks = recover_q8_0(table) or recover_q4_0(table)
            if blocks is None:
                raise SystemExit(f"{node.input[0]}: neither Q8_0 nor Q4_0 blocks; run smollm2_moefy.py round first")
            prefix = node.input[0]
            # one byte a code at 8 bits, two codes a byte at 4 (the layout MatMulNBits reads too)
            new_inits.append(numpy_helper.from_array(packed(blocks).reshape(table.shape[0], -1), f"{prefix}_q"))
            scales, _ = fp32_params(prefix, blocks)
            gather_scales = f"{prefix}_scales_2d"
            new_inits.append(numpy_helper.from_array(np.array([table.shape[0], table.shape[1] // BLOCK], np.int64), f"{prefix}_scales_shape"))
            new_nodes.append(helper.make_node("Reshape", [scales, f"{prefix}_scales_shape"], [gather_scales], name=f"{prefix}_scales_Reshape"))
            dead_inits.add(node.input[0])
            node.op_type, node.domain = "GatherBlockQuantized", MS
            indices = node.input[1]
            del node.input[:]
            node.input.extend([f"{prefix}_q", indices, gather_scales])
            del node.attribute[:]
            node.attribute.extend([helper.make_attribute("bits", blocks.bits), helper.make_attribute("block_size", BLOCK),
                                   helper.make_attribute("gather_axis", 0), helper.make_attribute("quantize_axis", 1)])
            embedding = (prefix, table, blocks)
            if blocks.bits == 8:
                report.exact_q8_0 += 1
            else:
                report.exact_q4_0 += 1
            report.max_abs_error[prefix] = float(np.abs(dequantise(blocks) - table).max())
            break

    for node in graph.node:
        if node.op_type != "MatMul" or node.name in keep_fp32 or node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]])  # [K, N]
        if w.ndim != 2:
            continue
        k, n = w.shape
        prefix = node.input[1]
        if embedding is not None and w.shape == embedding[1].T.shape and np.array_equal(w.T, embedding[1]):
            # The tied head: the embedding's Q8_0 bytes as MatMulNBits' [N, K/32, 32] through a Reshape.
            emb_prefix, table, blocks = embedding
            new_inits.append(numpy_helper.from_array(np.array([n, k // BLOCK, BLOCK * blocks.bits // 8], np.int64), f"{prefix}_b_shape"))
            new_nodes.append(helper.make_node("Reshape", [f"{emb_prefix}_q", f"{prefix}_b_shape"], [f"{prefix}_b"], name=f"{prefix}_b_Reshape"))
            b_name, scales, zps, bits = f"{prefix}_b", f"{emb_prefix}_scales", None, blocks.bits
            report.tied_head = True
        else:
            wt = np.ascontiguousarray(w.T)
            blocks = recover_q4_1(wt)
            if blocks is not None:
                report.exact_q4_1 += 1
            else:
                blocks = requantise(wt, fallback_bits)
                report.requantised.append(prefix)
            report.max_abs_error[prefix] = float(np.abs(dequantise(blocks) - wt).max())
            new_inits.append(numpy_helper.from_array(packed(blocks), f"{prefix}_q{blocks.bits}"))
            scales, zps = fp32_params(prefix, blocks)
            b_name, bits = f"{prefix}_q{blocks.bits}", blocks.bits
        dead_inits.add(node.input[1])
        a = node.input[0]
        node.op_type, node.domain = "MatMulNBits", MS
        del node.input[:]
        node.input.extend([a, b_name, scales] + ([zps] if zps else []))
        node.attribute.extend([helper.make_attribute("K", k), helper.make_attribute("N", n),
                               helper.make_attribute("bits", bits), helper.make_attribute("block_size", BLOCK)])

    kept = [t for t in graph.initializer if t.name not in dead_inits]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    # Casts and Reshapes of initializers first, so the graph stays topologically sorted.
    rest = list(graph.node)
    del graph.node[:]
    graph.node.extend(new_nodes + rest)
    if not any(o.domain == MS for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS, 1))
    return report
