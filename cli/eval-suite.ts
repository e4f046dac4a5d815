/**
 * npm run eval — the paper's STS measurements on our model, with baselines, in one deterministic
 * command (Node, onnxruntime-web WASM on one thread, the worker's own handler):
 *   - STS12/13/14 (Spearman ×100 of cosine vs gold, per file and per subset): HS, RW (softmax and
 *     logits), MoEE concat, MoEE sum at α = 1 and at the best grid α, templates none and prompteol;
 *   - baselines: bag-of-words and TF-IDF cosine (core/lexical.ts), mean-pooled HS (and RW);
 *   - all 10 templates for HS and RW on STS12 (the paper's Fig. 5) and the cross-template Spearman
 *     correlations HS–HS, RW–RW, HS–RW (Fig. 4);
 *   - the yardstick: sentence-transformers' all-MiniLM-L6-v2, *trained for similarity*, through
 *     Transformers.js' feature-extraction pipeline (workers/yardstick.ts; raw sentences, no template),
 *     on the same pairs: a reference for what training buys, beside the training-free MoEE;
 *   - findings (sum > HS, sum > RW, RW steadier than HS, MoEE vs the lexical floor) computed from
 *     the numbers above, and the yardstick's standing (a trained reference, not a floor: not a finding).
 * Writes models/<model>/eval/sts.json and sts.md, then re-renders the model card
 * (models/build/model_card.py, standard-library Python) when a Python is found.
 *
 * Options: --render-only (re-render sts.md and the card from sts.json, no model run)  --model moee-demo  --dtype q4|q8|fp32  --data DIR (default $MOEE_STS_DIR, else the shared/data/sts above the checkout: cli/sts-data.ts)
 *          --sample N (a seeded random N pairs per file, for a model too slow for the full files; the card
 *          quotes the command)  --threads N (WASM threads, default 1)
 *          --limit N (first N pairs per file: a quick smoke run; never written as the model's results
 *          unless --out is given)  --out DIR
 *          --add-yardstick (add only the yardstick's rows to an existing sts.json, without rerunning the MoE
 *          model: give the options that sts.json records (its `command`), e.g.
 *            npm run eval -- --model moee-smollm2 --dtype q4 --sample 100 --add-yardstick
 *          The pairs are selected again as that run selected them and must reproduce it (pair, sentence and
 *          per-subset counts, the pairs' sha256 where recorded, and the lexical baselines recomputed on them,
 *          which depend on every sentence); otherwise it refuses and changes nothing. Then it writes
 *          sts.json and sts.md and re-renders the card like a full run.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stsDataDir } from './sts-data.ts';
import {
  crossTemplateCorrelation,
  parseSts,
  representationPairCosines,
  scoreBySubset,
  selectTextSet,
  spearman100,
  STS_METHODS as METHODS,
  stsSimilarities,
  textSetEmbeddings,
  uniqueSentences,
  type CrossTemplateCorrelation,
  type StsMethod as Method,
  type StsPair,
  type TextSetEmbeddings,
} from '../core/index.ts';
import { matrix } from '../core/matrix.ts';
import { createNodeEngine, type NodeEngine } from '../workers/node-engine.ts';
import { YARDSTICK } from '../workers/yardstick.ts';
import { currentSelection, lexicalBaselines, pairsDigest, selectionMismatches, selectPairs, subsetCounts, type CurrentSelection } from './sts-selection.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedOptions, type ModelDtype, type Pooling } from '../workers/protocol.ts';
import { TEMPLATE_IDS, type BuiltinTemplateId } from '../workers/templates.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The exact command the card quotes. */
const COMMAND = 'npm run eval';
const FILES = ['sts12', 'sts13', 'sts14'] as const;
type StsFile = (typeof FILES)[number];
/** The paper's STS table uses these two; the 10-template sweep is on STS12 only (its Fig. 5). */
const MAIN_TEMPLATES: BuiltinTemplateId[] = ['none', 'prompteol'];
const SWEEP_FILE: StsFile = 'sts12';
/** The paper's Fig. 4 correlates its 9 prompts: every template but `none`. */
const PROMPTED_TEMPLATES = TEMPLATE_IDS.filter((t) => t !== 'none');
/** Batches of 32 are the engine's fastest on one WASM thread for these lengths (bench/RESULTS.md). */
const BATCH = 32;

const BASELINES = ['bag_of_words', 'tfidf', 'hs_mean', 'rw_softmax_mean'] as const;
type Baseline = (typeof BASELINES)[number];

interface FileData {
  pairs: StsPair[];
  sentences: string[];
  index: Int32Array;
  gold: Float64Array;
}

/** Everything `npm run eval` measures; models/build/model_card.py reads it. */
export interface StsSuiteResult {
  command: string;
  model: string;
  dtype: ModelDtype;
  ep: string;
  date: string;
  wallSeconds: number;
  machine: { cpu: string; cores: number; threads: number };
  data: Record<StsFile, { pairs: number; sentences: number; subsets: Record<string, number> }>;
  /** [template][file]: scores of every method, all pairs and per subset, and the grid α. */
  main: Record<string, Record<StsFile, { all: Record<Method, number>; subsets: Record<string, Record<Method, number>>; bestAlpha: number }>>;
  /** [file]: lexical baselines (template-free) and, per template, mean-pooled HS/RW. */
  baselines: Record<StsFile, { all: Record<'bag_of_words' | 'tfidf', number>; subsets: Record<string, Record<'bag_of_words' | 'tfidf', number>> }>;
  meanPooling: Record<string, Record<StsFile, { all: Record<'hs_mean' | 'rw_softmax_mean', number>; subsets: Record<string, Record<'hs_mean' | 'rw_softmax_mean', number>> }>>;
  /** STS12 over all 10 templates (Fig. 5). */
  templateSweep: { file: StsFile; scores: Record<string, Record<'hs' | 'rw_softmax' | 'rw_logits' | 'sum_alpha1', number>>; spread: Record<'hs' | 'rw_softmax' | 'rw_logits', { min: number; max: number; std: number }> };
  /** Fig. 4 over the 9 prompted templates, and over all 10. */
  crossTemplate: { prompted: CrossTemplateCorrelation<BuiltinTemplateId>; all: CrossTemplateCorrelation<BuiltinTemplateId> };
  findings: Finding[];
  /** sha256 of each file's selected pairs (cli/sts-selection.ts pairsDigest); absent in files written before it. */
  pairsDigest?: Record<StsFile, string>;
  /** The yardstick's scores on the same pairs; absent in files written before it. */
  yardstick?: YardstickScores;
}

/** all-MiniLM-L6-v2 (trained for similarity) on the eval's pairs: Spearman ×100 of cosine vs gold. */
export interface YardstickScores {
  name: string;
  modelId: string;
  kind: string;
  dtype: 'q8' | 'fp32';
  /** What ran it: library, pipeline, pooling, runtime, threads. */
  runtime: string;
  /** The command that produced these rows (the eval's own, or it with --add-yardstick). */
  command: string;
  date: string;
  seconds: number;
  /** Distinct sentences embedded (the three files' union). */
  texts: number;
  scores: Record<StsFile, { all: number; subsets: Record<string, number> }>;
}

/** One of the paper's directions, checked on our numbers. */
export interface Finding {
  id: 'sum_gt_hs' | 'sum_gt_rw' | 'rw_steadier_correlation' | 'rw_steadier_score' | 'moee_gt_lexical' | 'last_gt_mean';
  claim: string;
  /** Cases where it holds, of all cases. */
  holds: number;
  cases: number;
  detail: string;
}

function loadFiles(dir: string, limit: number | null, sample: number | null): Record<StsFile, FileData> {
  const out = {} as Record<StsFile, FileData>;
  for (const f of FILES) {
    const pairs = selectPairs(parseSts(readFileSync(join(dir, `${f}.tsv`), 'utf8')), { limit, sample });
    const { sentences, index } = uniqueSentences(pairs);
    out[f] = { pairs, sentences, index, gold: Float64Array.from(pairs, (p) => p.score) };
  }
  return out;
}

const subsetsOf = (pairs: StsPair[]) => pairs.map((p) => p.subset);

/** Every distinct sentence of the three files, in one order (the MoE embeddings and the yardstick use the same). */
const unionOf = (files: Record<StsFile, FileData>) => [...new Set(FILES.flatMap((f) => files[f].sentences))];

const digests = (files: Record<StsFile, FileData>) => Object.fromEntries(FILES.map((f) => [f, pairsDigest(files[f].pairs)])) as Record<StsFile, string>;

const TRANSFORMERS_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@huggingface', 'transformers', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The yardstick on every distinct sentence of the three files (raw: it is not a prompted LM), then
 * each file's pair cosines against gold. Run after the MoE embeddings, never beside them (one runtime).
 */
async function yardstickScores(engine: NodeEngine, files: Record<StsFile, FileData>, threads: number, command: string): Promise<YardstickScores> {
  const started = performance.now();
  const union = unionOf(files);
  const unionRow = new Map(union.map((s, i) => [s, i]));
  let logged = 0;
  const result = await engine.yardstick(union, YARDSTICK.dtype, (done, total) => {
    if (done - logged >= 2000 || done === total) {
      logged = done;
      log(`${YARDSTICK.name}: ${done} of ${total} sentences`);
    }
  });
  const all = matrix(result.embeddings.data, union.length, YARDSTICK.dims);
  const scores = {} as YardstickScores['scores'];
  for (const f of FILES) {
    const { sentences, index, pairs, gold } = files[f];
    const emb = { hs: all, rwSoftmax: all, rwLogits: all, layers: 0, experts: 0 };
    const sims = representationPairCosines(selectTextSet(emb, Int32Array.from(sentences, (s) => unionRow.get(s)!)).hs, index);
    const scored = scoreBySubset({ yardstick: sims }, gold, subsetsOf(pairs));
    scores[f] = { all: scored.all.yardstick, subsets: Object.fromEntries(Object.entries(scored.subsets).map(([k, v]) => [k, v.yardstick])) };
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  log(`${YARDSTICK.name} (${YARDSTICK.kind}): ${union.length} sentences in ${seconds.toFixed(0)} s; ${FILES.map((f) => `${f.toUpperCase()} ${scores[f].all.toFixed(2)}`).join(', ')}`);
  return {
    name: YARDSTICK.name,
    modelId: YARDSTICK.modelId,
    kind: YARDSTICK.kind,
    dtype: result.dtype,
    runtime: `Transformers.js ${TRANSFORMERS_VERSION} feature-extraction pipeline (mean pooling, L2-normalised), onnxruntime-web wasm in Node, ${threads === 1 ? 'one thread' : `${threads} threads`}`,
    command,
    date: new Date().toISOString(),
    seconds,
    texts: union.length,
    scores,
  };
}

function std(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

function log(message: string): void {
  process.stderr.write(`[eval ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function run(): Promise<{ result: StsSuiteResult; out: string }> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'moee-demo' },
      dtype: { type: 'string', default: 'q8' },
      data: { type: 'string' },
      limit: { type: 'string' },
      sample: { type: 'string' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string' },
      'render-only': { type: 'boolean', default: false },
      'add-yardstick': { type: 'boolean', default: false },
    },
  });
  const out = resolve(values.out ?? join(ROOT, 'models', values.model, 'eval'));
  if (values['render-only']) {
    // Tables and findings again from the stored numbers (after a change to this renderer), no model run.
    const stored = JSON.parse(readFileSync(join(out, 'sts.json'), 'utf8')) as StsSuiteResult;
    return { result: { ...stored, findings: findings(stored) }, out };
  }
  const limit = values.limit ? Number(values.limit) : null;
  if (limit !== null && !values.out) throw new Error('--limit is a smoke run: give --out DIR so it cannot overwrite the model\'s results');
  const dataDir = stsDataDir(values.data ? { ...process.env, MOEE_STS_DIR: values.data } : process.env);
  const started = performance.now();
  const sample = values.sample ? Number(values.sample) : null;
  const threads = Number(values.threads);
  const dtype = values.dtype as ModelDtype;
  const flags = [
    ...(values.model !== 'moee-demo' ? [`--model ${values.model} --dtype ${dtype}`] : []),
    ...(sample ? [`--sample ${sample}`] : []),
    ...(threads !== 1 ? [`--threads ${threads}`] : []),
  ];
  // A smoke run's command names everything that selects its pairs (and where it wrote them).
  const command = limit ? commandWith([...flags, `--limit ${limit}`, `--out ${values.out}`]) : commandWith(flags);
  const files = loadFiles(dataDir, limit, sample);
  if (values['add-yardstick']) return { result: await addYardstick(out, { model: values.model, dtype, command, threads }, files), out };
  const engine = await createNodeEngine(values.model, dtype, undefined, threads);
  log(`${engine.info.modelId} ${dtype} on ${engine.info.ep}; ${FILES.map((f) => `${f}: ${files[f].pairs.length} pairs`).join(', ')}`);

  // Every distinct sentence of the three files, embedded once per (template, pooling).
  const union = unionOf(files);
  const unionRow = new Map(union.map((s, i) => [s, i]));
  const rowsOf = (f: StsFile) => Int32Array.from(files[f].sentences, (s) => unionRow.get(s)!);
  const embedAll = async (template: BuiltinTemplateId, pooling: Pooling, sentences: string[]): Promise<TextSetEmbeddings> => {
    const t = performance.now();
    const options: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, pooling, batchSize: BATCH, template: { id: template }, tokenRouting: false };
    const emb = textSetEmbeddings(await engine.embed(sentences, options));
    log(`embedded ${sentences.length} sentences, template ${template}, ${pooling} pooling, in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    return emb;
  };
  const perFile = (emb: TextSetEmbeddings, f: StsFile): TextSetEmbeddings => selectTextSet(emb, rowsOf(f));

  const main: StsSuiteResult['main'] = {};
  const meanPooling: StsSuiteResult['meanPooling'] = {};
  const sweepEmbeddings = new Map<BuiltinTemplateId, TextSetEmbeddings>();
  for (const template of MAIN_TEMPLATES) {
    const last = await embedAll(template, 'last', union);
    const mean = await embedAll(template, 'mean', union);
    main[template] = {} as (typeof main)[string];
    meanPooling[template] = {} as (typeof meanPooling)[string];
    for (const f of FILES) {
      const { pairs, index, gold } = files[f];
      const lastF = perFile(last, f);
      const { sims, bestAlpha } = stsSimilarities(lastF, index, gold);
      main[template][f] = { ...scoreBySubset(sims, gold, subsetsOf(pairs)), bestAlpha };
      const meanF = perFile(mean, f);
      meanPooling[template][f] = scoreBySubset(
        { hs_mean: representationPairCosines(meanF.hs, index), rw_softmax_mean: representationPairCosines(meanF.rwSoftmax, index) },
        gold,
        subsetsOf(pairs),
      );
      if (f === SWEEP_FILE) sweepEmbeddings.set(template, lastF);
    }
  }

  const baselines = {} as StsSuiteResult['baselines'];
  for (const f of FILES) baselines[f] = lexicalBaselines(files[f].pairs, files[f]);

  const sweep = files[SWEEP_FILE];
  for (const template of TEMPLATE_IDS) if (!sweepEmbeddings.has(template)) sweepEmbeddings.set(template, await embedAll(template, 'last', sweep.sentences));
  const hsSims = new Map<BuiltinTemplateId, Float64Array>();
  const rwSims = new Map<BuiltinTemplateId, Float64Array>();
  const sweepScores: StsSuiteResult['templateSweep']['scores'] = {};
  for (const template of TEMPLATE_IDS) {
    const emb = sweepEmbeddings.get(template)!;
    const { sims } = stsSimilarities(emb, sweep.index, sweep.gold);
    hsSims.set(template, sims.hs as Float64Array);
    rwSims.set(template, sims.rw_softmax as Float64Array);
    sweepScores[template] = {
      hs: spearman100(sims.hs, sweep.gold),
      rw_softmax: spearman100(sims.rw_softmax, sweep.gold),
      rw_logits: spearman100(sims.rw_logits, sweep.gold),
      sum_alpha1: spearman100(sims.sum_alpha1, sweep.gold),
    };
  }
  const spread = Object.fromEntries(
    (['hs', 'rw_softmax', 'rw_logits'] as const).map((m) => {
      const v = TEMPLATE_IDS.map((t) => sweepScores[t][m]);
      return [m, { min: Math.min(...v), max: Math.max(...v), std: Math.round(std(v) * 100) / 100 }];
    }),
  ) as StsSuiteResult['templateSweep']['spread'];
  const cross = (templates: BuiltinTemplateId[]) => crossTemplateCorrelation(templates, templates.map((t) => hsSims.get(t)!), templates.map((t) => rwSims.get(t)!));
  const crossTemplate = { prompted: cross([...PROMPTED_TEMPLATES]), all: cross([...TEMPLATE_IDS]) };

  // The yardstick after every MoE embedding is done (one WASM runtime: never beside engine.embed).
  const yardstick = await yardstickScores(engine, files, threads, command);

  const result: StsSuiteResult = {
    command,
    model: engine.info.modelId,
    dtype,
    ep: engine.info.ep,
    date: new Date().toISOString(),
    wallSeconds: 0,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, threads },
    data: Object.fromEntries(FILES.map((f) => [f, { pairs: files[f].pairs.length, sentences: files[f].sentences.length, subsets: subsetCounts(files[f].pairs) }])) as StsSuiteResult['data'],
    main,
    baselines,
    meanPooling,
    templateSweep: { file: SWEEP_FILE, scores: sweepScores, spread },
    crossTemplate,
    findings: [],
    pairsDigest: digests(files),
    yardstick,
  };
  result.findings = findings(result);
  result.wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  return { result, out };
}

/**
 * --add-yardstick: the stored result with the yardstick's rows added, on the pairs the stored rows
 * used (checked: cli/sts-selection.ts selectionMismatches), the MoE model not run again.
 */
async function addYardstick(out: string, asked: { model: string; dtype: ModelDtype; command: string; threads: number }, files: Record<StsFile, FileData>): Promise<StsSuiteResult> {
  const path = join(out, 'sts.json');
  if (!existsSync(path)) throw new Error(`--add-yardstick adds to an existing ${path}; there is none (run the full eval first)`);
  const stored = JSON.parse(readFileSync(path, 'utf8')) as StsSuiteResult;
  const rerun = `${stored.command}${stored.command.includes(' -- ') ? '' : ' --'} --add-yardstick`;
  if (stored.model !== asked.model || stored.dtype !== asked.dtype || stored.command !== asked.command) {
    throw new Error(
      `${path} records \`${stored.command}\` (${stored.model}, ${stored.dtype}); these options make \`${asked.command}\` (${asked.model}, ${asked.dtype}). ` +
        `--add-yardstick needs the options that run used: \`${rerun}\``,
    );
  }
  const current = {} as Record<StsFile, CurrentSelection>;
  for (const f of FILES) current[f] = currentSelection(files[f].pairs);
  const problems = selectionMismatches(FILES, stored, current);
  if (problems.length) {
    throw new Error(`the pairs selected now do not reproduce those of ${path} (wrong --data, or changed STS files?); nothing written:\n  ${problems.join('\n  ')}`);
  }
  log(`pairs reproduce ${path}: ${FILES.map((f) => `${f.toUpperCase()} ${stored.data[f].pairs}`).join(', ')} (counts, subsets, lexical baselines${stored.pairsDigest ? ', sha256' : ''})`);
  const engine = await createNodeEngine('', asked.dtype, undefined, asked.threads);
  const yardstick = await yardstickScores(engine, files, asked.threads, rerun);
  const result: StsSuiteResult = { ...stored, pairsDigest: stored.pairsDigest ?? digests(files), yardstick };
  return { ...result, findings: findings(result) };
}

/** The best lexical baseline of a file (bag-of-words or TF-IDF): the floor of moee_gt_lexical. */
const bestLexical = (r: StsSuiteResult, f: StsFile) => Math.max(r.baselines[f].all.bag_of_words, r.baselines[f].all.tfidf);
/** The best MoEE of one (template, file) case: concat, sum α = 1 or the best grid α (an upper bound). */
const bestMoee = (s: Record<Method, number>) => Math.max(s.concat, s.sum_alpha1, s.sum_best);

/** The paper's directions, checked case by case on our numbers. */
export function findings(r: StsSuiteResult): Finding[] {
  const cases = MAIN_TEMPLATES.flatMap((t) => FILES.map((f) => ({ t, f, s: r.main[t][f].all })));
  const count = (test: (c: (typeof cases)[number]) => boolean) => cases.filter(test).length;
  const list = (test: (c: (typeof cases)[number]) => boolean) => cases.filter(test).map((c) => `${c.f.toUpperCase()}/${c.t}`).join(', ') || 'none';
  const lexical = (f: StsFile) => bestLexical(r, f);
  const p = r.crossTemplate.prompted.mean;
  const spread = r.templateSweep.spread;
  return [
    {
      id: 'sum_gt_hs',
      claim: 'MoEE sum (α = 1) scores above HS',
      holds: count((c) => c.s.sum_alpha1 > c.s.hs),
      cases: cases.length,
      detail: `holds on ${list((c) => c.s.sum_alpha1 > c.s.hs)}; with the best grid α on ${count((c) => c.s.sum_best > c.s.hs)} of ${cases.length}`,
    },
    {
      id: 'sum_gt_rw',
      claim: 'MoEE sum (α = 1) scores above RW (softmax)',
      holds: count((c) => c.s.sum_alpha1 > c.s.rw_softmax),
      cases: cases.length,
      detail: `holds on ${list((c) => c.s.sum_alpha1 > c.s.rw_softmax)}; with the best grid α on ${count((c) => c.s.sum_best > c.s.rw_softmax)} of ${cases.length}`,
    },
    {
      id: 'rw_steadier_correlation',
      claim: 'RW similarities agree more across prompts than HS similarities (mean Spearman RW–RW > HS–HS, 9 prompts, STS12)',
      holds: p.rwRw > p.hsHs ? 1 : 0,
      cases: 1,
      detail: `RW–RW ${p.rwRw.toFixed(2)}, HS–HS ${p.hsHs.toFixed(2)}, HS–RW ${p.hsRw.toFixed(2)} (paper, DeepSeekMoE: 0.63, 0.52, 0.51)`,
    },
    {
      id: 'rw_steadier_score',
      claim: 'RW\'s STS12 score varies less across the 10 templates than HS\'s (std over templates)',
      holds: spread.rw_softmax.std < spread.hs.std ? 1 : 0,
      cases: 1,
      detail: `std RW ${spread.rw_softmax.std.toFixed(2)} (range ${spread.rw_softmax.min.toFixed(2)}–${spread.rw_softmax.max.toFixed(2)}), HS ${spread.hs.std.toFixed(2)} (range ${spread.hs.min.toFixed(2)}–${spread.hs.max.toFixed(2)})`,
    },
    {
      id: 'moee_gt_lexical',
      claim: 'the best MoEE (concat, sum α = 1 or best α) beats the best lexical baseline (bag-of-words or TF-IDF)',
      holds: count((c) => bestMoee(c.s) > lexical(c.f)),
      cases: cases.length,
      detail: FILES.map((f) => `${f.toUpperCase()}: lexical ${lexical(f).toFixed(2)}, MoEE ${MAIN_TEMPLATES.map((t) => `${t} ${bestMoee(r.main[t][f].all).toFixed(2)}`).join(', ')}`).join('; '),
    },
    {
      id: 'last_gt_mean',
      claim: 'last-token HS beats mean-pooled HS (the paper\'s pooling ablation)',
      holds: count((c) => c.s.hs > r.meanPooling[c.t][c.f].all.hs_mean),
      cases: cases.length,
      detail: `holds on ${list((c) => c.s.hs > r.meanPooling[c.t][c.f].all.hs_mean)}`,
    },
  ];
}

const METHOD_LABEL: Record<Method | Baseline, string> = {
  hs: 'HS (last token)',
  rw_softmax: 'RW softmax',
  rw_logits: 'RW logits',
  concat: 'MoEE concat',
  sum_alpha1: 'MoEE sum α = 1',
  sum_best: 'MoEE sum, best grid α',
  bag_of_words: 'bag-of-words cosine',
  tfidf: 'TF-IDF cosine',
  hs_mean: 'HS mean-pooled',
  rw_softmax_mean: 'RW softmax mean-pooled',
};

/** The yardstick's row label in every table: its name and what sets it apart from MoEE. */
const yardstickLabel = (y: YardstickScores) => `${y.name} (${y.kind})`;

/**
 * Where the yardstick stands against MoEE and the lexical floor. Not one of the paper's directions
 * (so not a finding): a model trained for similarity is a reference for what training buys.
 */
function yardstickStanding(r: StsSuiteResult): string[] {
  const y = r.yardstick;
  if (!y) return [];
  const n = (v: number) => v.toFixed(2);
  const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
  const best = (f: StsFile) => MAIN_TEMPLATES.map((t) => ({ t, v: bestMoee(r.main[t][f].all) })).reduce((a, b) => (b.v > a.v ? b : a));
  const rows = FILES.map((f) => ({ f, y: y.scores[f].all, lexical: bestLexical(r, f), moee: best(f) }));
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const cases = MAIN_TEMPLATES.flatMap((t) => FILES.map((f) => bestMoee(r.main[t][f].all) < y.scores[f].all));
  const aboveMoee = rows.filter((x) => x.y > x.moee.v).length;
  const aboveLexical = rows.filter((x) => x.y > x.lexical).length;
  const mean = { y: avg(rows.map((x) => x.y)), lexical: avg(rows.map((x) => x.lexical)), moee: avg(rows.map((x) => x.moee.v)) };
  return [
    '',
    `### The yardstick: ${yardstickLabel(y)}, a reference, not a floor`,
    '',
    `${y.name} was trained on sentence pairs to put similar sentences together; MoEE and the lexical baselines had no similarity training. ` +
      'Its row is not one of the paper\'s directions, so no finding above uses it (the lexical-floor finding stays the lexical baselines): ' +
      'it shows how far a small embedder trained for the task gets on the same pairs. Best MoEE: concat, sum α = 1 or the best grid α (an upper bound), the better template.',
    '',
    `| file | ${y.name} | best lexical | best MoEE (template) | ${y.name} − best MoEE | ${y.name} − best lexical |`,
    '|---|---|---|---|---|---|',
    ...rows.map((x) => `| ${x.f.toUpperCase()} | ${n(x.y)} | ${n(x.lexical)} | ${n(x.moee.v)} (${x.moee.t}) | ${signed(x.y - x.moee.v)} | ${signed(x.y - x.lexical)} |`),
    `| mean | ${n(mean.y)} | ${n(mean.lexical)} | ${n(mean.moee)} | ${signed(mean.y - mean.moee)} | ${signed(mean.y - mean.lexical)} |`,
    '',
    `The yardstick scores above the best MoEE on ${aboveMoee} of ${FILES.length} files (${cases.filter(Boolean).length} of ${cases.length} file/template cases) ` +
      `and above the best lexical baseline on ${aboveLexical} of ${FILES.length}.`,
  ];
}

/** The Markdown tables of a result (the model card includes them verbatim). */
function renderMarkdown(r: StsSuiteResult): string {
  const n = (v: number) => v.toFixed(2);
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const lines: string[] = [];
  lines.push(
    `Spearman ×100 of cosine similarity vs gold; \`${r.command}\` (${r.model}, ${r.dtype} weights, onnxruntime-web ${r.ep} in Node, ${r.machine.threads === 1 ? "one thread" : `${r.machine.threads} threads`}; ` +
      `${r.wallSeconds.toFixed(0)} s on ${r.machine.cores} × ${r.machine.cpu}; ${r.date.slice(0, 10)}). ` +
      `Pairs: ${FILES.map((f) => `${f.toUpperCase()} ${r.data[f].pairs}`).join(', ')}. RW is the router softmax unless it says logits; ` +
      'MoEE sum uses RW softmax; MoEE concat z-scores each block with the statistics of the file\'s own sentences (the paper\'s batch statistics); ' +
      'the best grid α (0.1…1.0) is chosen per file with the gold scores, so that row is an upper bound, not a label-free result. ' +
      'Lexical baselines are fitted on each file\'s sentences (sklearn defaults).' +
      (r.yardstick
        ? ` The ${yardstickLabel(r.yardstick)} row is sentence-transformers' sentence embedder, ${r.yardstick.dtype} (${r.yardstick.dtype === 'q8' ? 'dynamic int8' : 'fp32'}), ` +
          `through ${r.yardstick.runtime}, on the raw sentences (no template: it is not a prompted LM) of the same pairs ` +
          `(${r.yardstick.command === r.command ? `${r.yardstick.seconds.toFixed(0)} s of this run` : `added by \`${r.yardstick.command}\`, ${r.yardstick.seconds.toFixed(0)} s, ${r.yardstick.date.slice(0, 10)}`}): ` +
          'a reference for what training for similarity buys, beside the training-free MoEE, not a floor.'
        : ''),
    '',
    '### STS 2012–2014',
    '',
    `| method | template | ${FILES.map((f) => f.toUpperCase()).join(' | ')} | mean |`,
    `|---|---|${FILES.map(() => '---|').join('')}---|`,
  );
  const row = (label: string, template: string, values: number[]) => lines.push(`| ${label} | ${template} | ${values.map(n).join(' | ')} | ${n(avg(values))} |`);
  row(METHOD_LABEL.bag_of_words, '—', FILES.map((f) => r.baselines[f].all.bag_of_words));
  row(METHOD_LABEL.tfidf, '—', FILES.map((f) => r.baselines[f].all.tfidf));
  const y = r.yardstick;
  if (y) row(yardstickLabel(y), '—', FILES.map((f) => y.scores[f].all));
  for (const t of MAIN_TEMPLATES) {
    for (const m of ['hs_mean', 'rw_softmax_mean'] as const) row(METHOD_LABEL[m], t, FILES.map((f) => r.meanPooling[t][f].all[m]));
    for (const m of METHODS) row(METHOD_LABEL[m], t, FILES.map((f) => r.main[t][f].all[m]));
  }
  lines.push('', `Best grid α per file: ${MAIN_TEMPLATES.map((t) => `${t}: ${FILES.map((f) => `${f.toUpperCase()} ${r.main[t][f].bestAlpha}`).join(', ')}`).join('; ')}.`);

  lines.push('', '### Per subset (template prompteol)', '');
  const subsetCols = ['bag_of_words', 'tfidf', ...(y ? (['yardstick'] as const) : []), 'hs_mean', ...METHODS] as const;
  const subsetLabel = (m: (typeof subsetCols)[number]) => (m === 'yardstick' ? yardstickLabel(y!) : METHOD_LABEL[m]);
  lines.push(`| file | subset | pairs | ${subsetCols.map(subsetLabel).join(' | ')} |`, `|---|---|---|${subsetCols.map(() => '---|').join('')}`);
  for (const f of FILES) {
    for (const subset of Object.keys(r.data[f].subsets)) {
      const v = (m: (typeof subsetCols)[number]) =>
        m === 'yardstick'
          ? y!.scores[f].subsets[subset]
          : m === 'bag_of_words' || m === 'tfidf'
            ? r.baselines[f].subsets[subset][m]
            : m === 'hs_mean'
              ? r.meanPooling.prompteol[f].subsets[subset].hs_mean
              : r.main.prompteol[f].subsets[subset][m];
      lines.push(`| ${f.toUpperCase()} | ${subset} | ${r.data[f].subsets[subset]} | ${subsetCols.map((m) => n(v(m))).join(' | ')} |`);
    }
  }

  const sw = r.templateSweep;
  lines.push('', `### All 10 templates on ${sw.file.toUpperCase()} (the paper's Fig. 5)`, '', '| template | HS | RW softmax | RW logits | MoEE sum α = 1 |', '|---|---|---|---|---|');
  for (const t of TEMPLATE_IDS) lines.push(`| ${t} | ${n(sw.scores[t].hs)} | ${n(sw.scores[t].rw_softmax)} | ${n(sw.scores[t].rw_logits)} | ${n(sw.scores[t].sum_alpha1)} |`);
  lines.push(`| **std over templates** | ${n(sw.spread.hs.std)} | ${n(sw.spread.rw_softmax.std)} | ${n(sw.spread.rw_logits.std)} | |`);

  const c = r.crossTemplate;
  lines.push(
    '',
    `### Prompt robustness (the paper's Fig. 4): Spearman between templates' pair-similarity lists on ${sw.file.toUpperCase()}`,
    '',
    'For each template, the cosine of every STS pair under HS and under RW (softmax); the Spearman correlation between two templates\' lists, ' +
      'averaged over template pairs (HS–RW: HS of one template against RW of another, all pairs of templates including the same one).',
    '',
    '| templates | HS–HS | RW–RW | HS–RW | HS–RW, same template |',
    '|---|---|---|---|---|',
    `| the 9 prompts (all but none; the paper's setting) | ${c.prompted.mean.hsHs.toFixed(3)} | ${c.prompted.mean.rwRw.toFixed(3)} | ${c.prompted.mean.hsRw.toFixed(3)} | ${c.prompted.mean.hsRwSameTemplate.toFixed(3)} |`,
    `| all 10 | ${c.all.mean.hsHs.toFixed(3)} | ${c.all.mean.rwRw.toFixed(3)} | ${c.all.mean.hsRw.toFixed(3)} | ${c.all.mean.hsRwSameTemplate.toFixed(3)} |`,
    '| paper, DeepSeekMoE-16B | 0.52 | 0.63 | 0.51 | |',
  );

  lines.push('', '### The paper\'s directions on this model (computed from the tables above)', '');
  for (const fd of r.findings) {
    const verdict = fd.holds === fd.cases ? 'follows' : fd.holds === 0 ? 'does not follow' : 'partly follows';
    lines.push(`- **${verdict}** (${fd.holds} of ${fd.cases}): ${fd.claim}. ${fd.detail}.`);
  }
  lines.push(...yardstickStanding(r));
  return lines.join('\n') + '\n';
}

/** The command line the card quotes: `npm run eval`, with `-- flags` when any were given. */
const commandWith = (flags: string[]) => (flags.length > 0 ? `${COMMAND} -- ${flags.join(' ')}` : COMMAND);

/** Each embedded model's card renderer (standard-library Python). */
const CARD_SCRIPTS: Record<string, string> = { 'moee-demo': 'model_card.py', 'moee-smollm2': 'smollm2_card.py' };

/** Re-render the model card; it needs only Python's standard library. */
function renderCard(modelId: string): void {
  const script = CARD_SCRIPTS[modelId];
  if (!script) return;
  const venv = join(ROOT, '.venv', 'bin', 'python');
  const python = existsSync(venv) ? venv : 'python3';
  const card = spawnSync(python, [join(ROOT, 'models', 'build', script)], { stdio: 'inherit' });
  if (card.status !== 0) log(`could not re-render the model card with ${python}; run: python3 models/build/${script}`);
}

run()
  .then(({ result, out }) => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'sts.json'), JSON.stringify(result, null, 1) + '\n');
    writeFileSync(join(out, 'sts.md'), renderMarkdown(result));
    process.stdout.write(renderMarkdown(result));
    log(`wrote ${join(out, 'sts.json')} and sts.md; this command took ${(performance.now() / 1000).toFixed(1)} s`);
    if (out === resolve(ROOT, 'models', result.model, 'eval')) renderCard(result.model);
  })
  .catch((error: Error) => {
    process.stderr.write(`eval: ${error.name}: ${error.message}\n`);
    process.exit(1);
  });
