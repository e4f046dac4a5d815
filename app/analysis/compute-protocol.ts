import type { AlphaFold, BootstrapInterval, AlphaScore, NuclearNormBounds, StsMethod, StsPair, StsScores } from '../../core/index.ts';
import type { EmbedOptions, EmbedResult } from '../../workers/protocol.ts';
import type { RpcError, RpcFailure } from '../../workers/rpc.ts';
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
  id: string;
  hs: EmbeddingSet;
  rw: EmbeddingSet;
  k: number;
  seed: number;
  /** The source's label of each text (as ids), to score both clusterings against; null when none. */
  labels?: Int32Array | null;
}

export interface MapsRequest {
  kind: 'maps';
  id: string;
  hs: EmbeddingSet;
  rw: EmbeddingSet;
  method: 'pca' | 'umap';
  seed: number;
  /** UMAP's neighbourhood size (capped at N − 1). */
  neighbors: number;
}

export interface SpectralRequest {
  kind: 'spectral';
  id: string;
  sets: { name: string; set: EmbeddingSet }[];
}

/** Score one template of an STS benchmark from embeddings the engine already computed. */
export interface StsTemplateRequest {
  kind: 'stsTemplate';
  id: string;
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

/**
 * One block of a nearest-neighbour search: the query against `hs` / `rw` (rows of the corpus from
 * `offset`), scored under HS, RW, MoEE concat (standardised with `stats`) and MoEE sum. The page
 * sends the corpus block by block, so it reports progress and can cancel between blocks.
 */
export interface NeighbourBlockRequest {
  kind: 'neighbourBlock';
  id: string;
  queryHs: Float32Array;
  queryRw: Float32Array;
  hs: EmbeddingSet;
  rw: EmbeddingSet;
  /** Per-dimension mean and std of HS and RW for MoEE concat. */
  stats: { hsMean: Float64Array; hsStd: Float64Array; rwMean: Float64Array; rwStd: Float64Array };
  alpha: number;
  offset: number;
}

/** Score the yardstick (all-MiniLM-L6-v2, trained for similarity) on an STS set: its embeddings of the pairs' distinct sentences. */
export interface StsYardstickRequest {
  kind: 'stsYardstick';
  id: string;
  pairs: StsPair[];
  /** The texts the yardstick embedded, in order (must be uniqueSentences(pairs).sentences). */
  texts: string[];
  /** Unit rows, [texts, dims]. */
  embeddings: Float32Array;
  dims: [number, number];
  resamples: number;
  seed: number;
}

export interface StsYardstickAnswer {
  kind: 'stsYardstick';
  id: string;
  /** Spearman ×100 of cosine vs gold, with its seeded 95% interval (null without resamples). */
  score: number;
  interval: BootstrapInterval | null;
}

export type ComputeRequest = ClusterRequest | MapsRequest | SpectralRequest | StsTemplateRequest | StsYardstickRequest | NeighbourBlockRequest;

export interface NeighbourBlockAnswer {
  kind: 'neighbourBlock';
  id: string;
  offset: number;
  /** One score per block row under each representation. */
  hs: Float64Array;
  rw: Float64Array;
  concat: Float64Array;
  sum: Float64Array;
}

/** One template's benchmark row. */
export interface BenchmarkRow {
  template: BuiltinTemplateId;
  /** core's scoreSts: Spearman ×100 per method, per subset, best α (what `moee eval` prints). */
  scores: StsScores;
  /** 95% intervals, ×100, for the chosen methods. */
  intervals: Partial<Record<StsMethod, BootstrapInterval>>;
  alphaGrid: AlphaScore[];
  /** MoEE sum with α chosen by seeded k-fold cross-validation over pairs (core/alpha-cv.ts): the honest figure. */
  crossValidated: CrossValidatedRow;
}

/** Cross-validated MoEE sum of one template, ×100, with the data it was computed from. */
export interface CrossValidatedRow {
  /** Spearman ×100 of the out-of-fold sums of all pairs. */
  score: number;
  folds: AlphaFold[];
  seed: number;
  /** Bootstrap interval (×100) of the out-of-fold sums; null without resamples. */
  interval: BootstrapInterval | null;
  /** Per pair cos HS and cos RW (softmax), in file order: what the folds chose α on (in the JSON export). */
  hsSim: number[];
  rwSim: number[];
}

export interface StsTemplateAnswer {
  kind: 'stsTemplate';
  id: string;
  row: BenchmarkRow;
  ms: number;
}

export interface ClusterAnswer {
  kind: 'cluster';
  id: string;
  hsLabels: Int32Array;
  rwLabels: Int32Array;
  ami: number;
  nmi: number;
  jaccard: number;
  exactMatch: number;
  /** AMI and NMI of each clustering against the source's labels; null without labels. */
  vsLabels: { hs: { ami: number; nmi: number }; rw: { ami: number; nmi: number } } | null;
  ms: number;
}

export interface MapsAnswer {
  kind: 'maps';
  id: string;
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
  /** Where each norm must lie, from the Frobenius norm (core/spectral.ts nuclearNormBounds). */
  bounds: NuclearNormBounds;
  entropy: number;
  entropyMs: number;
}

export interface SpectralAnswer {
  kind: 'spectral';
  id: string;
  rows: SpectralRow[];
}

export type { RpcFailure as ComputeFailure };

/** Replies, one per request kind (a failure is workers/rpc.ts' RpcFailure). */
export type ComputeAnswer = ClusterAnswer | MapsAnswer | SpectralAnswer | StsTemplateAnswer | StsYardstickAnswer | NeighbourBlockAnswer;

/** The compute worker's protocol (workers/rpc.ts): each reply has its request's kind; no progress. */
export interface ComputeProtocol {
  request: ComputeRequest;
  reply: ComputeAnswer;
  progress: never;
  replyKinds: Record<never, string>;
  error: RpcError;
}
