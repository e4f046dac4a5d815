/**
 * The benchmark panel's run. Per template, the engine embeds the set's distinct sentences with the
 * options `moee eval` uses (in requests the engine takes, with progress); the compute worker then
 * scores them with core's `scoreSts` (the very code the CLI prints), draws the α grid curve and the
 * seeded 95% bootstrap intervals. The page's main thread only posts messages and renders.
 */
import { STS_METHODS as METHODS, uniqueSentences, type BootstrapInterval, type StsMethod as Method, type StsPair } from '../../core/index.ts';
import { YARDSTICK } from '../../workers/yardstick.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import type { EmbedResult } from '../../workers/protocol.ts';
import { compute } from './compute-client.ts';
import type { BenchmarkRow } from './compute-protocol.ts';
import { ANALYSIS_EMBED_OPTIONS } from './options.ts';
import { yardstickEmbeddings, type AnalysisRun } from './run.ts';

export { METHODS, type Method, type BenchmarkRow };

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
  /** Also score the yardstick (all-MiniLM-L6-v2, trained for similarity) on the same pairs. */
  yardstick: boolean;
}

/** The yardstick's line of a benchmark: a trained reference beside the training-free rows. */
export interface YardstickRow {
  modelId: string;
  name: string;
  dtype: string;
  score: number;
  interval: BootstrapInterval | null;
}

export interface BenchmarkResult {
  file: string;
  pairs: number;
  modelId: string;
  dtype: string;
  ep: string;
  settings: BenchmarkSettings;
  rows: BenchmarkRow[];
  /** Null when the run did not include it. */
  yardstick: YardstickRow | null;
  seconds: number;
}

export interface BenchmarkProgress {
  template: BuiltinTemplateId;
  /** 0..1 over the whole run. */
  fraction: number;
  message: string;
}

/** Share of a template's time spent embedding (the rest: scoring and intervals in the compute worker). */
const EMBED_SHARE = 0.85;

export async function runBenchmark(file: string, pairs: StsPair[], settings: BenchmarkSettings, run: AnalysisRun, onProgress: (p: BenchmarkProgress) => void): Promise<BenchmarkResult> {
  const started = performance.now();
  const rows: BenchmarkRow[] = [];
  const { sentences } = uniqueSentences(pairs);
  const templates = settings.templates;
  // The yardstick is one more step of the run, after the templates.
  const steps = templates.length + (settings.yardstick ? 1 : 0);
  let last: EmbedResult | null = null;
  for (const [t, template] of templates.entries()) {
    run.check();
    const share = (phase: number) => (t + phase) / steps;
    // The options `moee eval` embeds with (cli/moee.ts): the base, this template, no token routing.
    const options = { ...ANALYSIS_EMBED_OPTIONS, template: { id: template }, tokenRouting: false };
    last = await run.embed(sentences, options, (done, total) => onProgress({ template, fraction: share((EMBED_SHARE * done) / total), message: `${template}: embedding ${done} / ${total} sentences` }));
    run.check();
    onProgress({ template, fraction: share(EMBED_SHARE), message: `${template}: scoring and ${settings.resamples} bootstrap resamples (compute worker)` });
    const answer = await compute.call({ kind: 'stsTemplate', pairs, template, texts: sentences, embedding: scoringPart(last), methods: settings.methods, resamples: settings.resamples, seed: settings.seed });
    rows.push(answer.row);
  }
  let yardstick: YardstickRow | null = null;
  if (settings.yardstick) {
    run.check();
    const share = (phase: number) => (templates.length + phase) / steps;
    const embedded = await yardstickEmbeddings(run, sentences, (done, total) =>
      onProgress({ template: 'none', fraction: share((EMBED_SHARE * done) / total), message: `${YARDSTICK.name}: embedding ${done} / ${total} sentences` }),
    );
    run.check();
    const { data, dims } = embedded.embeddings;
    const answer = await compute.call({ kind: 'stsYardstick', pairs, texts: sentences, embeddings: data, dims: [dims[0], dims[1]], resamples: settings.resamples, seed: settings.seed });
    yardstick = { modelId: embedded.modelId, name: YARDSTICK.name, dtype: embedded.dtype, score: answer.score, interval: answer.interval };
  }
  return { file, pairs: pairs.length, modelId: last?.modelId ?? '', dtype: last?.dtype ?? '', ep: last?.ep ?? '', settings, rows, yardstick, seconds: (performance.now() - started) / 1000 };
}

/**
 * The part of an engine result that scoring reads (HS and RW tensors), without the per-text
 * strings (prompts, top tokens): cloning 15,000 short strings into the compute worker would be the
 * largest main-thread task of a 1,500-pair run.
 */
function scoringPart(result: EmbedResult): EmbedResult {
  return { ...result, prompts: [], nextTokens: [], nextTokenIds: new Int32Array(0), nextTokenProbs: new Float32Array(0), truncated: [], tokenRouting: null };
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
  if (result.yardstick) {
    const { score, interval, modelId, dtype } = result.yardstick;
    lines.push(['—', `yardstick (${YARDSTICK.kind})`, score.toFixed(2), interval ? interval.low.toFixed(2) : '', interval ? interval.high.toFixed(2) : '', '', result.pairs, modelId, dtype, 'wasm'].join(','));
  }
  return lines.join('\n') + '\n';
}
