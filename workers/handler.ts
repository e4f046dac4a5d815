/**
 * The engine behind the worker protocol, independent of its transport: the worker entry wires
 * `onmessage` to `handle` and `post` to `postMessage`; Node tests and the CLI call it directly with
 * the real model. Only the transport differs, never the inference.
 */
import { detectCapabilities } from './capabilities.ts';
import { NoModelError, serializeError } from './errors.ts';
import { embed } from './inference.ts';
import { loadModel, type LoadedModel, type Transformers } from './model-loader.ts';
import type { OrtBridge } from './ort-bridge.ts';
import { readReferenceStats, REFERENCE_STATS_FILES } from '../models/reference-stats.ts';
import {
  DEFAULT_EMBED_OPTIONS,
  resultTransferables,
  type Capabilities,
  type EmbedRequest,
  type EngineRequest,
  type LoadRequest,
  type PostEvent,
  type ReferenceStats,
} from './protocol.ts';

export interface EngineDeps {
  bridge: OrtBridge;
  /** Imports Transformers.js and sets its env (paths, cache); called once, after the bridge is installed. */
  loadTransformers: () => Promise<Transformers>;
  post: PostEvent;
  /** Reads a file of a model folder that Transformers.js does not load (reference statistics); null if absent. */
  readModelFile?: (modelId: string, file: string) => Promise<Uint8Array | null>;
}

export interface EngineHandler {
  handle(request: EngineRequest): Promise<void>;
  /** The loaded model, for in-process callers (CLI, benchmarks). */
  current(): LoadedModel | null;
}

export function createEngineHandler(deps: EngineDeps): EngineHandler {
  const { bridge, post } = deps;
  let transformers: Promise<Transformers> | null = null;
  let capabilities: Promise<Capabilities> | null = null;
  let model: LoadedModel | null = null;
  const running = new Map<string, AbortController>();

  const getTransformers = () => (transformers ??= deps.loadTransformers());
  const getCapabilities = () => (capabilities ??= detectCapabilities());

  async function load(request: LoadRequest, signal: AbortSignal): Promise<void> {
    const [tf, caps] = await Promise.all([getTransformers(), getCapabilities()]);
    if (request.hub) {
      tf.env.remoteHost = request.hub.remoteHost;
      if (request.hub.remotePathTemplate) tf.env.remotePathTemplate = request.hub.remotePathTemplate;
    }
    const previous = model;
    model = null;
    await previous?.dispose();
    model = await loadModel(request, {
      transformers: tf,
      bridge,
      capabilities: caps,
      signal,
      onProgress: (p) => post({ kind: 'progress', requestId: request.requestId, ...p }),
      warmup: async (m) => {
        await embed(m, ['Warm-up.'], DEFAULT_EMBED_OPTIONS, { ort: bridge.ort, signal, onProgress: () => {} });
      },
    });
    const referenceStats = await loadReferenceStats(request.modelId);
    model.info.hasReferenceStats = referenceStats !== null;
    post({ kind: 'loaded', requestId: request.requestId, model: model.info, capabilities: caps, referenceStats });
  }

  async function loadReferenceStats(modelId: string): Promise<ReferenceStats | null> {
    if (!deps.readModelFile) return null;
    const [manifest, blob] = await Promise.all([
      deps.readModelFile(modelId, REFERENCE_STATS_FILES.manifest),
      deps.readModelFile(modelId, REFERENCE_STATS_FILES.blob),
    ]);
    return manifest && blob ? readReferenceStats(new TextDecoder().decode(manifest), blob) : null;
  }

  async function runEmbed(request: EmbedRequest, signal: AbortSignal): Promise<void> {
    if (!model) throw new NoModelError('No model is loaded yet: load one first.');
    const total = request.texts.length;
    const result = await embed(model, request.texts, request.options, {
      ort: bridge.ort,
      signal,
      onProgress: (done) =>
        post({
          kind: 'progress',
          requestId: request.requestId,
          phase: 'embed',
          fraction: done / total,
          done,
          total,
          message: `Embedded ${done} of ${total}`,
        }),
    });
    post({ kind: 'embedded', requestId: request.requestId, result }, resultTransferables(result));
  }

  async function handle(request: EngineRequest): Promise<void> {
    const controller = new AbortController();
    running.set(request.requestId, controller);
    try {
      switch (request.kind) {
        case 'capabilities':
          post({ kind: 'capabilities', requestId: request.requestId, capabilities: await getCapabilities() });
          break;
        case 'load':
          await load(request, controller.signal);
          break;
        case 'embed':
          await runEmbed(request, controller.signal);
          break;
        case 'cancel':
          running.get(request.targetId)?.abort();
          post({ kind: 'cancelled', requestId: request.requestId });
          break;
        default: {
          const unknown: never = request;
          post({
            kind: 'error',
            requestId: (unknown as { requestId?: string }).requestId ?? '',
            error: { name: 'UnknownRequestError', message: `Unknown request kind: ${(unknown as { kind?: string }).kind}` },
          });
        }
      }
    } catch (error) {
      post({ kind: 'error', requestId: request.requestId, error: serializeError(error) });
    } finally {
      running.delete(request.requestId);
    }
  }

  return { handle, current: () => model };
}
