/**
 * Test helpers: the real engine in Node (onnxruntime-web WASM, Transformers.js loader) behind the
 * real handler, with a recording `post`. Only the transport is replaced.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngineHandler, type EngineHandler } from '../workers/handler.ts';
import { createNodeBridge, loadNodeTransformers, readLocalModelFile } from '../workers/ort-node.ts';
import type { EmbedOptions, EmbedResult, EngineEvent, ModelDtype } from '../workers/protocol.ts';
import { readGoldens, type GoldenCase, type GoldenManifest } from '../models/goldens.ts';

export const DEMO_MODEL = 'moee-demo';
export const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

export interface NodeEngine {
  handler: EngineHandler;
  events: EngineEvent[];
  /** Send a request and resolve with the events it produced. */
  request(request: Parameters<EngineHandler['handle']>[0]): Promise<EngineEvent[]>;
  embed(texts: string[], options: EmbedOptions): Promise<EmbedResult>;
}

let counter = 0;

export async function createNodeEngine(modelId = DEMO_MODEL, dtype: ModelDtype = 'fp32', localModelPath = MODELS_DIR): Promise<NodeEngine> {
  const bridge = createNodeBridge();
  const events: EngineEvent[] = [];
  const handler = createEngineHandler({
    bridge,
    loadTransformers: () => loadNodeTransformers({ localModelPath }),
    post: (event) => events.push(event),
    readModelFile: (id, file) => readLocalModelFile(id, file, localModelPath),
  });
  const request: NodeEngine['request'] = async (req) => {
    const start = events.length;
    await handler.handle(req);
    return events.slice(start).filter((e) => e.requestId === req.requestId);
  };
  const engine: NodeEngine = {
    handler,
    events,
    request,
    async embed(texts, options) {
      const produced = await request({ kind: 'embed', requestId: `e${++counter}`, texts, options });
      const done = produced.find((e) => e.kind === 'embedded');
      if (!done) throw new Error(`embed failed: ${JSON.stringify(produced.find((e) => e.kind === 'error'))}`);
      return done.result;
    },
  };
  if (modelId) {
    const loaded = await request({ kind: 'load', requestId: `l${++counter}`, modelId, dtype, ep: 'wasm' });
    const error = loaded.find((e) => e.kind === 'error');
    if (error) throw new Error(`load failed: ${JSON.stringify(error)}`);
  }
  return engine;
}

export function loadDemoGoldens(): GoldenCase[] {
  const dir = new URL('../models/moee-demo/goldens/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('goldens.json', dir), 'utf8')) as GoldenManifest;
  return readGoldens(manifest, new Uint8Array(readFileSync(new URL('goldens.bin', dir))));
}
