/**
 * The page's engine actions: one client, store updates from its events. Called from components
 * and effects; never blocks the main thread (all inference is in the worker).
 */
import { EngineClient, EngineError } from './engine-client.ts';
import { textsOf, useStore, type Settings } from './store.ts';
import { DEFAULT_EMBED_OPTIONS, MAX_TEXTS_PER_REQUEST, type EmbedOptions } from '../workers/protocol.ts';
import type { TemplateSpec } from '../workers/templates.ts';

/** Above this many texts the per-token routing (for heatmaps) is skipped to keep results small. */
export const TOKEN_ROUTING_MAX_TEXTS = 64;

const { setEngine } = useStore.getState();

/** A worker that crashes again this soon after an automatic recovery is not restarted again (no crash loop). */
const CRASH_RECOVERY_WINDOW_MS = 60_000;
let lastRecovery = -Infinity;

export const client = new EngineClient({
  onReset: (reason) => {
    setEngine({ status: 'error', model: null, error: reason, loadProgress: null, embedProgress: null });
    if (reason.name !== 'WorkerCrashedError') return;
    // The client already started a fresh worker; load the model into it once, then say so.
    const now = performance.now();
    if (now - lastRecovery < CRASH_RECOVERY_WINDOW_MS) return;
    lastRecovery = now;
    setEngine({ error: null, notice: `${reason.message} Loading the model into it…` });
    void loadModel().then(() => {
      if (useStore.getState().engine.model) setEngine({ notice: `Recovered: ${reason.message} The model was loaded into the fresh worker.` });
    });
  },
});

let loadId: string | null = null;
let embedId: string | null = null;

export async function loadModel(): Promise<void> {
  const { settings } = useStore.getState();
  if (loadId) client.cancel(loadId);
  const requestId = EngineClient.newRequestId('load');
  loadId = requestId;
  setEngine({ status: 'loading', error: null, loadProgress: null, result: null });
  try {
    const loaded = await client.load({ modelId: settings.modelId, dtype: settings.dtype, ep: settings.ep }, (p) => setEngine({ loadProgress: p }), requestId);
    if (loadId !== requestId) return;
    setEngine({ status: 'ready', model: loaded.model, capabilities: loaded.capabilities, referenceStats: loaded.referenceStats, loadProgress: null });
    void embedTexts();
  } catch (error) {
    if (loadId === requestId) setEngine({ status: 'error', error: toSerialized(error), loadProgress: null });
  } finally {
    if (loadId === requestId) loadId = null;
  }
}

export function templateSpec(settings: Settings): TemplateSpec {
  return settings.templateId === 'custom' ? { id: 'custom', template: settings.customTemplate } : { id: settings.templateId };
}

export function embedOptions(settings: Settings, count: number): EmbedOptions {
  return {
    ...DEFAULT_EMBED_OPTIONS,
    template: templateSpec(settings),
    instruction: settings.useInstruction ? settings.instruction : null,
    pooling: settings.pooling,
    padding: settings.padding,
    maxTokens: settings.maxTokens,
    tokenRouting: count <= TOKEN_ROUTING_MAX_TEXTS,
  };
}

/** Embed the editor's texts with the current settings; a newer call cancels an older one. */
export async function embedTexts(): Promise<void> {
  const { settings, engine } = useStore.getState();
  if (!engine.model) return;
  const texts = textsOf(settings.text);
  if (embedId) client.cancel(embedId);
  // Nothing to embed, or more than one request may carry: the editor says so in place.
  if (texts.length === 0 || texts.length > MAX_TEXTS_PER_REQUEST) {
    embedId = null;
    setEngine({ status: 'ready', embedProgress: null, ...(texts.length === 0 ? { result: null, resultTexts: [] } : {}) });
    return;
  }
  const requestId = EngineClient.newRequestId('embed');
  embedId = requestId;
  setEngine({ status: 'embedding', embedProgress: { done: 0, total: texts.length }, error: null });
  try {
    const result = await client.embed(texts, embedOptions(settings, texts.length), (p) => setEngine({ embedProgress: { done: p.done, total: p.total } }), requestId);
    if (embedId !== requestId) return;
    setEngine({ status: 'ready', result, resultTexts: texts, embedProgress: null });
  } catch (error) {
    if (embedId !== requestId) return;
    const serialized = toSerialized(error);
    // A crash is the client's onReset's to handle (it reloads the model); don't overwrite that state.
    if (serialized.name === 'WorkerCrashedError') return;
    // A cancelled run was replaced by a newer one or stopped by the user: not an error to show.
    setEngine({ status: useStore.getState().engine.model ? 'ready' : 'error', error: serialized.name === 'CancelledError' ? null : serialized, embedProgress: null });
  } finally {
    if (embedId === requestId) embedId = null;
  }
}

/** The cancel button: stop the running load or embedding. */
export function cancelRun(): void {
  if (loadId) {
    // A load can sit inside one long download or session creation: restart the worker.
    loadId = null;
    client.hardCancel();
    setEngine({ status: 'idle', loadProgress: null, error: null });
    return;
  }
  if (embedId) client.cancel(embedId);
}

function toSerialized(error: unknown) {
  return error instanceof EngineError ? error.serialized : { name: 'InternalError' as const, message: String(error) };
}

/** Dismiss the error or notice shown (the state it describes stays as it is). */
export function dismissMessages(): void {
  setEngine({ error: null, notice: null });
}
