/**
 * STS files: `subset\tscore\tsentence1\tsentence2` with a header (shared/data/sts), or plain
 * `score\tsentence1\tsentence2`. Parsing errors name the line.
 */
export interface StsPair {
  subset: string;
  score: number;
  sentence1: string;
  sentence2: string;
}

export class StsFormatError extends Error {
  override readonly name = 'StsFormatError';
}

export function parseSts(text: string): StsPair[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const pairs: StsPair[] = [];
  lines.forEach((line, index) => {
    const cols = line.split('\t');
    if (index === 0 && Number.isNaN(Number(cols[cols.length === 4 ? 1 : 0]))) return; // header
    if (cols.length !== 3 && cols.length !== 4) {
      throw new StsFormatError(`line ${index + 1}: expected 3 or 4 tab-separated columns (score, sentence1, sentence2), got ${cols.length}`);
    }
    const [subset, score, s1, s2] = cols.length === 4 ? cols : ['all', ...cols];
    const value = Number(score);
    if (!Number.isFinite(value)) throw new StsFormatError(`line ${index + 1}: score "${score}" is not a number`);
    pairs.push({ subset, score: value, sentence1: s1, sentence2: s2 });
  });
  if (pairs.length === 0) throw new StsFormatError('no pairs found');
  return pairs;
}

/** The distinct sentences of a pair list and, per pair, the indices of its two sentences. */
export function uniqueSentences(pairs: StsPair[]): { sentences: string[]; index: Int32Array } {
  const position = new Map<string, number>();
  const index = new Int32Array(pairs.length * 2);
  pairs.forEach((p, i) => {
    [p.sentence1, p.sentence2].forEach((s, k) => {
      let at = position.get(s);
      if (at === undefined) {
        at = position.size;
        position.set(s, at);
      }
      index[2 * i + k] = at;
    });
  });
  return { sentences: [...position.keys()], index };
}
