/**
 * Routing as distributions: how far two texts' (or two templates') router distributions are apart
 * per layer, and what each expert is given over a corpus (load, dormancy, how many kinds of token).
 */

/**
 * Jensen–Shannon divergence in bits (0 … 1) between two distributions, each normalised to sum 1
 * first (as scipy.spatial.distance.jensenshannon does; it returns the square root of this).
 */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError('jensenShannonDivergence: lengths differ');
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0) || !(q[i] >= 0)) throw new RangeError('jensenShannonDivergence: a probability is negative or not a number');
    sp += p[i];
    sq += q[i];
  }
  if (!(sp > 0) || !(sq > 0)) throw new RangeError('jensenShannonDivergence: a distribution sums to 0');
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  // Rounding can leave a hair below 0 for identical inputs.
  return Math.max(0, js / 2 / Math.LN2);
}

/** JSD (bits) per layer between two RW rows laid out [layers, experts] (one router softmax per layer). */
export function layerDivergences(a: ArrayLike<number>, b: ArrayLike<number>, layers: number, experts: number): Float64Array {
  if (a.length !== layers * experts || b.length !== layers * experts) throw new RangeError('layerDivergences: rows are not layers × experts');
  const out = new Float64Array(layers);
  const slice = (v: ArrayLike<number>, l: number) => Array.from({ length: experts }, (_, e) => v[l * experts + e]);
  for (let l = 0; l < layers; l++) out[l] = jensenShannonDivergence(slice(a, l), slice(b, l));
  return out;
}

/** 1 − cosine similarity (0 for identical directions, up to 2); 1 when either vector is zero. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError('cosineDistance: lengths differ');
  let dot = 0;
  let a2 = 0;
  let b2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    a2 += a[i] * a[i];
    b2 += b[i] * b[i];
  }
  return a2 > 0 && b2 > 0 ? 1 - dot / Math.sqrt(a2 * b2) : 1;
}

/** Shannon entropy in bits of counts (normalised by their sum); 0 for no counts. */
function entropyBits(counts: Iterable<number>): number {
  let total = 0;
  const values: number[] = [];
  for (const c of counts) {
    values.push(c);
    total += c;
  }
  if (!(total > 0)) return 0;
  let h = 0;
  for (const c of values) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

/** Per-token routing of one text: router softmax [tokens, layers, experts] and the token strings. */
export interface TokenRoutingRows {
  tokens: string[];
  probs: ArrayLike<number>;
  dims: readonly [number, number, number];
}

/**
 * The k experts with the highest router probability for every (token, layer), best first, ties to
 * the lower expert index (numpy's stable argsort of −p): [tokens, layers, k].
 */
export function topExperts(routing: TokenRoutingRows, k: number): Int32Array {
  const [tokens, layers, experts] = routing.dims;
  const out = new Int32Array(tokens * layers * k);
  const order = new Int32Array(experts);
  for (let t = 0; t < tokens; t++) {
    for (let l = 0; l < layers; l++) {
      const base = (t * layers + l) * experts;
      for (let e = 0; e < experts; e++) order[e] = e;
      order.sort((x, y) => routing.probs[base + y] - routing.probs[base + x] || x - y);
      out.set(order.subarray(0, k), (t * layers + l) * k);
    }
  }
  return out;
}

/** The layer × expert map of a corpus: what each expert was given. */
export interface ExpertMap {
  layers: number;
  experts: number;
  topK: number;
  /** Token positions routed (in the top k), per text and overall. */
  tokenCount: number;
  textCount: number;
  /** [layers, experts]: token positions that had this expert in their top k. */
  counts: Float64Array;
  /** [layers, experts]: counts / all routings of the layer (tokens × k); sums to 1 per layer. */
  share: Float64Array;
  /** [layers, experts]: entropy in bits of the token strings routed to the expert (low: a specialist; 0 when dormant). */
  tokenEntropy: Float64Array;
  /** [layers, experts]: never in any token's top k on this input. */
  dormant: boolean[];
  /** Per layer, entropy in bits of the load over experts (log2 experts when perfectly balanced). */
  loadEntropy: Float64Array;
}

/** Counts routings text by text (so a page can slice the work), then summarises them as an ExpertMap. */
export class ExpertTally {
  private readonly counts: Float64Array;
  private readonly tokenCounts: Map<string, number>[];
  private tokens = 0;
  private texts = 0;

  constructor(
    readonly layers: number,
    readonly experts: number,
    readonly topK: number,
  ) {
    this.counts = new Float64Array(layers * experts);
    this.tokenCounts = Array.from({ length: layers * experts }, () => new Map());
  }

  /** `top`: this routing's topExperts, when the caller already has them. */
  add(routing: TokenRoutingRows, top: Int32Array = topExperts(routing, this.topK)): void {
    const [tokens, layers, experts] = routing.dims;
    if (layers !== this.layers || experts !== this.experts) throw new RangeError('ExpertTally: routing of another model shape');
    if (top.length !== tokens * layers * this.topK) throw new RangeError('ExpertTally: top-k choices of another routing');
    for (let t = 0; t < tokens; t++) {
      for (let l = 0; l < layers; l++) {
        for (let j = 0; j < this.topK; j++) {
          const cell = l * experts + top[(t * layers + l) * this.topK + j];
          this.counts[cell]++;
          const map = this.tokenCounts[cell];
          map.set(routing.tokens[t], (map.get(routing.tokens[t]) ?? 0) + 1);
        }
      }
    }
    this.tokens += tokens;
    this.texts++;
  }

  map(): ExpertMap {
    const { layers, experts, topK } = this;
    const share = new Float64Array(layers * experts);
    const loadEntropy = new Float64Array(layers);
    for (let l = 0; l < layers; l++) {
      const row = this.counts.subarray(l * experts, (l + 1) * experts);
      for (let e = 0; e < experts; e++) share[l * experts + e] = this.tokens > 0 ? row[e] / (this.tokens * topK) : 0;
      loadEntropy[l] = entropyBits(row);
    }
    return {
      layers,
      experts,
      topK,
      tokenCount: this.tokens,
      textCount: this.texts,
      counts: this.counts.slice(),
      share,
      tokenEntropy: Float64Array.from(this.tokenCounts, (m) => entropyBits(m.values())),
      dormant: Array.from(this.counts, (c) => c === 0),
      loadEntropy,
    };
  }
}

/** One token string routed to an expert. */
export interface ExpertToken {
  token: string;
  /** Positions of this token routed to the expert. */
  count: number;
  /** count / all routings to the expert. */
  share: number;
  /** count / all positions of this token (how much of the token goes to this expert). */
  ofToken: number;
  /** Up to `examples` (text, token position) places, in corpus order. */
  examples: { text: number; position: number }[];
}

/** One text's part in an expert's load. */
export interface ExpertText {
  text: number;
  /** Token positions of the text routed to the expert. */
  count: number;
  /** count / the text's tokens. */
  fraction: number;
}

export interface ExpertDetail {
  layer: number;
  expert: number;
  /** All routings to this expert. */
  routings: number;
  tokens: ExpertToken[];
  texts: ExpertText[];
}

/**
 * The tokens and texts routed to one (layer, expert) most: tokens by share of its routings (ties by
 * first appearance), texts by the fraction of their tokens routed there (ties by count, then order).
 * `tops`: each routing's topExperts, when the caller kept them (then no sort is repeated).
 */
export function expertDetail(
  routings: readonly TokenRoutingRows[],
  layer: number,
  expert: number,
  topK: number,
  limits: { tokens?: number; texts?: number; examples?: number } = {},
  tops?: readonly Int32Array[],
): ExpertDetail {
  const perToken = new Map<string, { count: number; total: number; first: number; examples: { text: number; position: number }[] }>();
  const texts: ExpertText[] = [];
  const exampleCap = limits.examples ?? 3;
  let routed = 0;
  let seen = 0;
  routings.forEach((routing, text) => {
    const [tokens, layers] = routing.dims;
    if (layer >= layers) throw new RangeError(`expertDetail: layer ${layer} of ${layers}`);
    const top = tops?.[text] ?? topExperts(routing, topK);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      const token = routing.tokens[t];
      let entry = perToken.get(token);
      if (!entry) perToken.set(token, (entry = { count: 0, total: 0, first: seen, examples: [] }));
      seen++;
      entry.total++;
      let hit = false;
      for (let j = 0; j < topK; j++) if (top[(t * layers + layer) * topK + j] === expert) hit = true;
      if (!hit) continue;
      entry.count++;
      count++;
      if (entry.examples.length < exampleCap) entry.examples.push({ text, position: t });
    }
    routed += count;
    if (count > 0) texts.push({ text, count, fraction: tokens > 0 ? count / tokens : 0 });
  });
  const tokens = [...perToken.entries()]
    .filter(([, e]) => e.count > 0)
    .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
    .slice(0, limits.tokens ?? 20)
    .map(([token, e]) => ({ token, count: e.count, share: e.count / routed, ofToken: e.count / e.total, examples: e.examples }));
  texts.sort((a, b) => b.fraction - a.fraction || b.count - a.count || a.text - b.text);
  return { layer, expert, routings: routed, tokens, texts: texts.slice(0, limits.texts ?? 10) };
}
