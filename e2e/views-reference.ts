/**
 * The numbers the new analysis views must show, computed in Node by core/ on embeddings from the
 * Node engine (the same WASM kernels, model and options as the page: bit-identical, see
 * cli-identity.spec.ts). Reads a ViewsReferenceInput as JSON on stdin, prints a ViewsReference.
 * Run by e2e/views.spec.ts: `npx tsx e2e/views-reference.ts < input.json`.
 */
import { readFileSync } from 'node:fs';
import { compareRankings, cosineDistance, cosineSimilarityMatrix, dimensionStats, expertDetail, ExpertTally, layerDivergences, neighbourScores, textSetEmbeddings } from '../core/index.ts';
import { ANALYSIS_EMBED_OPTIONS } from '../app/analysis/options.ts';
import { createNodeEngine } from '../workers/node-engine.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedOptions } from '../workers/protocol.ts';
import type { BuiltinTemplateId } from '../workers/templates.ts';

export interface ViewsReferenceInput {
  corpus: string[];
  query: string;
  k: number;
  alpha: number;
  template: BuiltinTemplateId;
  playgroundTexts: string[];
  expertTemplate: BuiltinTemplateId;
  expertLayer: number;
  expertIndex: number;
  ab: { text: string; templateA: BuiltinTemplateId; templateB: BuiltinTemplateId; textA: string; textB: string; template: BuiltinTemplateId };
}

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8')) as ViewsReferenceInput;
  const engine = await createNodeEngine('moee-demo', 'q8');
  const embed = (texts: string[], template: BuiltinTemplateId, extra: Partial<EmbedOptions> = {}) => engine.embed(texts, { ...ANALYSIS_EMBED_OPTIONS, template: { id: template }, ...extra });

  // Nearest neighbours: corpus statistics standardise MoEE concat (the page runs with standardization 'batch').
  const corpus = textSetEmbeddings(await embed(input.corpus, input.template));
  const query = textSetEmbeddings(await embed([input.query], input.template));
  const stats = { hs: dimensionStats(corpus.hs), rw: dimensionStats(corpus.rwSoftmax) };
  const scores = neighbourScores({ hs: query.hs.data, rw: query.rwSoftmax.data }, corpus.hs, corpus.rwSoftmax, stats, input.alpha);
  const neighbours = compareRankings(scores, input.k);

  // The playground's texts with the playground's own options: the HS matrix and its off-diagonal values.
  const playground = await engine.embed(input.playgroundTexts, { ...DEFAULT_EMBED_OPTIONS, tokenRouting: true });
  const hsMatrix = cosineSimilarityMatrix(textSetEmbeddings(playground).hs);

  // What an expert does, over the playground's texts.
  const routed = await embed(input.playgroundTexts, input.expertTemplate, { tokenRouting: true });
  const [, layers, experts] = routed.rwSoftmax.dims;
  const tally = new ExpertTally(layers, experts, engine.info.topK);
  for (const r of routed.tokenRouting!) tally.add(r);
  const map = tally.map();
  const detail = expertDetail(routed.tokenRouting!, input.expertLayer, input.expertIndex, engine.info.topK, { tokens: 15, texts: 8, examples: 2 });

  // Prompt A/B: one text under two templates, and two texts under one.
  const pair = async (texts: [string, string], templates: [BuiltinTemplateId, BuiltinTemplateId]) => {
    const a = await embed([texts[0]], templates[0]);
    const b = await embed([texts[1]], templates[1]);
    return {
      jsd: Array.from(layerDivergences(a.rwSoftmax.data, b.rwSoftmax.data, layers, experts)),
      hsDistance: cosineDistance(a.hs.data, b.hs.data),
      rwDistance: cosineDistance(a.rwSoftmax.data, b.rwSoftmax.data),
      prompts: [a.prompts[0], b.prompts[0]],
    };
  };
  const abTemplates = await pair([input.ab.text, input.ab.text], [input.ab.templateA, input.ab.templateB]);
  const abTexts = await pair([input.ab.textA, input.ab.textB], [input.ab.template, input.ab.template]);

  process.stdout.write(
    JSON.stringify({
      ep: engine.info.ep,
      neighbours,
      hsMatrix: Array.from(hsMatrix),
      expertMap: { counts: Array.from(map.counts), share: Array.from(map.share), tokenEntropy: Array.from(map.tokenEntropy), dormant: map.dormant, tokenCount: map.tokenCount },
      detail,
      abTemplates,
      abTexts,
    }) + '\n',
  );
}

main().catch((error: Error) => {
  process.stderr.write(`views-reference: ${error.name}: ${error.message}\n`);
  process.exit(1);
});
