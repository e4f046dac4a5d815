/**
 * Hub weights in every dtype in Chromium, and a model switch that cannot mix results. The local
 * stand-in Hub (e2e/hub-server.ts) serves the dtype fixture (tests/fixtures/qwen2-moe-dtypes: fp32,
 * q8, q4, q4f16, each in two external-data chunks) as `test/dtypes-qwen2-moe`.
 */
import { expect, test, type Page } from '@playwright/test';
import { DEMO_PAGE } from './pages.ts';
import { startHubStandIn, type HubStandIn } from './hub-server.ts';
import { DTYPES } from '../models/dtypes.ts';
import { distanceFromFp32, DTYPE_FIXTURE_DTYPES, DTYPE_FIXTURE_ID, DTYPE_FIXTURE_TEXTS, DTYPE_TOLERANCE } from '../tests/dtype-fixture.ts';

let hub: HubStandIn;
test.beforeAll(async () => {
  hub = await startHubStandIn();
});
test.afterAll(async () => {
  await hub.close();
});

async function openPage(page: Page) {
  await page.goto(`${DEMO_PAGE}&hubHost=${encodeURIComponent(hub.url)}`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

/** Check a Hub model (config and sizes, no weights): the panel then offers its download. */
async function checkHub(page: Page, modelId: string, dtype: string) {
  await page.getByTestId('hub-model-id').fill(modelId);
  await page.getByTestId('hub-dtype').selectOption(dtype);
  await page.getByTestId('hub-check').click();
  await expect(page.getByTestId('hub-plan')).toContainText('qwen2_moe', { timeout: 60_000 });
}

async function loadFromHub(page: Page, modelId: string, dtype: string) {
  await checkHub(page, modelId, dtype);
  await page.getByTestId('hub-download').click();
}

test('every dtype loads through the Hub in the worker, within its tolerance of fp32', async ({ page }) => {
  await page.goto('/harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const runs: Record<string, { hs: number[]; rwLogits: number[]; hidden: number }> = {};
  for (const dtype of DTYPE_FIXTURE_DTYPES) {
    const loaded = await page.evaluate(([id, d, host]) => window.moeeHarness.load(id, d, 'wasm', { remoteHost: host }), [DTYPE_FIXTURE_ID, dtype, hub.url] as const);
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    const result = await page.evaluate((texts) => window.moeeHarness.embed(texts, { template: { id: 'none' } }), DTYPE_FIXTURE_TEXTS);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    runs[dtype] = { hs: result.hs, rwLogits: result.rwLogits, hidden: result.hs.length / DTYPE_FIXTURE_TEXTS.length };
  }
  const gets = hub.log.filter((r) => r.method === 'GET' && !r.range && r.path.includes('/dtypes-qwen2-moe/')).map((r) => r.path.split('/resolve/main/')[1]);
  for (const dtype of DTYPE_FIXTURE_DTYPES) {
    for (const file of [`onnx/${DTYPES[dtype].stem}.onnx`, `onnx/${DTYPES[dtype].stem}.onnx_data`, `onnx/${DTYPES[dtype].stem}.onnx_data_1`]) expect(gets).toContain(file);
  }
  for (const dtype of ['q8', 'q4', 'q4f16'] as const) {
    const d = distanceFromFp32(runs[dtype].hs, runs[dtype].rwLogits, runs.fp32.hs, runs.fp32.rwLogits, runs.fp32.hidden);
    console.log(`[dtype ${dtype} chromium] least HS cosine ${d.hsCosine.toFixed(5)}, router logit error ${d.routerRelative.toFixed(4)}`);
    expect(d.hsCosine).toBeGreaterThan(DTYPE_TOLERANCE[dtype].hsCosine);
    expect(d.routerRelative).toBeLessThan(DTYPE_TOLERANCE[dtype].routerRelative);
    expect(d.routerRelative).toBeGreaterThan(0);
  }
});

test('the matrices are captioned with the loaded dtype’s label, for every dtype', async ({ page }) => {
  await openPage(page);
  for (const dtype of DTYPE_FIXTURE_DTYPES) {
    await loadFromHub(page, DTYPE_FIXTURE_ID, dtype);
    await expect(page.getByTestId('caption-hs')).toContainText(`${DTYPE_FIXTURE_ID} · ${DTYPES[dtype].label} on `, { timeout: 120_000 });
  }
});

test('switching the model in the middle of a 200-text embed shows no matrix until the new model’s, captioned with it', async ({ page }) => {
  await openPage(page);
  await expect(page.getByTestId('caption-hs')).toContainText('moee-demo · ', { timeout: 120_000 });
  // Every caption the page shows from here on, in order (a MutationObserver misses no commit).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenCaptions: string[] }).seenCaptions = seen;
    const record = () => {
      const caption = document.querySelector('[data-testid="caption-hs"]');
      const status = document.querySelector('[data-testid="status"]')?.getAttribute('data-status');
      const error = document.querySelector('[data-testid="error"]') ? ' +error' : '';
      const text = `${status}${error} | ${caption ? (caption.textContent ?? '') : '(none)'}`;
      if (seen.at(-1) !== text) seen.push(text);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const texts = Array.from({ length: 200 }, (_, i) => `Sentence number ${i} about ${['rivers', 'stones', 'lamps', 'winters'][i % 4]}.`);
  await checkHub(page, DTYPE_FIXTURE_ID, 'q4');
  await page.getByTestId('texts').fill(texts.join('\n'));
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'embedding', { timeout: 60_000 });
  await page.getByTestId('hub-download').click();
  await expect(page.getByTestId('model-facts')).toContainText(`${DTYPE_FIXTURE_ID} (qwen2_moe)`, { timeout: 120_000 });
  await expect(page.getByTestId('caption-hs')).toContainText(`${DTYPE_FIXTURE_ID} · int4`, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready');
  const seen = await page.evaluate(() => (window as unknown as { seenCaptions: string[] }).seenCaptions);
  console.log(`[model switch] captions seen: ${JSON.stringify(seen.map((s) => s.slice(0, 60)))}`);
  // The switch began while the 200 texts were embedding.
  const loading = seen.findIndex((s) => s.startsWith('loading'));
  expect(seen[loading - 1]).toMatch(/^embedding /);
  // From then on (once the old matrices are gone: each view commits in a task of its own) no
  // matrix and no error until the new model's result; every matrix after it is the new model's.
  const switched = seen.findIndex((s, i) => i >= loading && s.endsWith('(none)'));
  expect(switched).toBeGreaterThan(0);
  expect(seen.slice(loading, switched).every((s) => s.startsWith('loading'))).toBe(true);
  const firstNew = seen.findIndex((s) => s.includes(`${DTYPE_FIXTURE_ID} · int4`));
  expect(firstNew).toBeGreaterThan(switched);
  for (const state of seen.slice(switched, firstNew)) {
    // `ready | (none)`: the new model's result has arrived and its matrices commit in the next task.
    expect(state).toMatch(/^(loading|embedding|ready) \| \(none\)$/);
  }
  for (const state of seen.slice(firstNew)) expect(state).toMatch(new RegExp(`\\(none\\)|${DTYPE_FIXTURE_ID} · int4`));
  expect(seen.slice(loading).some((s) => s.includes('+error'))).toBe(false);
  // And the 200 texts were embedded by the new model.
  await expect(page.getByTestId('text-list')).toHaveAttribute('data-count', '200', { timeout: 120_000 });
});
