/**
 * A page for browser tests of the engine itself: the real worker and protocol, no UI. Playwright
 * drives it through `window.moeeHarness` and gets back plain JSON reports.
 */
import { EngineClient, EngineError } from './engine-client.ts';
import { compareWithGolden, type GoldenReport } from '../models/golden-check.ts';
import { readGoldens, type GoldenManifest } from '../models/goldens.ts';
import { DEFAULT_EMBED_OPTIONS, type EmbedOptions, type EpPreference, type HubSource, type ModelDtype } from '../workers/protocol.ts';

const client = new EngineClient();
const readyAt = performance.now();

async function fetchGoldens(modelId: string) {
  const base = `/models/${modelId}/goldens/`;
  const manifest = (await (await fetch(`${base}goldens.json`)).json()) as GoldenManifest;
  const blob = new Uint8Array(await (await fetch(`${base}goldens.bin`)).arrayBuffer());
  return { manifest, cases: readGoldens(manifest, blob) };
}

const harness = {
  /** `hub`: load from a Hub (or its stand-in) instead of the app's own model folder. */
  async load(modelId: string, dtype: ModelDtype, ep: EpPreference, hub?: HubSource) {
    try {
      const loaded = await client.load({ modelId, dtype, ep, ...(hub && { hub }) });
      return { ok: true as const, model: loaded.model, capabilities: loaded.capabilities };
    } catch (error) {
      return { ok: false as const, error: error instanceof EngineError ? error.serialized : { name: 'InternalError', message: String(error) } };
    }
  },
  /**
   * Load and embed once, with the time (performance.now(), ms since navigation) at which each load
   * phase was first reported and the first embedding returned: the cold-start phases for bench/.
   */
  async timedStart(modelId: string, dtype: ModelDtype, ep: EpPreference, texts: string[]) {
    const marks: Record<string, number> = { harnessReady: readyAt };
    const loaded = await client.load({ modelId, dtype, ep }, (e) => {
      marks[e.phase] ??= performance.now();
    });
    marks.loaded = performance.now();
    await client.embed(texts, DEFAULT_EMBED_OPTIONS);
    marks.firstEmbed = performance.now();
    return { marks, wasmThreads: loaded.capabilities.wasmThreads, ep: loaded.model.ep };
  },
  /** `tieLogitMargin`: see compareWithGolden; 0 demands the exact golden top-k sets. */
  async goldens(modelId: string, tieLogitMargin = 0): Promise<{ case: string; ep: string; report: GoldenReport }[]> {
    const { manifest, cases } = await fetchGoldens(modelId);
    const reports = [];
    for (const golden of cases) {
      const result = await client.embed(manifest.texts, {
        ...DEFAULT_EMBED_OPTIONS,
        template: { id: golden.template },
        padding: golden.padding,
        tokenRouting: true,
        batchSize: 5,
      });
      reports.push({ case: `${golden.template}/${golden.padding}`, ep: result.ep, report: compareWithGolden(golden, result, manifest.model.num_experts_per_tok, tieLogitMargin) });
    }
    return reports;
  },
  /** The yardstick's embeddings of raw texts, as plain arrays (loaded by the first call). */
  async yardstick(texts: string[]) {
    try {
      const { result, loadMs } = await client.yardstick(texts);
      return { ok: true as const, dims: result.embeddings.dims, embeddings: Array.from(result.embeddings.data), dtype: result.dtype, loadMs, embedMs: result.timings.embedMs };
    } catch (error) {
      return { ok: false as const, error: error instanceof EngineError ? error.serialized : { name: 'InternalError', message: String(error) } };
    }
  },
  /** Embed and return the numbers as plain arrays (for CLI/worker identity checks). */
  async embed(texts: string[], options: Partial<EmbedOptions> = {}) {
    try {
      const r = await client.embed(texts, { ...DEFAULT_EMBED_OPTIONS, ...options });
      return { ok: true as const, ep: r.ep, hs: Array.from(r.hs.data), rwLogits: Array.from(r.rwLogits.data), rwSoftmax: Array.from(r.rwSoftmax.data), truncated: r.truncated, prompts: r.prompts };
    } catch (error) {
      return { ok: false as const, error: error instanceof EngineError ? error.serialized : { name: 'InternalError', message: String(error) } };
    }
  },
};

declare global {
  interface Window {
    moeeHarness: typeof harness;
  }
}
window.moeeHarness = harness;
document.body.dataset.ready = 'true';
