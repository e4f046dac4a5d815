/**
 * One STS fixture through every caller of core's scoreSts: `moee eval --json` (a real CLI run),
 * `npm run eval` (cli/eval-suite.ts on a data folder made of the fixture), and the Analysis tab's
 * benchmark (the compute worker's handler on the engine's embeddings). They must print the same
 * numbers, and the CLI's must follow from the engine's embeddings by core alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stsFile } from '../cli/sts-data.ts';
import { parseSts, scoreSts, STS_METHODS, stsPairRows, textSetEmbeddings, type StsPair, type StsScores } from '../core/index.ts';
import { handleCompute } from '../app/analysis/compute-handler.ts';
import { ANALYSIS_EMBED_OPTIONS } from '../app/analysis/options.ts';
import { createNodeEngine, type NodeEngine } from '../workers/node-engine.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const STS13 = stsFile('sts13.tsv');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let pairs: StsPair[];
let dir: string;
let engine: NodeEngine;

beforeAll(async () => {
  // 30 pairs across the file's subsets, with a header as the shared files have.
  pairs = parseSts(readFileSync(STS13, 'utf8')).filter((_, i) => i % 53 === 0).slice(0, 30);
  dir = mkdtempSync(join(tmpdir(), 'moee-sts-callers-'));
  const tsv = ['subset\tscore\tsentence1\tsentence2', ...pairs.map((p) => [p.subset, p.score, p.sentence1, p.sentence2].join('\t'))].join('\n') + '\n';
  for (const f of ['sts12', 'sts13', 'sts14']) writeFileSync(join(dir, `${f}.tsv`), tsv);
  engine = await createNodeEngine('moee-demo', 'q8');
});

const pick = (s: StsScores) => ({ all: s.all, subsets: s.subsets, bestAlpha: s.bestAlpha });

describe('every STS caller prints the same numbers for the same input', () => {
  it('moee eval, npm run eval and the benchmark panel agree, and match scoreSts on the engine’s embeddings', async () => {
    const { sentences, rows, gold } = stsPairRows(pairs);
    const embedding = await engine.embed(sentences, { ...ANALYSIS_EMBED_OPTIONS, template: { id: 'prompteol' } });
    const direct = pick(scoreSts(textSetEmbeddings(embedding), rows, gold));
    expect(Object.keys(direct.all)).toEqual([...STS_METHODS]);
    expect(Object.keys(direct.subsets).length).toBeGreaterThan(1);

    const cli = JSON.parse(execFileSync(TSX, ['cli/moee.ts', 'eval', join(dir, 'sts13.tsv'), '--templates', 'prompteol', '--dtype', 'q8', '--json'], { cwd: ROOT, encoding: 'utf8' })) as {
      pairs: number;
      results: StsScores[];
    };
    expect(cli.pairs).toBe(pairs.length);
    expect(pick(cli.results[0])).toEqual(direct);

    const panel = await handleCompute({ kind: 'stsTemplate', id: 'sts-1', pairs, template: 'prompteol', texts: sentences, embedding, methods: [...STS_METHODS], resamples: 0, seed: 0 });
    if (panel.kind !== 'stsTemplate') throw new Error(JSON.stringify(panel));
    expect(pick(panel.row.scores)).toEqual(direct);

    const out = join(dir, 'eval');
    execFileSync(TSX, ['cli/eval-suite.ts', '--data', dir, '--limit', String(pairs.length), '--out', out, '--dtype', 'q8'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const suite = JSON.parse(readFileSync(join(out, 'sts.json'), 'utf8')) as { main: Record<string, Record<string, StsScores>> };
    expect(pick(suite.main.prompteol.sts13)).toEqual(direct);
    // The same file three times: the union embedding gives each copy the same rows.
    expect(suite.main.prompteol.sts12).toEqual(suite.main.prompteol.sts13);
  });

  it('the benchmark panel refuses embeddings of other texts or another template', async () => {
    const { sentences } = stsPairRows(pairs);
    const embedding = await engine.embed(sentences, { ...ANALYSIS_EMBED_OPTIONS, template: { id: 'prompteol' } });
    const base = { kind: 'stsTemplate' as const, id: 'sts-2', texts: sentences, embedding, methods: ['hs' as const], resamples: 0, seed: 0 };
    expect((await handleCompute({ ...base, pairs: pairs.slice(1), template: 'prompteol' })).kind).toBe('failed');
    expect((await handleCompute({ ...base, pairs, template: 'none' })).kind).toBe('failed');
  });
});
