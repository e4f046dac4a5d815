/// <reference lib="webworker" />
/**
 * The engine worker's entry: serves the handler over workers/rpc.ts. Everything else lives in handler.ts.
 * The runtime bridge is installed before Transformers.js is imported (dynamically, by the handler).
 */
import plainModuleUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import plainBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import asyncifyModuleUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import asyncifyBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { OrtBridge, type Ort } from './ort-bridge.ts';
import { createEngineHandler, type OrtRuntime } from './handler.ts';
import { wasmThreadsFor } from './capabilities.ts';
import { resultTransferables, type EngineProtocol, type ExecutionProvider } from './protocol.ts';
import { serializeError } from './errors.ts';
import { serveRpc } from './rpc.ts';

declare const self: DedicatedWorkerGlobalScope;

const served = (url: string) => new URL(url, self.location.href).href;

/**
 * One onnxruntime-web build per execution provider, each with the .mjs/.wasm pair it was built with,
 * served by the app itself (never a CDN: offline use, COEP). The WASM-only build is the faster one
 * for WASM: in Chromium on moee-demo q8 it measured 1.8× quicker to create the session and 2.5× the
 * texts/s of the WebGPU build's WASM EP (`npm run bench:cold`, side by side). A worker holds one.
 */
const BUILDS: Record<ExecutionProvider, { module: () => Promise<Ort>; paths: { mjs: string; wasm: string } }> = {
  wasm: { module: () => import('onnxruntime-web/wasm'), paths: { mjs: served(plainModuleUrl), wasm: served(plainBinaryUrl) } },
  webgpu: { module: () => import('onnxruntime-web/webgpu'), paths: { mjs: served(asyncifyModuleUrl), wasm: served(asyncifyBinaryUrl) } },
};
let wasmPaths = BUILDS.wasm.paths;

async function createRuntime(ep: ExecutionProvider): Promise<OrtRuntime> {
  const build = BUILDS[ep];
  const ort = await build.module();
  wasmPaths = build.paths;
  ort.env.wasm.wasmPaths = build.paths;
  // Before the first session: ORT fixes its thread pool then (the count is reported in the capabilities).
  ort.env.wasm.numThreads = wasmThreadsFor(self.crossOriginIsolated, navigator.hardwareConcurrency);
  const bridge = new OrtBridge(ort);
  bridge.install();
  return { bridge, builtFor: ep };
}

const handler = createEngineHandler({
  createRuntime,
  loadTransformers: async () => {
    const transformers = await import('@huggingface/transformers');
    transformers.env.allowLocalModels = true;
    // A path, not an absolute URL: Transformers.js' file-metadata check skips local files when the
    // local path parses as a URL, and would ask the Hub for the embedded model's tokenizer.
    transformers.env.localModelPath = '/models/';
    transformers.env.allowRemoteModels = true;
    transformers.env.useBrowserCache = true;
    transformers.env.backends.onnx.wasm!.wasmPaths = wasmPaths;
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
  transfer: (reply) => (reply.kind === 'embedded' ? resultTransferables(reply.result) : reply.kind === 'yardstickEmbedded' ? [reply.result.embeddings.data.buffer as ArrayBuffer] : []),
  serializeError,
});
