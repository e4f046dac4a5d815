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

export type ComputeRequest = ClusterRequest | MapsRequest | SpectralRequest;

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

export interface ComputeFailure {
  kind: 'failed';
  id: number;
  error: { name: string; message: string };
}

export type ComputeAnswer = ClusterAnswer | MapsAnswer | SpectralAnswer | ComputeFailure;
