/** core/lexical.ts against scikit-learn's CountVectorizer / TfidfVectorizer (models/build/lexical_fixtures.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitVocabulary, lexicalPairCosines, lexicalTokens, lexicalVectors } from './lexical.ts';

interface LexicalFixture {
  sentences: string[];
  pairs: [number, number][];
  tokens: string[][];
  vocabulary: string[];
  idf: number[];
  count_cosine: number[];
  tfidf_cosine: number[];
}

const fx = JSON.parse(readFileSync(new URL('../tests/fixtures/lexical.json', import.meta.url), 'utf8')) as LexicalFixture;
const index = Int32Array.from(fx.pairs.flat());

describe('lexical baselines', () => {
  it("tokenises as sklearn's default analyzer", () => {
    expect(fx.sentences.map(lexicalTokens)).toEqual(fx.tokens);
  });
  it('orders the vocabulary and computes the smoothed idf as sklearn', () => {
    expect([...fitVocabulary(fx.sentences.map(lexicalTokens)).keys()]).toEqual(fx.vocabulary);
    const { idf } = lexicalVectors(fx.sentences, 'tfidf');
    expect(idf!.length).toBe(fx.idf.length);
    fx.idf.forEach((v, i) => expect(idf![i]).toBeCloseTo(v, 12));
  });
  it('matches sklearn cosines of counts and of TF-IDF, empty documents included', () => {
    const count = lexicalPairCosines(fx.sentences, index, 'count');
    const tfidf = lexicalPairCosines(fx.sentences, index, 'tfidf');
    fx.count_cosine.forEach((v, i) => expect(count[i]).toBeCloseTo(v, 12));
    fx.tfidf_cosine.forEach((v, i) => expect(tfidf[i]).toBeCloseTo(v, 12));
    // The two weightings really differ on this set (the test would catch one standing in for the other).
    expect(fx.count_cosine.some((v, i) => Math.abs(v - fx.tfidf_cosine[i]) > 0.01)).toBe(true);
  });
});
