/**
 * `npm run bench:cold`: the two embedded models side by side in one run, in Chromium on WASM:
 * cold start to the first matrix (the app on a fresh profile, 8 texts), the same page warm (browser
 * cache filled), the harness' load phases, and texts/s on real varied-length text (STS13).
 * The models are measured in alternation, so that a slow minute of a shared machine hits both.
 * Writes bench/cold-start.json and prints a table. BENCH_REPEATS (default 3), BENCH_TEXTS (default 64).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseSts, uniqueSentences } from '../core/sts.ts';
import { coldPhases, coldStart, harnessThroughput, startPreview, stopPreview, type BenchModel } from './browser.ts';
import type { Summary } from './stats.ts';
import { stsFile } from '../cli/sts-data.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const TEXTS = Number(process.env.BENCH_TEXTS ?? 64);
const MODELS: BenchModel[] = [
  { id: 'moee-demo', dtype: 'q8' },
  { id: 'moee-smollm2', dtype: 'q4' },
];

interface Row {
  model: BenchModel;
  coldMs: Summary[];
  warmMs: Summary[];
  phases: Awaited<ReturnType<typeof coldPhases>>[];
  textsPerSecond: number[];
  wasmThreads: number;
}

async function main(): Promise<void> {
  const texts = uniqueSentences(parseSts(readFileSync(stsFile('sts13.tsv'), 'utf8'))).sentences.slice(0, TEXTS);
  const server = await startPreview();
  const rows: Row[] = MODELS.map((model) => ({ model, coldMs: [], warmMs: [], phases: [], textsPerSecond: [], wasmThreads: 0 }));
  try {
    for (let i = 0; i < REPEATS; i++) {
      for (const row of rows) {
        const start = await coldStart(1, row.model);
        row.coldMs.push(start.coldMs);
        row.warmMs.push(start.warmMs);
        row.phases.push(await coldPhases(1, row.model));
        const speed = await harnessThroughput(row.model, texts);
        row.textsPerSecond.push(speed.textsPerSecond);
        row.wasmThreads = speed.wasmThreads;
        console.log(`[${i + 1}/${REPEATS}] ${row.model.id}: cold ${start.coldMs.median.toFixed(0)} ms, warm ${start.warmMs.median.toFixed(0)} ms, ${speed.textsPerSecond.toFixed(1)} texts/s`);
      }
    }
  } finally {
    stopPreview(server);
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const summary = rows.map((r) => ({
    model: `${r.model.id} ${r.model.dtype}`,
    wasmThreads: r.wasmThreads,
    coldToFirstMatrixMs: r.coldMs.map((s) => s.median),
    warmToFirstMatrixMs: r.warmMs.map((s) => s.median),
    phasesMs: Object.fromEntries(
      (['page', 'detect', 'fetchAndTokenizer', 'tapAndSession', 'warmup', 'firstEmbed', 'total'] as const).map((k) => [k, r.phases.map((p) => p[k].median)]),
    ),
    textsPerSecond: r.textsPerSecond,
  }));
  const [demo, smol] = summary;
  const ratio = {
    coldSmollm2OverDemo: median(smol.coldToFirstMatrixMs) / median(demo.coldToFirstMatrixMs),
    textsPerSecondDemoOverSmollm2: median(demo.textsPerSecond) / median(smol.textsPerSecond),
  };
  const result = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, repeats: REPEATS, texts: TEXTS, summary, ratio };
  writeFileSync(new URL('./cold-start.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  console.log('\n| model | WASM threads | cold to first matrix (ms) | warm (ms) | fetch+tokenizer | tap+session | warm-up | first embed | texts/s (STS13) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const s of summary) {
    console.log(`| ${s.model} | ${s.wasmThreads} | ${median(s.coldToFirstMatrixMs).toFixed(0)} | ${median(s.warmToFirstMatrixMs).toFixed(0)} | ${median(s.phasesMs.fetchAndTokenizer).toFixed(0)} | ${median(s.phasesMs.tapAndSession).toFixed(0)} | ${median(s.phasesMs.warmup).toFixed(0)} | ${median(s.phasesMs.firstEmbed).toFixed(0)} | ${median(s.textsPerSecond).toFixed(1)} |`);
  }
  console.log(`\nmedians of ${REPEATS} alternating runs; smollm2 cold ÷ demo cold = ${ratio.coldSmollm2OverDemo.toFixed(2)}, demo texts/s ÷ smollm2 = ${ratio.textsPerSecondDemoOverSmollm2.toFixed(2)}`);
}

await main();
