import type { BootstrapInterval, AlphaScore, StsMethod, StsPair, StsScores } from '../../core/index.ts';
import type { EmbedResult } from '../../workers/protocol.ts';
import type { RpcFailure } from '../../workers/rpc.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';

/**
 * Messages between the page and the analysis compute worker: the heavy core/ math of the analysis
 * views (k-means, PCA, UMAP, eigen-decompositions) runs there so the page never freezes. Every
 * request has an id that its answer echoes; matrices travel as typed arrays with their shape.
 */

/** An N×d embedding set, row-major. */
export interface EmbeddingSet {
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface ClusterRequest {
  kind: 'cluster';
  id: number;
  hs: EmbeddingSet;
  rw: EmbeddingSet;
  k: number;
  seed: number;
}

export interface MapsRequest {
  kind: 'maps';
  id: number;
  hs: EmbeddingSet;
  rw: EmbeddingSet;
  method: 'pca' | 'umap';
  seed: number;
  /** UMAP's neighbourhood size (capped at N − 1). */
  neighbors: number;
}

export interface SpectralRequest {
  kind: 'spectral';
  id: number;
  sets: { name: string; set: EmbeddingSet }[];
}

/** Score one template of an STS benchmark from embeddings the engine already computed. */
export interface StsTemplateRequest {
  kind: 'stsTemplate';
  id: number;
  pairs: StsPair[];
  template: BuiltinTemplateId;
  /** The texts the engine embedded, in order (must be uniqueSentences(pairs).sentences). */
  texts: string[];
  /** The engine's result for `texts` under `template` (its options say which template it used). */
  embedding: EmbedResult;
  methods: StsMethod[];
  resamples: number;
  seed: number;
}

export type ComputeRequest = ClusterRequest | MapsRequest | SpectralRequest | StsTemplateRequest;

/** One template's benchmark row. */
export interface BenchmarkRow {
  template: BuiltinTemplateId;
  /** core's scoreSts: Spearman ×100 per method, per subset, best α (what `moee eval` prints). */
  scores: StsScores;
  /** 95% intervals, ×100, for the chosen methods. */
  intervals: Partial<Record<StsMethod, BootstrapInterval>>;
  alphaGrid: AlphaScore[];
}

export interface StsTemplateAnswer {
  kind: 'stsTemplate';
  id: number;
  row: BenchmarkRow;
  ms: number;
}

export interface ClusterAnswer {
  kind: 'cluster';
  id: number;
  hsLabels: Int32Array;
  rwLabels: Int32Array;
  ami: number;
  nmi: number;
  jaccard: number;
  exactMatch: number;
  ms: number;
}

export interface MapsAnswer {
  kind: 'maps';
  id: number;
  /** N×2 coordinates. */
  hs: Float64Array;
  rw: Float64Array;
  /** PCA only: variance share of the two axes. */
  hsVariance: number[] | null;
  rwVariance: number[] | null;
  ms: number;
}

/** The spectral summaries of one embedding set, each with the milliseconds it took. */
export interface SpectralRow {
  name: string;
  rows: number;
  cols: number;
  nuclearL12: number;
  nuclearPerRow: number;
  nuclearMs: number;
  exactNuclear: number;
  exactMs: number;
  entropy: number;
  entropyMs: number;
}

export interface SpectralAnswer {
  kind: 'spectral';
  id: number;
  rows: SpectralRow[];
}

export type { RpcFailure as ComputeFailure };

/** Replies, one per request kind (a failure is workers/rpc.ts' RpcFailure). */
export type ComputeAnswer = ClusterAnswer | MapsAnswer | SpectralAnswer | StsTemplateAnswer;
