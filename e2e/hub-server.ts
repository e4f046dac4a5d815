/**
 * A local HTTP server standing in for the Hugging Face Hub in tests: serves model folders in Hub
 * layout (`/{org}/{name}/resolve/{revision}/{file}`) on a free loopback port, with the CORS and
 * CORP headers a cross-origin-isolated page needs, Range requests (Transformers.js reads file sizes
 * with `Range: bytes=0-0`), and `Cache-Control: no-store` so that the browser's HTTP cache never
 * hides a request: every fetch the page makes reaches this server and is logged.
 *
 * The model name picks a behaviour for its weight files (.onnx / .onnx_data); other files are
 * served normally:
 *   moee-demo*   normal            missing-onnx  404
 *   truncated    Content-Length larger than the body, then the connection ends
 *   corrupt      the right length of bytes that are not ONNX
 *   slow         trickles (for cancel)          stall   a few bytes, then silence
 * and `dense-*` serves a dense (non-MoE) config.json from e2e/fixtures; `dtypes-*` serves the dtype
 * fixture (tests/fixtures/qwen2-moe-dtypes: fp32, q8, q4, q4f16, each in chunked external data).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO_DIR = join(ROOT, 'models', 'moee-demo');
const DENSE_CONFIG = join(ROOT, 'e2e', 'fixtures', 'dense-qwen2', 'config.json');
const DTYPES_DIR = join(ROOT, 'tests', 'fixtures', 'qwen2-moe-dtypes');

/** Bytes per tick and tick length of the slow stream: ~320 kB/s, so a 11 MB file takes ~35 s. */
const SLOW_CHUNK_BYTES = 32 * 1024;
const SLOW_TICK_MS = 100;

export type Behaviour = 'normal' | 'missing-onnx' | 'truncated' | 'corrupt' | 'slow' | 'stall' | 'dense';

export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
}

export interface HubStandIn {
  /** `http://127.0.0.1:{port}/`, for env.remoteHost. */
  url: string;
  /** Every request, in order. */
  log: LoggedRequest[];
  close(): Promise<void>;
}

function behaviourOf(name: string): Behaviour {
  if (name.startsWith('dense')) return 'dense';
  for (const b of ['missing-onnx', 'truncated', 'corrupt', 'slow', 'stall'] as const) if (name.startsWith(b)) return b;
  return 'normal';
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag',
  // COEP require-corp pages may read cross-origin resources that opt in (CORS already does; CORP too).
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

export async function startHubStandIn(): Promise<HubStandIn> {
  const log: LoggedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: decodeURIComponent((req.url ?? '').split('?')[0]), range: req.headers.range ?? null, status: 0 };
    log.push(entry);
    handle(req, res, entry);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    close: async () => {
      for (const res of open) res.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function send(res: ServerResponse, entry: LoggedRequest, status: number, headers: Record<string, string>, body?: Buffer) {
  entry.status = status;
  res.writeHead(status, { ...CORS_HEADERS, ...headers });
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest) {
  if (req.method === 'OPTIONS') return send(res, entry, 204, {});
  const match = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(entry.path);
  if (!match) return send(res, entry, 404, { 'Content-Type': 'text/plain' }, Buffer.from('Repository not found'));
  const [, , name, , file] = match;
  const behaviour = behaviourOf(name);
  const isWeights = /\.onnx(_data(_\d+)?)?$/.test(file);
  const dir = name.startsWith('dtypes') ? DTYPES_DIR : DEMO_DIR;
  let path: string;
  if (behaviour === 'dense' && file === 'config.json') path = DENSE_CONFIG;
  else {
    path = normalize(join(dir, file));
    if (!path.startsWith(dir)) return send(res, entry, 404, {}, Buffer.from('not found'));
  }
  if (!existsSync(path) || !statSync(path).isFile() || (isWeights && behaviour === 'missing-onnx')) {
    return send(res, entry, 404, { 'Content-Type': 'text/plain' }, Buffer.from('Entry not found'));
  }
  let body = readFileSync(path);
  if (isWeights && behaviour === 'corrupt') body = Buffer.alloc(body.length, 0x5a);
  const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  const ranged = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (ranged) {
    const start = Number(ranged[1]);
    const end = ranged[2] ? Math.min(Number(ranged[2]), body.length - 1) : body.length - 1;
    return send(res, entry, 206, { 'Content-Type': type, 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes' }, body.subarray(start, end + 1));
  }
  if (!isWeights || behaviour === 'normal' || behaviour === 'corrupt') {
    return send(res, entry, 200, { 'Content-Type': type, 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' }, body);
  }
  entry.status = 200;
  res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': type, 'Content-Length': String(body.length) });
  if (behaviour === 'truncated') {
    // Half the declared bytes, then the connection ends: what a dropped download looks like.
    res.write(body.subarray(0, body.length >> 1), () => res.destroy());
  } else if (behaviour === 'stall') {
    res.write(body.subarray(0, SLOW_CHUNK_BYTES));
  } else {
    let sent = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      const next = body.subarray(sent, sent + SLOW_CHUNK_BYTES);
      sent += next.length;
      if (sent >= body.length) {
        clearInterval(tick);
        res.end(next);
      } else res.write(next);
    }, SLOW_TICK_MS);
    res.on('close', () => clearInterval(tick));
  }
}
