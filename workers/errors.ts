/**
 * The engine's named errors. Each crosses the worker boundary as `{ name, message }` and the page
 * chooses its way forward by `name` (see app/components/ErrorPanel.tsx).
 */
export { ConfigMismatchError, CorruptModelError, NotMoEModelError } from '../models/errors.ts';

/** A text that is empty or only whitespace: nothing to embed. */
export class EmptyTextError extends Error {
  override readonly name = 'EmptyTextError';
  constructor(
    message: string,
    /** Indices of the offending texts in the request. */
    readonly indices: number[],
  ) {
    super(message);
  }
}

/** More texts in one request than the engine accepts. */
export class TooManyTextsError extends Error {
  override readonly name = 'TooManyTextsError';
}

/** A model file (tokenizer.json, config.json, the .onnx) is missing. */
export class MissingFileError extends Error {
  override readonly name = 'MissingFileError';
}

/** WebGPU was forced but no adapter could be obtained. */
export class NoWebGPUError extends Error {
  override readonly name = 'NoWebGPUError';
}

/** The GPU device was lost mid-run (often: out of GPU memory). */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
}

/** The worker died; the client starts a fresh one. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
}

/** The user cancelled the run. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/**
 * The worker's onnxruntime-web build was chosen for another execution provider (the WASM-only build
 * creates sessions and runs faster than the WebGPU one, but cannot run WebGPU): the load needs a
 * fresh worker. The page's engine client does that and retries, so users never see this.
 */
export class RuntimeSwitchError extends Error {
  override readonly name = 'RuntimeSwitchError';
}

/** A request arrived before a model was loaded. */
export class NoModelError extends Error {
  override readonly name = 'NoModelError';
}

/** The template is unusable (a custom template without exactly one `{text}` slot). */
export class BadTemplateError extends Error {
  override readonly name = 'BadTemplateError';
}

/** Why a download failed: the server's answer, a short body, a silent stream, or the network. */
export type DownloadFailure = 'http' | 'truncated' | 'stalled' | 'network';

/** A model file could not be downloaded whole (see `reason`); nothing partial was cached. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    message: string,
    /** The file's path inside the model (`onnx/model.onnx`). */
    readonly file: string,
    readonly reason: DownloadFailure,
  ) {
    super(message);
  }
}

/** This device cannot run the model (found before any download); `requirement` names what is missing. */
export class DeviceUnsupportedError extends Error {
  override readonly name = 'DeviceUnsupportedError';
  constructor(
    message: string,
    /** A RequirementName of models/registry.ts, or `webgpu` when WebGPU was forced without an adapter. */
    readonly requirement: string,
  ) {
    super(message);
  }
}

/** The names the page can switch on. */
export type EngineErrorName =
  | 'NotMoEModelError'
  | 'ConfigMismatchError'
  | 'CorruptModelError'
  | 'EmptyTextError'
  | 'TooManyTextsError'
  | 'MissingFileError'
  | 'NoWebGPUError'
  | 'DeviceLostError'
  | 'WorkerCrashedError'
  | 'CancelledError'
  | 'NoModelError'
  | 'BadTemplateError'
  | 'DownloadError'
  | 'DeviceUnsupportedError'
  | 'UnknownRequestError'
  | 'RuntimeSwitchError'
  | 'InternalError';

/** An error as it travels in a message. */
export interface SerializedError {
  name: EngineErrorName;
  message: string;
  /** Extra facts for the page (e.g. the indices of empty texts). */
  details?: Record<string, unknown>;
}

const KNOWN = new Set<string>([
  'NotMoEModelError',
  'ConfigMismatchError',
  'CorruptModelError',
  'EmptyTextError',
  'TooManyTextsError',
  'MissingFileError',
  'NoWebGPUError',
  'DeviceLostError',
  'WorkerCrashedError',
  'CancelledError',
  'NoModelError',
  'BadTemplateError',
  'DownloadError',
  'DeviceUnsupportedError',
  'UnknownRequestError',
  'RuntimeSwitchError',
]);

/** Serialise any thrown value; unknown errors become InternalError with their message kept. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const name = KNOWN.has(error.name) ? (error.name as EngineErrorName) : classify(error);
    const details: Record<string, unknown> = {};
    if (error instanceof EmptyTextError) details.indices = error.indices;
    if ('modelType' in error && typeof error.modelType === 'string') details.modelType = error.modelType;
    if (error instanceof DownloadError) Object.assign(details, { file: error.file, reason: error.reason });
    if (error instanceof DeviceUnsupportedError) details.requirement = error.requirement;
    return { name, message: error.message, ...(Object.keys(details).length ? { details } : {}) };
  }
  return { name: 'InternalError', message: String(error) };
}

/** Errors raised inside ORT or the GPU stack carry no name of ours: recognise the common ones. */
function classify(error: Error): EngineErrorName {
  const text = `${error.name} ${error.message}`;
  if (/device (was )?lost|GPUDeviceLostInfo|DeviceLost/i.test(text)) return 'DeviceLostError';
  if (/AbortError/.test(error.name)) return 'CancelledError';
  if (/protobuf|failed to load model|invalid model|Deserialize|parse/i.test(text)) return 'CorruptModelError';
  if (/could not locate file|not found|404/i.test(text)) return 'MissingFileError';
  return 'InternalError';
}
