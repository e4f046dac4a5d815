/**
 * The engine in Node, for the CLI (`moee`, `npm run eval`), the benchmarks and the tests: the
 * worker's own handler on onnxruntime-web WASM (the browser WASM EP's kernels), served by the same
 * rpc server as in the worker (workers/rpc.ts), in-process, with a recording `post`. Only the
 * transport differs from the page's worker. Sets over MAX_TEXTS_PER_REQUEST are embedded in
 * several requests (workers/batched-embed.ts).
 */
import { embedInChunks, yardstickInChunks } from './batched-embed.ts';
import { serializeError } from './errors.ts';
import { createEngineHandler, type EngineHandler } from './handler.ts';
import { createNodeBridge, LOCAL_MODELS_DIR, loadNodeTransformers, readLocalModelFile, type NodeTransformersOptions } from './ort-node.ts';
import type { EmbedOptions, EmbedResult, EngineEvent, EngineProtocol, EngineRequest, ModelDtype, ModelInfo } from './protocol.ts';
import { createRpcServer, type RpcCancel } from './rpc.ts';
import type { YardstickDtype, YardstickResult } from './yardstick.ts';

export interface NodeEngine {
  handler: EngineHandler;
  /** Every message the engine sent, in order (embed chunks' messages aside). */
  events: EngineEvent[];
  /** The loaded model's facts (throws when none is loaded). */
  readonly info: ModelInfo;
  /** Send a request (or a cancel) and resolve with the messages it produced once it is answered. */
  request(request: EngineRequest | RpcCancel): Promise<EngineEvent[]>;
  /** Embed texts with the yardstick (workers/yardstick.ts), split into requests the engine takes; progress in texts done. */
  yardstick(texts: string[], dtype?: YardstickDtype, onProgress?: (done: number, total: number) => void): Promise<YardstickResult>;
  /** Embed any number of texts (split into requests the engine takes); progress in texts done. */
  embed(texts: string[], options: EmbedOptions, onProgress?: (done: number, total: number) => void): Promise<EmbedResult>;
}

/** A failed request as a thrown error with the engine's error name. */
function eventError(events: EngineEvent[], what: string): Error {
  const failure = events.find((e) => e.kind === 'failed');
  if (failure?.kind === 'failed') return Object.assign(new Error(failure.error.message), { name: failure.error.name });
  return new Error(`${what}: no result (${events.map((e) => e.kind).join(', ') || 'no events'})`);
}

let counter = 0;

/**
 * An engine on the model folder `modelId` under `localModelPath` (the repo's models/ by default);
 * an empty `modelId` loads nothing. `threads`: WASM threads (1, the default, gives the same
 * numbers on every machine; more only changes speed). `hubAccess`: Hub downloads and their file cache
 * (off by default: Node runs use the repo's models).
 */
export async function createNodeEngine(
  modelId: string,
  dtype: ModelDtype = 'fp32',
  localModelPath = LOCAL_MODELS_DIR,
  threads = 1,
  hubAccess: Pick<NodeTransformersOptions, 'allowRemoteModels' | 'cacheDir'> = {},
): Promise<NodeEngine> {
  const bridge = createNodeBridge(threads);
  const events: EngineEvent[] = [];
  // The embed chunks' messages go to their caller only, so a long run does not grow `events`.
  const listeners = new Map<string, (event: EngineEvent) => void>();
  const handler = createEngineHandler({
    createRuntime: async () => ({ bridge, builtFor: null }),
    loadTransformers: () => loadNodeTransformers({ localModelPath, ...hubAccess }),
    readModelFile: (id, file) => readLocalModelFile(id, file, localModelPath),
  });
  const server = createRpcServer<EngineProtocol>(
    handler.handle,
    (event) => {
      const listener = listeners.get(event.id);
      if (listener) listener(event);
      else events.push(event);
    },
    { serializeError },
  );
  const request = async (req: EngineRequest | RpcCancel): Promise<EngineEvent[]> => {
    const start = events.length;
    await server.receive(req);
    return events.slice(start).filter((e) => e.id === req.id);
  };
  /** Send one request whose messages go to `onEvent` only (a long run does not grow `events`), and return its reply. */
  const stream = async (req: EngineRequest, onEvent: (event: EngineEvent) => void): Promise<EngineEvent[]> => {
    const produced: EngineEvent[] = [];
    listeners.set(req.id, (e) => (e.kind === 'progress' ? onEvent(e) : produced.push(e)));
    try {
      await server.receive(req);
    } finally {
      listeners.delete(req.id);
    }
    return produced;
  };
  const engine: NodeEngine = {
    handler,
    events,
    get info() {
      const loaded = handler.current();
      if (!loaded) throw new Error('no model is loaded');
      return loaded.info;
    },
    request,
    embed: (texts, options, onProgress) =>
      embedInChunks(
        texts,
        async (chunk, chunkProgress) => {
          const produced = await stream({ kind: 'embed', id: `embed-${++counter}`, texts: chunk, options }, (e) => {
            if (e.kind === 'progress' && e.phase === 'embed') chunkProgress(e.done);
          });
          const done = produced.find((e) => e.kind === 'embedded');
          if (done?.kind !== 'embedded') throw eventError(produced, 'embed');
          return done.result;
        },
        { onProgress },
      ),
    yardstick: (texts, dtype, onProgress) =>
      yardstickInChunks(
        texts,
        async (chunk, chunkProgress) => {
          const produced = await stream({ kind: 'yardstick', id: `yardstick-${++counter}`, texts: chunk, ...(dtype && { dtype }) }, (e) => {
            if (e.kind === 'progress' && e.phase === 'yardstick' && e.stage === 'embed') chunkProgress(Math.round(e.fraction * chunk.length));
          });
          const done = produced.find((e) => e.kind === 'yardstickEmbedded');
          if (done?.kind !== 'yardstickEmbedded') throw eventError(produced, 'yardstick');
          return done.result;
        },
        { onProgress },
      ),
  };
  if (modelId) {
    const loaded = await request({ kind: 'load', id: `load-${++counter}`, modelId, dtype, ep: 'wasm' });
    if (!loaded.some((e) => e.kind === 'loaded')) throw eventError(loaded, `load ${modelId}`);
  }
  return engine;
}
