/**
 * One onnxruntime-web instance for the engine and Transformers.js, and the place where the graph
 * tap meets Transformers.js' loader.
 *
 * Transformers.js reads `globalThis[Symbol.for('onnxruntime')]` when its module first evaluates and
 * then uses that runtime for every session it creates. We hand it our onnxruntime-web with one
 * change: `InferenceSession.create` passes the model bytes through the edit of the load in
 * progress (the tap) before creating the session. So model files reach us through Transformers.js'
 * own hub code (local folder, Hub, browser cache, progress events) and the session is created once,
 * on the tapped bytes, with the execution providers we chose.
 *
 * Install the bridge before `@huggingface/transformers` is first imported (the engine imports it
 * dynamically for that reason).
 */
import type * as OrtModule from 'onnxruntime-web';

export type Ort = typeof OrtModule;
export type InferenceSession = OrtModule.InferenceSession;
type SessionOptions = OrtModule.InferenceSession.SessionOptions;

/** Edits model bytes before the session is created (the graph tap). */
export type ModelEdit = (bytes: Uint8Array) => Uint8Array;

const ORT_SYMBOL = Symbol.for('onnxruntime');

export class OrtBridge {
  private edit: ModelEdit | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private created: InferenceSession | null = null;

  constructor(
    readonly ort: Ort,
    /** Reads a model given as a path (Transformers.js passes paths, not bytes, in Node). */
    private readonly readPath: (path: string) => Promise<Uint8Array> = () =>
      Promise.reject(new Error('model paths are only supported in Node')),
  ) {}

  /** Make this runtime the one Transformers.js uses. Call before importing it. */
  install(): void {
    const create = (model: string | Uint8Array | ArrayBuffer, options?: SessionOptions) => this.create(model, options);
    const ortForTransformers = { ...this.ort, InferenceSession: { ...this.ort.InferenceSession, create } };
    (globalThis as Record<symbol, unknown>)[ORT_SYMBOL] = ortForTransformers;
  }

  /**
   * Run `load` (a Transformers.js from_pretrained call) with `edit` applied to the model bytes it
   * creates a session from; returns load's value and that session. Loads are serialised.
   */
  withEdit<T>(edit: ModelEdit, load: () => Promise<T>): Promise<{ value: T; session: InferenceSession }> {
    const run = async () => {
      this.edit = edit;
      this.created = null;
      try {
        const value = await load();
        if (!this.created) throw new Error('the loader created no ONNX session');
        return { value, session: this.created };
      } finally {
        this.edit = null;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async create(model: string | Uint8Array | ArrayBuffer, options?: SessionOptions): Promise<InferenceSession> {
    let bytes = typeof model === 'string' ? await this.readPath(model) : model instanceof Uint8Array ? model : new Uint8Array(model);
    if (this.edit) bytes = this.edit(bytes);
    const session = await this.ort.InferenceSession.create(bytes, options ?? {});
    this.created = session;
    return session;
  }
}
