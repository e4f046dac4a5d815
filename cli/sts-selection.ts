/**
 * Which STS pairs `npm run eval` scores (cli/eval-suite.ts), and the check that a later run scores
 * the same ones: `--add-yardstick` adds the yardstick's rows to a stored sts.json without rerunning
 * the MoE model, and must refuse when its pair selection is not the one the stored rows used.
 *
 * Pure (no model, no files) so that the selection and its reproduction check are unit-tested
 * (cli/sts-selection.test.ts).
 */
import { createHash } from 'node:crypto';
import { lexicalPairCosines } from '../core/lexical.ts';
import { seededRandom } from '../core/random.ts';
import { scoreBySubset } from '../core/scoring.ts';
import { uniqueSentences, type StsPair } from '../core/sts.ts';

/** The seed of `--sample N` (every sts.json written with --sample used it). */
export const SAMPLE_SEED = 2024;

/**
 * A seeded random sample of `size` pairs, in file order (mulberry32 Fisher–Yates): every subset of a
 * file is represented, unlike the first N pairs, which all come from its first subset.
 */
export function samplePairs(pairs: StsPair[], size: number, seed: number = SAMPLE_SEED): StsPair[] {
  const random = seededRandom(seed);
  const order = pairs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, size).sort((a, b) => a - b).map((i) => pairs[i]);
}

/** `--limit N` (the first N pairs), then `--sample N` (a seeded sample of what is left), as the eval applies them. */
export function selectPairs(pairs: StsPair[], { limit, sample }: { limit: number | null; sample: number | null }): StsPair[] {
  let out = pairs;
  if (limit) out = out.slice(0, limit);
  if (sample && sample < out.length) out = samplePairs(out, sample);
  return out;
}

/** sha256 (hex) of the pairs in order, one `subset\tscore\tsentence1\tsentence2` line each: the pair selection's fingerprint. */
export function pairsDigest(pairs: readonly StsPair[]): string {
  const hash = createHash('sha256');
  for (const p of pairs) hash.update(`${p.subset}\t${p.score}\t${p.sentence1}\t${p.sentence2}\n`);
  return hash.digest('hex');
}

export const subsetCounts = (pairs: readonly StsPair[]) => pairs.reduce<Record<string, number>>((c, p) => ({ ...c, [p.subset]: (c[p.subset] ?? 0) + 1 }), {});

/** The lexical baselines' scores of one file (template-free, fitted on the file's own sentences): they depend on every sentence of every pair. */
export type LexicalScores = { all: Record<'bag_of_words' | 'tfidf', number>; subsets: Record<string, Record<'bag_of_words' | 'tfidf', number>> };

/** Bag-of-words and TF-IDF cosine of one file's pairs (fitted on the file's own sentences, as the eval's baselines rows). */
export function lexicalBaselines(pairs: readonly StsPair[], { sentences, index } = uniqueSentences([...pairs])): LexicalScores {
  return scoreBySubset(
    { bag_of_words: lexicalPairCosines(sentences, index, 'count'), tfidf: lexicalPairCosines(sentences, index, 'tfidf') },
    Float64Array.from(pairs, (p) => p.score),
    pairs.map((p) => p.subset),
  );
}

/** What an sts.json records about the pairs of each file. */
export interface RecordedSelection<F extends string> {
  data: Record<F, { pairs: number; sentences: number; subsets: Record<string, number> }>;
  baselines: Record<F, LexicalScores>;
  /** Written since the yardstick rows were added; older files have none. */
  pairsDigest?: Record<F, string>;
}

/** The same facts of a selection made now. */
export interface CurrentSelection {
  pairs: readonly StsPair[];
  sentences: number;
  /** The lexical baselines recomputed on these pairs (lexicalBaselines). */
  baselines: LexicalScores;
}

/** The facts of a selection that selectionMismatches compares. */
export function currentSelection(pairs: readonly StsPair[]): CurrentSelection {
  const unique = uniqueSentences([...pairs]);
  return { pairs, sentences: unique.sentences.length, baselines: lexicalBaselines(pairs, unique) };
}

/**
 * Every way the pairs selected now differ from those a stored result used; empty when they
 * reproduce it. Checked per file: the pair, sentence and per-subset counts, the fingerprint when
 * the file has one, and, as a check on the sentences themselves for files without a fingerprint,
 * the bag-of-words and TF-IDF scores (overall and per subset), which any changed, swapped or
 * reordered-between-pairs sentence moves.
 */
export function selectionMismatches<F extends string>(files: readonly F[], recorded: RecordedSelection<F>, current: Record<F, CurrentSelection>): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const stored = recorded.data[f];
    const now = current[f];
    const name = f.toUpperCase();
    if (!stored) {
      problems.push(`${name}: sts.json has no record of this file`);
      continue;
    }
    if (stored.pairs !== now.pairs.length) problems.push(`${name}: ${now.pairs.length} pairs selected, sts.json used ${stored.pairs}`);
    if (stored.sentences !== now.sentences) problems.push(`${name}: ${now.sentences} distinct sentences, sts.json had ${stored.sentences}`);
    const counts = subsetCounts(now.pairs);
    const subsets = [...new Set([...Object.keys(stored.subsets), ...Object.keys(counts)])];
    const differing = subsets.filter((s) => stored.subsets[s] !== counts[s]);
    if (differing.length) problems.push(`${name}: pairs per subset differ (${differing.map((s) => `${s}: ${counts[s] ?? 0} now, ${stored.subsets[s] ?? 0} stored`).join('; ')})`);
    const digest = recorded.pairsDigest?.[f];
    if (digest !== undefined && digest !== pairsDigest(now.pairs)) problems.push(`${name}: the pairs' sha256 differs from the one sts.json recorded`);
    const base = recorded.baselines[f];
    const scoreDiffs: string[] = [];
    const compare = (where: string, a: Record<'bag_of_words' | 'tfidf', number> | undefined, b: Record<'bag_of_words' | 'tfidf', number> | undefined) => {
      for (const k of ['bag_of_words', 'tfidf'] as const) {
        const x = a?.[k];
        const y = b?.[k];
        if (x === undefined || y === undefined || Math.abs(x - y) > 1e-9) scoreDiffs.push(`${where} ${k} ${y ?? 'missing'} now, ${x ?? 'missing'} stored`);
      }
    };
    compare('all', base?.all, now.baselines.all);
    for (const s of Object.keys(stored.subsets)) if (counts[s]) compare(s, base?.subsets[s], now.baselines.subsets[s]);
    if (scoreDiffs.length) problems.push(`${name}: the lexical baselines recomputed on these pairs differ from sts.json's, so their sentences differ (${scoreDiffs.slice(0, 4).join('; ')}${scoreDiffs.length > 4 ? '; …' : ''})`);
  }
  return problems;
}
