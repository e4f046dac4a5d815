/**
 * The engine for command-line tools (moee, npm run eval, benchmarks): the worker's own handler in
 * Node on onnxruntime-web WASM, the same kernels as the browser's WASM EP. Only the transport differs.
 */
import { createEngineHandler } from '../workers/handler.ts';
import { createNodeBridge, loadNodeTransformers, readLocalModelFile } from '../workers/ort-node.ts';
import type { EmbedOptions, EmbedResult, EngineEvent, EngineRequest, ModelDtype, ModelInfo } from '../workers/protocol.ts';

export interface CliEngine {
  info: ModelInfo;
  embed(texts: string[], options: EmbedOptions): Promise<EmbedResult>;
}

/**
 * Load `modelId` from the repo's models/ folder. `threads`: WASM threads (1, the default, gives
 * the same numbers on every machine; more only changes speed).
 */
export async function openEngine(modelId: string, dtype: ModelDtype, threads = 1): Promise<CliEngine> {
  const bridge = createNodeBridge(threads);
  let last: EngineEvent | null = null;
  const handler = createEngineHandler({
    bridge,
    loadTransformers: () => loadNodeTransformers(),
    post: (e) => (last = e),
    readModelFile: (id, file) => readLocalModelFile(id, file),
  });
  let id = 0;
  const call = async (request: EngineRequest): Promise<EngineEvent | null> => {
    await handler.handle(request);
    const event = last as EngineEvent | null;
    if (event?.kind === 'error') throw Object.assign(new Error(event.error.message), { name: event.error.name });
    return event;
  };
  await call({ kind: 'load', requestId: `load-${++id}`, modelId, dtype, ep: 'wasm' });
  return {
    info: handler.current()!.info,
    embed: async (texts, options) => {
      const event = await call({ kind: 'embed', requestId: `embed-${++id}`, texts, options });
      if (event?.kind !== 'embedded') throw new Error('no result');
      return event.result;
    },
  };
}
