/**
 * Load an MoE model from the Hugging Face Hub: pick a known one or type any id, check it (config.json
 * and live file sizes, then this device's limits), see the download size, agree, download with
 * per-file progress, cancel, resume. Nothing but config.json is fetched before the user agrees.
 */
import { downloadHubModel, inspectHubModel } from '../engine.ts';
import { useStore } from '../store.ts';
import { MODEL_REGISTRY, findRegistryEntry, type RegistryDtype } from '../../models/registry.ts';
import { DTYPE_LABEL } from '../../workers/protocol.ts';
import { ModelOptions } from './ModelOptions.tsx';

const ALL_DTYPES: RegistryDtype[] = ['q4', 'q4f16', 'fp16', 'q8', 'fp32'];

export const formatBytes = (bytes: number | null) =>
  bytes === null ? 'unknown size' : bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;

const HUB_ERROR_ADVICE: Record<string, string> = {
  NotMoEModelError: 'MoEE reads expert routers: choose a Mixture-of-Experts model.',
  MissingFileError: 'Check the model id and the weights (dtype); the Hub has no such file.',
  DownloadError: 'The download stopped. Files that completed are cached: Resume fetches only the rest.',
  CorruptModelError: 'The file was damaged and has been removed from the cache: Resume downloads it afresh.',
  CancelledError: 'Cancelled.',
};

export function HubPanel() {
  const hub = useStore((s) => s.hub);
  const busy = useStore((s) => s.engine.status === 'loading');
  const setHub = useStore((s) => s.setHub);
  const entry = findRegistryEntry(hub.modelId.trim());
  const dtypes = entry ? (Object.keys(entry.dtypes) as RegistryDtype[]) : ALL_DTYPES;
  const { plan, requirements } = hub;
  const resumable = hub.status === 'cancelled' || (hub.status === 'failed' && hub.error?.name !== 'NotMoEModelError' && plan !== null);

  return (
    <section className="hub-panel" aria-labelledby="hub-title" data-testid="hub-panel" data-hub-status={hub.status}>
      <h3 id="hub-title">Load from the Hugging Face Hub</h3>
      <div className="controls">
        <label>
          Known MoE models{' '}
          <select
            data-testid="hub-registry"
            value={entry && !entry.embedded ? entry.id : ''}
            onChange={(e) => {
              const chosen = findRegistryEntry(e.target.value);
              setHub({ modelId: e.target.value, status: 'idle', plan: null, requirements: null, error: null, ...(chosen ? { dtype: Object.keys(chosen.dtypes)[0] as RegistryDtype } : {}) });
            }}
          >
            <option value="">— or type any id —</option>
            <ModelOptions models={MODEL_REGISTRY.filter((m) => !m.embedded)} />
          </select>
        </label>
        <label>
          Model id{' '}
          <input
            data-testid="hub-model-id"
            value={hub.modelId}
            placeholder="org/name"
            spellCheck={false}
            onChange={(e) => setHub({ modelId: e.target.value, status: 'idle', plan: null, requirements: null, error: null })}
          />
        </label>
        <label>
          Weights{' '}
          <select data-testid="hub-dtype" value={hub.dtype} onChange={(e) => setHub({ dtype: e.target.value as RegistryDtype, status: 'idle', plan: null, requirements: null })}>
            {[...new Set([...dtypes, hub.dtype])].map((d) => (
              <option key={d} value={d}>
                {d} ({DTYPE_LABEL[d]})
              </option>
            ))}
          </select>
        </label>
        <label>
          From{' '}
          <input data-testid="hub-host" value={hub.remoteHost} spellCheck={false} onChange={(e) => setHub({ remoteHost: e.target.value, status: 'idle', plan: null })} />
        </label>
        <button type="button" data-testid="hub-check" onClick={() => void inspectHubModel()} disabled={!hub.modelId.trim() || hub.status === 'inspecting' || busy}>
          Check
        </button>
      </div>

      {entry && !entry.embedded && (
        <details className="registry-entry" data-testid="hub-registry-entry">
          <summary>
            What we know of {entry.id}: {entry.modelType}, {entry.numHiddenLayers ?? '?'} layers ({entry.numMoeLayers ?? '?'} MoE), {entry.numExperts ?? '?'} experts, top-{entry.topK ?? '?'}
          </summary>
          <ul>
            {entry.sources.map((s) => (
              <li key={s}>Source: {s}</li>
            ))}
            {entry.caveats.map((c) => (
              <li key={c}>Caveat: {c}</li>
            ))}
          </ul>
        </details>
      )}

      {hub.status === 'inspecting' && <div role="status">Reading config.json and file sizes…</div>}

      {plan && (
        <div className="hub-plan" data-testid="hub-plan">
          <div>
            <strong>{plan.modelId}</strong>: {plan.architecture ?? plan.modelType} ({plan.modelType}), {plan.numHiddenLayers} layers, {plan.moeLayers.length} with routers, {plan.numExperts} experts, top-{plan.topK}
            {plan.hasSharedExpert ? ' + shared expert' : ''}
          </div>
          <table className="hub-files">
            <tbody>
              {plan.files.map((f) => (
                <tr key={f.path} data-testid="hub-file" data-cached={f.cached}>
                  <td>{f.path}</td>
                  <td>{formatBytes(f.bytes)}</td>
                  <td>{f.cached ? 'in browser cache' : 'to download'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div data-testid="hub-download-size" data-bytes={plan.downloadBytes ?? ''} data-total={plan.totalBytes ?? ''}>
            Download: {formatBytes(plan.downloadBytes)} of {formatBytes(plan.totalBytes)} in all
          </div>
        </div>
      )}

      {requirements && requirements.refusals.length > 0 && (
        <div className="error" role="alert" data-testid="hub-refusal" data-error-name={hub.error?.name} data-requirement={requirements.refusals.map((r) => r.requirement).join(' ')}>
          <strong>{hub.error?.name}</strong>: this device cannot run it{hub.checkedFor ? ` on ${hub.checkedFor.toUpperCase()}` : ''}, so nothing was downloaded.
          <ul>
            {requirements.refusals.map((r) => (
              <li key={r.requirement}>
                {r.requirement}: {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {requirements && requirements.unchecked.length > 0 && (
        <ul className="unchecked" data-testid="hub-unchecked">
          {requirements.unchecked.map((u) => (
            <li key={u}>Not checked: {u}</li>
          ))}
        </ul>
      )}

      {plan && (hub.status === 'planned' || hub.status === 'loaded') && (
        <button type="button" data-testid="hub-download" onClick={() => void downloadHubModel()} disabled={busy}>
          {plan.downloadBytes === 0 ? 'Load from the browser cache' : `Download ${formatBytes(plan.downloadBytes)} and load`}
        </button>
      )}
      {hub.status === 'downloading' && <div role="status">Downloading… (Cancel is in the model panel)</div>}

      {hub.error && hub.status === 'failed' && (
        <div className="error" role="alert" data-testid="hub-error" data-error-name={hub.error.name}>
          <strong>{hub.error.name}</strong>: {hub.error.message}
          <div className="advice">{HUB_ERROR_ADVICE[hub.error.name] ?? 'Try again; the rest of the page still works.'}</div>
        </div>
      )}
      {hub.status === 'cancelled' && (
        <div data-testid="hub-cancelled">Cancelled. Files that completed are in the browser cache; a partly downloaded file starts again from its first byte.</div>
      )}
      {resumable && (
        <button type="button" data-testid="hub-resume" onClick={() => void downloadHubModel()} disabled={busy}>
          Resume
        </button>
      )}
    </section>
  );
}
