"""Reference numbers for core/neighbours.ts and core/routing.ts, computed by numpy and scipy:
tests/fixtures/views.json.

Neighbours: cosines with numpy; MoEE concat standardises query and corpus per dimension with the
given statistics, (x - mean) / (std + 1e-8), then takes the cosine of the concatenation; MoEE sum is
cos HS + alpha * cos RW; rankings are numpy's stable argsort of -score (ties to the lower index).
Routing: Jensen-Shannon divergence is scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2;
top-k experts per (token, layer) by stable argsort of -p; the per-expert token entropy is
scipy.stats.entropy(counts of each token string, base=2).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "views.json"


def cos_rows(q: np.ndarray, m: np.ndarray) -> np.ndarray:
    return (m @ q) / (np.linalg.norm(m, axis=1) * np.linalg.norm(q))


def ranking(scores: np.ndarray) -> np.ndarray:
    return np.argsort(-scores, kind="stable")


def neighbours_case(rng: np.random.Generator, n: int, d: int, layers: int, experts: int, k: int, alpha: float, ties: bool) -> dict:
    latent = rng.normal(size=(n, 4))
    hs = latent @ rng.normal(size=(4, d)) + 0.5 * rng.normal(size=(n, d)) + 2.0
    logits = latent @ rng.normal(size=(4, layers * experts)) + rng.normal(size=(n, layers * experts))
    rw = np.exp(logits.reshape(n, layers, experts))
    rw = (rw / rw.sum(axis=2, keepdims=True)).reshape(n, layers * experts)
    if ties:
        # Duplicate rows: equal scores whose order only the tie rule decides.
        hs[5] = hs[2]
        rw[5] = rw[2]
        hs[9] = hs[2]
        rw[9] = rw[2]
    q_hs = hs[0] + 0.3 * rng.normal(size=d)
    q_rw = rw[1] * 0.7 + rw[3] * 0.3
    stats = {"hs_mean": hs.mean(0), "hs_std": hs.std(0), "rw_mean": rw.mean(0), "rw_std": rw.std(0)}
    z = lambda x, m, s: (x - m) / (s + 1e-8)
    zc = np.concatenate([z(hs, stats["hs_mean"], stats["hs_std"]), z(rw, stats["rw_mean"], stats["rw_std"])], axis=1)
    zq = np.concatenate([z(q_hs, stats["hs_mean"], stats["hs_std"]), z(q_rw, stats["rw_mean"], stats["rw_std"])])
    scores = {"hs": cos_rows(q_hs, hs), "rw": cos_rows(q_rw, rw), "concat": cos_rows(zq, zc)}
    scores["sum"] = scores["hs"] + alpha * scores["rw"]
    orders = {rep: ranking(s) for rep, s in scores.items()}
    ranks = {rep: (np.argsort(o, kind="stable") + 1).tolist() for rep, o in orders.items()}
    tops = {rep: o[:k].tolist() for rep, o in orders.items()}
    overlap = {a: {b: len(set(tops[a]) & set(tops[b])) for b in tops} for a in tops}
    return {
        "hs": hs.ravel().tolist(), "rw": rw.ravel().tolist(), "rows": n, "hs_cols": d, "rw_cols": layers * experts,
        "query_hs": q_hs.tolist(), "query_rw": q_rw.tolist(), "alpha": alpha, "k": k,
        "stats": {key: v.tolist() for key, v in stats.items()},
        "scores": {rep: s.tolist() for rep, s in scores.items()},
        "top": tops, "ranks": ranks, "overlap": overlap,
    }


def jsd_case(rng: np.random.Generator, layers: int, experts: int, zeros: bool) -> dict:
    a = rng.dirichlet(np.full(experts, 0.5), size=layers)
    b = rng.dirichlet(np.full(experts, 0.5), size=layers)
    if zeros:
        a[0, :3] = 0
        b[1, 2:5] = 0
        b[2] = a[2]
    # Unnormalised on purpose: scipy normalises, and so must we.
    a = a * 3.0
    # Identical rows give a hair below 0 inside scipy's sqrt (NaN): their divergence is 0.
    jsd = [float(np.nan_to_num(jensenshannon(a[l], b[l], base=2)) ** 2) for l in range(layers)]
    hs_a = rng.normal(size=32)
    hs_b = hs_a + 0.4 * rng.normal(size=32)
    return {"a": a.ravel().tolist(), "b": b.ravel().tolist(), "layers": layers, "experts": experts, "jsd": jsd,
            "hs_a": hs_a.tolist(), "hs_b": hs_b.tolist(), "hs_cosine_distance": float(1 - hs_a @ hs_b / np.linalg.norm(hs_a) / np.linalg.norm(hs_b))}


def experts_case(rng: np.random.Generator, texts: int, layers: int, experts: int, k: int, vocab: list[str]) -> dict:
    routings = []
    counts = np.zeros((layers, experts))
    token_counts = [[Counter() for _ in range(experts)] for _ in range(layers)]
    total_tokens = 0
    # Experts 0 of layer 0 and 5 of layer 1 never win: their logits are pushed far down.
    for _ in range(texts):
        t = int(rng.integers(3, 12))
        toks = [vocab[i] for i in rng.integers(0, len(vocab), size=t)]
        logits = rng.normal(size=(t, layers, experts)) * 2
        logits[:, 0, 0] -= 50
        logits[:, 1, 5 % experts] -= 50
        p = np.exp(logits)
        p /= p.sum(axis=2, keepdims=True)
        routings.append({"tokens": toks, "probs": p.ravel().tolist(), "dims": [t, layers, experts]})
        total_tokens += t
        for ti in range(t):
            for l in range(layers):
                for e in np.argsort(-p[ti, l], kind="stable")[:k]:
                    counts[l, e] += 1
                    token_counts[l][e][toks[ti]] += 1
    token_entropy = [[float(entropy(list(token_counts[l][e].values()), base=2)) if counts[l, e] > 0 else 0.0 for e in range(experts)] for l in range(layers)]
    load_entropy = [float(entropy(counts[l], base=2)) for l in range(layers)]
    # Detail of one busy expert.
    layer, expert = 2, 3
    per_token: dict[str, list[int]] = {}
    first: dict[str, int] = {}
    texts_rows = []
    seen = 0
    routed = 0
    for ti, r in enumerate(routings):
        t = r["dims"][0]
        p = np.array(r["probs"]).reshape(t, layers, experts)
        c = 0
        for pos in range(t):
            tok = r["tokens"][pos]
            first.setdefault(tok, seen)
            seen += 1
            entry = per_token.setdefault(tok, [0, 0])
            entry[1] += 1
            if expert in np.argsort(-p[pos, layer], kind="stable")[:k]:
                entry[0] += 1
                c += 1
        routed += c
        if c > 0:
            texts_rows.append({"text": ti, "count": c, "fraction": c / t})
    top_tokens = sorted([tok for tok in per_token if per_token[tok][0] > 0], key=lambda tok: (-per_token[tok][0], first[tok]))
    texts_rows.sort(key=lambda r: (-r["fraction"], -r["count"], r["text"]))
    return {
        "routings": routings, "k": k, "layers": layers, "experts": experts,
        "counts": counts.ravel().tolist(), "share": (counts / (total_tokens * k)).ravel().tolist(),
        "token_entropy": sum(token_entropy, []), "load_entropy": load_entropy,
        "dormant": (counts == 0).ravel().tolist(), "token_count": total_tokens,
        "detail": {"layer": layer, "expert": expert, "routings": routed,
                   "tokens": [{"token": tok, "count": per_token[tok][0], "share": per_token[tok][0] / routed, "of_token": per_token[tok][0] / per_token[tok][1]} for tok in top_tokens],
                   "texts": texts_rows},
    }


def main() -> None:
    rng = np.random.default_rng(1313)
    vocab = ["the", " cat", " sat", " on", " mat", ".", " dog", " ran", "\"", " a", " fast", " car"]
    out = {
        "neighbours": [neighbours_case(rng, 40, 24, 3, 8, 5, 1.0, False), neighbours_case(rng, 300, 16, 4, 16, 10, 0.4, True)],
        "jsd": [jsd_case(rng, 4, 16, False), jsd_case(rng, 3, 8, True)],
        "experts": [experts_case(rng, 25, 4, 8, 2, vocab)],
    }
    OUT.write_text(json.dumps(out) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
