/**
 * npm run bench — engine speed, measured side by side in one process (Node, onnxruntime-web WASM,
 * one thread), each figure repeated and reported as median (min–max):
 *   1. tap overhead: the same inputs through an untapped and a tapped session of the same file;
 *   2. texts/s at batch 1 and 32: our engine (RW + HS + top-5) vs Transformers.js' own
 *      AutoModelForCausalLM forward on the same ONNX file and runtime (logits only: it cannot give RW).
 * Writes bench/results.json; bench/RESULTS.md quotes it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import * as ort from 'onnxruntime-web';
import { tapModel } from '../models/tap.ts';
import { moeFacts } from '../models/moe-config.ts';
import { createNodeEngine } from '../tests/node-engine.ts';
import { DEFAULT_EMBED_OPTIONS } from '../workers/protocol.ts';
import { fmt, summarize, type Summary } from './stats.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const MODEL_DIR = new URL('../models/moee-demo/', import.meta.url);
const heldout = [
  'The meeting starts at 5.30 p.m.', 'They managed to prevent a disaster.', 'A dog is running across the green field.',
  'The stock market fell sharply on Monday morning.', 'Water boils at one hundred degrees Celsius at sea level.',
  'Compilers translate source code into machine instructions.', 'The king gave his daughter a golden ring.',
  'I love this song, it always makes me happy!',
];
const texts = (n: number) => Array.from({ length: n }, (_, i) => `${heldout[i % heldout.length]} (${i})`);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function tapOverhead(dtype: 'fp32' | 'q8') {
  const file = dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
  const bytes = new Uint8Array(readFileSync(new URL(file, MODEL_DIR)));
  const facts = moeFacts(JSON.parse(readFileSync(new URL('config.json', MODEL_DIR), 'utf8')));
  const tap = tapModel(bytes, facts);
  const plain = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const tapped = await ort.InferenceSession.create(tap.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const batch = 32;
  const seq = 24;
  const ids = BigInt64Array.from({ length: batch * seq }, (_, i) => BigInt(100 + ((i * 7919) % 8000)));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch, seq]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * seq).fill(1n), [batch, seq]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: batch * seq }, (_, i) => BigInt(i % seq)), [batch, seq]),
  };
  const fetchesTapped = [...tap.routers.map((r) => r.output), tap.hiddenState, 'logits'];
  await plain.run(feeds);
  await tapped.run(feeds, fetchesTapped);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // Alternate the order so drift in machine load hits both alike.
    const first = i % 2 === 0;
    const t1 = first ? await time(() => plain.run(feeds)) : 0;
    const t2 = await time(() => tapped.run(feeds, fetchesTapped));
    const t3 = first ? t1 : await time(() => plain.run(feeds));
    a.push(t3);
    b.push(t2);
    ratios.push(t2 / t3);
  }
  return { dtype, batch, seq, untappedMs: summarize(a), tappedMs: summarize(b), overheadRatio: summarize(ratios) };
}

async function throughput(dtype: 'fp32' | 'q8') {
  const engine = await createNodeEngine('moee-demo', dtype);
  const transformers = await import('@huggingface/transformers');
  // Same file, same runtime (the bridge hands Transformers.js our onnxruntime-web).
  const model = await transformers.AutoModelForCausalLM.from_pretrained('moee-demo', { dtype, device: 'auto', session_options: { executionProviders: ['wasm'] } });
  const tokenizer = await transformers.AutoTokenizer.from_pretrained('moee-demo');
  tokenizer.padding_side = 'left';
  const out: Record<string, { ours: Summary; transformersJs: Summary; ratio: Summary }> = {};
  for (const batch of [1, 32]) {
    const n = batch === 1 ? 16 : 64;
    const sample = texts(n);
    const oursRuns: number[] = [];
    const tjsRuns: number[] = [];
    const ratios: number[] = [];
    const prompts = sample.map((t) => `This sentence : "${t}" means in one word:"`);
    for (let i = 0; i < REPEATS; i++) {
      const ours = await time(() => engine.embed(sample, { ...DEFAULT_EMBED_OPTIONS, batchSize: batch }));
      const tjs = await time(async () => {
        for (let s = 0; s < n; s += batch) {
          const inputs = tokenizer(prompts.slice(s, s + batch), { padding: true, add_special_tokens: false });
          await model(inputs);
        }
      });
      oursRuns.push((n / ours) * 1000);
      tjsRuns.push((n / tjs) * 1000);
      ratios.push(tjs / ours);
    }
    out[`batch${batch}`] = { ours: summarize(oursRuns), transformersJs: summarize(tjsRuns), ratio: summarize(ratios) };
  }
  await model.dispose();
  return { dtype, textsPerSecond: out };
}

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, platform: `${platform()} ${release()}`, node: process.version },
  versions: {
    'onnxruntime-web': JSON.parse(readFileSync(new URL('../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')).version,
    '@huggingface/transformers': JSON.parse(readFileSync(new URL('../node_modules/@huggingface/transformers/package.json', import.meta.url), 'utf8')).version,
  },
  repeats: REPEATS,
  tap: [await tapOverhead('q8'), await tapOverhead('fp32')],
  throughput: [await throughput('q8'), await throughput('fp32')],
};
writeFileSync(new URL('results.json', import.meta.url), JSON.stringify(results, null, 1) + '\n');
const md = [
  '# Benchmark results',
  '',
  `\`npm run bench\` on ${results.machine.cpu} (${results.machine.cores} cores), ${results.machine.platform}, Node ${results.machine.node}, ` +
    `onnxruntime-web ${results.versions['onnxruntime-web']}, Transformers.js ${results.versions['@huggingface/transformers']}; ${results.date}. ` +
    `Node WASM, one thread. Each figure: median (min–max) of ${REPEATS} runs, measured side by side in one process.`,
  '',
  '## Tap overhead (the same inputs, untapped vs tapped session of the same file; batch 32 × 24 tokens)',
  '',
  '| weights | untapped ms | tapped ms | tapped / untapped |',
  '|---|---|---|---|',
  ...results.tap.map((t) => `| ${t.dtype} | ${fmt(t.untappedMs)} | ${fmt(t.tappedMs)} | ${fmt(t.overheadRatio, 3)} |`),
  '',
  '## Texts per second: our engine (RW + HS + top-5 next tokens) vs Transformers.js AutoModelForCausalLM forward (logits only), same ONNX file and runtime',
  '',
  '| weights | batch | ours texts/s | Transformers.js texts/s | ours ÷ theirs (speed) |',
  '|---|---|---|---|---|',
  ...results.throughput.flatMap((t) =>
    Object.entries(t.textsPerSecond).map(([batch, r]) => `| ${t.dtype} | ${batch.replace('batch', '')} | ${fmt(r.ours)} | ${fmt(r.transformersJs)} | ${fmt(r.ratio, 2)} |`),
  ),
  '',
].join('\n');
writeFileSync(new URL('RESULTS.md', import.meta.url), md);
for (const t of results.tap) console.log(`tap overhead ${t.dtype} (batch ${t.batch}×${t.seq}): untapped ${fmt(t.untappedMs)} ms, tapped ${fmt(t.tappedMs)} ms, ratio ${fmt(t.overheadRatio, 3)}`);
for (const t of results.throughput) {
  for (const [batch, r] of Object.entries(t.textsPerSecond)) {
    console.log(`texts/s ${t.dtype} ${batch}: ours ${fmt(r.ours)} vs Transformers.js ${fmt(r.transformersJs)}; ours/theirs speed ${fmt(r.ratio, 2)}`);
  }
}
