/**
 * The engine's runtime in Node (CLI, tests, benchmarks): onnxruntime-web's Node build (WASM), the
 * same kernels the browser's WASM EP runs, bridged into Transformers.js with local model files.
 */
import * as ort from 'onnxruntime-web';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OrtBridge } from './ort-bridge.ts';
import { nodeThreads } from './capabilities.ts';
import type { Transformers } from './model-loader.ts';

/** The repo's models/ folder: Transformers.js' localModelPath in Node. */
export const LOCAL_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

let shared: OrtBridge | null = null;

/**
 * The process's bridge, on every core by default (`threads`). Transformers.js captures the injected runtime once, when it first
 * evaluates, so every engine in a process must share one bridge.
 */
export function createNodeBridge(threads = nodeThreads()): OrtBridge {
  ort.env.wasm.numThreads = threads;
  if (!shared) {
    shared = new OrtBridge(ort, async (path) => new Uint8Array(await readFile(path)));
    shared.install();
  }
  return shared;
}

/** Read a file of a local model folder, or null when it is not there. */
export async function readLocalModelFile(modelId: string, file: string, root = LOCAL_MODELS_DIR): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(`${root}${modelId}/${file}`));
  } catch {
    return null;
  }
}

export interface NodeTransformersOptions {
  localModelPath?: string;
  /** Allow Hub downloads (off: Node runs use the repo's models). */
  allowRemoteModels?: boolean;
  /**
   * Where Hub downloads are kept. Transformers.js in Node hands ONNX files to the runtime as paths,
   * so a Hub load needs a file cache to return them from.
   */
  cacheDir?: string;
}

export async function loadNodeTransformers(options: NodeTransformersOptions = {}): Promise<Transformers> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = options.localModelPath ?? LOCAL_MODELS_DIR;
  transformers.env.allowRemoteModels = options.allowRemoteModels ?? false;
  transformers.env.useFSCache = options.cacheDir !== undefined;
  if (options.cacheDir !== undefined) transformers.env.cacheDir = options.cacheDir;
  // Transformers.js points ORT at a CDN for its .wasm files; Node runs offline from the package.
  const wasmModule = import.meta.resolve('onnxruntime-web/ort-wasm-simd-threaded.mjs');
  transformers.env.backends.onnx.wasm!.wasmPaths = wasmModule.slice(0, wasmModule.lastIndexOf('/') + 1);
  return transformers;
}
