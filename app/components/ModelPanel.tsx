/** Which model runs where and why, load progress with bytes and phases, cancel, EP switch. */
import { cancelRun, loadModel, reloadOnWasm } from '../engine.ts';
import { useStore } from '../store.ts';
import { DTYPE_LABEL, LOAD_PHASES, type ModelDtype } from '../../workers/protocol.ts';
import { defaultDtypeOf, EMBEDDED_MODELS } from '../../models/registry.ts';
import { CachePanel } from './CachePanel.tsx';
import { HubPanel } from './HubPanel.tsx';
import { ModelOptions } from './ModelOptions.tsx';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
/** A lower bound with `digits` decimals (toFixed rounds 0.9999996 up to a cosine of 1). */
const floorTo = (x: number, digits: number) => (Math.floor(x * 10 ** digits) / 10 ** digits).toFixed(digits);

/** What each load phase is doing, in words a first-time visitor understands. */
const PHASE_WORDS: Record<(typeof LOAD_PHASES)[number], string> = {
  detect: 'checking the device (WebGPU, threads)',
  download: 'fetching the model files (or reading them from the cache)',
  session: 'creating the inference session (compiling the graph)',
  warmup: 'warm-up run',
  ready: 'ready',
};

/** The load's phases with progress, shown where the matrices will appear, so the first wait is explained. */
export function LoadPhasesPlaceholder() {
  const loadProgress = useStore((s) => s.engine.loadProgress);
  const status = useStore((s) => s.engine.status);
  if (status !== 'loading') return null;
  const current = loadProgress?.phase ?? 'detect';
  return (
    <div className="load-placeholder" role="status" aria-live="polite" data-testid="load-placeholder" data-phase={current}>
      <strong>Loading the model; the matrices appear here when it is ready.</strong>
      <progress max={1} value={loadProgress?.fraction ?? 0} aria-label="Model load progress" />
      <ol className="phases vertical">
        {LOAD_PHASES.filter((p) => p !== 'ready').map((p) => (
          <li key={p} className={p === current ? 'current' : LOAD_PHASES.indexOf(p) < LOAD_PHASES.indexOf(current) ? 'done' : ''}>
            {PHASE_WORDS[p]}
            {p === 'download' && p === current && loadProgress && loadProgress.totalBytes > 0 && ` — ${mb(loadProgress.loadedBytes)} of ${mb(loadProgress.totalBytes)}`}
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * The device self-check of a WebGPU model (app/engine.ts checkDevice): running, passed with its
 * figures, skipped with the reason, or failed with the figures and a way to WASM.
 */
function SelfCheckView() {
  const check = useStore((s) => s.engine.selfCheck);
  const model = useStore((s) => s.engine.model);
  if (!check || !model || check.modelId !== model.modelId) return null;
  if (check.status === 'running') {
    return (
      <p className="note" role="status" data-testid="self-check" data-status="running">
        Checking WebGPU&rsquo;s numbers against a WASM run of two short texts…
      </p>
    );
  }
  if (check.status === 'skipped') {
    return (
      <p className="note" data-testid="self-check" data-status="skipped">
        Device self-check not run: {check.reason}
      </p>
    );
  }
  const { report } = check;
  const figures = (
    <>
      against WASM on {report.texts} texts: hidden-state cosine ≥ {floorTo(report.minHiddenStateCosine, 6)}, top-k expert sets equal on{' '}
      {(100 * report.topkSetAgreement).toFixed(1)}% of {report.tokensXLayers} token-layers, router logits within {report.maxAbsRouterLogitError.toExponential(1)} ({(check.ms / 1000).toFixed(1)} s).
    </>
  );
  const data = { 'data-testid': 'self-check', 'data-status': check.status, 'data-min-cosine': report.minHiddenStateCosine, 'data-topk': report.topkSetAgreement, 'data-router-error': report.maxAbsRouterLogitError };
  if (check.status === 'passed') {
    return (
      <p className="note" {...data}>
        {check.ep.toUpperCase()} self-check passed, {figures}
      </p>
    );
  }
  return (
    <div className="error" role="alert" {...data}>
      <p>
        <strong>{check.ep.toUpperCase()} gives wrong numbers for this model on this device</strong> ({check.failures.join('; ')}). Measured {figures}
      </p>
      <button type="button" onClick={() => void reloadOnWasm()} data-testid="self-check-use-wasm">
        Use WASM instead
      </button>
    </div>
  );
}

export function ModelPanel() {
  const settings = useStore((s) => s.settings);
  const engine = useStore((s) => s.engine);
  const setSettings = useStore((s) => s.setSettings);
  const { model, loadProgress, status, capabilities } = engine;
  const busy = status === 'loading' || status === 'embedding';
  const embedded = EMBEDDED_MODELS.find((m) => m.id === settings.modelId);
  // The chosen model's own weights; a Hub model's dtype was chosen in the Hub panel.
  const dtypes = embedded ? (Object.keys(embedded.dtypes) as ModelDtype[]) : [settings.dtype];
  return (
    <section className="panel model-panel" aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <div className="controls">
        <label>
          Execution provider{' '}
          <select value={settings.ep} onChange={(e) => setSettings({ ep: e.target.value as typeof settings.ep })} aria-describedby="ep-help">
            <option value="auto">auto</option>
            <option value="wasm">WASM</option>
            <option value="webgpu">WebGPU</option>
          </select>
        </label>
        <label>
          Embedded model{' '}
          <select
            value={embedded ? settings.modelId : ''}
            data-testid="embedded-model"
            onChange={(e) => {
              const entry = EMBEDDED_MODELS.find((m) => m.id === e.target.value);
              if (entry) setSettings({ modelId: entry.id, dtype: defaultDtypeOf(entry) });
            }}
          >
            {!embedded && <option value="">{settings.modelId} (Hub)</option>}
            <ModelOptions models={EMBEDDED_MODELS} />
          </select>
        </label>
        <label>
          Weights{' '}
          <select value={settings.dtype} onChange={(e) => setSettings({ dtype: e.target.value as typeof settings.dtype })}>
            {dtypes.map((d) => (
              <option key={d} value={d}>
                {DTYPE_LABEL[d]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void loadModel()} disabled={status === 'loading'} data-testid="load-embedded">
          {model && model.modelId === settings.modelId ? 'Reload' : `Load ${settings.modelId}`}
        </button>
        <button type="button" onClick={cancelRun} disabled={!busy} data-testid="cancel">
          Cancel
        </button>
      </div>
      {embedded?.about && (
        <p className="about-model" data-testid="model-about">
          {embedded.about}
        </p>
      )}
      {loadProgress && (
        <div className="progress" data-testid="load-progress">
          <progress max={1} value={loadProgress.fraction} aria-label="Model load progress" />
          <ol className="phases">
            {LOAD_PHASES.map((p) => (
              <li key={p} className={p === loadProgress.phase ? 'current' : LOAD_PHASES.indexOf(p) < LOAD_PHASES.indexOf(loadProgress.phase) ? 'done' : ''}>
                {p}
              </li>
            ))}
          </ol>
          <div data-testid="load-total" data-loaded={loadProgress.loadedBytes} data-total={loadProgress.totalBytes}>
            {loadProgress.message}
            {loadProgress.totalBytes > 0 && ` — ${mb(loadProgress.loadedBytes)} of ${mb(loadProgress.totalBytes)}`}
          </div>
          {Object.keys(loadProgress.files).length > 0 && (
            <ul className="file-progress">
              {Object.entries(loadProgress.files).map(([file, { loaded, total }]) => (
                <li key={file} data-testid="load-file" data-file={file} data-loaded={loaded} data-total={total}>
                  <progress max={total || 1} value={loaded} aria-label={`${file} download`} /> {file}: {mb(loaded)} of {mb(total)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {model && (
        <dl className="facts" data-testid="model-facts">
          <dt>Model</dt>
          <dd>{model.modelId} ({model.modelType})</dd>
          <dt>Size</dt>
          <dd>{mb(model.bytes)} {DTYPE_LABEL[model.dtype]}</dd>
          <dt>Layers / MoE layers</dt>
          <dd>{model.numHiddenLayers} / {model.moeLayers.length}</dd>
          <dt>Experts, top-k</dt>
          <dd>{model.numExperts}, top-{model.topK}{model.hasSharedExpert ? ' + shared expert (not in RW)' : ''}</dd>
          <dt>Ran on</dt>
          <dd data-testid="ep-ran">{model.ep.toUpperCase()}</dd>
          <dt>Why</dt>
          <dd id="ep-help">{model.epReason}</dd>
          <dt>Loaded in</dt>
          <dd>{(model.loadMs / 1000).toFixed(1)} s</dd>
          {capabilities && (
            <>
              <dt>Device</dt>
              <dd>
                WebGPU adapter: {capabilities.webgpuAdapter ? capabilities.adapterInfo?.architecture || capabilities.adapterInfo?.vendor || 'yes' : 'none'}; threads: {capabilities.wasmThreads}
                {capabilities.crossOriginIsolated ? ' (isolated)' : ''}
              </dd>
            </>
          )}
        </dl>
      )}
      <SelfCheckView />
      <HubPanel />
      <CachePanel />
    </section>
  );
}
