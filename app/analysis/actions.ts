/**
 * The analysis views' actions, callable outside React: each starts one cancellable run, reports
 * progress into the analysis store and leaves its result there.
 */
import { errorAnalysis, meanOffDiagonal, moeeSum, pairCosines, representationPairCosines, spearman100, templateCorrelation, textSetEmbeddings, uniqueSentences } from '../../core/index.ts';
import { textsOf, useStore } from '../store.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import { runBenchmark, type BenchmarkSettings } from './benchmark.ts';
import { compute } from './compute-client.ts';
import type { EmbeddingSet } from './compute-protocol.ts';
import { allPairs, layerScores, rwOf } from './derive.ts';
import { ANALYSIS_EMBED_OPTIONS, AnalysisRun, CancelledError, pause, yieldToPage } from './run.ts';
import { useAnalysis, type AnalysisViewId, type TextSet } from './state.ts';

let current: AnalysisRun | null = null;

/** The status bar repaints at most this often during a run. */
const PROGRESS_INTERVAL_MS = 150;

const update = useAnalysis.getState().set;

/** The texts the text-based views work on: the uploaded set or the playground's editor. */
export function currentTextSet(): TextSet {
  const { dataset, source } = useAnalysis.getState();
  if (dataset && source === 'dataset') {
    if (!dataset.pairs) return { source: dataset.name, texts: dataset.texts, labels: dataset.labels, pairs: null };
    const { sentences, index } = uniqueSentences(dataset.pairs);
    return { source: dataset.name, texts: sentences, labels: dataset.labels, pairs: { index, gold: Float64Array.from(dataset.pairs, (p) => p.score), list: dataset.pairs } };
  }
  return { source: 'playground texts', texts: textsOf(useStore.getState().settings.text), labels: null, pairs: null };
}

/** Stop the run in progress (engine request at its next batch, compute worker at once). */
export function cancelAnalysis(): void {
  current?.cancel();
}

/** Run `task` as the one analysis run of `view`: progress in the status bar, cancel, errors and results in the store. */
export async function start(view: AnalysisViewId, task: (run: AnalysisRun, progress: (message: string, fraction: number) => void) => Promise<void>): Promise<void> {
  if (!useStore.getState().engine.model) {
    update({ error: { view, name: 'ModelNotLoadedError', message: 'Load a model first (the playground loads the demo model on start).' } });
    return;
  }
  current?.cancel();
  const run = new AnalysisRun();
  current = run;
  update({ run: { view, message: 'starting…', fraction: 0 }, error: null, cancelled: null });
  let shown = 0;
  try {
    // Let the click's own render finish in its task; the run's set-up starts in the next one.
    await yieldToPage();
    await task(run, (message, fraction) => {
      // Progress arrives per engine batch; the status bar needs a few updates a second, not more.
      const now = performance.now();
      if (current !== run || now - shown < PROGRESS_INTERVAL_MS) return;
      shown = now;
      update({ run: { view, message, fraction } });
    });
    run.check();
  } catch (error) {
    if (current !== run) return;
    if (error instanceof CancelledError || run.aborted) update({ cancelled: view });
    else {
      const e = error instanceof Error ? error : new Error(String(error));
      update({ error: { view, name: e.name, message: e.message } });
    }
  } finally {
    if (current === run) {
      current = null;
      update({ run: null });
    }
  }
}

function embeddingSet(m: { data: Float32Array | Float64Array; rows: number; cols: number }): EmbeddingSet {
  return { data: m.data instanceof Float32Array ? m.data.slice() : Float32Array.from(m.data), rows: m.rows, cols: m.cols };
}

export function runBenchmarkView(settings: BenchmarkSettings): Promise<void> {
  return start('benchmark', async (run, progress) => {
    const { dataset } = useAnalysis.getState();
    if (!dataset?.pairs) throw new Error('Upload an STS file first (subset, score, sentence1, sentence2 — or score, sentence1, sentence2).');
    const result = await runBenchmark(dataset.name, dataset.pairs, settings, run, (p) => progress(p.message, p.fraction));
    update({ benchmark: result });
  });
}

export function runRobustness(templates: BuiltinTemplateId[]): Promise<void> {
  return start('robustness', async (run, progress) => {
    const set = currentTextSet();
    if (set.texts.length < 3 && !set.pairs) throw new Error('Prompt robustness needs at least 3 texts.');
    const index = set.pairs?.index ?? allPairs(set.texts.length);
    const hs: Float64Array[] = [];
    const rw: Float64Array[] = [];
    const scores = [];
    const rwKind = useStore.getState().settings.rwKind;
    for (const [t, template] of templates.entries()) {
      const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } }, (done, total) =>
        progress(`${template} (template ${t + 1} of ${templates.length}): embedding ${done} / ${total}`, (t + done / total) / templates.length),
      );
      await pause();
      const r = textSetEmbeddings(result);
      const rwm = rwOf(r, rwKind);
      hs.push(pairCosines(r.hs, r.hs, index));
      rw.push(pairCosines(rwm, rwm, index));
      if (set.pairs) scores.push({ template, hs: spearman100(hs[t], set.pairs.gold), rw: spearman100(rw[t], set.pairs.gold), sum: spearman100(moeeSum(hs[t], rw[t], 1), set.pairs.gold) });
      await pause();
    }
    const hsHs = templateCorrelation(hs, hs);
    await pause();
    const rwRw = templateCorrelation(rw, rw);
    await pause();
    const hsRw = templateCorrelation(hs, rw);
    const n = templates.length;
    update({
      robustness: {
        source: set.source,
        templates,
        hsHs: Float32Array.from(hsHs),
        rwRw: Float32Array.from(rwRw),
        hsRw: Float32Array.from(hsRw),
        means: { hsHs: meanOffDiagonal(hsHs, n), rwRw: meanOffDiagonal(rwRw, n), hsRw: meanOffDiagonal(hsRw, n) },
        scores: set.pairs ? scores : null,
        pairCount: index.length / 2,
      },
    });
  });
}

/** Text labels as integer ids (in order of first appearance), for the clustering scores. */
function labelIdsOf(labels: string[]): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from(labels, (l) => ids.get(l) ?? (ids.set(l, ids.size), ids.size - 1));
}

export function runComplementarity(k: number, seed: number, threshold: number): Promise<void> {
  return start('complementarity', async (run, progress) => {
    const set = currentTextSet();
    const template = useAnalysis.getState().template;
    if (set.texts.length < k) throw new Error(`k-means with k = ${k} needs at least ${k} texts.`);
    const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } }, (done, total) => progress(`embedding ${done} / ${total}`, (0.7 * done) / total));
    const r = textSetEmbeddings(result);
    const rw = rwOf(r, useStore.getState().settings.rwKind);
    progress('k-means on HS and on RW (compute worker)', 0.75);
    const labelIds = set.labels ? labelIdsOf(set.labels) : null;
    const clusters = await compute.call({ kind: 'cluster', hs: embeddingSet(r.hs), rw: embeddingSet(rw), k, seed, labels: labelIds });
    run.check();
    let errors = null;
    if (set.pairs) {
      const hsSim = pairCosines(r.hs, r.hs, set.pairs.index);
      const rwSim = pairCosines(rw, rw, set.pairs.index);
      errors = { analysis: errorAnalysis(hsSim, rwSim, set.pairs.gold, threshold), pairs: set.pairs.list, hsSim, rwSim };
    }
    update({ complementarity: { source: set.source, template, k, texts: set.texts, clusters, errors } });
  });
}

export function runMaps(method: 'pca' | 'umap', seed: number, neighbors: number): Promise<void> {
  return start('maps', async (run, progress) => {
    const set = currentTextSet();
    const template = useAnalysis.getState().template;
    if (set.texts.length < 3) throw new Error('A map needs at least 3 texts.');
    const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } }, (done, total) => progress(`embedding ${done} / ${total}`, (0.6 * done) / total));
    const r = textSetEmbeddings(result);
    progress(`${method.toUpperCase()} of HS and RW (compute worker)`, 0.7);
    const maps = await compute.call({ kind: 'maps', hs: embeddingSet(r.hs), rw: embeddingSet(rwOf(r, useStore.getState().settings.rwKind)), method, seed, neighbors });
    run.check();
    update({ maps: { source: set.source, template, method, texts: set.texts, labels: set.labels, maps } });
  });
}

export function runLayers(chosen: number[]): Promise<void> {
  return start('layers', async (run, progress) => {
    const set = currentTextSet();
    const template = useAnalysis.getState().template;
    if (!set.pairs) throw new Error('The layer view needs an uploaded STS set (gold scores) as its source.');
    const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } }, (done, total) => progress(`embedding ${done} / ${total}`, (0.9 * done) / total));
    await pause();
    const r = textSetEmbeddings(result);
    const rw = rwOf(r, useStore.getState().settings.rwKind);
    const { perLayer, subset } = layerScores(rw, r.experts, r.layers, set.pairs.index, set.pairs.gold, chosen);
    await pause();
    const model = useStore.getState().engine.model;
    update({
      layers: {
        source: set.source,
        template,
        moeLayers: model?.moeLayers ?? Array.from({ length: r.layers }, (_, i) => i),
        perLayer,
        all: spearman100(pairCosines(rw, rw, set.pairs.index), set.pairs.gold),
        hs: spearman100(representationPairCosines(r.hs, set.pairs.index), set.pairs.gold),
        subset,
        chosen,
      },
    });
  });
}

export function runSpectral(): Promise<void> {
  return start('nuclear', async (run, progress) => {
    const set = currentTextSet();
    const template = useAnalysis.getState().template;
    if (set.texts.length < 2) throw new Error('The nuclear norm needs at least 2 texts.');
    const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } }, (done, total) => progress(`embedding ${done} / ${total}`, (0.7 * done) / total));
    const r = textSetEmbeddings(result);
    const kind = useStore.getState().settings.rwKind;
    progress('nuclear norm and matrix entropy (compute worker)', 0.75);
    const answer = await compute.call({ kind: 'spectral', sets: [{ name: 'HS', set: embeddingSet(r.hs) }, { name: `RW (${kind})`, set: embeddingSet(rwOf(r, kind)) }] });
    run.check();
    update({ spectral: { source: set.source, template, rows: answer.rows } });
  });
}
