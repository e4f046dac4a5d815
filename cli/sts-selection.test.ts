import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSts, type StsPair } from '../core/sts.ts';
import { stsDataDir } from './sts-data.ts';
import {
  currentSelection,
  lexicalBaselines,
  pairsDigest,
  samplePairs,
  selectionMismatches,
  selectPairs,
  subsetCounts,
  type RecordedSelection,
} from './sts-selection.ts';

const WORDS = ['red', 'green', 'blue', 'cat', 'dog', 'bird', 'runs', 'sleeps', 'sings', 'fast', 'slowly', 'loud'];
/** 60 pairs in three subsets, each sentence distinct enough for the lexical scores to move when one changes. */
const PAIRS: StsPair[] = Array.from({ length: 60 }, (_, i) => ({
  subset: ['alpha', 'beta', 'gamma'][Math.floor(i / 20)],
  score: (i * 7) % 6,
  sentence1: `the ${WORDS[i % 12]} ${WORDS[(i * 5) % 12]} ${WORDS[(i * 7) % 12]} number ${i}`,
  sentence2: `a ${WORDS[(i * 3) % 12]} ${WORDS[i % 12]} ${WORDS[(i * 11) % 12]} item ${i % 9}`,
}));

type F = 'a' | 'b';
const FILES: F[] = ['a', 'b'];

function record(selections: Record<F, StsPair[]>, withDigest: boolean): RecordedSelection<F> {
  const cur = { a: currentSelection(selections.a), b: currentSelection(selections.b) };
  return {
    data: { a: { pairs: selections.a.length, sentences: cur.a.sentences, subsets: subsetCounts(selections.a) }, b: { pairs: selections.b.length, sentences: cur.b.sentences, subsets: subsetCounts(selections.b) } },
    baselines: { a: cur.a.baselines, b: cur.b.baselines },
    ...(withDigest && { pairsDigest: { a: pairsDigest(selections.a), b: pairsDigest(selections.b) } }),
  };
}

describe('pair selection', () => {
  it('samples a seeded subset in file order, the same every time', () => {
    const s = samplePairs(PAIRS, 15);
    expect(s).toHaveLength(15);
    expect(samplePairs(PAIRS, 15)).toEqual(s);
    const positions = s.map((p) => PAIRS.indexOf(p));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(15);
    expect(samplePairs(PAIRS, 15, 7)).not.toEqual(s);
  });

  it('applies --limit before --sample, and a sample as large as the file keeps it whole', () => {
    expect(selectPairs(PAIRS, { limit: 10, sample: null })).toEqual(PAIRS.slice(0, 10));
    expect(selectPairs(PAIRS, { limit: 30, sample: 12 })).toEqual(samplePairs(PAIRS.slice(0, 30), 12));
    expect(selectPairs(PAIRS, { limit: null, sample: 60 })).toBe(PAIRS);
    expect(selectPairs(PAIRS, { limit: null, sample: null })).toBe(PAIRS);
  });

  it('fingerprints pairs by content and order', () => {
    const d = pairsDigest(PAIRS);
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(pairsDigest(PAIRS.map((p) => ({ ...p })))).toBe(d);
    expect(pairsDigest([PAIRS[1], PAIRS[0], ...PAIRS.slice(2)])).not.toBe(d);
    expect(pairsDigest([{ ...PAIRS[0], sentence2: `${PAIRS[0].sentence2}.` }, ...PAIRS.slice(1)])).not.toBe(d);
  });
});

describe('selectionMismatches (--add-yardstick refuses pairs that do not reproduce the stored ones)', () => {
  const stored = { a: samplePairs(PAIRS, 24), b: PAIRS.slice(0, 30) };

  it('accepts the same selection made again, with or without a recorded fingerprint', () => {
    const again = { a: currentSelection(selectPairs(PAIRS, { limit: null, sample: 24 })), b: currentSelection(selectPairs(PAIRS, { limit: 30, sample: null })) };
    expect(selectionMismatches(FILES, record(stored, true), again)).toEqual([]);
    expect(selectionMismatches(FILES, record(stored, false), again)).toEqual([]);
  });

  it('names a different count, a different subset mix and a different sample', () => {
    const problems = selectionMismatches(FILES, record(stored, true), { a: currentSelection(samplePairs(PAIRS, 25)), b: currentSelection(PAIRS.slice(0, 30)) });
    expect(problems.join('\n')).toMatch(/^A: 25 pairs selected, sts\.json used 24/);
    expect(problems.every((p) => p.startsWith('A:'))).toBe(true);
    const otherSeed = selectionMismatches(FILES, record(stored, false), { a: currentSelection(samplePairs(PAIRS, 24, 99)), b: currentSelection(PAIRS.slice(0, 30)) });
    expect(otherSeed.length).toBeGreaterThan(0);
    expect(otherSeed.join('\n')).toMatch(/^A: /);
  });

  it('without a fingerprint, catches a changed sentence with the same counts through the lexical scores', () => {
    const edited = stored.b.map((p, i) => (i === 25 ? { ...p, sentence2: 'an entirely different sentence about the weather' } : p));
    expect(currentSelection(edited).sentences).toBe(currentSelection(stored.b).sentences);
    const problems = selectionMismatches(FILES, record(stored, false), { a: currentSelection(stored.a), b: currentSelection(edited) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^B: the lexical baselines recomputed on these pairs differ/);
    expect(selectionMismatches(FILES, record(stored, true), { a: currentSelection(stored.a), b: currentSelection(edited) }).join('\n')).toMatch(/sha256/);
  });

  it('with a fingerprint, catches sentences swapped between two pairs (every count unchanged)', () => {
    // Swapping the sentence2 of two pairs with the same gold score and subset moves no count.
    const i = stored.b.findIndex((p, k) => stored.b.some((q, m) => m > k && q.score === p.score && q.subset === p.subset));
    const j = stored.b.findIndex((q, m) => m > i && q.score === stored.b[i].score && q.subset === stored.b[i].subset);
    const swapped = stored.b.map((p, k) => (k === i ? { ...p, sentence2: stored.b[j].sentence2 } : k === j ? { ...p, sentence2: stored.b[i].sentence2 } : p));
    const problems = selectionMismatches(FILES, record(stored, true), { a: currentSelection(stored.a), b: currentSelection(swapped) });
    expect(problems.some((p) => /^B: the pairs' sha256 differs/.test(p))).toBe(true);
  });
});

/** The committed results: selecting their pairs again from the shared STS files reproduces them (what --add-yardstick relies on). */
const dataDir = (() => {
  try {
    return stsDataDir();
  } catch {
    return null;
  }
})();
const STS = ['sts12', 'sts13', 'sts14'] as const;
describe.runIf(dataDir !== null)('the committed sts.json files', () => {
  for (const [model, sample] of [['moee-demo', null], ['moee-smollm2', 100]] as const) {
    const path = new URL(`../models/${model}/eval/sts.json`, import.meta.url);
    it.runIf(existsSync(path))(`${model}: the pair selection ${sample ? `--sample ${sample}` : '(all pairs)'} reproduces the stored counts and lexical baselines`, () => {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as RecordedSelection<(typeof STS)[number]> & { command: string };
      expect(stored.command.includes(`--sample ${sample}`)).toBe(sample !== null);
      const current = Object.fromEntries(STS.map((f) => [f, currentSelection(selectPairs(parseSts(readFileSync(join(dataDir!, `${f}.tsv`), 'utf8')), { limit: null, sample }))]));
      expect(selectionMismatches(STS, stored, current as Record<(typeof STS)[number], ReturnType<typeof currentSelection>>)).toEqual([]);
      expect(lexicalBaselines(selectPairs(parseSts(readFileSync(join(dataDir!, 'sts13.tsv'), 'utf8')), { limit: null, sample })).all).toEqual(stored.baselines.sts13.all);
    });
  }
});
