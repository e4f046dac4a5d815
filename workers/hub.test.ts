/**
 * The download guard against a real HTTP server (the Hub stand-in of the browser tests), in Node:
 * whole files pass byte for byte, a truncated body, a stalled stream and a cancel each fail with
 * their named error. And the cache-key grouping behind the "Cached models" panel.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubStandIn, type HubStandIn } from '../e2e/hub-server.ts';
import { CancelledError, DownloadError } from './errors.ts';
import { fileOfUrl, groupCacheKeys, hubFileUrl, HUGGING_FACE_HUB, installDownloadGuard, type FetchEnv } from './hub.ts';
import { onnxFileFor } from '../models/dtypes.ts';

let hub: HubStandIn;
beforeAll(async () => {
  hub = await startHubStandIn();
});
afterAll(async () => {
  await hub.close();
});

const ONNX = onnxFileFor('q8');
const demoBytes = () => new Uint8Array(readFileSync(new URL(`../models/moee-demo/${ONNX}`, import.meta.url)));

function guardedEnv() {
  const env: FetchEnv = { fetch: (input, init) => fetch(input, init) };
  const run = installDownloadGuard(env);
  return { env, run };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the download to fail');
}

describe('download guard', () => {
  it('passes a whole file through unchanged', async () => {
    const { env, run } = guardedEnv();
    const url = hubFileUrl({ ...HUGGING_FACE_HUB, remoteHost: hub.url }, 'test/moee-demo', ONNX);
    const bytes = await run({ signal: new AbortController().signal, stallTimeoutMs: 5000 }, async () => new Uint8Array(await (await env.fetch(url)).arrayBuffer()));
    expect(bytes.length).toBe(demoBytes().length);
    expect(Buffer.compare(bytes, demoBytes())).toBe(0);
  });

  it('names a body shorter than its Content-Length a truncated download', async () => {
    const { env, run } = guardedEnv();
    const url = hubFileUrl({ ...HUGGING_FACE_HUB, remoteHost: hub.url }, 'test/truncated', ONNX);
    const error = await failure(run({ signal: new AbortController().signal, stallTimeoutMs: 5000 }, async () => (await env.fetch(url)).arrayBuffer()));
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).reason).toBe('truncated');
    expect((error as DownloadError).file).toBe(ONNX);
    expect(error.message).toContain(`of ${demoBytes().length} bytes`);
  });

  it('stops a silent stream after the stall timeout', async () => {
    const { env, run } = guardedEnv();
    const url = hubFileUrl({ ...HUGGING_FACE_HUB, remoteHost: hub.url }, 'test/stall', ONNX);
    const started = performance.now();
    const error = await failure(run({ signal: new AbortController().signal, stallTimeoutMs: 800 }, async () => (await env.fetch(url)).arrayBuffer()));
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).reason).toBe('stalled');
    expect(performance.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('a cancel stops a running stream with CancelledError', async () => {
    const { env, run } = guardedEnv();
    const url = hubFileUrl({ ...HUGGING_FACE_HUB, remoteHost: hub.url }, 'test/slow', ONNX);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const error = await failure(run({ signal: controller.signal, stallTimeoutMs: 5000 }, async () => (await env.fetch(url)).arrayBuffer()));
    expect(error).toBeInstanceOf(CancelledError);
  });

  it('outside a guarded run, fetch is untouched', async () => {
    const { env } = guardedEnv();
    const response = await env.fetch(hubFileUrl({ ...HUGGING_FACE_HUB, remoteHost: hub.url }, 'test/moee-demo', 'config.json'));
    expect(response.status).toBe(200);
  });
});

describe('Hub URLs and the cache as models', () => {
  it('builds the URL Transformers.js fetches and caches under', () => {
    expect(hubFileUrl(HUGGING_FACE_HUB, 'org/m', 'onnx/model_q4.onnx')).toBe('https://huggingface.co/org/m/resolve/main/onnx/model_q4.onnx');
    expect(fileOfUrl('https://huggingface.co/org/m/resolve/main/onnx/model_q4.onnx')).toBe('onnx/model_q4.onnx');
    expect(fileOfUrl('http://127.0.0.1:4173/models/moee-demo/tokenizer.json')).toBe('tokenizer.json');
  });

  it('groups cache keys by model and source, sizes summed, nothing hidden', () => {
    const models = groupCacheKeys(
      [
        { url: 'https://huggingface.co/org/m/resolve/main/config.json', bytes: 10 },
        { url: 'https://huggingface.co/org/m/resolve/main/onnx/model_q4.onnx', bytes: 1000 },
        { url: 'http://127.0.0.1:9/org/m/resolve/main/config.json', bytes: 11 },
        { url: 'http://127.0.0.1:4173/models/moee-demo/config.json', bytes: 5 },
        { url: 'http://example.org/odd/file.bin', bytes: 7 },
      ],
      'http://127.0.0.1:4173',
    );
    expect(models.map((m) => [m.modelId, m.source, m.files.length, m.totalBytes])).toEqual([
      ['moee-demo', 'embedded', 1, 5],
      ['odd', 'http://example.org', 1, 7],
      ['org/m', 'http://127.0.0.1:9', 1, 11],
      ['org/m', 'https://huggingface.co', 2, 1010],
    ]);
  });
});
