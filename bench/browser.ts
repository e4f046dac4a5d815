/**
 * The browser half of `npm run bench`: the production build served by `vite preview`, driven in
 * Debian's Chromium (/usr/bin/chromium) by Playwright, WASM only (WebGPU here would be a software
 * adapter, and no speed claim can rest on it).
 *   - cold start to first similarity matrix: the app opened with 8 texts on a fresh profile (empty
 *     HTTP and Cache Storage) vs the same profile opened again (warm), alternating, per repeat;
 *   - main-thread tasks while the harness page embeds 1,000 texts under each of the 10 templates
 *     through the real worker and client: the longest task from a Chromium trace (every RunTask of
 *     the renderer's main thread, however short), and the PerformanceObserver 'longtask' count (> 50 ms);
 *   - memory after 500 consecutive embed requests vs after 10 (performance.measureUserAgentSpecificMemory,
 *     which counts the page, its worker and their WebAssembly memories; cross-origin isolation makes it available).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { summarize, type Summary } from './stats.ts';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import type { BuiltinTemplateId } from '../workers/templates.ts';
import type { ModelDtype } from '../models/dtypes.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** Parallel checkouts on one machine each pick their own port (as the e2e tests do). */
const PORT = Number(process.env.MOEE_BENCH_PORT ?? process.env.MOEE_E2E_PORT ?? 4173);
const BASE = `http://127.0.0.1:${PORT}`;
const FLAGS = [
  ...CHROMIUM_BASE_FLAGS,
  // measureUserAgentSpecificMemory answers at once instead of at the next scheduled GC.
  '--enable-blink-features=ForceEagerMeasureMemory',
];

const APP_TEXTS = [
  'The meeting starts at 5.30 p.m.', 'The meeting starts at 17h30.', 'They narrowly avoided a catastrophe.', 'They managed to prevent a disaster.',
  'A dog is running across the green field.', 'The stock market fell sharply on Monday.', 'Water boils at one hundred degrees at sea level.', 'The king gave his daughter a golden ring.',
];

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(BASE)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`vite preview did not answer on ${BASE}`);
}

/** Build the app and serve it; the caller stops the server. */
export async function startPreview(): Promise<ChildProcess> {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('vite build failed');
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { cwd: ROOT, stdio: 'ignore', detached: true });
  await waitForServer();
  return server;
}

export function stopPreview(server: ChildProcess): void {
  // The server was started in its own process group (npx → node): end that group only.
  if (server.pid) process.kill(-server.pid, 'SIGTERM');
}

/** An embedded model and the dtype the page loads it in. */
export interface BenchModel {
  id: string;
  dtype: ModelDtype;
}

const DEMO_MODEL: BenchModel = { id: 'moee-demo', dtype: 'q8' };

/** ms from navigation start until the app shows the HS matrix of all 8 texts and is idle. */
async function timeToFirstMatrix(context: BrowserContext, model: BenchModel): Promise<number> {
  const page = await context.newPage();
  const settings = { text: APP_TEXTS.join('\n'), ep: 'wasm', dtype: model.dtype, templateId: 'prompteol' };
  await page.goto(`${BASE}/?model=${encodeURIComponent(model.id)}#s=${encodeURIComponent(JSON.stringify(settings))}`);
  const handle = await page.waitForFunction(
    (n) => {
      const status = document.querySelector('[data-testid=status]') as HTMLElement | null;
      const drawn = document.querySelector('[data-testid=matrix-hs] canvas');
      const items = document.querySelectorAll('[data-testid=text-list] li').length;
      return status?.dataset.status === 'ready' && drawn && items === n ? performance.now() : false;
    },
    APP_TEXTS.length,
    { polling: 'raf', timeout: 300_000 },
  );
  const ms = (await handle.jsonValue()) as number;
  const ep = await page.getByTestId('ep-ran').textContent();
  if (ep !== 'WASM') throw new Error(`the app ran on ${ep}, not WASM`);
  await page.close();
  return ms;
}

export async function coldStart(repeats: number, model: BenchModel = DEMO_MODEL): Promise<{ coldMs: Summary; warmMs: Summary; coldOverWarm: Summary }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await withFreshProfile(async (context) => {
      cold.push(await timeToFirstMatrix(context, model));
      warm.push(await timeToFirstMatrix(context, model));
    });
  }
  return { coldMs: summarize(cold), warmMs: summarize(warm), coldOverWarm: summarize(cold.map((c, i) => c / warm[i])) };
}

/** Cold-start phases in ms, each the time between two marks of the harness' timedStart. */
export interface ColdPhases {
  /** Navigation to the harness module evaluated (HTML, JS fetch and parse, worker created). */
  page: Summary;
  /** Capability detection (WebGPU adapter request, storage estimate). */
  detect: Summary;
  /** config.json, tokenizer, .onnx: fetched (cold cache: over the network from vite preview). */
  fetchAndTokenizer: Summary;
  /** Parse, tap and graph edits, and ORT session creation. */
  tapAndSession: Summary;
  warmup: Summary;
  /** From ready to the first embedding of the 8 texts returned to the page. */
  firstEmbed: Summary;
  total: Summary;
  wasmThreads: number;
}

/** The harness (no UI, so no first draw) loading a model (moee-demo q8) on WASM on a fresh profile, then embedding 8 texts. */
export async function coldPhases(repeats: number, model: BenchModel = DEMO_MODEL): Promise<ColdPhases> {
  const rows: Record<Exclude<keyof ColdPhases, 'wasmThreads'>, number>[] = [];
  let wasmThreads = 0;
  for (let i = 0; i < repeats; i++) {
    await withFreshProfile(async (context) => {
      const page = await openHarnessPage(context);
      const r = await page.evaluate(([list, m]) => window.moeeHarness.timedStart(m.id, m.dtype, 'wasm', list), [APP_TEXTS, model] as const);
      if (r.ep !== 'wasm') throw new Error(`the harness ran on ${r.ep}`);
      wasmThreads = r.wasmThreads;
      const m = r.marks;
      for (const key of ['detect', 'download', 'session', 'warmup', 'ready']) if (!(key in m)) throw new Error(`no ${key} phase was reported`);
      rows.push({
        page: m.harnessReady,
        detect: m.download - m.detect,
        fetchAndTokenizer: m.session - m.download,
        tapAndSession: m.warmup - m.session,
        warmup: m.ready - m.warmup,
        firstEmbed: m.firstEmbed - m.ready,
        total: m.firstEmbed,
      });
    });
  }
  const of = (k: keyof (typeof rows)[number]) => summarize(rows.map((r) => r[k]));
  return {
    page: of('page'),
    detect: of('detect'),
    fetchAndTokenizer: of('fetchAndTokenizer'),
    tapAndSession: of('tapAndSession'),
    warmup: of('warmup'),
    firstEmbed: of('firstEmbed'),
    total: of('total'),
    wasmThreads,
  };
}

/** A persistent context on a profile of its own, closed and deleted after `work`: every start is cold. */
async function withFreshProfile<T>(work: (context: BrowserContext) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'moee-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: FLAGS });
  try {
    return await work(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The harness page (no UI), once its engine client is up. */
async function openHarnessPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${BASE}/harness.html`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}

/** The harness with `model` loaded on WASM (refusing any other EP). */
async function openHarness(context: BrowserContext, model: BenchModel = DEMO_MODEL): Promise<{ page: Page; wasmThreads: number }> {
  const page = await openHarnessPage(context);
  const loaded = await page.evaluate((m) => window.moeeHarness.load(m.id, m.dtype, 'wasm'), model);
  if (!loaded.ok) throw new Error(`harness load failed: ${JSON.stringify(loaded.error)}`);
  if (loaded.model.ep !== 'wasm') throw new Error(`harness ran on ${loaded.model.ep}`);
  return { page, wasmThreads: loaded.capabilities.wasmThreads };
}

export interface LongTaskReport {
  texts: number;
  templates: number;
  textsPerSecond: number;
  /** Long tasks (> 50 ms by definition of the API) over the whole run. */
  count: number;
  /** Per template: the longest 'longtask' entry (0 when none passed 50 ms). */
  longestPerTemplateMs: Summary;
  /** The longest main-thread task of the whole run from the trace (RunTask on CrRendererMain): never 0 by construction. */
  longestTracedTaskMs: number;
  /** Main-thread tasks in the trace, and how many took over 16 ms (one frame). */
  tracedTasks: number;
  tracedTasksOver16Ms: number;
  durationsMs: number[];
  wasmThreads: number;
}

export async function longTasks(texts: string[], templates: readonly string[]): Promise<LongTaskReport> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
  try {
    const { page, wasmThreads } = await openHarness(await browser.newContext());
    const trace = await startTrace(page);
    const report = await page.evaluate(
      async ([list, ids]) => {
        const entries: { start: number; duration: number }[] = [];
        const observer = new PerformanceObserver((l) => entries.push(...l.getEntries().map((e) => ({ start: e.startTime, duration: e.duration }))));
        observer.observe({ type: 'longtask' });
        const spans: [number, number][] = [];
        const t0 = performance.now();
        for (const id of ids) {
          const start = performance.now();
          const r = await window.moeeHarness.embed(list, { template: { id: id as BuiltinTemplateId }, batchSize: 32 });
          if (!r.ok) throw new Error(JSON.stringify(r.error));
          spans.push([start, performance.now()]);
        }
        const seconds = (performance.now() - t0) / 1000;
        await new Promise((r) => setTimeout(r, 100));
        observer.disconnect();
        const longest = spans.map(([a, b]) => Math.max(0, ...entries.filter((e) => e.start >= a && e.start < b).map((e) => e.duration)));
        return { seconds, durations: entries.map((e) => e.duration), longest };
      },
      [texts, templates] as const,
    );
    const tasks = await trace.mainThreadTasksMs();
    return {
      longestTracedTaskMs: Math.max(...tasks),
      tracedTasks: tasks.length,
      tracedTasksOver16Ms: tasks.filter((d) => d > 16).length,
      texts: texts.length,
      templates: templates.length,
      textsPerSecond: (texts.length * templates.length) / report.seconds,
      count: report.durations.length,
      longestPerTemplateMs: summarize(report.longest),
      durationsMs: report.durations.map((d) => Math.round(d)),
      wasmThreads,
    };
  } finally {
    await browser.close();
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * A Chromium trace of the page (devtools.timeline, as the Performance panel records it). Its
 * RunTask events on a renderer main thread are every task that thread ran, short ones included.
 */
async function startTrace(page: Page): Promise<{ mainThreadTasksMs(): Promise<number[]> }> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => {
    for (const ev of e.value as unknown as TraceEvent[]) if (ev.name === 'RunTask' || ev.name === 'thread_name') events.push(ev);
  });
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  return {
    async mainThreadTasksMs() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`)).map((e) => (e.dur ?? 0) / 1000);
      if (tasks.length === 0) throw new Error('the trace holds no main-thread task: the measurement failed');
      return tasks;
    },
  };
}

export interface BrowserMemoryReport {
  requests: number;
  textsPerRequest: number;
  /** Bytes per repeat (fresh browser each): after 10 requests and after all. */
  after10: number[];
  afterAll: number[];
  growth: Summary;
}

export async function browserMemory(texts: string[], requests: number, repeats: number): Promise<BrowserMemoryReport> {
  const after10: number[] = [];
  const afterAll: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
    try {
      const { page } = await openHarness(await browser.newContext());
      const [a, b] = await page.evaluate(
        async ([list, total]) => {
          // No named helper inside page code: tsx would wrap it in a `__name` call the page lacks.
          // measureUserAgentSpecificMemory: Chromium's estimate of the page, its workers and their WebAssembly memory.
          const perf = performance as Performance & { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> };
          let first = 0;
          for (let i = 1; i <= total; i++) {
            const res = await window.moeeHarness.embed(list, { batchSize: list.length });
            if (!res.ok) throw new Error(JSON.stringify(res.error));
            if (i === 10) first = (await perf.measureUserAgentSpecificMemory()).bytes;
          }
          return [first, (await perf.measureUserAgentSpecificMemory()).bytes];
        },
        [texts, requests] as const,
      );
      after10.push(a);
      afterAll.push(b);
    } finally {
      await browser.close();
    }
  }
  return { requests, textsPerRequest: texts.length, after10, afterAll, growth: summarize(afterAll.map((b, i) => b / after10[i] - 1)) };
}

/** Texts per second of one harness embed of `texts` (after a warm-up embed), on WASM. */
export async function harnessThroughput(model: BenchModel, texts: string[]): Promise<{ textsPerSecond: number; wasmThreads: number }> {
  return withFreshProfile(async (context) => {
    const { page, wasmThreads } = await openHarness(context, model);
    const ms = await page.evaluate(async (list) => {
      await window.moeeHarness.embed(list.slice(0, 8));
      const start = performance.now();
      const r = await window.moeeHarness.embed(list);
      if (!r.ok) throw new Error('embed failed');
      return performance.now() - start;
    }, texts);
    return { textsPerSecond: texts.length / (ms / 1000), wasmThreads };
  });
}
