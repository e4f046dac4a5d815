#!/usr/bin/env -S npx tsx
/**
 * moee — the engine on the command line (Node, onnxruntime-web WASM: the same kernels as the
 * browser's WASM EP).
 *
 *   moee embed [options] [text ...]        texts as arguments, or --jsonl FILE ({"text": ...} per line), or stdin lines
 *   moee eval FILE.tsv [options]           Spearman ×100 per representation × template (STS format)
 *
 * Options: --model moee-demo  --dtype q8|fp32  --template prompteol[,none,...]  --pooling last|mean
 *          --limit N (eval: first N pairs)  --json (eval: JSON instead of a table)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSts, scoreSts, STS_METHODS, stsPairRows, textSetEmbeddings, type StsPair, type StsScores } from '../core/index.ts';
import { createNodeEngine, type NodeEngine } from '../workers/node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedOptions, type ModelDtype, type Pooling } from '../workers/protocol.ts';
import { TEMPLATE_IDS, type BuiltinTemplateId } from '../workers/templates.ts';

const USAGE = 'usage: moee embed [--model id] [--dtype q8|fp32] [--template id] [--jsonl file] [text ...]\n       moee eval file.tsv [--templates none,prompteol] [--dtype q8|fp32] [--limit n] [--json]';

function templateId(value: string): BuiltinTemplateId {
  if (!(TEMPLATE_IDS as readonly string[]).includes(value)) throw new Error(`unknown template "${value}"; one of: ${TEMPLATE_IDS.join(', ')}`);
  return value as BuiltinTemplateId;
}

/** One template's row of `moee eval`: core's STS scores and the seconds it took. */
interface TemplateRow extends StsScores {
  template: BuiltinTemplateId;
  seconds: number;
}

/** Embed the file's distinct sentences under `template` (in requests the engine takes) and score them. */
async function evaluateTemplate(engine: NodeEngine, pairs: StsPair[], template: BuiltinTemplateId, base: EmbedOptions): Promise<TemplateRow> {
  const started = performance.now();
  const { sentences, rows, gold } = stsPairRows(pairs);
  let shown = -1;
  const result = await engine.embed(sentences, { ...base, template: { id: template }, tokenRouting: false }, (done, total) => {
    // A line per tenth of the set: a 3,000-pair file takes minutes on one thread.
    const tenth = Math.floor((10 * done) / total);
    if (tenth > shown) process.stderr.write(`moee eval: ${template}: ${done} / ${total} sentences\n`);
    shown = tenth;
  });
  const { all, subsets, bestAlpha } = scoreSts(textSetEmbeddings(result), rows, gold);
  return { template, all, subsets, bestAlpha, seconds: (performance.now() - started) / 1000 };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      model: { type: 'string', default: 'moee-demo' },
      dtype: { type: 'string', default: 'q8' },
      template: { type: 'string', default: 'prompteol' },
      templates: { type: 'string', default: 'none,prompteol' },
      pooling: { type: 'string', default: 'last' },
      jsonl: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const dtype = values.dtype as ModelDtype;
  const base: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, pooling: values.pooling as Pooling, batchSize: 32 };
  if (command === 'embed') {
    let texts = positionals;
    if (values.jsonl) texts = readFileSync(values.jsonl, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
    else if (texts.length === 0) texts = readFileSync(0, 'utf8').split('\n').filter((l) => l.trim());
    const engine = await createNodeEngine(values.model, dtype);
    const r = await engine.embed(texts, { ...base, template: { id: templateId(values.template) } });
    const [, layers, experts] = r.rwLogits.dims;
    const d = r.hs.dims[1];
    texts.forEach((text, i) => {
      process.stdout.write(
        JSON.stringify({
          text,
          prompt: r.prompts[i],
          ep: r.ep,
          truncated: r.truncated[i],
          hs: Array.from(r.hs.data.subarray(i * d, (i + 1) * d)),
          rw_logits: Array.from(r.rwLogits.data.subarray(i * layers * experts, (i + 1) * layers * experts)),
          rw_softmax: Array.from(r.rwSoftmax.data.subarray(i * layers * experts, (i + 1) * layers * experts)),
          rw_shape: [layers, experts],
          next_tokens: r.nextTokens[i],
        }) + '\n',
      );
    });
    return;
  }
  if (command === 'eval') {
    if (!positionals[0]) throw new Error(USAGE);
    let pairs = parseSts(readFileSync(positionals[0], 'utf8'));
    if (values.limit) pairs = pairs.slice(0, Number(values.limit));
    const engine = await createNodeEngine(values.model, dtype);
    const rows: TemplateRow[] = [];
    for (const t of values.templates.split(',')) rows.push(await evaluateTemplate(engine, pairs, templateId(t.trim()), base));
    if (values.json) {
      process.stdout.write(JSON.stringify({ file: positionals[0], pairs: pairs.length, model: engine.info.modelId, dtype, ep: engine.info.ep, results: rows }, null, 1) + '\n');
      return;
    }
    process.stdout.write(`${positionals[0]} — ${pairs.length} pairs, ${engine.info.modelId} ${dtype} on ${engine.info.ep}; Spearman ×100\n`);
    process.stdout.write(`| template | ${STS_METHODS.join(' | ')} | best α | s |\n|${'---|'.repeat(STS_METHODS.length + 3)}\n`);
    for (const r of rows) process.stdout.write(`| ${r.template} | ${STS_METHODS.map((m) => r.all[m].toFixed(2)).join(' | ')} | ${r.bestAlpha} | ${r.seconds.toFixed(1)} |\n`);
    return;
  }
  throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`moee: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
