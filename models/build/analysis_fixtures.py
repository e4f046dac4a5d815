"""Reference numbers for the analysis math in core/ (clustering agreement, k-means, PCA, spectral
summaries, bootstrap, template correlation, error analysis), computed by numpy, scipy and
scikit-learn, never by hand: tests/fixtures/analysis.json.

The matrix nuclear norm and matrix entropy follow the public code of Li et al. (arXiv 2410.10672,
MLGroupJLU/MatrixNuclearNorm): centre columns, L2-normalise rows; L1,2 = sum of the top min(N, d)
column norms; entropy of eig(ZᵀZ/N / trace) divided by log d.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_mutual_info_score, mutual_info_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix, pair_confusion_matrix

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "analysis.json"


def agreement(a: np.ndarray, b: np.ndarray) -> dict:
    pcm = pair_confusion_matrix(a, b)
    c = contingency_matrix(a, b)
    rows, cols = linear_sum_assignment(-c)
    return {
        "a": a.tolist(), "b": b.tolist(),
        "mi": float(mutual_info_score(a, b)),
        "nmi": float(normalized_mutual_info_score(a, b)),
        "ami": float(adjusted_mutual_info_score(a, b)),
        "jaccard": float(pcm[1, 1] / (pcm[1, 1] + pcm[0, 1] + pcm[1, 0])),
        "exact_match": float(c[rows, cols].sum() / len(a)),
    }


def normalize(r: np.ndarray) -> np.ndarray:
    r = r - r.mean(axis=0)
    return r / np.linalg.norm(r, axis=1, keepdims=True)


def spectral(x: np.ndarray) -> dict:
    z = normalize(x)
    norms = np.sort(np.sqrt((z ** 2).sum(axis=0)))[::-1]
    l12 = float(norms[: min(z.shape)].sum())
    a = z.T @ z / z.shape[0]
    eig = np.linalg.svd(a / np.trace(a), compute_uv=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = float(-np.nansum(eig * np.log(eig)) / np.log(a.shape[0]))
    return {"x": x.tolist(), "l12": l12, "per_row": l12 / x.shape[0], "exact": float(np.linalg.norm(z, "nuc")), "entropy": entropy,
            "frobenius": float(np.linalg.norm(z, "fro")), "singular_values": np.linalg.svd(z, compute_uv=False).tolist()}


def pca_case(x: np.ndarray, k: int) -> dict:
    p = PCA(n_components=k, svd_solver="full").fit(x)
    return {"x": x.tolist(), "k": k, "components": p.components_.tolist(), "projection": p.transform(x).tolist(),
            "explained_variance": p.explained_variance_.tolist(), "explained_variance_ratio": p.explained_variance_ratio_.tolist()}


def main() -> None:
    rng = np.random.default_rng(20261125)
    fixture: dict = {}

    s = rng.normal(size=(7, 7))
    sym = s + s.T
    values, vectors = np.linalg.eigh(sym)
    order = np.argsort(values)[::-1]
    fixture["eigen"] = {"a": sym.tolist(), "values": values[order].tolist(), "vectors": vectors[:, order].T.tolist()}

    blobs, truth = make_blobs(n_samples=80, centers=4, n_features=5, cluster_std=0.4, center_box=(-10, 10), random_state=7)
    km = KMeans(n_clusters=4, n_init=10, random_state=0).fit(blobs)
    fixture["kmeans"] = {"x": blobs.tolist(), "k": 4, "labels": km.labels_.tolist(), "inertia": float(km.inertia_),
                         "centers": km.cluster_centers_.tolist(), "truth": truth.tolist()}

    a = rng.integers(0, 4, size=60)
    b = np.where(rng.uniform(size=60) < 0.6, a, rng.integers(0, 5, size=60))
    c = rng.integers(0, 8, size=300)
    d = np.where(rng.uniform(size=300) < 0.3, c, rng.integers(0, 8, size=300))
    fixture["agreement"] = [agreement(a, b), agreement(c, d), agreement(rng.integers(0, 3, size=25), rng.integers(0, 6, size=25))]

    wide = rng.normal(size=(6, 20))
    tall = rng.normal(size=(40, 8)) * np.array([5, 3, 2, 1, 0.5, 0.5, 0.2, 0.1])
    fixture["pca"] = [pca_case(tall, 3), pca_case(wide, 2)]

    fixture["spectral"] = [spectral(rng.normal(size=(40, 10)) + rng.normal(size=10)), spectral(rng.normal(size=(5, 12)))]

    n = 50
    x = rng.normal(size=n)
    y = 0.5 * x + rng.normal(size=n)
    indices = rng.integers(0, n, size=(200, n))
    samples = np.array([stats.spearmanr(x[i], y[i]).statistic for i in indices])
    values_p = rng.normal(size=17)
    fixture["bootstrap"] = {"x": x.tolist(), "y": y.tolist(), "indices": indices.tolist(),
                            "estimate": float(stats.spearmanr(x, y).statistic),
                            "low": float(np.percentile(samples, 2.5)), "high": float(np.percentile(samples, 97.5)),
                            "values": values_p.tolist(), "percentiles": {str(q): float(np.percentile(values_p, q)) for q in (0, 2.5, 10, 50, 97.5, 100)}}

    gold = rng.integers(0, 6, size=45).astype(float)  # STS-like scores with ties
    hs = [gold / 5 + rng.normal(scale=0.3 + 0.2 * t, size=45) for t in range(4)]
    rw = [gold / 5 + 0.5 * hs[0] + rng.normal(scale=0.4, size=45) for t in range(4)]
    corr = lambda p, q: [[float(stats.spearmanr(u, v).statistic) for v in q] for u in p]
    fixture["templates"] = {"hs": [h.tolist() for h in hs], "rw": [r.tolist() for r in rw], "hs_hs": corr(hs, hs), "rw_rw": corr(rw, rw), "hs_rw": corr(hs, rw)}

    pr = lambda v: (stats.rankdata(v) - 1) / (len(v) - 1)
    hs_err = np.abs(pr(hs[1]) - pr(gold))
    rw_err = np.abs(pr(rw[1]) - pr(gold))
    threshold = 0.25
    hf, rf = hs_err > threshold, rw_err > threshold
    fixture["errors"] = {"hs": hs[1].tolist(), "rw": rw[1].tolist(), "gold": gold.tolist(), "threshold": threshold,
                         "hs_error": hs_err.tolist(), "rw_error": rw_err.tolist(),
                         "hs_only": np.flatnonzero(hf & ~rf).tolist(), "rw_only": np.flatnonzero(rf & ~hf).tolist(),
                         "both": np.flatnonzero(hf & rf).tolist(), "neither": int((~hf & ~rf).sum())}

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
