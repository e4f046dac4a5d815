/**
 * What the runtime can do, measured rather than guessed: a WebGPU adapter must really be obtained
 * (`navigator.gpu` can exist and still give none), threads need cross-origin isolation.
 */
import type { Capabilities, EpPreference, ExecutionProvider } from './protocol.ts';
import { NoWebGPUError } from './errors.ts';

interface GpuAdapterLike {
  features: Iterable<string>;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface NavigatorWithGpu {
  gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null> };
  hardwareConcurrency?: number;
  storage?: { estimate(): Promise<{ quota?: number; usage?: number }> };
}

export async function detectCapabilities(): Promise<Capabilities> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined' && typeof self === 'undefined';
  const nav = (typeof navigator !== 'undefined' ? navigator : {}) as NavigatorWithGpu;
  let adapter: GpuAdapterLike | null = null;
  if (!isNode && nav.gpu) {
    try {
      adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch {
      adapter = null;
    }
  }
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  const cores = nav.hardwareConcurrency ?? 1;
  let storage: Capabilities['storage'] = null;
  try {
    const estimate = await nav.storage?.estimate();
    if (estimate) storage = { quota: estimate.quota ?? 0, usage: estimate.usage ?? 0 };
  } catch {
    storage = null;
  }
  return {
    webgpuApi: !!nav.gpu,
    webgpuAdapter: adapter !== null,
    adapterInfo: adapter
      ? {
          vendor: adapter.info?.vendor ?? '',
          architecture: adapter.info?.architecture ?? '',
          description: adapter.info?.description ?? '',
        }
      : null,
    webgpuFeatures: adapter ? [...adapter.features].sort() : [],
    webgpuLimits: adapter
      ? { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize }
      : null,
    crossOriginIsolated: isolated,
    wasmThreads: isNode ? nodeThreads() : wasmThreadsFor(isolated, cores),
    hardwareConcurrency: cores,
    storage,
    runtime: isNode ? 'node' : 'browser',
  };
}

/** More threads than this stop paying on a model this small (MLAS splits each MatMul by rows). */
const MAX_WASM_THREADS = 8;

/**
 * WASM threads for the page: every core when cross-origin isolated (threads need
 * SharedArrayBuffer), at most MAX_WASM_THREADS; 1 otherwise. ORT's own default is half the cores,
 * at most 4, which on a 2-core machine is one thread. The worker sets this before its first session.
 */
export function wasmThreadsFor(crossOriginIsolated: boolean, hardwareConcurrency: number): number {
  return crossOriginIsolated ? Math.max(1, Math.min(MAX_WASM_THREADS, hardwareConcurrency)) : 1;
}

/** Node: every core the process may use (os.availableParallelism where the runtime has it). */
export function nodeThreads(): number {
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => { availableParallelism?: () => number } | undefined } }).process
    ?.getBuiltinModule?.('node:os');
  return Math.max(1, os?.availableParallelism?.() ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1) ?? 1);
}

/** Software adapters (SwiftShader, llvmpipe) run WebGPU on the CPU, far slower than WASM. */
function isSoftwareAdapter(caps: Capabilities): boolean {
  const info = caps.adapterInfo;
  if (!info) return false;
  return /swiftshader|llvmpipe|software|lavapipe/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/** Choose the execution provider, with the reason shown to the user. */
export function chooseExecutionProvider(pref: EpPreference, caps: Capabilities): { ep: ExecutionProvider; reason: string } {
  if (pref === 'webgpu') {
    if (!caps.webgpuAdapter) {
      throw new NoWebGPUError(
        caps.webgpuApi
          ? 'WebGPU was forced, but the browser gave no adapter (GPU blocklisted or disabled). Switch to WASM.'
          : 'WebGPU was forced, but this browser has no WebGPU. Switch to WASM, or use a browser with WebGPU.',
      );
    }
    return { ep: 'webgpu', reason: 'forced by the user' };
  }
  if (pref === 'wasm') return { ep: 'wasm', reason: 'forced by the user' };
  if (!caps.webgpuAdapter) {
    return { ep: 'wasm', reason: caps.webgpuApi ? 'no WebGPU adapter was obtained' : 'this runtime has no WebGPU' };
  }
  if (isSoftwareAdapter(caps)) {
    return { ep: 'wasm', reason: `the WebGPU adapter is a software renderer (${caps.adapterInfo?.description || caps.adapterInfo?.vendor}); WASM is faster` };
  }
  return { ep: 'webgpu', reason: 'a hardware WebGPU adapter was obtained' };
}
