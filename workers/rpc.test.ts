/**
 * workers/rpc.ts end to end over a real MessageChannel (structured clone and transfer lists, as
 * between the page and a worker): the client on one port, `serveRpc` on the other.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { byKind, RpcClient, serveRpc, type RpcCancel, type RpcError, type RpcProgress } from './rpc.ts';

type Request = { kind: 'sum'; id: string; values: Float32Array } | { kind: 'count'; id: string; to: number; delayMs: number } | { kind: 'fail'; id: string };
type Reply = { kind: 'summed'; id: string; total: number; values: Float32Array } | { kind: 'counted'; id: string; reached: number } | { kind: 'fail'; id: string };
interface Progress extends RpcProgress {
  at: number;
}
interface TestProtocol {
  request: Request;
  reply: Reply;
  progress: Progress;
  replyKinds: typeof REPLY_KINDS;
  error: RpcError;
}
const REPLY_KINDS = { sum: 'summed', count: 'counted' } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const handle = byKind<TestProtocol>({
  sum: ({ values }) => ({ kind: 'summed', total: values.reduce((a, b) => a + b, 0), values }),
  count: async ({ to, delayMs }, { signal, progress }) => {
    for (let i = 1; i <= to; i++) {
      if (signal.aborted) throw Object.assign(new Error(`stopped at ${i - 1}`), { name: 'CancelledError' });
      await sleep(delayMs);
      progress({ at: i });
    }
    return { kind: 'counted', reached: to };
  },
  fail: () => {
    throw Object.assign(new Error('as asked'), { name: 'BadInputError' });
  },
});

/** A Worker-shaped end of a MessageChannel whose other end runs the server. */
function channelWorker(ports: MessagePort[]): Worker {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const scope = {
    onmessage: null as ((message: MessageEvent<Request | RpcCancel>) => void) | null,
    postMessage: (message: unknown, transfer: Transferable[]) => port2.postMessage(message, transfer as never),
  };
  serveRpc<TestProtocol>(scope, handle);
  port2.on('message', (data: Request) => scope.onmessage?.({ data } as MessageEvent<Request | RpcCancel>));
  const worker = {
    onmessage: null as ((message: MessageEvent) => void) | null,
    onerror: null as ((event: ErrorEvent) => void) | null,
    postMessage: (message: unknown, transfer: Transferable[] = []) => port1.postMessage(message, transfer as never),
    terminate: () => {
      port1.close();
      port2.close();
    },
  };
  port1.on('message', (data: unknown) => worker.onmessage?.({ data } as MessageEvent));
  return worker as unknown as Worker;
}

function client(options: { replyKinds?: typeof REPLY_KINDS; onCrash?: (e: RpcError) => void } = { replyKinds: REPLY_KINDS }) {
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const rpc = new RpcClient<TestProtocol>(
    () => {
      const w = channelWorker(ports);
      workers.push(w);
      return w;
    },
    { name: 'test worker', ...options },
  );
  return { rpc, workers, close: () => ports.forEach((p) => p.close()) };
}

describe('workers/rpc.ts over a MessageChannel', () => {
  it('answers each request with its own reply kind, moving the buffers it is told to', async () => {
    const { rpc, close } = client();
    const values = new Float32Array([1, 2, 3.5]);
    const [summed, counted] = await Promise.all([rpc.call({ kind: 'sum', values }, { transfer: [values.buffer] }), rpc.call({ kind: 'count', to: 2, delayMs: 1 })]);
    expect(summed.kind).toBe('summed');
    expect(summed.total).toBe(6.5);
    expect(Array.from(summed.values)).toEqual([1, 2, 3.5]);
    expect(values.byteLength).toBe(0); // transferred, not copied
    expect(counted).toMatchObject({ kind: 'counted', reached: 2 });
    close();
  });

  it('streams progress to the caller before the reply, under the id the caller chose', async () => {
    const { rpc, close } = client();
    const seen: Progress[] = [];
    const reply = await rpc.call({ kind: 'count', to: 4, delayMs: 1 }, { id: 'mine', onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => [p.id, p.kind, p.at])).toEqual([1, 2, 3, 4].map((at) => ['mine', 'progress', at]));
    expect(reply.id).toBe('mine');
    close();
  });

  it('a thrown error arrives as the named failure of that call only', async () => {
    const { rpc, close } = client();
    await expect(rpc.call({ kind: 'fail' })).rejects.toMatchObject({ name: 'BadInputError', message: 'as asked' });
    expect((await rpc.call({ kind: 'count', to: 1, delayMs: 0 })).kind).toBe('counted');
    close();
  });

  it('cancel(id) aborts that request at its next boundary; the others run on', async () => {
    const { rpc, close } = client();
    const long = rpc.call({ kind: 'count', to: 1000, delayMs: 2 }, { id: 'long' });
    const other = rpc.call({ kind: 'count', to: 3, delayMs: 2 });
    await sleep(20);
    rpc.cancel('long');
    await expect(long).rejects.toMatchObject({ name: 'CancelledError' });
    expect((await other).reached).toBe(3);
    close();
  });

  it('a reply of the wrong kind is an InternalError, not a silent success', async () => {
    // Without the reply-kind map the client expects a reply named like the request.
    const { rpc, close } = client({});
    await expect(rpc.call({ kind: 'sum', values: new Float32Array(1) })).rejects.toMatchObject({ name: 'InternalError', message: expect.stringContaining('answered summed where sum was due') });
    close();
  });

  it('stop() rejects every waiting call and the next call starts a fresh worker; a crash says so', async () => {
    const crashes: RpcError[] = [];
    const { rpc, workers, close } = client({ replyKinds: REPLY_KINDS, onCrash: (e) => crashes.push(e) });
    const waiting = rpc.call({ kind: 'count', to: 1000, delayMs: 2 });
    await sleep(5);
    rpc.stop();
    await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' });
    expect((await rpc.call({ kind: 'count', to: 1, delayMs: 0 })).reached).toBe(1);
    expect(workers.length).toBe(2);
    const crashing = rpc.call({ kind: 'count', to: 1000, delayMs: 2 });
    (workers[1] as unknown as { onerror: (e: Partial<ErrorEvent>) => void }).onerror({ message: 'out of memory', preventDefault: () => {} });
    await expect(crashing).rejects.toMatchObject({ name: 'WorkerCrashedError', message: expect.stringContaining('out of memory') });
    expect(crashes.map((c) => c.name)).toEqual(['WorkerCrashedError']);
    close();
  });
});
