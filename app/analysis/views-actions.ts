/**
 * Runs of the nearest-neighbour, expert and prompt A/B views. Embeddings come from the engine
 * (cached per texts × options); the neighbour scores of a large corpus are computed in the compute
 * worker block by block (progress and cancel between blocks); expert counts run on the main thread
 * a text at a time, handing the page back between slices. All the math is core/.
 */
import { compareRankings, cosineDistance, dimensionStats, ExpertTally, layerDivergences, NEIGHBOUR_REPRESENTATIONS, textSetEmbeddings, topExperts, topK, type NeighbourScores } from '../../core/index.ts';
import { referenceStatsFor } from '../derive.ts';
import { useStore } from '../store.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import { currentTextSet, start } from './actions.ts';
import { compute } from './compute-client.ts';
import { rwOf } from './derive.ts';
import { ANALYSIS_EMBED_OPTIONS, pause } from './run.ts';
import { useAnalysis } from './state.ts';

const update = useAnalysis.getState().set;

/** Corpus rows per compute-worker call: small enough for a progress tick every few ms, large enough that messaging costs little. */
const NEIGHBOUR_BLOCK_ROWS = 512;

/** A named error for input the views cannot use (shown with its name; nothing typed is lost). */
function inputError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

const f32 = (a: Float32Array | Float64Array) => (a instanceof Float32Array ? a.slice() : Float32Array.from(a));

export function runNeighbours(query: string, k: number): Promise<void> {
  return start('neighbours', async (run, progress) => {
    const set = currentTextSet();
    if (!query.trim()) throw inputError('EmptyQueryError', 'Type a query first.');
    if (set.texts.length === 0) throw inputError('NoTextsError', 'There are no texts to search: type some in the playground or upload a list.');
    if (!(k >= 1)) throw inputError('InvalidKError', 'k must be at least 1.');
    const template = useAnalysis.getState().template;
    const { settings, engine } = useStore.getState();
    const options = { ...ANALYSIS_EMBED_OPTIONS, template: { id: template } };
    const corpusResult = await run.embed(set.texts, options, (done, total) => progress(`embedding the texts: ${done} / ${total}`, (0.8 * done) / total));
    const queryResult = await run.embed([query], options);
    run.check();
    const corpus = textSetEmbeddings(corpusResult);
    const q = textSetEmbeddings(queryResult);
    const rw = rwOf(corpus, settings.rwKind);
    const qrw = rwOf(q, settings.rwKind);
    // MoEE concat: the model's reference statistics when chosen and available, else the corpus's own.
    const reference = settings.standardization === 'reference' ? referenceStatsFor(corpusResult, engine.referenceStats, settings.rwKind) : null;
    const stats = reference ?? { hs: dimensionStats(corpus.hs), rw: dimensionStats(rw) };
    await pause();
    const n = corpus.hs.rows;
    const scores: NeighbourScores = { hs: new Float64Array(n), rw: new Float64Array(n), concat: new Float64Array(n), sum: new Float64Array(n) };
    const queryHs = f32(q.hs.data);
    const queryRw = f32(qrw.data);
    for (let offset = 0; offset < n; offset += NEIGHBOUR_BLOCK_ROWS) {
      run.check();
      const end = Math.min(n, offset + NEIGHBOUR_BLOCK_ROWS);
      const block = <M extends { data: Float32Array | Float64Array; cols: number }>(m: M) => ({ data: f32(m.data.subarray(offset * m.cols, end * m.cols)), rows: end - offset, cols: m.cols });
      const hsBlock = block(corpus.hs);
      const rwBlock = block(rw);
      const answer = await compute.call(
        {
          kind: 'neighbourBlock',
          queryHs,
          queryRw,
          hs: hsBlock,
          rw: rwBlock,
          stats: { hsMean: stats.hs.mean, hsStd: stats.hs.std, rwMean: stats.rw.mean, rwStd: stats.rw.std },
          alpha: settings.alpha,
          offset,
        },
        { transfer: [hsBlock.data.buffer, rwBlock.data.buffer] },
      );
      for (const rep of NEIGHBOUR_REPRESENTATIONS) scores[rep].set(answer[rep], offset);
      progress(`scoring: ${end} / ${n} texts (compute worker)`, 0.8 + (0.2 * end) / n);
    }
    run.check();
    const { columns, overlap } = compareRankings(scores, Math.min(k, n));
    update({
      neighbours: { source: set.source, template, query, k: Math.min(k, n), alpha: settings.alpha, rwKind: settings.rwKind, concatStats: reference ? 'reference' : 'corpus', texts: set.texts, columns, overlap },
    });
  });
}

export function runExperts(template: BuiltinTemplateId): Promise<void> {
  return start('experts', async (run, progress) => {
    const set = currentTextSet();
    if (set.texts.length === 0) throw inputError('NoTextsError', 'There are no texts: type some in the playground or upload a list.');
    const model = useStore.getState().engine.model;
    if (!model) throw inputError('ModelNotLoadedError', 'Load a model first.');
    const result = await run.embed(set.texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template }, tokenRouting: true }, (done, total) => progress(`embedding with per-token routing: ${done} / ${total}`, (0.85 * done) / total));
    const routings = result.tokenRouting;
    if (!routings) throw new Error('the engine returned no per-token routing');
    const [, layers, experts] = result.rwSoftmax.dims;
    const tally = new ExpertTally(layers, experts, model.topK);
    const tops: Int32Array[] = [];
    for (const [i, routing] of routings.entries()) {
      const top = topExperts(routing, model.topK);
      tally.add(routing, top);
      tops.push(top);
      if (i % 64 === 0) {
        run.check();
        progress(`counting routings: ${i} / ${routings.length} texts`, 0.85 + (0.15 * i) / routings.length);
      }
      await pause();
    }
    update({ experts: { source: set.source, template, texts: set.texts, moeLayers: model.moeLayers, map: tally.map(), routings, tops } });
  });
}

export interface AbTestInput {
  mode: 'templates' | 'texts';
  templateA: BuiltinTemplateId;
  templateB: BuiltinTemplateId;
  text: string;
  textA: string;
  textB: string;
  template: BuiltinTemplateId;
}

export function runAbTest(input: AbTestInput): Promise<void> {
  return start('abtest', async (run, progress) => {
    const model = useStore.getState().engine.model;
    if (!model) throw inputError('ModelNotLoadedError', 'Load a model first.');
    const texts = input.mode === 'templates' ? [input.text, input.text] : [input.textA, input.textB];
    if (texts.some((t) => !t.trim())) throw inputError('EmptyTextError', input.mode === 'templates' ? 'Type the text to compare the two templates on.' : 'Type both versions of the text.');
    const templates = input.mode === 'templates' ? [input.templateA, input.templateB] : [input.template, input.template];
    progress('embedding A', 0.1);
    const a = await run.embed([texts[0]], { ...ANALYSIS_EMBED_OPTIONS, template: { id: templates[0] } });
    progress('embedding B', 0.5);
    const b = await run.embed([texts[1]], { ...ANALYSIS_EMBED_OPTIONS, template: { id: templates[1] } });
    run.check();
    const [, layers, experts] = a.rwSoftmax.dims;
    const jsd = Array.from(layerDivergences(a.rwSoftmax.data, b.rwSoftmax.data, layers, experts));
    const sharedTopK = Array.from({ length: layers }, (_, l) => {
      const slice = (r: Float32Array) => r.subarray(l * experts, (l + 1) * experts);
      const ta = topK(slice(a.rwSoftmax.data), model.topK);
      const tb = topK(slice(b.rwSoftmax.data), model.topK);
      return ta.filter((e) => tb.includes(e)).length;
    });
    const kind = useStore.getState().settings.rwKind;
    const rwA = kind === 'softmax' ? a.rwSoftmax.data : a.rwLogits.data;
    const rwB = kind === 'softmax' ? b.rwSoftmax.data : b.rwLogits.data;
    update({
      abtest: {
        mode: input.mode,
        labelA: input.mode === 'templates' ? templates[0] : texts[0],
        labelB: input.mode === 'templates' ? templates[1] : texts[1],
        promptA: a.prompts[0],
        promptB: b.prompts[0],
        moeLayers: model.moeLayers,
        jsd,
        sharedTopK,
        topK: model.topK,
        hsDistance: cosineDistance(a.hs.data, b.hs.data),
        rwDistance: cosineDistance(rwA, rwB),
      },
    });
  });
}
