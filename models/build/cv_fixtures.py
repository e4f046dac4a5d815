"""Reference numbers for core/alpha-cv.ts and core/contingency.ts, computed by numpy, scipy and
scikit-learn: tests/fixtures/alpha-cv.json.

Cross-validated α: for each fold, α is the grid value (0.1 … 1.0) maximising scipy's Spearman of
cos HS + α·cos RW on the other folds (first maximum wins, i.e. ties go to the smaller α; sums in
float32 as core/moee.ts stores them); the held-out pairs get that α; the out-of-fold sums of all
pairs are ranked against gold (scikit-learn's cross_val_predict). The folds are given explicitly,
so the reference does not depend on our seeded generator.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "alpha-cv.json"
GRID = [round((i + 1) * 10) / 100 for i in range(10)]


def cv_case(rng: np.random.Generator, n: int, folds: int, gold_levels: int | None) -> dict:
    latent = rng.normal(size=n)
    hs = np.tanh(0.6 * latent + rng.normal(scale=0.8, size=n))
    rw = np.tanh(0.5 * latent + rng.normal(scale=0.9, size=n))
    gold = latent if gold_levels is None else np.round(np.clip(latent * 1.2 + 2.5, 0, 5) * (gold_levels / 5)) / (gold_levels / 5)
    fold = rng.permutation(np.arange(n) % folds)
    predictions = np.zeros(n)
    chosen = []
    for f in range(folds):
        train = fold != f
        scores = [stats.spearmanr((hs[train] + a * rw[train]).astype(np.float32), gold[train]).statistic for a in GRID]
        best = int(np.argmax(scores))
        chosen.append({"alpha": GRID[best], "train_score": float(scores[best]), "size": int((~train).sum())})
        predictions[~train] = hs[~train] + GRID[best] * rw[~train]
    in_sample = [stats.spearmanr((hs + a * rw).astype(np.float32), gold).statistic for a in GRID]
    return {
        "hs": hs.tolist(), "rw": rw.tolist(), "gold": gold.tolist(), "fold": fold.tolist(),
        "score": float(stats.spearmanr(predictions, gold).statistic),
        "folds": chosen,
        "in_sample_best": float(max(in_sample)),
    }


def contingency_case(rng: np.random.Generator, n: int, ka: int, kb: int) -> dict:
    a = rng.integers(0, ka, size=n)
    # b agrees with a shuffled copy of a's ids most of the time.
    relabel = rng.permutation(max(ka, kb))[:ka] % kb
    b = np.where(rng.random(n) < 0.6, relabel[a], rng.integers(0, kb, size=n))
    c = contingency_matrix(a, b)
    rows, cols = linear_sum_assignment(-c)
    return {"a": a.tolist(), "b": b.tolist(), "table": c.tolist(), "row_labels": np.unique(a).tolist(), "col_labels": np.unique(b).tolist(), "matched": int(c[rows, cols].sum())}


def main() -> None:
    rng = np.random.default_rng(17)
    out = {
        "grid": GRID,
        "cv": [cv_case(rng, 30, 5, None), cv_case(rng, 203, 5, 5), cv_case(rng, 57, 3, 2)],
        "contingency": [contingency_case(rng, 60, 3, 3), contingency_case(rng, 90, 4, 6), contingency_case(rng, 45, 5, 3)],
    }
    OUT.write_text(json.dumps(out) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
