/** The browser cache as models: what is stored, how big, and a way to delete each. */
import { useEffect } from 'react';
import { deleteCachedModel, refreshCache } from '../engine.ts';
import { useStore } from '../store.ts';
import { formatBytes } from './HubPanel.tsx';

export function CachePanel() {
  const cached = useStore((s) => s.hub.cached);
  const cacheName = useStore((s) => s.hub.cacheName);
  const status = useStore((s) => s.engine.status);
  const model = useStore((s) => s.engine.model);
  const hubStatus = useStore((s) => s.hub.status);

  // The cache changes when a load ends (a new model, or a Hub download that stopped): list it then.
  useEffect(() => {
    void refreshCache();
  }, [model, hubStatus]);

  const total = (cached ?? []).reduce((s, m) => s + m.totalBytes, 0);
  return (
    <section className="cache-panel" aria-labelledby="cache-title" data-testid="cache-panel">
      <h3 id="cache-title">Cached models</h3>
      <p className="hint">
        Files Transformers.js stored in this browser{cacheName ? ` (Cache API “${cacheName}”)` : ''}: {formatBytes(total)}.{' '}
        <button type="button" onClick={() => void refreshCache()} data-testid="cache-refresh">
          Refresh
        </button>
      </p>
      {cached && cached.length === 0 && <p>Nothing cached.</p>}
      <ul className="cached-models">
        {(cached ?? []).map((m) => (
          <li key={`${m.source} ${m.modelId} ${m.revision}`} data-testid="cached-model" data-model-id={m.modelId} data-bytes={m.totalBytes}>
            <strong>{m.modelId}</strong> {m.source === 'embedded' ? '(this app)' : `from ${m.source}`} — {m.files.length} files, {formatBytes(m.totalBytes)}{' '}
            <button type="button" onClick={() => void deleteCachedModel(m)} disabled={status === 'loading'} aria-label={`Delete ${m.modelId} from the cache`}>
              Delete
            </button>
            <details>
              <summary>files</summary>
              <ul>
                {m.files.map((f) => (
                  <li key={f.url}>
                    {f.path}: {formatBytes(f.bytes)}
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
