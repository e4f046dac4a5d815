/**
 * npm run bench — engine speed and behaviour, each figure measured side by side in one run,
 * repeated (BENCH_REPEATS, default 5) and reported as median (min–max):
 *   1. tap overhead: the same inputs through the engine's edited graph with and without the tap's
 *      outputs, interleaved repeats, median ratio with a 95% bootstrap interval;
 *   2. texts/s at batch 1, 8 and 32 on real STS13 sentences (varied lengths), the same prompts on
 *      both sides: our engine (RW + HS + top-5) vs Transformers.js' own AutoModelForCausalLM forward
 *      on the same ONNX file and runtime (logits only: it cannot give RW); and, in the same q8
 *      repeats, the yardstick (workers/yardstick.ts): all-MiniLM-L6-v2 q8, trained for similarity,
 *      through Transformers.js' feature-extraction pipeline on the same texts (raw) and runtime, the
 *      canonical in-browser embedding demo and the speed anchor users know (and the app's own
 *      engine.yardstick path at batch 32);
 *   3. our engine vs the PyTorch/HF reference (bench/hf_reference.py, Qwen2MoeForCausalLM on
 *      model.safetensors, same token batches, same thread count), batch 1 and 32, HF with its LM head
 *      at every position and with logits_to_keep=1, alternating;
 *   4. useful GFLOP/s (bench/flops.ts usefulFlops) of the runs of 3 vs the measured peak of a MatMul-only graph;
 *   5. Node memory after 500 consecutive embed requests vs after 10;
 *   6. in Chromium (bench/browser.ts): cold vs warm start to the first similarity matrix, main-thread
 *      long tasks while embedding 1,000 texts × 10 templates, memory after 500 requests vs 10.
 * Node parts run onnxruntime-web WASM on BENCH_THREADS threads (default: every core), HF the same. Writes bench/results.json and bench/RESULTS.md.
 * Run with `npm run bench` (node --expose-gc, so that memory is read after a full collection).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-web';
import { tapModel } from '../models/tap.ts';
import { graphEditsFor } from '../models/graph-edits.ts';
import onnxProto from 'onnx-proto';
import { parseSts, uniqueSentences } from '../core/sts.ts';
import { percentileInterval, resample, type BootstrapInterval } from '../core/bootstrap.ts';
import { seededRandom } from '../core/random.ts';
import { nodeThreads } from '../workers/capabilities.ts';
import { LOCAL_MODELS_DIR } from '../workers/ort-node.ts';
import { moeFacts } from '../models/moe-config.ts';
import { onnxFileFor } from '../models/dtypes.ts';
import { createNodeEngine as createEngine } from '../workers/node-engine.ts';
import { DEFAULT_EMBED_OPTIONS } from '../workers/protocol.ts';
import { YARDSTICK } from '../workers/yardstick.ts';
import { fmt, summarize, type Summary } from './stats.ts';
import { forwardFlops, matmulPeak, matmulProbe, usefulFlops, type Qwen2MoeShape } from './flops.ts';
import { browserMemory, coldPhases, coldStart, longTasks, startPreview, stopPreview } from './browser.ts';
import { applyTemplate, TEMPLATE_IDS } from '../workers/templates.ts';
import { stsFile } from '../cli/sts-data.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
/** The machine's 1-minute load average when the run starts (and, in results, when it ends): other work on it shows here. */
const LOAD_AT_START = loadavg()[0];
/** Skip the Chromium part (e.g. on a machine without /usr/bin/chromium): BENCH_BROWSER=0. */
const BROWSER = process.env.BENCH_BROWSER !== '0';
/** Sizes of the long-task and memory runs (smaller only for a smoke run of this script). */
const LONGTASK_TEXTS = Number(process.env.BENCH_LONGTASK_TEXTS ?? 1000);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 500);
/** Fresh browsers for the Chromium memory figure (each runs all MEMORY_REQUESTS requests). */
const BROWSER_MEMORY_REPEATS = Number(process.env.BENCH_BROWSER_MEMORY_REPEATS ?? REPEATS);
const ROOT = new URL('../', import.meta.url);
const PYTHON = process.env.MOEE_PYTHON ?? new URL('.venv/bin/python', ROOT).pathname;
const MODEL_DIR = new URL('../models/moee-demo/', import.meta.url);
/** WASM threads of every Node figure, and torch's threads for HF: every core unless told. */
const THREADS = Number(process.env.BENCH_THREADS ?? nodeThreads());
const createNodeEngine = (modelId: string, dtype: 'fp32' | 'q8') => createEngine(modelId, dtype, LOCAL_MODELS_DIR, THREADS);
/** Real text of varied length: STS13's distinct sentences in a seeded shuffle (shared/data/sts, or $MOEE_STS_DIR). */
const STS13 = (() => {
  const { sentences } = uniqueSentences(parseSts(readFileSync(stsFile('sts13.tsv'), 'utf8')));
  const random = seededRandom(13);
  const order = sentences.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.map((i) => sentences[i]);
})();
const texts = (n: number) => {
  if (n > STS13.length) throw new Error(`bench: ${n} texts asked, STS13 has ${STS13.length} distinct sentences`);
  return STS13.slice(0, n);
};
/** Interleaved pairs for the tap overhead (each run is short; many pairs make the interval narrow). */
const TAP_PAIRS = Number(process.env.BENCH_TAP_PAIRS ?? 40);

/** 95% percentile-bootstrap interval of the median of `values` (seeded). */
function medianInterval(values: number[], resamples = 2000): BootstrapInterval {
  const random = seededRandom(7);
  const samples = Array.from({ length: resamples }, () => summarize(Array.from(resample(values.length, random), (i) => values[i])).median);
  return percentileInterval(summarize(values).median, samples, 0.95);
}
const fmtInterval = (x: BootstrapInterval, digits = 3) => `${x.estimate.toFixed(digits)} (95% CI ${x.low.toFixed(digits)}–${x.high.toFixed(digits)})`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function tapOverhead(dtype: 'fp32' | 'q8') {
  const file = onnxFileFor(dtype);
  const bytes = new Uint8Array(readFileSync(new URL(file, MODEL_DIR)));
  const config = JSON.parse(readFileSync(new URL('config.json', MODEL_DIR), 'utf8'));
  // The graph the engine runs (WASM edits), with and without the tap's outputs.
  const tap = tapModel(bytes, moeFacts(config), undefined, { options: graphEditsFor('wasm'), normTopKProb: config.norm_topk_prob === true });
  const untappedModel = onnxProto.onnx.ModelProto.decode(tap.bytes);
  untappedModel.graph!.output = untappedModel.graph!.output!.filter((o) => tap.originalOutputs.includes(o.name ?? ''));
  const untappedBytes = onnxProto.onnx.ModelProto.encode(untappedModel).finish();
  const plain = await ort.InferenceSession.create(untappedBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const tapped = await ort.InferenceSession.create(tap.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const batch = 32;
  const seq = 24;
  const ids = BigInt64Array.from({ length: batch * seq }, (_, i) => BigInt(100 + ((i * 7919) % 8000)));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * seq).fill(1n), [batch, seq]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: batch * seq }, (_, i) => BigInt(i % seq)), [batch, seq]),
  };
  const fetchesTapped = [...tap.routers.map((r) => r.output), tap.hiddenState, tap.originalOutputs[0]];
  await plain.run(feeds);
  await tapped.run(feeds, fetchesTapped);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < TAP_PAIRS; i++) {
    // Interleaved, the order alternating, so drift in machine load hits both alike.
    const untappedFirst = i % 2 === 0;
    const t1 = untappedFirst ? await time(() => plain.run(feeds)) : 0;
    const t2 = await time(() => tapped.run(feeds, fetchesTapped));
    const t3 = untappedFirst ? t1 : await time(() => plain.run(feeds));
    a.push(t3);
    b.push(t2);
    ratios.push(t2 / t3);
  }
  await plain.release();
  await tapped.release();
  return { dtype, batch, seq, pairs: TAP_PAIRS, untappedMs: summarize(a), tappedMs: summarize(b), overheadRatio: summarize(ratios), overheadInterval: medianInterval(ratios) };
}

/** Transformers.js' feature-extraction pipeline as the yardstick calls it (workers/yardstick.ts). */
interface FeatureExtractor {
  (texts: string[], options: { pooling: 'mean'; normalize: true }): Promise<{ data: Float32Array; dims: number[] }>;
  tokenizer: { encode(text: string): number[] };
  dispose(): Promise<unknown>;
}

const YARDSTICK_CONFIG = JSON.parse(readFileSync(new URL(`../models/${YARDSTICK.modelId}/config.json`, import.meta.url), 'utf8')) as { num_hidden_layers: number; hidden_size: number };

/** The yardstick's figures in the q8 repeats of `throughput`, per batch. */
interface YardstickRow {
  /** all-MiniLM-L6-v2 through the pipeline, one call per batch of the texts in the order given. */
  textsPerSecond: Summary;
  /** Our engine's (q8) ÷ the yardstick's texts/s, per repeat. */
  oursOverYardstick: Summary;
  /** At batch 32 only: the app's path, engine.yardstick (length-sorted blocks of 32, through the engine's handler). */
  app?: { textsPerSecond: Summary; oursOverApp: Summary };
}

async function throughput(dtype: 'fp32' | 'q8') {
  const engine = await createNodeEngine('moee-demo', dtype);
  const transformers = await import('@huggingface/transformers');
  // Same file, same runtime (the bridge hands Transformers.js our onnxruntime-web).
  const model = await transformers.AutoModelForCausalLM.from_pretrained('moee-demo', { dtype, device: 'auto', session_options: { executionProviders: ['wasm'] } });
  const tokenizer = await transformers.AutoTokenizer.from_pretrained('moee-demo');
  tokenizer.padding_side = 'left';
  // The yardstick's committed file is q8: it joins the q8 repeats. Loaded as workers/yardstick.ts loads it.
  const extractor =
    dtype === YARDSTICK.dtype
      ? ((await transformers.pipeline('feature-extraction', YARDSTICK.modelId, {
          dtype: YARDSTICK.dtype,
          device: 'auto',
          session_options: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
        })) as unknown as FeatureExtractor)
      : null;
  const yardstickCheck = extractor ? await checkYardstickPath(engine, extractor) : null;
  // The check loaded the app's yardstick session on the engine's runtime: one embed first, so our first repeat does not pay for it.
  if (extractor) await engine.embed(texts(8), DEFAULT_EMBED_OPTIONS);
  const out: Record<string, { ours: Summary; transformersJs: Summary; ratio: Summary; yardstick?: YardstickRow }> = {};
  let tokens: { ours: number; yardstick: number | null } | null = null;
  for (const batch of [1, 8, 32]) {
    const n = batch === 1 ? 32 : 128;
    const sample = texts(n);
    const oursRuns: number[] = [];
    const tjsRuns: number[] = [];
    const ratios: number[] = [];
    const ydRuns: number[] = [];
    const ydRatios: number[] = [];
    const appRuns: number[] = [];
    const appRatios: number[] = [];
    // The engine's own prompts (same template, no special tokens), in the order given: Transformers.js
    // pads each batch to its longest, the engine sorts by length first (that is part of what is compared).
    const prompts = sample.map((t) => applyTemplate(DEFAULT_EMBED_OPTIONS.template, t));
    if (batch === 32) {
      const counts = (await engine.embed(sample, { ...DEFAULT_EMBED_OPTIONS, batchSize: batch })).tokenCounts;
      tokens = { ours: mean(counts), yardstick: extractor ? mean(sample.map((t) => extractor.tokenizer.encode(t).length)) : null };
    }
    for (let i = 0; i < REPEATS; i++) {
      const ours = await time(() => engine.embed(sample, { ...DEFAULT_EMBED_OPTIONS, batchSize: batch }));
      const tjs = await time(async () => {
        for (let s = 0; s < n; s += batch) {
          const inputs = tokenizer(prompts.slice(s, s + batch), { padding: true, add_special_tokens: false, truncation: true, max_length: DEFAULT_EMBED_OPTIONS.maxTokens });
          await model(inputs);
        }
      });
      oursRuns.push((n / ours) * 1000);
      tjsRuns.push((n / tjs) * 1000);
      ratios.push(tjs / ours);
      if (extractor) {
        // The canonical demo: the raw texts (it is not a prompted LM), in the order given, one pipeline call per batch.
        const yd = await time(async () => {
          for (let s = 0; s < n; s += batch) await extractor(sample.slice(s, s + batch), { pooling: 'mean', normalize: true });
        });
        ydRuns.push((n / yd) * 1000);
        ydRatios.push(yd / ours);
        if (batch === 32) {
          const app = await time(() => engine.yardstick(sample));
          appRuns.push((n / app) * 1000);
          appRatios.push(app / ours);
        }
      }
    }
    out[`batch${batch}`] = {
      ours: summarize(oursRuns),
      transformersJs: summarize(tjsRuns),
      ratio: summarize(ratios),
      ...(extractor && {
        yardstick: {
          textsPerSecond: summarize(ydRuns),
          oursOverYardstick: summarize(ydRatios),
          ...(appRuns.length > 0 && { app: { textsPerSecond: summarize(appRuns), oursOverApp: summarize(appRatios) } }),
        },
      }),
    };
  }
  await model.dispose();
  await extractor?.dispose();
  return { dtype, textsPerSecond: out, meanTokensPerText: tokens, yardstickCheck };
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;

/**
 * The bench's pipeline computes what the app's yardstick computes: 32 texts (one block either way)
 * through both, the largest difference and the smallest cosine between their rows.
 */
async function checkYardstickPath(engine: Awaited<ReturnType<typeof createNodeEngine>>, extractor: FeatureExtractor) {
  const sample = texts(32);
  const direct = await extractor(sample, { pooling: 'mean', normalize: true });
  const app = (await engine.yardstick(sample)).embeddings.data;
  const d = YARDSTICK.dims;
  let maxAbsDiff = 0;
  let minCosine = 1;
  for (let i = 0; i < sample.length; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(direct.data[i * d + j] - app[i * d + j]));
      dot += direct.data[i * d + j] * app[i * d + j];
    }
    minCosine = Math.min(minCosine, dot);
  }
  if (minCosine < 0.999) throw new Error(`bench: the pipeline's yardstick rows differ from engine.yardstick's (min cosine ${minCosine})`);
  console.log(`yardstick: bench pipeline vs engine.yardstick on 32 texts: max |Δ| ${maxAbsDiff.toExponential(2)}, min cosine ${minCosine.toFixed(6)}`);
  return { texts: sample.length, maxAbsDiff, minCosine };
}

/** A line-per-message client of bench/hf_reference.py. */
class HfReference {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ReturnType<typeof spawn>) {
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }
  static async start(batches: Record<string, number[][]>[], threads: number): Promise<{ ref: HfReference; ready: { torch: string; transformers: string; threads: number; experts_implementation: string | null } }> {
    const child = spawn(PYTHON, [new URL('hf_reference.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
    const ref = new HfReference(child);
    child.stdin!.write(JSON.stringify({ threads, batches }) + '\n');
    return { ref, ready: await ref.next() };
  }
  private async next<T>(): Promise<T> {
    const line = await this.lines.next();
    if (line.done) throw new Error('bench/hf_reference.py exited early');
    return JSON.parse(line.value) as T;
  }
  /** One pass over every batch; `logitsToKeep` 1: HF's LM head at the last position only. */
  async run(dtype: 'fp32' | 'int8', logitsToKeep: 0 | 1): Promise<number> {
    this.child.stdin!.write(JSON.stringify({ run: dtype, logits_to_keep: logitsToKeep }) + '\n');
    return (await this.next<{ ms: number }>()).ms;
  }
  stop(): void {
    this.child.stdin!.end(JSON.stringify({ quit: true }) + '\n');
  }
}

/** The engine's batches for `prompts` (sorted by length, left padding, positions as workers/inference.ts builds them). */
function engineBatches(ids: number[][], batchSize: number, padId: number): Record<string, number[][]>[] {
  const sorted = [...ids].sort((a, b) => a.length - b.length);
  const out: Record<string, number[][]>[] = [];
  for (let s = 0; s < sorted.length; s += batchSize) {
    const rows = sorted.slice(s, s + batchSize);
    const seq = Math.max(...rows.map((r) => r.length));
    const pad = (r: number[], fill: number, values: number[]) => [...Array(seq - r.length).fill(fill), ...values];
    out.push({
      input_ids: rows.map((r) => pad(r, padId, r)),
      attention_mask: rows.map((r) => pad(r, 0, r.map(() => 1))),
      position_ids: rows.map((r) => pad(r, 1, r.map((_, t) => t))),
    });
  }
  return out;
}

const CONFIG = JSON.parse(readFileSync(new URL('config.json', MODEL_DIR), 'utf8')) as Qwen2MoeShape & { pad_token_id?: number };
const HF_BATCHES = [1, 32] as const;
const HF_TEXTS = 64;

/**
 * Ours vs HF/PyTorch on the same token batches (the engine's), one pass each, alternating, at
 * batch 1 and 32; HF with its LM head at every position and with logits_to_keep=1. And the useful
 * GFLOP/s of our passes against a MatMul peak sampled in the same repeats.
 */
async function versusHf(peakShape: [number, number, number]) {
  if (!existsSync(PYTHON)) {
    console.log(`SKIPPED ours vs PyTorch/HF: no ${PYTHON} (create it as in README's "The demo model", or set MOEE_PYTHON, to include this figure)`);
    return null;
  }
  const sample = texts(HF_TEXTS);
  const engines = { q8: await createNodeEngine('moee-demo', 'q8'), fp32: await createNodeEngine('moee-demo', 'fp32') };
  const model = engines.fp32.handler.current()!;
  const ids = sample.map((t) => Array.from(model.tokenizer.encode(applyTemplate(DEFAULT_EMBED_OPTIONS.template, t), { add_special_tokens: false }) as number[]));
  const useful = usefulFlops(CONFIG, ids.map((r) => r.length));
  const rows = [];
  const probe = await matmulProbe(...peakShape);
  let ready: Awaited<ReturnType<typeof HfReference.start>>['ready'] | null = null;
  try {
    for (const batch of HF_BATCHES) {
      const started = await HfReference.start(engineBatches(ids, batch, CONFIG.pad_token_id ?? 0), THREADS);
      ready = started.ready;
      const ref = started.ref;
      const options = { ...DEFAULT_EMBED_OPTIONS, batchSize: batch };
      try {
        for (const [ours, theirs] of [['q8', 'int8'], ['fp32', 'fp32']] as const) {
          const engine = engines[ours];
          const check = await engine.embed(sample, options);
          // The same tokens reach both: the engine's own counts equal ours.
          if (check.tokenCounts.some((n, i) => n !== ids[i].length)) throw new Error('bench: token counts differ from the engine\'s');
          const oursMs: number[] = [];
          const hfAllMs: number[] = [];
          const hfLastMs: number[] = [];
          const peakNow: number[] = [];
          for (let i = 0; i < REPEATS; i++) {
            oursMs.push(await time(() => engine.embed(sample, options)));
            hfAllMs.push(await ref.run(theirs, 0));
            hfLastMs.push(await ref.run(theirs, 1));
            // The peak is sampled inside the same repeat, so load on the shared machine hits both alike.
            peakNow.push(await probe.sample());
          }
          const gflops = oursMs.map((ms) => useful / (ms / 1000) / 1e9);
          const perSecond = (list: number[]) => summarize(list.map((ms) => (HF_TEXTS / ms) * 1000));
          rows.push({
            batch,
            ours,
            hf: theirs,
            oursTextsPerSecond: perSecond(oursMs),
            hfAllPositionsTextsPerSecond: perSecond(hfAllMs),
            hfLastTokenTextsPerSecond: perSecond(hfLastMs),
            oursOverHfAllPositions: summarize(hfAllMs.map((ms, i) => ms / oursMs[i])),
            oursOverHfLastToken: summarize(hfLastMs.map((ms, i) => ms / oursMs[i])),
            usefulGflops: summarize(gflops),
            peakGflops: summarize(peakNow),
            fractionOfPeak: summarize(gflops.map((g, i) => g / peakNow[i])),
          });
        }
      } finally {
        ref.stop();
      }
    }
  } finally {
    await probe.release();
  }
  return {
    texts: HF_TEXTS,
    tokens: ids.map((r) => r.length).reduce((a, b) => a + b, 0),
    usefulGflopPerPass: useful / 1e9,
    torch: ready?.torch ?? null,
    transformers: ready?.transformers ?? null,
    torchThreads: ready?.threads ?? null,
    hfExperts: ready?.experts_implementation ?? 'default',
    rows,
  };
}

/** Node memory after 10 and after `requests` consecutive embed requests of `perRequest` texts, a fresh engine per repeat. */
async function nodeMemory(requests: number, perRequest: number, repeats: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmark with node --expose-gc (npm run bench does)');
  const read = () => {
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  const sample = texts(perRequest);
  const after10: ReturnType<typeof read>[] = [];
  const afterAll: ReturnType<typeof read>[] = [];
  for (let r = 0; r < repeats; r++) {
    const engine = await createNodeEngine('moee-demo', 'q8');
    for (let i = 1; i <= requests; i++) {
      await engine.embed(sample, { ...DEFAULT_EMBED_OPTIONS, batchSize: perRequest });
      if (i === 10) after10.push(read());
    }
    afterAll.push(read());
    await engine.handler.current()?.dispose();
  }
  const growth = (k: keyof ReturnType<typeof read>) => summarize(afterAll.map((m, i) => m[k] / after10[i][k] - 1));
  return { requests, textsPerRequest: perRequest, after10, afterAll, growth: { rss: growth('rss'), heapUsed: growth('heapUsed'), external: growth('external') } };
}

async function browser() {
  if (!BROWSER) {
    console.log('SKIPPED Chromium figures (BENCH_BROWSER=0)');
    return null;
  }
  const server = await startPreview();
  // One figure failing (a browser crash on a loaded machine) is reported, not allowed to lose the others.
  const attempt = async <T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> => {
    try {
      return await fn();
    } catch (error) {
      console.log(`FAILED ${name}: ${String(error).split('\n')[0]}`);
      return { error: String(error).split('\n')[0] };
    }
  };
  try {
    const phases = await attempt('cold-start phases', () => coldPhases(REPEATS));
    if (!('error' in phases)) console.log(`cold-start phases (harness): total ${fmt(phases.total, 0)} ms`);
    const cold = await attempt('cold start', () => coldStart(REPEATS));
    if (!('error' in cold)) console.log(`cold start: ${fmt(cold.coldMs, 0)} ms, warm ${fmt(cold.warmMs, 0)} ms`);
    const tasks = await attempt('long tasks', () => longTasks(texts(LONGTASK_TEXTS), TEMPLATE_IDS));
    if (!('error' in tasks)) console.log(`long tasks: ${tasks.count} over 50 ms while embedding ${tasks.texts} × ${tasks.templates}; longest per template ${fmt(tasks.longestPerTemplateMs, 0)} ms`);
    const memory = await attempt('browser memory', () => browserMemory(texts(4), MEMORY_REQUESTS, BROWSER_MEMORY_REPEATS));
    if (!('error' in memory)) console.log(`browser memory growth 10→${MEMORY_REQUESTS} requests: ${fmt(memory.growth, 3)}`);
    return { phases, cold, tasks, memory };
  } finally {
    stopPreview(server);
  }
}

const peak = await matmulPeak(
  [
    [512, 512, 512],
    [1024, 1024, 1024],
    [32 * 24, CONFIG.hidden_size, CONFIG.vocab_size], // the LM head of a batch of 32 × 24 tokens
    [32 * 24, CONFIG.hidden_size, 4 * CONFIG.hidden_size],
  ],
  REPEATS,
);
console.log(`matmul peak ${peak.peak.toFixed(1)} GFLOP/s (${peak.shapes.map((p) => `${p.m}×${p.k}×${p.n}: ${fmt(p.gflops)}`).join('; ')})`);
const tapResults = [await tapOverhead('q8'), await tapOverhead('fp32')];
const throughputResults = [await throughput('q8'), await throughput('fp32')];
const hf = await versusHf(peak.best);
const memory = await nodeMemory(MEMORY_REQUESTS, 4, REPEATS);
console.log(`node memory growth 10→500 requests: rss ${fmt(memory.growth.rss, 3)}, heap ${fmt(memory.growth.heapUsed, 3)}`);
const chromiumResults = await browser();
const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    chromium: BROWSER ? chromiumVersion() : null,
    loadAverage1m: { start: LOAD_AT_START, end: loadavg()[0] },
  },
  versions: {
    'onnxruntime-web': JSON.parse(readFileSync(new URL('../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')).version,
    '@huggingface/transformers': JSON.parse(readFileSync(new URL('../node_modules/@huggingface/transformers/package.json', import.meta.url), 'utf8')).version,
    torch: hf?.torch ?? null,
    transformers: hf?.transformers ?? null,
  },
  repeats: REPEATS,
  matmulPeak: peak,
  flopsPerToken: forwardFlops(CONFIG, 1, 1),
  tap: tapResults,
  throughput: throughputResults,
  versusHf: hf,
  nodeMemory: memory,
  chromium: chromiumResults,
};
writeFileSync(new URL('results.json', import.meta.url), JSON.stringify(results, null, 1) + '\n');

const pct = (x: Summary) => `${(100 * x.median).toFixed(1)}% (${(100 * x.min).toFixed(1)}–${(100 * x.max).toFixed(1)}%, n=${x.runs})`;
const MiB = (b: number) => (b / 2 ** 20).toFixed(1);
/** Every figure with a goal says whether this run met it. */
const verdict = (met: boolean) => (met ? '**met**' : '**NOT met**');
const md = [
  '# Benchmark results',
  '',
  `\`npm run bench\` on ${results.machine.cpu} (${results.machine.cores} cores, ${results.machine.memoryGiB} GiB), ${results.machine.platform}, Node ${results.machine.node}, ` +
    `onnxruntime-web ${results.versions['onnxruntime-web']}, Transformers.js ${results.versions['@huggingface/transformers']}` +
    (hf ? `, torch ${hf.torch}, transformers ${hf.transformers}` : '') +
    (results.machine.chromium ? `, ${results.machine.chromium}` : '') +
    `; ${results.date}; 1-minute load average ${results.machine.loadAverage1m.start.toFixed(2)} at the start and ${results.machine.loadAverage1m.end.toFixed(2)} at the end ` +
    `(${results.machine.cores} cores: above that, other work shared the machine). Node figures: onnxruntime-web WASM, **${THREADS} thread(s)** (BENCH_THREADS; HF the same). Each figure: median (min–max) of ${REPEATS} runs, measured side by side in one process ` +
    '(the compared things alternate within each repeat, so drift in machine load hits both). Ratios are the figures to read: absolute times move with whatever else the machine runs.',
  '',
  'Our engine runs the graph edited at load (models/graph-edits.ts): the LM head at each row\'s last real token, one com.microsoft.MoE per layer instead of the exported expert loop, ' +
    '8-bit MatMulNBits dequantised to fp32. Text: STS13\'s distinct sentences (shared/data/sts/sts13.tsv) in a seeded shuffle, PromptEOL, the same prompt strings and tokens on every side.',
  '',
  '## Quantisation coverage, per side',
  '',
  '| side | file / model | what is quantised | what runs in fp32 |',
  '|---|---|---|---|',
  '| ours fp32 | onnx/model.onnx | nothing | everything |',
  '| ours q8 | onnx/model_quantized.onnx: 8-bit weight-only MatMulNBits for attention, shared expert and routed experts | in the file (download and parse size); at load dequantised to fp32 | every MatMul at run time; the routers and the LM head (a plain MatMul on the transposed tied embedding) are fp32 in the file too |',
  '| Transformers.js | the same two files, unedited | as in the file (MatMulNBits kernels at run time) | routers, LM head (at every position) |',
  '| HF int8 | torch dynamic quantisation of nn.Linear (qint8 weights, activations quantised at run time) | attention, shared expert, router, LM head | the routed experts (Qwen2-MoE keeps them as fused 3-D parameters, not nn.Linear) |',
  '',
  `## Tap overhead (the engine's edited graph with vs without the tap's outputs; batch 32 × 24 tokens; ${TAP_PAIRS} interleaved pairs; goal ≤ 1.03)`,
  '',
  '| weights | without tap ms | with tap ms | with ÷ without, median (95% bootstrap CI) | goal |',
  '|---|---|---|---|---|',
  ...results.tap.map((t) => `| ${t.dtype} | ${fmt(t.untappedMs)} | ${fmt(t.tappedMs)} | ${fmtInterval(t.overheadInterval)} | ${verdict(t.overheadInterval.high <= 1.03)} (upper bound ≤ 1.03) |`),
  '',
  '## Texts per second: our engine (RW + HS + top-5 next tokens) vs Transformers.js AutoModelForCausalLM forward (logits only), same ONNX file and runtime, real STS13 text (goal: ours ÷ theirs ≥ 2.0)',
  '',
  '| weights | batch | ours texts/s | Transformers.js texts/s | ours ÷ theirs (speed) | goal |',
  '|---|---|---|---|---|---|',
  ...results.throughput.flatMap((t) =>
    Object.entries(t.textsPerSecond).map(([batch, r]) => `| ${t.dtype} | ${batch.replace('batch', '')} | ${fmt(r.ours)} | ${fmt(r.transformersJs)} | ${fmt(r.ratio, 2)} | ${verdict(r.ratio.median >= 2)} |`),
  ),
  '',
  ...yardstickMarkdown(results.throughput.find((t) => t.dtype === YARDSTICK.dtype)!),
  `## Our engine vs the PyTorch/HF reference (Qwen2MoeForCausalLM on model.safetensors), same machine, same token batches, ${THREADS} thread(s) each`,
  '',
  ...(hf
    ? [
        `${hf.texts} texts (${hf.tokens} tokens) in batches of 1 and 32, the engine's own batching (sorted by length) and left padding. Ours: \`engine.embed\` end to end ` +
          '(tokenise, run, read RW/HS/top-5). HF: the forward pass alone on pre-tokenised batches, with output_router_logits and output_hidden_states, ' +
          `torch.set_num_threads(${hf.torchThreads}), HF's default experts implementation (\`${hf.hfExperts}\`); once with the LM head at every position (HF's default) and once with \`logits_to_keep=1\`. ` +
          'Goals, against logits_to_keep=1: ours ÷ HF ≥ 0.5 at batch 32 and ≥ 1.0 at batch 1.',
        '',
        '| batch | ours | HF | ours texts/s | HF texts/s, all positions | HF texts/s, logits_to_keep=1 | ours ÷ HF all positions | ours ÷ HF logits_to_keep=1 | goal |',
        '|---|---|---|---|---|---|---|---|---|',
        ...hf.rows.map(
          (r) =>
            `| ${r.batch} | ${r.ours} | ${r.hf} | ${fmt(r.oursTextsPerSecond)} | ${fmt(r.hfAllPositionsTextsPerSecond)} | ${fmt(r.hfLastTokenTextsPerSecond)} | ${fmt(r.oursOverHfAllPositions, 2)} | ${fmt(r.oursOverHfLastToken, 2)} | ` +
            `${verdict(r.oursOverHfLastToken.median >= (r.batch === 1 ? 1 : 0.5))} |`,
        ),
      ]
    : ['Skipped: no .venv/bin/python (see README, "The demo model"; or set MOEE_PYTHON).']),
  '',
  '## Useful GFLOP/s vs the measured matmul peak (goal ≥ 60%)',
  '',
  `Peak: an ONNX graph holding one fp32 MatMul (B an initializer), run by the same onnxruntime-web WASM build and thread count, ≈ 2 GFLOP per sample; the best per-shape median at the start of the run: **${peak.peak.toFixed(1)} GFLOP/s**.`,
  '',
  '| M × K × N | GFLOP/s |',
  '|---|---|',
  ...peak.shapes.map((p) => `| ${p.m} × ${p.k} × ${p.n} | ${fmt(p.gflops)} |`),
  '',
  ...(hf
    ? [
        `Useful FLOPs: the matrix products the answer needs (bench/flops.ts usefulFlops, pinned to torch FlopCounterMode with logits_to_keep=1): each text's own tokens, no padding, the LM head at its last token only; ` +
          `${hf.usefulGflopPerPass.toFixed(2)} GFLOP per pass of ${hf.texts} texts. Element-wise work is not counted, so a lower bound. Divided by our wall time of the runs above (tokenisation and read-out included).`,
        '',
        `The peak is sampled again inside each repeat (shape ${peak.best.join(' × ')}), and each repeat's figure is divided by its own peak sample.`,
        '',
        '| batch | weights | useful GFLOP/s | MatMul peak GFLOP/s, same repeats | useful ÷ peak | goal |',
        '|---|---|---|---|---|---|',
        ...hf.rows.map((r) => `| ${r.batch} | ${r.ours} | ${fmt(r.usefulGflops, 2)} | ${fmt(r.peakGflops, 2)} | ${pct(r.fractionOfPeak)} | ${verdict(r.fractionOfPeak.median >= 0.6)} |`),
      ]
    : []),
  '',
  `## Memory after ${memory.requests} consecutive embed requests vs after 10 (${memory.textsPerRequest} texts each)`,
  '',
  `Node (process.memoryUsage() after a forced full GC; a fresh engine per repeat). RSS growth ${pct(memory.growth.rss)}: goal < 10%, ${verdict(memory.growth.rss.median < 0.1)}. ` +
    `JS heap growth ${pct(memory.growth.heapUsed)}: goal < 10%, ${verdict(memory.growth.heapUsed.median < 0.1)}. ` +
    `External ${pct(memory.growth.external)}: no goal; it counts the WASM heap, which grows in pages as the largest batch needs and never shrinks, and ArrayBuffers still held; RSS is the figure that bounds it. ` +
    `RSS after 10: ${memory.after10.map((m) => MiB(m.rss)).join(', ')} MiB; after ${memory.requests}: ${memory.afterAll.map((m) => MiB(m.rss)).join(', ')} MiB.`,
  '',
  ...(chromiumResults
    ? chromiumMarkdown(chromiumResults)
    : ['Chromium figures skipped (BENCH_BROWSER=0).']),
  '',
  'WebGPU: not measured here. The only adapter on this machine is a software one (SwiftShader); its timings would say nothing about GPU speed.',
  '',
].join('\n');
writeFileSync(new URL('RESULTS.md', import.meta.url), md);
console.log(md);

function chromiumMarkdown(c: NonNullable<typeof chromiumResults>): string[] {
  const failed = (x: object): x is { error: string } => 'error' in x;
  return [
    ...(failed(c.memory)
      ? [`Chromium memory: failed in this run (${c.memory.error}).`]
      : [
        `Chromium (performance.measureUserAgentSpecificMemory: page + worker + their WebAssembly memory; harness page, WASM; a fresh browser per repeat): growth ${pct(c.memory.growth)}, goal < 10%: ${verdict(c.memory.growth.median < 0.1)}; ` +
          `after 10: ${c.memory.after10.map(MiB).join(', ')} MiB; after ${c.memory.requests}: ${c.memory.afterAll.map(MiB).join(', ')} MiB.`,
      ]),
        '',
        '## Chromium: cold-start phases (harness page, fresh profile, demo model q8, WASM; goal: under 3 s to the first embedding)',
        '',
    ...(failed(c.phases)
      ? [`Failed in this run (${c.phases.error}).`]
      : [
          `WASM with ${c.phases.wasmThreads} thread(s). Each phase ends where the next is first reported by the engine (workers/model-loader.ts phases); the harness has no UI, so no draw: the app's own figure with its first draw follows.`,
          '',
          '| phase | ms |',
          '|---|---|',
          `| page: HTML, JS fetch and parse, worker started | ${fmt(c.phases.page, 0)} |`,
          `| detect: capabilities | ${fmt(c.phases.detect, 0)} |`,
          `| fetch: config.json, tokenizer, .onnx | ${fmt(c.phases.fetchAndTokenizer, 0)} |`,
          `| parse + tap + graph edits + session create | ${fmt(c.phases.tapAndSession, 0)} |`,
          `| warm-up run | ${fmt(c.phases.warmup, 0)} |`,
          `| first embedding of 8 texts | ${fmt(c.phases.firstEmbed, 0)} |`,
          `| **total** | ${fmt(c.phases.total, 0)}: ${verdict(c.phases.total.median < 3000)} |`,
        ]),
        '',
        '## Chromium: cold start to the first similarity matrix (the app, 8 texts, demo model q8, WASM; goal < 3 s)',
        '',
    'From navigation start until the app shows the HS matrix of the 8 texts and is idle. Empty cache: a fresh browser profile. Warm cache: the same profile opened again right after (HTTP cache and Cache Storage filled).',
        '',
    ...(failed(c.cold)
      ? [`Failed in this run (${c.cold.error}).`]
      : [
          '| empty cache ms | warm cache ms | empty ÷ warm | goal |',
          '|---|---|---|---|',
          `| ${fmt(c.cold.coldMs, 0)} | ${fmt(c.cold.warmMs, 0)} | ${fmt(c.cold.coldOverWarm, 2)} | ${verdict(c.cold.coldMs.median < 3000)} |`,
        ]),
        '',
    `## Chromium: main-thread tasks while embedding ${LONGTASK_TEXTS} texts × ${TEMPLATE_IDS.length} templates (goal: the longest under 50 ms)`,
    '',
    ...(failed(c.tasks)
      ? [`Failed in this run (${c.tasks.error}).`]
      : [
        `The harness page (the real worker and engine client, no UI drawing; it copies each result into plain arrays on the main thread), WASM with ${c.tasks.wasmThreads} thread(s), ` +
          `batches of 32, ${c.tasks.textsPerSecond.toFixed(1)} texts/s. PerformanceObserver('longtask') entries (tasks over 50 ms): **${c.tasks.count}**` +
          (c.tasks.count ? ` (ms: ${c.tasks.durationsMs.join(', ')})` : '') +
          `. Longest main-thread task in a Chromium trace of the whole run (every RunTask of the renderer's main thread, ${c.tasks.tracedTasks} tasks, ${c.tasks.tracedTasksOver16Ms} over 16 ms): ` +
          `**${c.tasks.longestTracedTaskMs.toFixed(1)} ms**, goal < 50 ms: ${verdict(c.tasks.longestTracedTaskMs < 50)}.`,
      ]),
  ];
}

function yardstickMarkdown(t: (typeof throughputResults)[number]): string[] {
  const rows = Object.entries(t.textsPerSecond).flatMap(([batch, r]) => (r.yardstick ? [{ batch: batch.replace('batch', ''), ours: r.ours, y: r.yardstick }] : []));
  if (rows.length === 0) return [];
  const app = rows.find((r) => r.y.app);
  const tokens = t.meanTokensPerText;
  const check = t.yardstickCheck;
  return [
    `## Texts per second: the yardstick, ${YARDSTICK.name} (${YARDSTICK.kind}; the canonical in-browser embedding demo), vs our engine, ${YARDSTICK.dtype}, same runtime and text`,
    '',
    `${YARDSTICK.name} ${YARDSTICK.dtype} (sentence-transformers' model; models/${YARDSTICK.modelId}/onnx/model_quantized.onnx, dynamic int8; BERT, ${YARDSTICK_CONFIG.num_hidden_layers} layers, hidden ${YARDSTICK_CONFIG.hidden_size}) ` +
      'through Transformers.js\' own `pipeline(\'feature-extraction\')` with mean pooling and normalisation, loaded with the options of workers/yardstick.ts, ' +
      `onnxruntime-web WASM on **${THREADS} thread(s)**, the same process and runtime as our engine. Its texts are the same STS13 sentences, raw (it is not a prompted LM), in the order given, one pipeline call per batch (it pads a call to its longest text). ` +
      `Measured in the same ${t.dtype} repeats as the table above (our engine, the Transformers.js forward, then the yardstick, in turn each repeat); ours is that table's ${t.dtype} row: the demo model (${CONFIG.num_hidden_layers} layers, hidden ${CONFIG.hidden_size}) giving RW + HS + top-5 from PromptEOL prompts. ` +
      (tokens && tokens.yardstick !== null ? `Mean tokens per text at batch 32: ours ${tokens.ours.toFixed(1)} (prompt included), ${YARDSTICK.name} ${tokens.yardstick.toFixed(1)} ([CLS] and [SEP] included). ` : '') +
      (app ? 'The last row is the app\'s own path, `engine.yardstick` (the engine\'s handler; length-sorted blocks of 32). ' : '') +
      (check
        ? `Check: the bench's pipeline and engine.yardstick give the same rows for 32 texts (${check.maxAbsDiff === 0 ? 'identical' : `max |Δ| ${check.maxAbsDiff.toExponential(1)}, min cosine ${check.minCosine.toFixed(6)}`}). `
        : '') +
      `No goal: it is the speed anchor users know, a model ${YARDSTICK.kind}, against the training-free MoEE, not a competitor on equal terms.`,
    '',
    `| batch | ${YARDSTICK.name} texts/s | ours texts/s (same repeats) | ours ÷ ${YARDSTICK.name} (speed) |`,
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.batch} | ${fmt(r.y.textsPerSecond)} | ${fmt(r.ours)} | ${fmt(r.y.oursOverYardstick, 2)} |`),
    ...(app?.y.app ? [`| ${app.batch}, the app's engine.yardstick | ${fmt(app.y.app.textsPerSecond)} | ${fmt(app.ours)} | ${fmt(app.y.app.oursOverApp, 2)} |`] : []),
    '',
  ];
}

function chromiumVersion(): string | null {
  const r = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
