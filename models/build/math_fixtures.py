"""Reference numbers for core/ from numpy and scipy (never hand-computed): tests/fixtures/math.json."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import stats

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "math.json"


def main() -> None:
    rng = np.random.default_rng(20261124)
    hs = rng.normal(size=(7, 5))
    rw = rng.normal(size=(7, 4)) * 3 + 1
    normed = hs / np.linalg.norm(hs, axis=1, keepdims=True)
    cos = normed @ normed.T
    z = lambda m: (m - m.mean(0)) / (m.std(0) + 1e-8)  # the reference code's standardisation (ddof=0)
    concat = np.concatenate([z(hs), z(rw)], axis=1)
    cn = concat / np.linalg.norm(concat, axis=1, keepdims=True)
    x = rng.integers(0, 5, size=40).astype(float)  # with ties
    y = x + rng.normal(size=40)
    gold = rng.uniform(0, 5, size=40)
    hs_sim = rng.uniform(-1, 1, size=40)
    rw_sim = 0.5 * gold / 5 + rng.uniform(-0.5, 0.5, size=40)
    fixture = {
        "hs": hs.tolist(), "rw": rw.tolist(),
        "cosine_hs": cos.tolist(),
        "zscore_hs": z(hs).tolist(), "mean_hs": hs.mean(0).tolist(), "std_hs": hs.std(0).tolist(),
        "concat_cosine": (cn @ cn.T).tolist(),
        "x": x.tolist(), "y": y.tolist(),
        "rank_x": stats.rankdata(x).tolist(),
        "spearman_xy": float(stats.spearmanr(x, y).statistic),
        "pearson_xy": float(stats.pearsonr(x, y).statistic),
        "gold": gold.tolist(), "hs_sim": hs_sim.tolist(), "rw_sim": rw_sim.tolist(),
        "grid_spearman": {f"{a:.1f}": float(stats.spearmanr(hs_sim + a * rw_sim, gold).statistic)
                          for a in np.arange(1, 11) / 10},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
