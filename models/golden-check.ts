/**
 * Compare an engine result with a golden case: the same figures in Node tests, the Chromium e2e
 * and the model card. Pure TypeScript, no DOM.
 */
import { cosineDistance } from '../core/routing.ts';
import type { GoldenCase } from './goldens.ts';

/** What the comparison needs from an engine result (a subset of workers' EmbedResult). */
export interface EngineOutputs {
  prompts: string[];
  hs: { data: Float32Array; dims: number[] };
  rwLogits: { data: Float32Array; dims: number[] };
  nextTokenIds: Int32Array;
  tokenRouting: { probs: Float32Array; dims: [number, number, number] }[] | null;
}

export interface GoldenReport {
  promptsEqual: boolean;
  maxAbsRouterLogitError: number;
  maxAbsHiddenStateError: number;
  minHiddenStateCosine: number;
  /** Share of (token, layer) whose top-k expert set equals the golden one. */
  topkSetAgreement: number;
  /**
   * The same share, counting a differing set as agreeing when every golden expert we dropped lies
   * within `tieLogitMargin` of our k-th expert: a near-tie that a rounding difference can flip.
   */
  topkSetAgreementOutsideTies: number;
  tokensXLayers: number;
  /** Share of texts whose top-1 next token equals the golden one. */
  top1NextAgreement: number;
}

/**
 * `tieLogitMargin` is in logit units (log-probability differences equal logit differences); use
 * twice the router-logit error the backend is allowed, since each of the two experts may be off by it.
 */
export function compareWithGolden(golden: GoldenCase, out: EngineOutputs, topK: number, tieLogitMargin = 0): GoldenReport {
  const n = golden.prompts.length;
  const hidden = out.hs.dims[1];
  const routerWidth = out.rwLogits.dims[1] * out.rwLogits.dims[2];
  let maxRouter = 0;
  let maxHs = 0;
  let minCos = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < routerWidth; j++) {
      maxRouter = Math.max(maxRouter, Math.abs(out.rwLogits.data[i * routerWidth + j] - golden.routerLogitsLast[i * routerWidth + j]));
    }
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let d = 0; d < hidden; d++) {
      const a = out.hs.data[i * hidden + d];
      const b = golden.hiddenStateLast[i * hidden + d];
      maxHs = Math.max(maxHs, Math.abs(a - b));
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    minCos = Math.min(minCos, dot / Math.sqrt(a2 * b2));
  }
  let agree = 0;
  let agreeOutsideTies = 0;
  let total = 0;
  if (out.tokenRouting) {
    for (let i = 0; i < n; i++) {
      const { probs, dims } = out.tokenRouting[i];
      const [tokens, layers, experts] = dims;
      const realPositions: number[] = [];
      for (let s = 0; s < golden.seq; s++) if (golden.attentionMask[i * golden.seq + s]) realPositions.push(s);
      for (let t = 0; t < tokens; t++) {
        for (let l = 0; l < layers; l++) {
          const row = probs.subarray((t * layers + l) * experts, (t * layers + l + 1) * experts);
          const ours = topIndices(row, topK);
          const base = ((i * golden.seq + realPositions[t]) * layers + l) * topK;
          const theirs = Array.from(golden.topkExperts.subarray(base, base + topK)).sort((a, b) => a - b);
          total++;
          if (ours.every((e, k) => e === theirs[k])) {
            agree++;
            agreeOutsideTies++;
          } else {
            const kth = Math.min(...ours.map((e) => row[e]));
            const dropped = theirs.filter((e) => !ours.includes(e));
            if (dropped.every((e) => Math.log(kth) - Math.log(row[e]) <= tieLogitMargin)) agreeOutsideTies++;
          }
        }
      }
    }
  }
  let top1 = 0;
  for (let i = 0; i < n; i++) if (out.nextTokenIds[i * 5] === golden.top5NextIds[i * 5]) top1++;
  return {
    promptsEqual: out.prompts.every((p, i) => p === golden.prompts[i]),
    maxAbsRouterLogitError: maxRouter,
    maxAbsHiddenStateError: maxHs,
    minHiddenStateCosine: minCos,
    topkSetAgreement: total ? agree / total : Number.NaN,
    topkSetAgreementOutsideTies: total ? agreeOutsideTies / total : Number.NaN,
    tokensXLayers: total,
    top1NextAgreement: top1 / n,
  };
}

/** Indices of the k largest values, ascending by index. */
function topIndices(values: Float32Array, k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b] - values[a])
    .slice(0, k)
    .sort((a, b) => a - b);
}

/** How far one run of the engine is from another on the same texts and options (e.g. WebGPU vs WASM). */
export interface CrossCheckReport {
  texts: number;
  minHiddenStateCosine: number;
  maxAbsRouterLogitError: number;
  /** Share of (token, layer) whose top-k expert set is the same in both runs. */
  topkSetAgreement: number;
  tokensXLayers: number;
  /** Share of texts whose top-1 next token is the same. */
  top1NextAgreement: number;
}

/** Compare `candidate` with `reference`: both must come from the same texts and options, with token routing. */
export function compareRuns(reference: EngineOutputs, candidate: EngineOutputs, topK: number): CrossCheckReport {
  const n = reference.hs.dims[0];
  if (candidate.hs.dims[0] !== n || candidate.prompts.some((p, i) => p !== reference.prompts[i])) throw new Error('the two runs are not of the same prompts');
  const hidden = reference.hs.dims[1];
  let minCos = 1;
  for (let i = 0; i < n; i++) {
    minCos = Math.min(minCos, 1 - cosineDistance(reference.hs.data.subarray(i * hidden, (i + 1) * hidden), candidate.hs.data.subarray(i * hidden, (i + 1) * hidden)));
  }
  let maxRouter = 0;
  for (let j = 0; j < reference.rwLogits.data.length; j++) maxRouter = Math.max(maxRouter, Math.abs(reference.rwLogits.data[j] - candidate.rwLogits.data[j]));
  let agree = 0;
  let total = 0;
  for (let i = 0; i < n && reference.tokenRouting && candidate.tokenRouting; i++) {
    const a = reference.tokenRouting[i];
    const b = candidate.tokenRouting[i];
    const [tokens, layers, experts] = a.dims;
    for (let row = 0; row < tokens * layers; row++) {
      const ours = topIndices(a.probs.subarray(row * experts, (row + 1) * experts), topK);
      const theirs = topIndices(b.probs.subarray(row * experts, (row + 1) * experts), topK);
      total++;
      if (ours.every((e, k) => e === theirs[k])) agree++;
    }
  }
  let top1 = 0;
  for (let i = 0; i < n; i++) if (reference.nextTokenIds[i * 5] === candidate.nextTokenIds[i * 5]) top1++;
  return {
    texts: n,
    minHiddenStateCosine: minCos,
    maxAbsRouterLogitError: maxRouter,
    topkSetAgreement: total ? agree / total : Number.NaN,
    tokensXLayers: total,
    top1NextAgreement: top1 / n,
  };
}

/**
 * What a device self-check demands of a run against the WASM reference. Loose on purpose: the same
 * quantised weights run through different kernels, so small differences are expected (SwiftShader
 * WebGPU measured ≥ 0.9999 HS cosine on both embedded models); what it must catch is the silently
 * wrong output of a broken kernel, such as the cosine ≈ 0.05 of Transformers.js issue #1728.
 */
export const SELF_CHECK_THRESHOLDS = { minHiddenStateCosine: 0.99, topkSetAgreement: 0.9 } as const;

/** The figures of a cross-check that fall short of `thresholds`, in words (empty: it passed). */
export function crossCheckFailures(report: CrossCheckReport, thresholds: { minHiddenStateCosine: number; topkSetAgreement: number } = SELF_CHECK_THRESHOLDS): string[] {
  const failures: string[] = [];
  if (!(report.minHiddenStateCosine >= thresholds.minHiddenStateCosine)) {
    failures.push(`hidden-state cosine ${report.minHiddenStateCosine.toFixed(4)} (needs ≥ ${thresholds.minHiddenStateCosine})`);
  }
  if (!(report.topkSetAgreement >= thresholds.topkSetAgreement)) {
    failures.push(`top-k expert sets equal on ${(100 * report.topkSetAgreement).toFixed(1)}% of ${report.tokensXLayers} token-layers (needs ≥ ${100 * thresholds.topkSetAgreement}%)`);
  }
  return failures;
}
