/// <reference lib="webworker" />
/**
 * The engine worker's entry: serves the handler over workers/rpc.ts. Everything else lives in handler.ts.
 * The runtime bridge is installed before Transformers.js is imported (dynamically, by the handler).
 */
import * as ort from 'onnxruntime-web/webgpu';
import wasmModuleUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { OrtBridge } from './ort-bridge.ts';
import { createEngineHandler } from './handler.ts';
import { wasmThreadsFor } from './capabilities.ts';
import { resultTransferables, type EngineProtocol } from './protocol.ts';
import { serializeError } from './errors.ts';
import { serveRpc } from './rpc.ts';

declare const self: DedicatedWorkerGlobalScope;

/** Served by the app itself: never a CDN (offline use, COEP). */
const WASM_PATHS = { mjs: new URL(wasmModuleUrl, self.location.href).href, wasm: new URL(wasmBinaryUrl, self.location.href).href };

ort.env.wasm.wasmPaths = WASM_PATHS;
// Before the first session: ORT fixes its thread pool then (the count is reported in the capabilities).
ort.env.wasm.numThreads = wasmThreadsFor(self.crossOriginIsolated, navigator.hardwareConcurrency);
const bridge = new OrtBridge(ort);
bridge.install();

const handler = createEngineHandler({
  bridge,
  loadTransformers: async () => {
    const transformers = await import('@huggingface/transformers');
    transformers.env.allowLocalModels = true;
    // A path, not an absolute URL: Transformers.js' file-metadata check skips local files when the
    // local path parses as a URL, and would ask the Hub for the embedded model's tokenizer.
    transformers.env.localModelPath = '/models/';
    transformers.env.allowRemoteModels = true;
    transformers.env.useBrowserCache = true;
    transformers.env.backends.onnx.wasm!.wasmPaths = WASM_PATHS;
    return transformers;
  },
  // Only the embedded models ship reference statistics; Hub models standardise by batch.
  readModelFile: async (modelId, file) => {
    if (modelId.includes('/')) return null;
    const response = await fetch(`/models/${modelId}/${file}`);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  },
});

serveRpc<EngineProtocol>(self, handler.handle, {
  transfer: (reply) => (reply.kind === 'embedded' ? resultTransferables(reply.result) : []),
  serializeError,
});
