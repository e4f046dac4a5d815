/**
 * The playground as a user meets it, on the embedded demo model in Debian's Chromium. Each test
 * saves screenshots of its view into test-results/screenshots/ (kept by CI as artefacts).
 */
import { expect, test, type Browser, type Download, type Locator, type Page } from '@playwright/test';
import { DEMO_PAGE } from './pages.ts';
import { readFileSync } from 'node:fs';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

/** The main thread must never stall longer than this while the page embeds (issue 6). */
const LONG_TASK_MS = 50;

async function ready(page: Page) {
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
}

/** Click an export button and read the file back. */
async function exported(page: Page, scope: Locator, kind: 'PNG' | 'CSV' | 'JSON'): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), scope.getByRole('button', { name: kind }).first().click()]);
  return { download, bytes: readFileSync(await download.path()) };
}

interface MatrixJson {
  settings: Record<string, unknown>;
  labels: string[];
  values: number[][];
}
const matrixJson = async (page: Page, id: string) => JSON.parse((await exported(page, page.getByTestId(`matrix-${id}`), 'JSON')).bytes.toString('utf8')) as MatrixJson;

/** The reference math of shared/MOEE.md, written out independently of core/ (which is pinned to numpy in its own tests). */
function rows(flat: number[], n: number): number[][] {
  const d = flat.length / n;
  return Array.from({ length: n }, (_, i) => flat.slice(i * d, (i + 1) * d));
}
function cosineMatrix(x: number[][]): number[][] {
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  return x.map((a) => x.map((b) => a.reduce((s, v, k) => s + v * b[k], 0) / (norm(a) * norm(b))));
}
function zScoreColumns(x: number[][]): number[][] {
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / x.length));
  return x.map((r) => r.map((v, j) => (v - mean[j]) / (std[j] + 1e-8)));
}
const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));

test.beforeEach(async ({ page }) => {
  // Record every long task of the main thread from the first script on.
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(DEMO_PAGE);
});

const now = (page: Page) => page.evaluate(() => performance.now());

/**
 * The main thread's tasks during `action`, from a Chromium trace: wall time and the thread's own CPU
 * time. The CPU time is what the page costs; wall time also counts the OS running other processes
 * (on a shared 2-core CI box a 20 ms task can take 200 ms of wall time), which a 'longtask' entry
 * alone cannot tell apart.
 */
async function mainThreadTasks(browser: Browser, page: Page, action: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number }[]> {
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await action();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: { ph: string; name: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }[] };
  const main = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  return trace.traceEvents
    .filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

/** Log the longest main-thread tasks by CPU, and what 'longtask' (wall time) saw. */
function logTasks(label: string, tasks: { wallMs: number; cpuMs: number }[], observed: { duration: number }[]) {
  const longest = [...tasks].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 3);
  console.log(`[${label}] ${tasks.length} main-thread tasks; longest by CPU ${JSON.stringify(longest)}; PerformanceObserver longtask (wall) ${JSON.stringify(observed.map((t) => Math.round(t.duration)))}`);
  return longest;
}

/** Assert that no main-thread task took more than LONG_TASK_MS of CPU; report what 'longtask' saw. */
function expectNoLongTasks(label: string, tasks: { wallMs: number; cpuMs: number }[], observed: { duration: number }[]) {
  const longest = logTasks(label, tasks, observed);
  expect(tasks.length).toBeGreaterThan(0);
  expect(longest[0].cpuMs).toBeLessThanOrEqual(LONG_TASK_MS);
}
const longTasksSince = (page: Page, since: number) =>
  page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t), since);

test('type sentences and see four matrices that equal the engine output', async ({ page, browser }) => {
  await ready(page);
  await page.getByLabel('Standardise concat by').selectOption('batch');
  const texts = ['The cat sat on the mat.', 'A cat was sitting on a rug.', 'Stocks fell on Monday.'];
  const editor = page.getByTestId('texts');
  await editor.fill(texts.slice(0, 2).join('\n') + '\n');
  const typingStarted = await now(page);
  // Typed key by key: the matrices follow live (debounced), with the main thread free throughout.
  const tasks = await mainThreadTasks(browser, page, async () => {
    await editor.pressSequentially(texts[2], { delay: 30 });
    await expect(page.getByTestId('text-list').locator('li')).toHaveCount(3, { timeout: 60_000 });
    await expect(page.getByTestId('text-list')).toContainText(texts[2]);
    await ready(page);
  });
  expectNoLongTasks('typing', tasks, await longTasksSince(page, typingStarted));
  for (const id of ['hs', 'rw', 'concat', 'sum']) {
    await expect(page.getByTestId(`matrix-${id}`)).toBeVisible();
    await expect(page.getByTestId(`caption-${id}`)).toContainText('prompteol template');
  }
  await expect(page.getByTestId('caption-rw')).toContainText('RW softmax');
  await expect(page.getByTestId('caption-concat')).toContainText('z-scored by this batch');
  await expect(page.getByTestId('caption-sum')).toContainText('α = 1.00');
  await expect(page.getByTestId('one-word')).toHaveCount(3);
  await shot(page, 'playground-typed');
  const shown = { hs: await matrixJson(page, 'hs'), rw: await matrixJson(page, 'rw'), concat: await matrixJson(page, 'concat'), sum: await matrixJson(page, 'sum') };
  expect(shown.hs.labels).toEqual(texts);
  expect(shown.concat.settings).toMatchObject({ standardization: 'batch', rwKind: 'softmax', pooling: 'last', template: { id: 'prompteol' } });
  expect(shown.sum.settings).toMatchObject({ alpha: 1 });
  // The same texts through the engine (the harness page, same worker and protocol).
  await page.goto('/harness.html');
  await page.evaluate(() => window.moeeHarness.load('moee-demo', 'q8', 'auto'));
  const r = await page.evaluate((t) => window.moeeHarness.embed(t, { template: { id: 'prompteol' } }), texts);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const hs = rows(r.hs, 3);
  const rw = rows(r.rwSoftmax, 3);
  const hsCos = cosineMatrix(hs);
  const rwCos = cosineMatrix(rw);
  const zh = zScoreColumns(hs);
  const zr = zScoreColumns(rw);
  const concatCos = cosineMatrix(zh.map((row, i) => [...row, ...zr[i]]));
  const sumCos = hsCos.map((row, i) => row.map((v, j) => v + rwCos[i][j]));
  const errors = { hs: maxDiff(shown.hs.values, hsCos), rw: maxDiff(shown.rw.values, rwCos), concat: maxDiff(shown.concat.values, concatCos), sum: maxDiff(shown.sum.values, sumCos) };
  console.log(`[page vs engine] max |Δ| ${JSON.stringify(errors)}`);
  for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-5);
});

test('moving alpha changes the sum matrix; a template switch moves HS more than RW', async ({ page }) => {
  await ready(page);
  const before = await matrixJson(page, 'sum');
  await page.getByTestId('alpha').fill('0.2');
  await expect(page.getByTestId('caption-sum')).toContainText('α = 0.20');
  const hs1 = await matrixJson(page, 'hs');
  const rw1 = await matrixJson(page, 'rw');
  const after = await matrixJson(page, 'sum');
  expect(maxDiff(before.values, after.values)).toBeGreaterThan(0.01);
  // The sum is HS + α·RW of the matrices on screen.
  expect(maxDiff(after.values, hs1.values.map((row, i) => row.map((v, j) => v + 0.2 * rw1.values[i][j])))).toBeLessThan(1e-5);
  await shot(page, 'playground-matrices');
  await page.getByTestId('template').selectOption('none');
  await expect(page.getByTestId('template-text')).toHaveText('"*sent 0*"');
  await expect(page.getByTestId('caption-hs')).toContainText('none template', { timeout: 60_000 });
  await ready(page);
  const hs2 = await matrixJson(page, 'hs');
  const rw2 = await matrixJson(page, 'rw');
  const change = (x: number[][], y: number[][]) => x.flat().reduce((s, v, i) => s + Math.abs(v - y.flat()[i]), 0) / x.flat().length;
  console.log(`[template switch] mean |Δcos| HS ${change(hs1.values, hs2.values).toFixed(4)} RW ${change(rw1.values, rw2.values).toFixed(4)}`);
  expect(change(hs1.values, hs2.values)).toBeGreaterThan(change(rw1.values, rw2.values));
  // All ten templates of the paper are offered with their exact text, plus a custom one.
  await expect(page.getByTestId('template').locator('option')).toHaveCount(11);
  await expect(page.getByTestId('template-list').locator('dt')).toHaveCount(10);
  await expect(page.getByTestId('template-list')).toContainText('This sentence : "*sent 0*" means in one word:"');
  // Auto α: label-free, from the grid 0.1 … 1.0, and said so.
  await page.getByTestId('auto-alpha').click();
  await expect(page.getByTestId('auto-alpha-note')).toContainText('no labels used');
  const alpha = Number(await page.getByTestId('alpha-value').textContent());
  expect(alpha).toBeGreaterThanOrEqual(0.1);
  expect(alpha).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('caption-sum')).toContainText(`α = ${alpha.toFixed(2)}`);
});

test('routing heatmaps mark the top-k experts; two texts compared token by token', async ({ page }) => {
  await ready(page);
  const k = Number((await page.getByTestId('model-facts').textContent())!.match(/top-(\d+)/)![1]);
  // Count outlined cells per row: canvas pixels of the top-k outline colour at each cell's left edge.
  const outlinedPerRow = (testId: string) =>
    page.getByTestId(testId).evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const [left, cell, rowCount, cols] = ['left', 'cell', 'rows', 'cols'].map((a) => Number(c.dataset[a]));
      return Array.from({ length: rowCount }, (_, r) => {
        let marked = 0;
        for (let col = 0; col < cols; col++) {
          const px = ctx.getImageData(left + col * cell + 1, r * cell + Math.floor(cell / 2), 1, 1).data;
          if (px[0] === 255 && px[1] === 45 && px[2] === 85) marked++;
        }
        return marked;
      });
    });
  const lastToken = await outlinedPerRow('heatmap-last-token');
  expect(lastToken.length).toBe(4);
  expect(lastToken.every((m) => m === k)).toBe(true);
  const perToken = await outlinedPerRow('heatmap-tokens');
  expect(perToken.length).toBeGreaterThan(5);
  expect(perToken.every((m) => m === k)).toBe(true);
  // The outlined cells are the k largest router probabilities of each row (from the exported numbers).
  const heat = JSON.parse((await exported(page, page.locator('.heatmap').first(), 'JSON')).bytes.toString('utf8')) as { values: number[][]; topK: string[][] };
  heat.values.forEach((row, r) => {
    const largest = row.map((v, c) => [v, c]).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, c]) => `expert ${c}`).sort();
    expect([...heat.topK[r]].sort()).toEqual(largest);
  });
  // Another layer for the per-token view.
  await page.getByTestId('routing-layer').selectOption({ index: 2 });
  await expect(page.getByText('every token: tokens × experts, layer 2')).toBeVisible();
  await shot(page, 'playground-routing');
  // A text against itself: the same experts everywhere. Against a rewording: a count, checked from the exported sets.
  const comparison = page.getByTestId('token-comparison');
  await page.getByTestId('compareA').selectOption('0');
  await page.getByTestId('compareB').selectOption('0');
  await expect(page.getByTestId('compare-summary')).toHaveAttribute('data-diverging', '0');
  await page.getByTestId('compareB').selectOption('1');
  const diverging = Number(await page.getByTestId('compare-summary').getAttribute('data-diverging'));
  const compared = JSON.parse((await exported(page, comparison, 'JSON')).bytes.toString('utf8')) as { rows: { a: number | null; b: number | null; layers: { a: number[]; b: number[]; shared: number }[] }[] };
  const recount = compared.rows.filter((r) => r.a !== null && r.b !== null).flatMap((r) => r.layers).filter((l) => l.a.filter((e) => l.b.includes(e)).length < k).length;
  expect(recount).toBe(diverging);
  expect(compared.rows.some((r) => r.a === null || r.b === null)).toBe(true);
  await comparison.scrollIntoViewIfNeeded();
  await shot(page, 'playground-routing-compare');
  // Expert load across all texts and layers: each token-layer contributes k picks.
  await page.getByTestId('load-scope').selectOption('all');
  const load = JSON.parse((await exported(page, page.locator('.expert-load'), 'JSON')).bytes.toString('utf8')) as { counts: number[]; layers: number[] };
  expect(load.layers).toHaveLength(4);
  expect(load.counts.reduce((s, c) => s + c, 0) % k).toBe(0);
  await expect(page.getByTestId('expert-load').locator('.recharts-xAxis')).toBeVisible();
  await expect(page.getByTestId('expert-load').locator('.recharts-yAxis')).toBeVisible();
  const loadPng = await exported(page, page.locator('.expert-load'), 'PNG');
  expect(loadPng.bytes.subarray(1, 4).toString()).toBe('PNG');
});

test('export a PNG and a CSV and read them back', async ({ page }) => {
  await ready(page);
  const figure = page.getByTestId('matrix-sum');
  const csv = (await exported(page, figure, 'CSV')).bytes.toString('utf8').trim().split('\n');
  expect(csv).toHaveLength(7);
  const json = await matrixJson(page, 'sum');
  csv.slice(1).forEach((line, i) => {
    const cells = line.split(',').slice(-6).map(Number);
    cells.forEach((v, j) => expect(Math.abs(v - json.values[i][j])).toBeLessThan(1e-6));
  });
  const png = await exported(page, figure, 'PNG');
  expect(png.download.suggestedFilename()).toBe('moee-sum.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  // Decode it in the page: the matrix is drawn in (same pixels as the canvas), under a header.
  const check = await figure.locator('canvas').evaluate(async (c: HTMLCanvasElement, b64: string) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const copy = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    copy.drawImage(bitmap, 0, 0);
    const own = c.getContext('2d')!;
    const [left, top, cell] = ['left', 'top', 'cell'].map((a) => Number(c.dataset[a]));
    const x = left + Math.floor(cell / 2);
    const y = top + cell + Math.floor(cell / 2);
    const dy = bitmap.height - c.height - 8;
    return { width: bitmap.width, height: bitmap.height, canvas: [c.width, c.height], shown: Array.from(own.getImageData(x, y, 1, 1).data), saved: Array.from(copy.getImageData(x + 8, y + dy, 1, 1).data) };
  }, png.bytes.toString('base64'));
  expect(check.width).toBeGreaterThanOrEqual(check.canvas[0]);
  expect(check.height).toBeGreaterThan(check.canvas[1]);
  expect(check.saved).toEqual(check.shown);
});

test('state survives a reload and a shared URL restores it in a fresh context', async ({ page, browser }) => {
  await ready(page);
  await page.getByTestId('texts').fill('First kept sentence.\nSecond kept sentence.');
  await page.getByTestId('template').selectOption('sentiment');
  await page.getByTestId('view').selectOption('compare');
  await page.getByTestId('alpha').fill('0.35');
  await page.reload();
  await expect(page.getByTestId('texts')).toHaveValue('First kept sentence.\nSecond kept sentence.');
  await expect(page.getByTestId('template')).toHaveValue('sentiment');
  await expect(page.getByTestId('view')).toHaveValue('compare');
  await ready(page);
  await expect(page.getByTestId('matrix-compare')).toBeVisible();
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-link').inputValue();
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expect(other.getByTestId('texts')).toHaveValue('First kept sentence.\nSecond kept sentence.');
  await expect(other.getByTestId('template')).toHaveValue('sentiment');
  await expect(other.getByTestId('alpha-value')).toHaveText('0.35');
  await ready(other);
  await expect(other.getByTestId('matrix-compare')).toBeVisible();
  // The link is consumed: later edits in that tab survive its own reload.
  expect(new URL(other.url()).hash).toBe('');
  await shot(other, 'playground-shared-url');
  await fresh.close();
});

test('forcing WebGPU reports it as the EP that ran', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  // The page started on WASM (SwiftShader is a software adapter), so its worker holds the WASM-only
  // onnxruntime-web build: the switch restarts the worker on the WebGPU build, unseen by the user.
  await expect(page.getByTestId('ep-ran')).toHaveText('WASM');
  await page.getByLabel('Execution provider').selectOption('webgpu');
  await page.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('ep-ran')).toHaveText('WEBGPU', { timeout: 240_000 });
  await ready(page);
  await expect(page.getByTestId('caption-hs')).toContainText('on WEBGPU');
  await shot(page, 'playground-webgpu');
  // After the first matrix, the device self-check runs the model again on WASM and compares.
  const check = page.getByTestId('self-check');
  await expect(check).toHaveAttribute('data-status', 'passed', { timeout: 240_000 });
  const figures = { cosine: Number(await check.getAttribute('data-min-cosine')), topk: Number(await check.getAttribute('data-topk')), router: Number(await check.getAttribute('data-router-error')) };
  console.log(`[self-check webgpu vs wasm, moee-demo] ${JSON.stringify(figures)} ${await check.textContent()}`);
  // SwiftShader runs the same q8 weights through other kernels: close, and not bit-equal.
  expect(figures.cosine).toBeGreaterThanOrEqual(0.999);
  expect(figures.topk).toBeGreaterThanOrEqual(0.95);
  expect(figures.router).toBeGreaterThan(0);
  await expect(check).toContainText('WEBGPU self-check passed, against WASM on 2 texts');
  await check.scrollIntoViewIfNeeded();
  await shot(page, 'playground-webgpu-self-check');
});

test('bad input: empty, a 100k-character text and 500 sentences give clear messages', async ({ page, browser }) => {
  test.setTimeout(900_000);
  await ready(page);
  await page.getByTestId('texts').fill('');
  await expect(page.getByTestId('empty-note')).toBeVisible();
  await expect(page.getByTestId('matrix-hs')).toHaveCount(0);
  await shot(page, 'playground-empty');
  await page.getByTestId('texts').fill(`${'word '.repeat(20_000)}\nA short one.`);
  await expect(page.getByTestId('long-note')).toContainText('100,000 characters');
  await expect(page.getByTestId('truncated')).toBeVisible({ timeout: 120_000 });
  const cut = Number((await page.getByTestId('truncated').textContent())!.match(/truncated to (\d+) tokens/)![1]);
  expect(cut).toBeLessThanOrEqual(256);
  expect(cut).toBeGreaterThan(200);
  await shot(page, 'playground-long-text');
  const many = Array.from({ length: 500 }, (_, i) => `Sentence number ${i} about topic ${i % 7}.`).join('\n');
  // The paste itself is the browser's own editing of a 500-line textarea (seconds of native work
  // on a loaded 2-core box, no script of ours); the page's promise is about the embedding after it.
  await page.getByTestId('texts').fill(many);
  const started = await now(page);
  const tasks = await mainThreadTasks(browser, page, async () => {
    await expect(page.getByTestId('many-note')).toContainText('500 sentences');
    // While it embeds the page answers: the status counts up and the α slider still moves.
    await expect(page.getByTestId('status')).toContainText('/ 500', { timeout: 60_000 });
    await page.getByTestId('alpha').fill('0.5');
    await expect(page.getByTestId('alpha-value')).toHaveText('0.50');
    // Cheap waits only: Playwright's own polling runs on the page's main thread too, and counting
    // 500 list items each frame would be measured as the page's work.
    await expect(page.getByTestId('text-list')).toHaveAttribute('data-count', '500', { timeout: 300_000 });
    await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 300_000 });
    await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
  });
  // Measured here, asserted in the next test (a known gap).
  logTasks('500 texts', tasks, await longTasksSince(page, started));
  await expect(page.getByTestId('text-list').locator('li')).toHaveCount(100);
  await page.getByTestId('show-all-texts').click();
  await expect(page.getByTestId('text-list').locator('li')).toHaveCount(500);
  await expect(page.getByTestId('matrix-sum').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('texts')).toHaveValue(many);
  await shot(page, 'playground-500');
});

test('500 sentences embed with no main-thread task over 50 ms of CPU', async ({ page, browser }) => {
  test.setTimeout(600_000);
  await ready(page);
  const many = Array.from({ length: 500 }, (_, i) => `Sentence number ${i} about topic ${i % 7}.`).join('\n');
  await page.getByTestId('texts').fill(many);
  const started = await now(page);
  const tasks = await mainThreadTasks(browser, page, async () => {
    await expect(page.getByTestId('text-list')).toHaveAttribute('data-count', '500', { timeout: 300_000 });
    await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 300_000 });
    await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
  });
  expectNoLongTasks('500 texts, asserted', tasks, await longTasksSince(page, started));
});

test('a crashed engine worker is replaced and the model reloaded', async ({ page }) => {
  await ready(page);
  const engine = page.workers().find((w) => w.url().includes('worker') && !w.url().includes('derive'));
  expect(engine).toBeDefined();
  // An uncaught error in the worker, as a real crash would raise.
  await engine!.evaluate(() => setTimeout(() => {
    throw new Error('simulated crash');
  }));
  await expect(page.getByTestId('notice')).toContainText('crashed');
  await expect(page.getByTestId('notice')).toContainText('Recovered', { timeout: 120_000 });
  await ready(page);
  await expect(page.getByTestId('matrix-hs')).toBeVisible();
  await shot(page, 'playground-recovered');
});

test('a broken custom template is explained in place, with a way back', async ({ page }) => {
  await ready(page);
  await page.getByTestId('template').selectOption('custom');
  await page.getByTestId('custom-template').fill('no slot here');
  await expect(page.getByTestId('custom-template-note')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveAttribute('data-error-name', 'BadTemplateError', { timeout: 60_000 });
  await shot(page, 'playground-bad-template');
  await page.getByRole('button', { name: 'Use the PromptEOL template' }).click();
  await expect(page.getByTestId('template')).toHaveValue('prompteol');
  await page.getByTestId('template').selectOption('custom');
  await page.getByTestId('custom-template').fill('Sentence: {text} In one word:');
  await expect(page.getByTestId('caption-hs')).toContainText('custom template', { timeout: 60_000 });
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('prompt-preview')).toContainText('Sentence: The meeting starts at 5.30 p.m. In one word:');
});

test('teaching presets explain what to look at; the list editor adds, reorders and removes', async ({ page }) => {
  await ready(page);
  await page.getByTestId('preset').selectOption('case-study');
  await expect(page.getByTestId('preset-explanation')).toContainText('HS − RW');
  await expect(page.getByTestId('view')).toHaveValue('compare');
  await ready(page);
  await expect(page.getByTestId('matrix-compare')).toBeVisible();
  await shot(page, 'playground-preset-case-study');
  await page.getByTestId('preset').selectOption('topics');
  await expect(page.getByTestId('order')).toHaveValue('cluster');
  await ready(page);
  await expect(page.getByTestId('caption-hs')).toContainText('similar together');
  await shot(page, 'playground-preset-topics');
  await page.getByTestId('editor-list').check();
  const items = page.getByTestId('text-items').locator('input');
  await expect(items).toHaveCount(9);
  await page.getByRole('button', { name: 'Move sentence 2 up' }).click();
  await expect(items.nth(0)).toHaveValue('The queen was crowned in the old cathedral.');
  await page.getByRole('button', { name: 'Remove sentence 9' }).click();
  await page.getByTestId('add-text').click();
  await page.keyboard.type('A brand new sentence.');
  await expect(items).toHaveCount(9);
  await expect(items.nth(8)).toHaveValue('A brand new sentence.');
  await expect(page.getByTestId('text-list')).toContainText('A brand new sentence.', { timeout: 60_000 });
  await expect(page.getByTestId('preset-explanation')).toContainText('You have edited its texts');
  await shot(page, 'playground-list-editor');
  await page.getByTestId('editor-lines').check();
  await expect(page.getByTestId('texts')).toHaveValue(/^The queen was crowned in the old cathedral\.\nThe king ruled/);
});

test('the main controls work from the keyboard alone and have names', async ({ page }) => {
  await ready(page);
  // Names a screen reader reads.
  await expect(page.getByRole('textbox', { name: 'Sentences, one per line' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Template' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'View' })).toBeVisible();
  await expect(page.getByRole('slider', { name: /α/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /HS \(hidden state\): 6 by 6 similarity matrix/ })).toBeVisible();
  // Tab from the top of the page to the text box, then type.
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName);
  for (let i = 0; i < 12 && (await focused()) !== 'Sentences, one per line'; i++) await page.keyboard.press('Tab');
  expect(await focused()).toBe('Sentences, one per line');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nTyped from the keyboard.');
  await expect(page.getByTestId('text-list')).toContainText('Typed from the keyboard.', { timeout: 60_000 });
  // View and α by keys.
  await page.getByTestId('view').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('view')).toHaveValue('hs');
  await page.keyboard.press('ArrowUp');
  await expect(page.getByTestId('view')).toHaveValue('all');
  await page.getByTestId('alpha').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('alpha-value')).toHaveText('0.95');
  await page.keyboard.press('Tab');
  expect(await focused()).toBe('auto-alpha');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('auto-alpha-note')).toContainText('auto α =');
  // A matrix read cell by cell with the arrow keys.
  await ready(page);
  await page.getByTestId('matrix-hs').locator('canvas').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('hover-hs')).toContainText(/^1\. .* ↔ 2\. .*: \d\.\d{4}$/);
  await shot(page, 'playground-keyboard');
});

test('a narrow window (420 px) keeps everything usable', async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 900 });
  await ready(page);
  for (const id of ['hs', 'rw', 'concat', 'sum']) await expect(page.getByTestId(`matrix-${id}`)).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Hovering still reads the right cell when the canvas is scaled down.
  const canvas = page.getByTestId('matrix-hs').locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const geometry = await canvas.evaluate((c: HTMLCanvasElement) => ({ width: c.width, left: Number(c.dataset.left), top: Number(c.dataset.top), cell: Number(c.dataset.cell) }));
  const scale = box.width / geometry.width;
  await page.mouse.move(box.x + (geometry.left + 2.5 * geometry.cell) * scale, box.y + (geometry.top + 0.5 * geometry.cell) * scale);
  await expect(page.getByTestId('hover-hs')).toContainText(/^1\. .* ↔ 3\. /);
  await shot(page, 'playground-narrow');
});
