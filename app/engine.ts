/**
 * The page's engine actions: one client, store updates from its events. Called from components
 * and effects; never blocks the main thread (all inference is in the worker).
 */
import { EngineClient, EngineError } from './engine-client.ts';
import { sameTexts, textsOf, useStore, type Settings } from './store.ts';
import { DEFAULT_EMBED_OPTIONS, MAX_TEXTS_PER_REQUEST, type EmbedOptions, type LoadRequest } from '../workers/protocol.ts';
import type { TemplateSpec } from '../workers/templates.ts';
import { chooseExecutionProvider } from '../workers/capabilities.ts';
import { DeviceUnsupportedError, serializeError, type SerializedError } from '../workers/errors.ts';
import type { CachedModel } from '../workers/hub.ts';
import { checkRequirements, F16_DTYPES, findRegistryEntry, type RequirementReport } from '../models/registry.ts';

/** Above this many texts the per-token routing (for heatmaps) is skipped to keep results small. */
export const TOKEN_ROUTING_MAX_TEXTS = 64;

const { setEngine, setHub } = useStore.getState();

/** A soft cancel stops a download at once; session creation cannot be interrupted, so after this long the worker is restarted. */
const HARD_CANCEL_AFTER_MS = 3000;

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
let selfCheckId: string | null = null;
let yardstickId: string | null = null;
/** The yardstick run in flight: an MoE run waits for it to stop (one WASM runtime runs one thing at a time). */
let yardstickRun: Promise<void> = Promise.resolve();
/** Where the loaded model came from (an embedded folder or a Hub), so that "use WASM" reloads the same one. */
let loadedSource: LoadSource | null = null;

/** What to load: by default the model chosen in settings (an embedded one). */
export type LoadSource = Pick<LoadRequest, 'modelId' | 'dtype' | 'hub'>;

/** How a load ended. */
export type LoadOutcome = 'ready' | 'failed' | 'cancelled';

/** Load a model. A newer load cancels an older one (which then ends 'cancelled'). */
export async function loadModel(source?: LoadSource): Promise<LoadOutcome> {
  const { settings } = useStore.getState();
  if (loadId) client.cancel(loadId);
  // A running embed belongs to the model being replaced: stop it, and forget it so that a result
  // it still delivers is dropped (embedTexts checks its id, then the result's model).
  if (embedId) client.cancel(embedId);
  embedId = null;
  if (selfCheckId) client.cancel(selfCheckId);
  selfCheckId = null;
  stopYardstick();
  const requestId = EngineClient.newRequestId('load');
  loadId = requestId;
  // The worker drops its current model before loading the next, so the page must not keep showing it.
  setEngine({ status: 'loading', error: null, loadProgress: null, result: null, model: null, referenceStats: null, selfCheck: null });
  try {
    const request = source ?? { modelId: settings.modelId, dtype: settings.dtype };
    const loaded = await client.load({ ...request, ep: settings.ep }, (p) => setEngine({ loadProgress: p }), requestId);
    if (loadId !== requestId) return 'cancelled';
    loadedSource = request;
    setEngine({ status: 'ready', model: loaded.model, capabilities: loaded.capabilities, referenceStats: loaded.referenceStats, loadProgress: null });
    // The texts first (the matrices are what the user waits for), then the device check.
    void embedTexts().then(() => {
      if (loaded.model.ep === 'webgpu' && useStore.getState().engine.model === loaded.model) void checkDevice();
    });
    return 'ready';
  } catch (error) {
    const serialized = toSerialized(error);
    const cancelled = serialized.name === 'CancelledError';
    // A cancel is the user's choice, not an error to show.
    if (loadId === requestId) {
      setEngine({ status: cancelled ? 'idle' : 'error', error: cancelled ? null : serialized, loadProgress: null });
      // The worker dropped its model when this load began; a failed one may also have poisoned
      // Transformers.js' session chain (see restartAfterFailedLoad). (After a hard cancel loadId
      // is already cleared: that worker was replaced.)
      client.restartAfterFailedLoad();
    }
    return cancelled || loadId !== requestId ? 'cancelled' : 'failed';
  } finally {
    if (loadId === requestId) loadId = null;
  }
}

// ---------------------------------------------------------------------------------------------
// Hub models: check, agree, download (cancel, resume), cache
// ---------------------------------------------------------------------------------------------

/**
 * Read the typed (or chosen) model's config.json and live file sizes, then check them against
 * this device: the panel then shows the download size and asks before any weight is fetched.
 */
export async function inspectHubModel(): Promise<void> {
  const { hub, settings, engine } = useStore.getState();
  const modelId = hub.modelId.trim();
  if (!modelId) return;
  setHub({ status: 'inspecting', plan: null, requirements: null, error: null, checkedFor: null });
  try {
    const capabilities = engine.capabilities ?? (await client.capabilities());
    setEngine({ capabilities });
    const plan = await client.inspect({ modelId, dtype: hub.dtype, hub: hubSource() });
    const registry = findRegistryEntry(modelId)?.dtypes[hub.dtype];
    let ep: 'webgpu' | 'wasm';
    try {
      ep = chooseExecutionProvider(settings.ep, capabilities).ep;
    } catch (error) {
      // WebGPU forced on a browser that gives no adapter.
      const report: RequirementReport = { refusals: [{ requirement: 'webgpu', message: (error as Error).message }], unchecked: [] };
      setHub({ status: 'refused', plan, requirements: report, checkedFor: null, error: refusalError(report) });
      return;
    }
    const requirements = checkRequirements(
      {
        dtype: hub.dtype,
        weightBytes: plan.weightBytes,
        downloadBytes: plan.downloadBytes,
        webgpuFeatures: registry?.webgpuFeatures ?? (F16_DTYPES.has(hub.dtype) ? ['shader-f16'] : []),
        largestBufferBytes: registry?.largestBufferBytes ?? null,
      },
      capabilities,
      ep,
    );
    const refused = requirements.refusals.length > 0;
    setHub({ status: refused ? 'refused' : 'planned', plan, requirements, checkedFor: ep, error: refused ? refusalError(requirements) : null });
  } catch (error) {
    setHub({ status: 'failed', error: toSerialized(error) });
  }
}

/** A refusal as the named error it is (DeviceUnsupportedError, naming the first unmet requirement). */
function refusalError(report: RequirementReport): SerializedError {
  const [first] = report.refusals;
  return serializeError(new DeviceUnsupportedError(report.refusals.map((r) => r.message).join(' '), first.requirement));
}

function hubSource() {
  const { hub } = useStore.getState();
  return { remoteHost: hub.remoteHost, stallTimeoutMs: hub.stallTimeoutMs };
}

/** The user agreed to the shown download: fetch what is not cached, then load. Also "resume". */
export async function downloadHubModel(): Promise<void> {
  const { hub } = useStore.getState();
  if (!hub.plan || hub.status === 'refused') return;
  setHub({ status: 'downloading', error: null });
  const outcome = await loadModel({ modelId: hub.plan.modelId, dtype: hub.plan.dtype, hub: hub.plan.hub });
  const { engine } = useStore.getState();
  setHub(outcome === 'ready' ? { status: 'loaded' } : outcome === 'cancelled' ? { status: 'cancelled' } : { status: 'failed', error: engine.error });
  // The Hub panel shows a failed download with its way forward (resume); one message is enough.
  if (outcome === 'failed') setEngine({ error: null });
  void refreshCache();
}

export async function refreshCache(): Promise<void> {
  try {
    const { cacheName, models } = await client.cacheList();
    setHub({ cacheName, cached: models });
  } catch (error) {
    // A listing cut short by a worker restart is simply asked for again by the next refresh.
    if (toSerialized(error).name !== 'CancelledError') setHub({ error: toSerialized(error) });
  }
}

export async function deleteCachedModel(model: CachedModel): Promise<void> {
  await client.cacheDelete(model.files);
  await refreshCache();
}

function templateSpec(settings: Settings): TemplateSpec {
  return settings.templateId === 'custom' ? { id: 'custom', template: settings.customTemplate } : { id: settings.templateId };
}

function embedOptions(settings: Settings, count: number): EmbedOptions {
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
    stopYardstick();
    await yardstickRun;
    if (embedId !== requestId) return;
    const result = await client.embed(texts, embedOptions(settings, texts.length), (p) => setEngine({ embedProgress: { done: p.done, total: p.total } }), requestId);
    if (embedId !== requestId || !isLoadedModelResult(result)) return;
    setEngine({ status: 'ready', result, resultTexts: texts, embedProgress: null });
    embedId = null;
    void embedYardstick();
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

// ---------------------------------------------------------------------------------------------
// The yardstick: all-MiniLM-L6-v2 (trained for similarity) on the texts of the MoE result
// ---------------------------------------------------------------------------------------------

/** Stop a running yardstick run at its next block (its promise, yardstickRun, then settles). */
function stopYardstick(): void {
  if (yardstickId) client.cancel(yardstickId);
  yardstickId = null;
}

/**
 * Embed the texts of the current MoE result with the yardstick, when it is shown and not already
 * computed for them. Runs after an MoE run, never beside one; a newer MoE run stops it.
 */
export function embedYardstick(): Promise<void> {
  const { settings, engine } = useStore.getState();
  const texts = engine.resultTexts;
  const current = engine.yardstick;
  if (!settings.yardstick || texts.length === 0 || embedId || loadId) return yardstickRun;
  if (current.status === 'ready' && sameTexts(current.texts, texts)) return yardstickRun;
  stopYardstick();
  const requestId = EngineClient.newRequestId('yardstick');
  yardstickId = requestId;
  const setYardstick = (patch: Partial<typeof current>) => {
    if (yardstickId === requestId) setEngine({ yardstick: { ...useStore.getState().engine.yardstick, ...patch } });
  };
  setYardstick({ status: 'running', progress: null, error: null });
  const run = yardstickRun.then(async () => {
    try {
      const { result, loadMs } = await client.yardstick(texts, undefined, (p) => setYardstick({ progress: { stage: p.stage, fraction: p.fraction, message: p.message } }), requestId);
      setYardstick({ status: 'ready', progress: null, result, texts, loadMs });
    } catch (error) {
      const serialized = toSerialized(error);
      // Stopped for a newer run, or the worker was replaced: not an error to show.
      if (serialized.name === 'CancelledError' || serialized.name === 'WorkerCrashedError') {
        // Unless a newer run took over, show the last finished result again (it names its own texts).
        if (yardstickId === requestId || yardstickId === null) {
          const latest = useStore.getState().engine.yardstick;
          setEngine({ yardstick: { ...latest, status: latest.result ? 'ready' : 'idle', progress: null } });
        }
        return;
      }
      setYardstick({ status: 'error', progress: null, error: serialized });
    } finally {
      if (yardstickId === requestId) yardstickId = null;
    }
  });
  yardstickRun = run;
  return run;
}

/** Whether a result was made by the model the page has loaded now (results carry their model id and dtype). */
function isLoadedModelResult(result: { modelId: string; dtype: string }): boolean {
  const model = useStore.getState().engine.model;
  return model !== null && model.modelId === result.modelId && model.dtype === result.dtype;
}

/**
 * The device self-check: the loaded WebGPU model against a WASM run of the same files
 * (workers/handler.ts). Its outcome is shown in the model panel; on a mismatch the panel offers WASM.
 */
export async function checkDevice(): Promise<void> {
  const model = useStore.getState().engine.model;
  if (!model) return;
  const id = EngineClient.newRequestId('self-check');
  selfCheckId = id;
  setEngine({ selfCheck: { status: 'running', modelId: model.modelId } });
  try {
    const { modelId, check } = await client.selfCheck(id);
    if (selfCheckId === id && useStore.getState().engine.model === model) setEngine({ selfCheck: { ...check, modelId } });
  } catch (error) {
    if (selfCheckId !== id) return;
    const serialized = toSerialized(error);
    setEngine({ selfCheck: null, ...(serialized.name === 'CancelledError' ? {} : { error: serialized }) });
  } finally {
    if (selfCheckId === id) selfCheckId = null;
  }
}

/** After a failed self-check: run the same model on WASM instead. */
export function reloadOnWasm(): Promise<LoadOutcome> {
  useStore.getState().setSettings({ ep: 'wasm' });
  return loadModel(loadedSource ?? undefined);
}

/** The cancel button: stop the running load or embedding. */
export function cancelRun(): void {
  if (loadId) {
    // The worker aborts a running download at once (workers/hub.ts); session creation cannot be
    // interrupted, so a load still running after a grace period gets a fresh worker.
    const id = loadId;
    client.cancel(id);
    setTimeout(() => {
      if (loadId !== id) return;
      loadId = null;
      client.hardCancel();
      setEngine({ status: 'idle', loadProgress: null, error: null });
      if (useStore.getState().hub.status === 'downloading') setHub({ status: 'cancelled' });
    }, HARD_CANCEL_AFTER_MS);
    return;
  }
  if (embedId) client.cancel(embedId);
  stopYardstick();
}

function toSerialized(error: unknown): SerializedError {
  return error instanceof EngineError ? error.serialized : { name: 'InternalError' as const, message: String(error) };
}

/** Dismiss the error or notice shown (the state it describes stays as it is). */
export function dismissMessages(): void {
  setEngine({ error: null, notice: null });
}
