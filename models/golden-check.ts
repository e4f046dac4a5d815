/**
 * Compare an engine result with a golden case: the same figures in Node tests, the Chromium e2e
 * and the model card. Pure TypeScript, no DOM.
 */
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
