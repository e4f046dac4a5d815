/**
 * One small request/reply layer for the page's workers whose requests are single calls (the derive
 * worker, the analysis compute worker). A protocol is two unions keyed by `kind`, each message
 * with the `id` its reply echoes; the reply to a request of kind K is the reply union's member of
 * kind K, or an `RpcFailure`. So a new message is one member in each union, and the compiler checks
 * the caller's argument, the reply it gets and the worker's answer. Typed arrays travel in the
 * transfer lists the two sides name; cancel is `stop()`: the worker is terminated (math has no
 * batch boundary to stop at), every waiting call rejects, and the next call starts a fresh worker.
 * (The engine worker streams progress and cancels at batch boundaries: its protocol is
 * workers/protocol.ts, with the same request-kind → reply-kind idea in `ReplyKindOf`.)
 */

/** A message of a protocol: its kind and the id that correlates a reply with its request. */
export interface RpcMessage {
  kind: string;
  id: number;
}

/** A request that failed, with the named error the worker threw. */
export interface RpcFailure {
  kind: 'failed';
  id: number;
  error: { name: string; message: string };
}

/** What the caller passes: the request without its id (the client numbers it). */
export type RpcCall<Request extends RpcMessage> = Request extends unknown ? Omit<Request, 'id'> : never;

/** The reply to a request of kind K. */
export type RpcReply<Reply extends RpcMessage, K> = Extract<Reply, { kind: K }>;

/** The page's side: one worker, created on the first call and after every stop or crash. */
export class RpcClient<Request extends RpcMessage, Reply extends RpcMessage> {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly spawnWorker: () => Worker,
    /** Named in the error of a crash, e.g. "analysis worker". */
    private readonly name: string,
  ) {}

  call<C extends RpcCall<Request>>(request: C, transfer: Transferable[] = []): Promise<RpcReply<Reply, C['kind']>> {
    const worker = (this.worker ??= this.spawn());
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (reply: Reply) => void, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** Terminate the worker; every waiting call rejects with this error. */
  stop(message = 'Cancelled.', name = 'CancelledError'): void {
    this.worker?.terminate();
    this.worker = null;
    for (const waiter of this.waiting.values()) waiter.reject(Object.assign(new Error(message), { name }));
    this.waiting.clear();
  }

  private spawn(): Worker {
    const worker = this.spawnWorker();
    worker.onmessage = (message: MessageEvent<Reply | RpcFailure>) => {
      const reply = message.data;
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.kind === 'failed') waiter.reject(Object.assign(new Error((reply as RpcFailure).error.message), { name: (reply as RpcFailure).error.name }));
      else waiter.resolve(reply as Reply);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.stop(`The ${this.name} crashed (${event.message || 'unknown error'}).`, 'WorkerCrashedError');
    };
    return worker;
  }
}

/** The reply a handler gives for `request`, or the failure it threw (never silence). */
export async function answer<Request extends RpcMessage, Reply extends RpcMessage>(request: Request, handle: (request: Request) => Promise<Reply> | Reply): Promise<Reply | RpcFailure> {
  try {
    return await handle(request);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { kind: 'failed', id: request.id, error: { name: e.name, message: e.message } };
  }
}

/** The worker's side: answer every request through `handle`, moving the buffers `transfer` names. */
export function serveRpc<Request extends RpcMessage, Reply extends RpcMessage>(
  scope: { onmessage: ((message: MessageEvent<Request>) => void) | null; postMessage(message: unknown, transfer: Transferable[]): void },
  handle: (request: Request) => Promise<Reply> | Reply,
  transfer: (reply: Reply) => Transferable[] = () => [],
): void {
  scope.onmessage = async (message) => {
    const reply = await answer(message.data, handle);
    scope.postMessage(reply, reply.kind === 'failed' ? [] : transfer(reply as Reply));
  };
}
