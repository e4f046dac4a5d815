/**
 * The Hub path's own pieces around Transformers.js' hub code (which does the downloading and the
 * browser caching itself):
 *
 * - a fetch guard installed as `env.fetch`: it ties every download to the running request's abort
 *   signal (cancel stops the stream, not only the next step), watches for a stalled stream, and
 *   checks the bytes received against Content-Length, so that a truncated file fails with a named
 *   error instead of reaching the cache or the ONNX parser;
 * - where a Hub file lives (the URL Transformers.js builds, which is also its Cache API key);
 * - the browser cache as models: list them with sizes, delete them.
 *
 * Resume is file-level: Transformers.js writes a file to the cache only once it has been read
 * whole, and checks the cache before any request, so a load after a cancel or a failure fetches
 * only the files that had not completed. A partly downloaded file starts again from byte 0.
 */
import { CancelledError, DownloadError } from './errors.ts';

/** What the guard applies to the downloads of the request in progress. */
export interface DownloadContext {
  signal: AbortSignal;
  /** A response that yields no byte for this long fails with DownloadError('stalled'). */
  stallTimeoutMs: number;
}

/** Default stall timeout: long enough for a slow mobile link, short enough that a dead one is named. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** A Transformers.js-like `env` with its fetch hook. */
export interface FetchEnv {
  fetch: FetchLike;
}

/** The file part of a download URL, for messages (`onnx/model.onnx`, `config.json`). */
export function fileOfUrl(url: string): string {
  const path = decodeURIComponent(new URL(url, 'http://x/').pathname);
  const hub = /\/resolve\/[^/]+\/(.+)$/.exec(path);
  if (hub) return hub[1];
  const local = /\/models\/[^/]+\/(.+)$/.exec(path);
  return local ? local[1] : path.split('/').pop() ?? path;
}

/**
 * Install the guard once on Transformers.js' env; returns `run(context, work)`, which applies the
 * context to every fetch made while `work` runs (requests are serialised by the caller's flow:
 * one load or inspection at a time sets the context).
 */
export function installDownloadGuard(env: FetchEnv): <T>(context: DownloadContext, work: () => Promise<T>) => Promise<T> {
  const base = env.fetch;
  let current: DownloadContext | null = null;
  env.fetch = (input, init) => guardedFetch(base, String(input), init, current);
  return async (context, work) => {
    const previous = current;
    current = context;
    try {
      return await work();
    } finally {
      current = previous;
    }
  };
}

async function guardedFetch(base: FetchLike, url: string, init: RequestInit | undefined, context: DownloadContext | null): Promise<Response> {
  if (!context) return base(url, init);
  const { signal, stallTimeoutMs } = context;
  const file = fileOfUrl(url);
  if (signal.aborted) throw new CancelledError(`Download of ${file} was cancelled.`);
  const controller = new AbortController();
  const abort = () => controller.abort();
  signal.addEventListener('abort', abort, { once: true });
  let stalled = false;
  let timer = setTimeout(() => {
    stalled = true;
    controller.abort();
  }, stallTimeoutMs);
  const fail = (error: unknown, loaded: number, expected: number | null): Error => {
    if (signal.aborted) return new CancelledError(`Download of ${file} was cancelled after ${loaded} bytes.`);
    if (stalled) return new DownloadError(`${file}: the server sent nothing for ${stallTimeoutMs / 1000} s (after ${loaded} bytes); the download was stopped.`, file, 'stalled');
    if (expected !== null && loaded < expected) {
      return new DownloadError(`${file} arrived truncated: ${loaded} of ${expected} bytes before the connection ended.`, file, 'truncated');
    }
    return new DownloadError(`${file}: the download failed (${error instanceof Error ? error.message : String(error)}).`, file, 'network');
  };
  const finish = () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  };

  let response: Response;
  try {
    response = await base(url, { ...init, signal: controller.signal });
  } catch (error) {
    finish();
    throw fail(error, 0, null);
  }
  if (response.status >= 500) {
    finish();
    throw new DownloadError(`${file}: the server answered ${response.status} ${response.statusText}.`, file, 'http');
  }
  // Only whole-file bodies are checked; Range answers (206, file metadata) and errors pass as they are.
  if (response.status !== 200 || !response.body) {
    finish();
    return response;
  }
  const declared = response.headers.get('content-length');
  // Content-Length counts encoded bytes; a compressed body decodes to more, never fewer, so only a
  // shortfall is a truncation (Content-Encoding itself is hidden from cross-origin readers).
  const expected = declared !== null ? Number(declared) : null;
  const reader = response.body.getReader();
  let loaded = 0;
  const restartTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
      void reader.cancel().catch(() => undefined);
    }, stallTimeoutMs);
  };
  restartTimer();
  const body = new ReadableStream<Uint8Array>({
    async pull(stream) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        finish();
        stream.error(fail(error, loaded, expected));
        return;
      }
      if (stalled || signal.aborted) {
        finish();
        stream.error(fail(new Error('aborted'), loaded, expected));
        return;
      }
      if (chunk.done) {
        finish();
        if (expected !== null && loaded < expected) stream.error(fail(new Error('short body'), loaded, expected));
        else stream.close();
        return;
      }
      loaded += chunk.value.byteLength;
      restartTimer();
      stream.enqueue(chunk.value);
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

// ---------------------------------------------------------------------------------------------
// Where Hub files live
// ---------------------------------------------------------------------------------------------

/** The Hub to download from (Transformers.js env.remoteHost / env.remotePathTemplate). */
export interface HubLocation {
  remoteHost: string;
  remotePathTemplate: string;
}

export const HUGGING_FACE_HUB: HubLocation = { remoteHost: 'https://huggingface.co/', remotePathTemplate: '{model}/resolve/{revision}/' };

/** The URL Transformers.js fetches a Hub file from, which is also its Cache API key. */
export function hubFileUrl(hub: HubLocation, modelId: string, file: string, revision = 'main'): string {
  const path = hub.remotePathTemplate.replaceAll('{model}', modelId).replaceAll('{revision}', encodeURIComponent(revision));
  return [hub.remoteHost.replace(/\/$/, ''), path.replace(/^\//, '').replace(/\/$/, ''), file.replace(/^\//, '')].join('/');
}

// ---------------------------------------------------------------------------------------------
// The browser cache as models
// ---------------------------------------------------------------------------------------------

/** One cached file. */
export interface CachedFile {
  /** The Cache API key (the URL it was downloaded from). */
  url: string;
  /** Path inside the model (`onnx/model.onnx`). */
  path: string;
  bytes: number;
}

/** The cached files of one model from one source. */
export interface CachedModel {
  /** `org/name` for Hub layouts, the folder name for this app's embedded models. */
  modelId: string;
  /** Where it came from: the host, or `embedded` for files this app serves. */
  source: string;
  revision: string | null;
  files: CachedFile[];
  totalBytes: number;
}

/**
 * Group cache keys into models. Hub layout `…/{model}/resolve/{revision}/{file}` (the Hub's and any
 * mirror's with the default path template) and this app's `/models/{name}/{file}`; any other key is
 * its own entry under its directory, so that nothing cached is hidden from the user.
 */
export function groupCacheKeys(entries: { url: string; bytes: number }[], ownOrigin: string | null): CachedModel[] {
  const models = new Map<string, CachedModel>();
  for (const { url, bytes } of entries) {
    const parsed = new URL(url);
    const path = decodeURIComponent(parsed.pathname);
    let modelId: string;
    let source: string;
    let revision: string | null = null;
    let file: string;
    const hub = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const local = /^\/models\/([^/]+)\/(.+)$/.exec(path);
    if (hub) {
      [, modelId, revision, file] = hub;
      source = parsed.origin;
    } else if (local && parsed.origin === ownOrigin) {
      [, modelId, file] = local;
      source = 'embedded';
    } else {
      const cut = path.lastIndexOf('/');
      modelId = path.slice(1, cut) || parsed.host;
      file = path.slice(cut + 1);
      source = parsed.origin;
    }
    const key = `${source} ${modelId} ${revision ?? ''}`;
    let model = models.get(key);
    if (!model) models.set(key, (model = { modelId, source, revision, files: [], totalBytes: 0 }));
    model.files.push({ url, path: file, bytes });
    model.totalBytes += bytes;
  }
  for (const model of models.values()) model.files.sort((a, b) => a.path.localeCompare(b.path));
  return [...models.values()].sort((a, b) => a.modelId.localeCompare(b.modelId) || a.source.localeCompare(b.source));
}

/** Every model in the named cache, with sizes. */
export async function listCachedModels(cacheName: string, ownOrigin: string | null): Promise<CachedModel[]> {
  if (typeof caches === 'undefined') return [];
  const cache = await caches.open(cacheName);
  const entries: { url: string; bytes: number }[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response) continue;
    // Transformers.js stores Content-Length with each file; reading the body is the fallback.
    const declared = response.headers.get('content-length');
    const bytes = declared !== null ? Number(declared) : (await response.blob()).size;
    entries.push({ url: request.url, bytes });
  }
  return groupCacheKeys(entries, ownOrigin);
}

/** Delete cached files by URL; returns how many went and the bytes they held. */
export async function deleteCachedFiles(cacheName: string, files: { url: string; bytes: number }[]): Promise<{ deletedFiles: number; freedBytes: number }> {
  if (typeof caches === 'undefined') return { deletedFiles: 0, freedBytes: 0 };
  const cache = await caches.open(cacheName);
  let deletedFiles = 0;
  let freedBytes = 0;
  for (const file of files) {
    if (await cache.delete(file.url)) {
      deletedFiles++;
      freedBytes += file.bytes;
    }
  }
  return { deletedFiles, freedBytes };
}

/** Whether a URL is in the named cache (fresh, unlike Transformers.js' memoised metadata). */
export async function isCached(cacheName: string, url: string): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  const cache = await caches.open(cacheName);
  return (await cache.match(url)) !== undefined;
}
