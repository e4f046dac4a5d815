/**
 * One small request/reply layer for every worker of the page: the engine (workers/protocol.ts),
 * the derive worker and the analysis compute worker.
 *
 * A protocol is one `RpcProtocol` type: requests and replies keyed by `kind`, each carrying the
 * `id` of its request; the progress reports a request may send before its reply; the reply kind
 * that ends each request kind (the request's own kind unless `replyKinds` says otherwise); and
 * the error shape a failure carries. The compiler then checks the caller's argument, the reply it
 * gets, and (with `byKind`) the worker's answer to each kind, so a new message is one member in
 * each union. Typed arrays travel in the transfer lists the two sides name.
 *
 * Two ways to stop: `cancel(id)` asks the worker to abort one request at its next boundary (the
 * handler sees `signal.aborted` and throws its CancelledError, which arrives as that request's
 * failure); `stop()` terminates the worker, every waiting call rejects, and the next call starts a
 * fresh one (for math that has no boundary to stop at, or a worker that must be replaced).
 *
 * The worker side is transport-free (`createRpcServer` takes a `post` function), so Node callers
 * run the very same server in-process with no Worker at all.
 */

/** A message of a protocol: its kind and the id that correlates it with its request. */
export interface RpcMessage {
  kind: string;
  id: string;
}

/** An error as it travels in a message. */
export interface RpcError {
  name: string;
  message: string;
  /** Extra facts for the page (a protocol's own error type says which). */
  details?: Record<string, unknown>;
}

/** A request that failed, with the named error the worker threw. */
export interface RpcFailure<E extends RpcError = RpcError> {
  kind: 'failed';
  id: string;
  error: E;
}

/** A progress report of a running request; any number may arrive before its reply. */
export interface RpcProgress {
  kind: 'progress';
  id: string;
}

/** Ask the worker to abort request `targetId` at its next boundary. It has no reply of its own. */
export interface RpcCancel {
  kind: 'cancel';
  id: string;
  targetId: string;
}

/** A protocol's types in one place. */
export interface RpcProtocol {
  request: RpcMessage;
  reply: RpcMessage;
  /** `never` for a protocol whose requests report no progress. */
  progress: RpcProgress;
  /** Request kind → reply kind, where they differ. */
  replyKinds: { readonly [requestKind: string]: string };
  error: RpcError;
}

/** A message without its id (distributes over unions). */
export type RpcBody<M> = M extends unknown ? Omit<M, 'id'> : never;
/** What the caller passes: a request without its id (the client numbers it unless told). */
export type RpcCall<P extends RpcProtocol> = RpcBody<P['request']>;
/** What a handler reports as progress: the report without kind and id (the server adds both). */
export type RpcProgressReport<P extends RpcProtocol> = WithoutKindAndId<P['progress']>;
type WithoutKindAndId<M> = M extends unknown ? Omit<M, 'id' | 'kind'> : never;

type ReplyKindOf<P extends RpcProtocol, K> = K extends keyof P['replyKinds'] ? P['replyKinds'][K] : K;
/** The reply to a request of kind K. */
export type RpcReplyTo<P extends RpcProtocol, K> = Extract<P['reply'], { kind: ReplyKindOf<P, K> }>;
/** Everything the worker sends. */
export type RpcOutgoing<P extends RpcProtocol> = P['reply'] | P['progress'] | RpcFailure<P['error']>;

let counter = 0;
/** A request id unique in this page (a prefix says what it is, for logs). */
export function newRpcId(prefix: string): string {
  return `${prefix}-${++counter}-${Date.now().toString(36)}`;
}

function asError(error: RpcError): Error {
  return Object.assign(new Error(error.message), { name: error.name });
}

// ---------------------------------------------------------------------------------------------
// The page's side
// ---------------------------------------------------------------------------------------------

export interface RpcClientOptions<P extends RpcProtocol> {
  /** Named in crash errors, e.g. "analysis worker". */
  name: string;
  /** The runtime copy of `P['replyKinds']`: any other reply kind rejects with an InternalError. */
  replyKinds?: P['replyKinds'];
  /** Turns a failure's error into what the caller's promise rejects with. */
  toError?: (error: P['error'] | RpcError) => Error;
  /** Called after the worker crashed and every waiting call was rejected (not on `stop`). */
  onCrash?: (error: RpcError) => void;
  /** Start the worker at once rather than on the first call (a worker with a runtime to load). */
  eager?: boolean;
}

export interface RpcCallOptions<P extends RpcProtocol> {
  /** The request's id, when the caller needs it before the reply (to cancel it). Unique per client. */
  id?: string;
  transfer?: Transferable[];
  onProgress?: (report: P['progress']) => void;
}

interface Waiter<P extends RpcProtocol> {
  replyKind: string;
  resolve: (reply: P['reply']) => void;
  reject: (error: Error) => void;
  onProgress?: (report: P['progress']) => void;
}

/** One worker, created on the first call (or at once, `eager`) and again after every stop or crash. */
export class RpcClient<P extends RpcProtocol> {
  private worker: Worker | null = null;
  private readonly waiting = new Map<string, Waiter<P>>();
  private readonly toError: (error: P['error'] | RpcError) => Error;

  constructor(
    private readonly spawnWorker: () => Worker,
    private readonly options: RpcClientOptions<P>,
  ) {
    this.toError = options.toError ?? asError;
    if (options.eager) this.worker = this.spawn();
  }

  call<C extends RpcCall<P>>(request: C, options: RpcCallOptions<P> = {}): Promise<RpcReplyTo<P, C['kind']>> {
    const worker = (this.worker ??= this.spawn());
    const id = options.id ?? newRpcId(request.kind);
    const replyKinds: { readonly [kind: string]: string } = this.options.replyKinds ?? {};
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { replyKind: replyKinds[request.kind] ?? request.kind, resolve: resolve as (reply: P['reply']) => void, reject, onProgress: options.onProgress });
      worker.postMessage({ ...request, id }, options.transfer ?? []);
    });
  }

  /** Ask the worker to abort request `targetId` at its next boundary; its call then rejects. */
  cancel(targetId: string): void {
    if (this.waiting.has(targetId)) this.worker?.postMessage({ kind: 'cancel', id: newRpcId('cancel'), targetId } satisfies RpcCancel);
  }

  /** Terminate the worker; every waiting call rejects with `error`. The next call starts a fresh one. */
  stop(error: RpcError = { name: 'CancelledError', message: 'Cancelled.' }): void {
    this.terminate(error);
    if (this.options.eager) this.worker = this.spawn();
  }

  /** Terminate the worker for good (waiting calls reject); a later call would start a new one. */
  dispose(): void {
    this.terminate({ name: 'CancelledError', message: `The ${this.options.name} was closed.` });
  }

  private terminate(error: RpcError): void {
    this.worker?.terminate();
    this.worker = null;
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(this.toError(error));
  }

  private receive(message: RpcOutgoing<P>): void {
    const waiter = this.waiting.get(message.id);
    if (!waiter) return; // an answer to a call that was stopped
    if (message.kind === 'progress') {
      waiter.onProgress?.(message as P['progress']);
      return;
    }
    this.waiting.delete(message.id);
    if (message.kind === 'failed') waiter.reject(this.toError((message as RpcFailure<P['error']>).error));
    else if (message.kind !== waiter.replyKind) waiter.reject(this.toError({ name: 'InternalError', message: `the ${this.options.name} answered ${message.kind} where ${waiter.replyKind} was due` }));
    else waiter.resolve(message as P['reply']);
  }

  private spawn(): Worker {
    const worker = this.spawnWorker();
    worker.onmessage = (message: MessageEvent<RpcOutgoing<P>>) => this.receive(message.data);
    worker.onerror = (event) => {
      event.preventDefault();
      const restart = this.options.eager ? 'a fresh one was started' : 'the next call starts a fresh one';
      const error = { name: 'WorkerCrashedError', message: `The ${this.options.name} crashed (${event.message || 'unknown error'}); ${restart}.` };
      this.stop(error);
      this.options.onCrash?.(error);
    };
    return worker;
  }
}

// ---------------------------------------------------------------------------------------------
// The worker's side
// ---------------------------------------------------------------------------------------------

export interface RpcContext<P extends RpcProtocol> {
  /** Aborted when the page cancels this request. */
  signal: AbortSignal;
  progress(report: RpcProgressReport<P>): void;
}

/** Answers any request of the protocol with a reply body (the server adds the id). */
export type RpcHandle<P extends RpcProtocol> = (request: P['request'], context: RpcContext<P>) => Promise<RpcBody<P['reply']>> | RpcBody<P['reply']>;

/** One handler per request kind, each typed to return that kind's reply. */
export type RpcHandlers<P extends RpcProtocol> = {
  [K in P['request']['kind']]: (
    request: Extract<P['request'], { kind: K }>,
    context: RpcContext<P>,
  ) => Promise<RpcBody<RpcReplyTo<P, K>>> | RpcBody<RpcReplyTo<P, K>>;
};

/** A handle that dispatches on the request's kind. */
export function byKind<P extends RpcProtocol>(handlers: RpcHandlers<P>): RpcHandle<P> {
  return (request, context) => {
    const handler = (handlers as unknown as Record<string, ((r: P['request'], c: RpcContext<P>) => Promise<RpcBody<P['reply']>> | RpcBody<P['reply']>) | undefined>)[request.kind];
    if (!handler) throw Object.assign(new Error(`Unknown request kind: ${request.kind}`), { name: 'UnknownRequestError' });
    return handler(request, context);
  };
}

export interface RpcServerOptions<P extends RpcProtocol> {
  /** The buffers of a reply to move rather than copy. */
  transfer?: (reply: P['reply']) => Transferable[];
  /** How a thrown value travels (default: its name and message). */
  serializeError?: (error: unknown) => P['error'];
}

export interface RpcServer<P extends RpcProtocol> {
  /** Handle one incoming message; resolves once its reply or failure has been posted. */
  receive(message: P['request'] | RpcCancel): Promise<void>;
}

function defaultSerialize(error: unknown): RpcError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'InternalError', message: String(error) };
}

/** The worker's side with any transport: `post` sends one message (a reply, a progress report, a failure). */
export function createRpcServer<P extends RpcProtocol>(
  handle: RpcHandle<P>,
  post: (message: RpcOutgoing<P>, transfer: Transferable[]) => void,
  options: RpcServerOptions<P> = {},
): RpcServer<P> {
  const running = new Map<string, AbortController>();
  const serialize = options.serializeError ?? (defaultSerialize as (error: unknown) => P['error']);
  return {
    async receive(message) {
      if (message.kind === 'cancel') {
        running.get((message as RpcCancel).targetId)?.abort();
        return;
      }
      const request = message as P['request'];
      const controller = new AbortController();
      running.set(request.id, controller);
      const context: RpcContext<P> = {
        signal: controller.signal,
        progress: (report) => post({ ...report, kind: 'progress', id: request.id } as P['progress'], []),
      };
      try {
        const reply = { ...(await handle(request, context)), id: request.id } as P['reply'];
        post(reply, options.transfer?.(reply) ?? []);
      } catch (error) {
        post({ kind: 'failed', id: request.id, error: serialize(error) }, []);
      } finally {
        running.delete(request.id);
      }
    },
  };
}

/** The worker's side inside a worker: every message to `scope` goes through `handle`. */
export function serveRpc<P extends RpcProtocol>(
  scope: { onmessage: ((message: MessageEvent<P['request'] | RpcCancel>) => void) | null; postMessage(message: unknown, transfer: Transferable[]): void },
  handle: RpcHandle<P>,
  options: RpcServerOptions<P> = {},
): void {
  const server = createRpcServer<P>(handle, (message, transfer) => scope.postMessage(message, transfer), options);
  scope.onmessage = (message) => void server.receive(message.data);
}

/** One request answered in-process exactly as the worker would: its reply, or its failure (Node callers, tests). */
export async function answerOnce<P extends RpcProtocol>(handle: RpcHandle<P>, request: P['request'], options: RpcServerOptions<P> = {}): Promise<P['reply'] | RpcFailure<P['error']>> {
  let answer: P['reply'] | RpcFailure<P['error']> | null = null;
  await createRpcServer<P>(handle, (message) => {
    if (message.kind !== 'progress') answer = message as P['reply'] | RpcFailure<P['error']>;
  }, options).receive(request);
  if (answer === null) throw new Error(`request ${request.id} was not answered`);
  return answer;
}
