/**
 * The benchmark panel's run: `evaluateSts` of cli/evaluate.ts (the very scoring `moee eval` prints)
 * per template on the page's engine, plus what a page adds: the α grid curve, and seeded 95%
 * bootstrap intervals of each chosen representation. The embed function handed to evaluateSts is
 * an adapter over the engine client that also keeps the embeddings for the intervals.
 */
import { alphaGridSearch, bootstrapSpearman, moeeSum, uniqueSentences, type AlphaScore, type BootstrapInterval, type StsPair } from '../../core/index.ts';
import { evaluateSts, METHODS, type Embed, type Method, type TemplateScores } from '../../cli/evaluate.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import type { EmbedResult } from '../../workers/protocol.ts';
import { pairSimilarities, representations } from './derive.ts';
import { ANALYSIS_EMBED_OPTIONS, pause, type AnalysisRun } from './run.ts';

export { METHODS, type Method };

export const METHOD_LABEL: Record<Method, string> = {
  hs: 'HS',
  rw_softmax: 'RW (softmax)',
  rw_logits: 'RW (logits)',
  concat: 'MoEE concat',
  sum_alpha1: 'MoEE sum α=1',
  sum_best: 'MoEE sum best α',
};

export interface BenchmarkSettings {
  templates: BuiltinTemplateId[];
  methods: Method[];
  /** Bootstrap resamples per interval (0: no intervals). */
  resamples: number;
  seed: number;
}

export interface BenchmarkRow {
  template: BuiltinTemplateId;
  /** evaluateSts' own result: Spearman ×100 per method, per subset, best α, seconds. */
  scores: TemplateScores;
  /** 95% intervals, ×100, for the chosen methods. */
  intervals: Partial<Record<Method, BootstrapInterval>>;
  alphaGrid: AlphaScore[];
}

export interface BenchmarkResult {
  file: string;
  pairs: number;
  modelId: string;
  dtype: string;
  ep: string;
  settings: BenchmarkSettings;
  rows: BenchmarkRow[];
  seconds: number;
}

export interface BenchmarkProgress {
  phase: 'embed' | 'intervals';
  template: BuiltinTemplateId;
  /** 0..1 over the whole run. */
  fraction: number;
  message: string;
}

const scale = (ci: BootstrapInterval): BootstrapInterval => ({ ...ci, estimate: ci.estimate * 100, low: ci.low * 100, high: ci.high * 100 });

export async function runBenchmark(file: string, pairs: StsPair[], settings: BenchmarkSettings, run: AnalysisRun, onProgress: (p: BenchmarkProgress) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const rows: BenchmarkRow[] = [];
  const { index } = uniqueSentences(pairs);
  const gold = Float64Array.from(pairs, (p) => p.score);
  const templates = settings.templates;
  let last: EmbedResult | null = null;
  for (const [t, template] of templates.entries()) {
    run.check();
    // Embedding is most of the time; intervals the rest.
    const share = (phase: number) => (t + phase) / templates.length;
    const embed: Embed = async (texts, options) => {
      last = await run.embed(texts, options, (done, total) =>
        onProgress({ phase: 'embed', template, fraction: share((0.8 * done) / total), message: `${template}: embedding ${done} / ${total} sentences` }),
      );
      return last;
    };
    const scores = await evaluateSts(pairs, template, embed, ANALYSIS_EMBED_OPTIONS);
    await pause();
    const result = last as EmbedResult | null;
    if (!result) throw new Error('evaluateSts returned without embedding');
    const sims = pairSimilarities(representations(result), index);
    await pause();
    const grid = alphaGridSearch(sims.hs, sims.rw_softmax, gold);
    const lists: Record<Method, ArrayLike<number>> = {
      ...sims,
      sum_alpha1: moeeSum(sims.hs, sims.rw_softmax, 1),
      sum_best: moeeSum(sims.hs, sims.rw_softmax, scores.bestAlpha),
    };
    const intervals: Partial<Record<Method, BootstrapInterval>> = {};
    if (settings.resamples > 0) {
      for (const [m, method] of settings.methods.entries()) {
        onProgress({ phase: 'intervals', template, fraction: share(0.8 + (0.2 * m) / settings.methods.length), message: `${template}: bootstrap interval of ${METHOD_LABEL[method]}` });
        await pause();
        intervals[method] = scale(await bootstrapSpearman(lists[method], gold, { resamples: settings.resamples, seed: settings.seed }, { pause, signal: run }));
      }
    }
    rows.push({ template, scores, intervals, alphaGrid: grid.scores });
    onProgress({ phase: 'intervals', template, fraction: share(1), message: `${template}: done` });
  }
  const info = last as EmbedResult | null;
  return { file, pairs: pairs.length, modelId: info?.modelId ?? '', dtype: info?.dtype ?? '', ep: info?.ep ?? '', settings, rows, seconds: (performance.now() - started) / 1000 };
}

/** One line per template × method: the numbers of the table, for spreadsheets. */
export function benchmarkCsv(result: BenchmarkResult): string {
  const lines = ['template,method,spearman_x100,ci_low_x100,ci_high_x100,best_alpha,pairs,model,dtype,ep'];
  for (const row of result.rows) {
    for (const method of result.settings.methods) {
      const ci = row.intervals[method];
      lines.push([row.template, method, row.scores.all[method].toFixed(2), ci ? ci.low.toFixed(2) : '', ci ? ci.high.toFixed(2) : '', row.scores.bestAlpha, result.pairs, result.modelId, result.dtype, result.ep].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
