/**
 * The analysis views' own store (kept apart from the playground's so the two evolve separately):
 * the uploaded data set, which view is open, the one run in progress and each view's last result.
 * Never persisted: results hold typed arrays and belong to this page's model.
 */
import { create } from 'zustand';
import { parseSts, StsFormatError, uniqueSentences, type StsPair } from '../../core/index.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import type { BenchmarkResult } from './benchmark.ts';
import type { ClusterAnswer, MapsAnswer, SpectralRow } from './compute-protocol.ts';
import type { ErrorAnalysis, ExpertMap, NeighbourColumn, TopKOverlap } from '../../core/index.ts';
import type { RwKind, TokenRouting } from '../../workers/protocol.ts';

export type AnalysisViewId = 'benchmark' | 'robustness' | 'complementarity' | 'maps' | 'layers' | 'nuclear' | 'neighbours' | 'experts' | 'abtest';

export const ANALYSIS_VIEWS: readonly { id: AnalysisViewId; label: string }[] = [
  { id: 'benchmark', label: 'Benchmark' },
  { id: 'robustness', label: 'Prompt robustness' },
  { id: 'complementarity', label: 'Complementarity' },
  { id: 'maps', label: '2-D maps' },
  { id: 'layers', label: 'Layers' },
  { id: 'nuclear', label: 'Nuclear norm' },
  { id: 'neighbours', label: 'Nearest neighbours' },
  { id: 'experts', label: 'What an expert does' },
  { id: 'abtest', label: 'Prompt A/B routing' },
];

/** An uploaded file: STS pairs (with gold scores) or labelled texts (`label\ttext`). */
export interface Dataset {
  name: string;
  /** Null for a labelled text list. */
  pairs: StsPair[] | null;
  /** The distinct texts, in order of first appearance. */
  texts: string[];
  /** A label per text (the STS subset, or the file's label column); null when none. */
  labels: string[] | null;
}

export interface TextSet {
  source: string;
  texts: string[];
  labels: string[] | null;
  /** STS pairs over `texts` (index pairs into it) with gold scores; null for plain texts. */
  pairs: { index: Int32Array; gold: Float64Array; list: StsPair[] } | null;
}

export interface RobustnessResult {
  source: string;
  templates: BuiltinTemplateId[];
  /** T×T Spearman matrices, row-major. */
  hsHs: Float32Array;
  rwRw: Float32Array;
  hsRw: Float32Array;
  means: { hsHs: number; rwRw: number; hsRw: number };
  /** With gold scores: Spearman ×100 per template. */
  scores: { template: BuiltinTemplateId; hs: number; rw: number; sum: number }[] | null;
  pairCount: number;
}

export interface ComplementarityResult {
  source: string;
  template: BuiltinTemplateId;
  k: number;
  texts: string[];
  clusters: ClusterAnswer;
  errors: { analysis: ErrorAnalysis; pairs: StsPair[]; hsSim: Float64Array; rwSim: Float64Array } | null;
}

export interface MapsResult {
  source: string;
  template: BuiltinTemplateId;
  method: 'pca' | 'umap';
  texts: string[];
  labels: string[] | null;
  maps: MapsAnswer;
}

export interface LayersResult {
  source: string;
  template: BuiltinTemplateId;
  moeLayers: number[];
  perLayer: number[];
  all: number;
  hs: number;
  subset: number | null;
  chosen: number[];
}

export interface SpectralResult {
  source: string;
  template: BuiltinTemplateId;
  rows: SpectralRow[];
}

/** The top k of one query under HS, RW, MoEE concat and MoEE sum, over the source's texts. */
export interface NeighboursResult {
  source: string;
  template: BuiltinTemplateId;
  query: string;
  k: number;
  alpha: number;
  rwKind: RwKind;
  /** Which statistics standardised MoEE concat: the model's reference set, or the corpus's own. */
  concatStats: 'reference' | 'corpus';
  texts: string[];
  columns: NeighbourColumn[];
  overlap: TopKOverlap;
}

/** The layer × expert map of the source's routing, with what is needed to open any expert. */
export interface ExpertsResult {
  source: string;
  template: BuiltinTemplateId;
  texts: string[];
  moeLayers: number[];
  map: ExpertMap;
  routings: TokenRouting[];
  /** Each routing's top-k experts per (token, layer), kept so that opening an expert re-sorts nothing. */
  tops: Int32Array[];
}

/** How far one text's routing moves between two prompts (two templates, or two versions of the text). */
export interface AbTestResult {
  mode: 'templates' | 'texts';
  /** What A and B were: template ids, or the two texts. */
  labelA: string;
  labelB: string;
  promptA: string;
  promptB: string;
  moeLayers: number[];
  /** Per MoE layer: Jensen–Shannon divergence (bits) of the last token's router softmax. */
  jsd: number[];
  /** Per MoE layer: how many of the top-k experts A and B share at the last token. */
  sharedTopK: number[];
  topK: number;
  hsDistance: number;
  rwDistance: number;
}

export interface RunState {
  view: AnalysisViewId;
  message: string;
  fraction: number;
}

export interface AnalysisState {
  view: AnalysisViewId;
  dataset: Dataset | null;
  datasetError: string | null;
  /** Views over texts use the uploaded set when 'dataset', else the playground's texts. */
  source: 'texts' | 'dataset';
  template: BuiltinTemplateId;
  run: RunState | null;
  error: { view: AnalysisViewId; name: string; message: string } | null;
  /** The last run that ended by cancel (shown so a user sees it stopped). */
  cancelled: AnalysisViewId | null;
  benchmark: BenchmarkResult | null;
  robustness: RobustnessResult | null;
  complementarity: ComplementarityResult | null;
  maps: MapsResult | null;
  layers: LayersResult | null;
  spectral: SpectralResult | null;
  neighbours: NeighboursResult | null;
  experts: ExpertsResult | null;
  abtest: AbTestResult | null;
  set(patch: Partial<AnalysisState>): void;
}

export const useAnalysis = create<AnalysisState>()((set) => ({
  view: 'benchmark',
  dataset: null,
  datasetError: null,
  source: 'texts',
  template: 'prompteol',
  run: null,
  error: null,
  cancelled: null,
  benchmark: null,
  robustness: null,
  complementarity: null,
  maps: null,
  layers: null,
  spectral: null,
  neighbours: null,
  experts: null,
  abtest: null,
  set: (patch) => set(patch),
}));

/** Read an uploaded file: STS (4 or 3 columns) first, else `label\ttext` lines, else one text per line. */
export function parseDataset(name: string, text: string): Dataset {
  try {
    const pairs = parseSts(text);
    const { sentences } = uniqueSentences(pairs);
    const subsetOf = new Map<string, string>();
    for (const p of pairs) {
      if (!subsetOf.has(p.sentence1)) subsetOf.set(p.sentence1, p.subset);
      if (!subsetOf.has(p.sentence2)) subsetOf.set(p.sentence2, p.subset);
    }
    const labels = sentences.map((s) => subsetOf.get(s) ?? '');
    return { name, pairs, texts: sentences, labels: new Set(labels).size > 1 ? labels : null };
  } catch (error) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length > 0 && lines.every((l) => l.split('\t').length === 2)) {
      const rows = lines.map((l) => l.split('\t') as [string, string]);
      return { name, pairs: null, texts: rows.map((r) => r[1]), labels: rows.map((r) => r[0]) };
    }
    // A plain list (no tabs anywhere): one text per line, for the views that need no labels.
    if (lines.length > 0 && lines.every((l) => !l.includes('\t'))) return { name, pairs: null, texts: lines, labels: null };
    if (error instanceof StsFormatError) throw new StsFormatError(`${error.message}; or give one "label<TAB>text" per line, or one text per line`);
    throw error;
  }
}

/** An STS sample set shipped with the app (public/samples/), so that a class can start without a file. */
export interface SampleSet {
  id: string;
  file: string;
  title: string;
  /** Where the pairs and gold scores come from, and under which licence they may be used. */
  licence: string;
}

/**
 * The SemEval STS 2012–2014 sets are research-use only (their subsets carry the licences of their
 * sources), so none of them is shipped; these pairs were written for this project and are public
 * domain (CC0 1.0). Their gold scores are one person's judgement on the STS 0–5 scale, not the
 * averaged crowd ratings of the real benchmarks.
 */
export const SAMPLE_SETS: readonly SampleSet[] = [
  { id: 'everyday-40', file: 'everyday-40.tsv', title: 'Everyday, news, science, food: 40 pairs', licence: 'CC0 1.0 (public domain), written for MoEE Playground; gold scores by its authors' },
  { id: 'wording-24', file: 'wording-24.tsv', title: 'Rewording vs paraphrase: 24 pairs', licence: 'CC0 1.0 (public domain), written for MoEE Playground; gold scores by its authors' },
];

/** Fetch a shipped sample set and make it the data set of every view. */
export async function loadSampleSet(sample: SampleSet): Promise<void> {
  const { set } = useAnalysis.getState();
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}samples/${sample.file}`);
    if (!response.ok) throw new Error(`could not fetch the sample set ${sample.file} (HTTP ${response.status})`);
    set({ dataset: parseDataset(sample.file, await response.text()), datasetError: null, source: 'dataset' });
  } catch (error) {
    set({ datasetError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}
