/**
 * Hub loading end to end in Chromium, against a local server standing in for the Hub (e2e/hub-server.ts,
 * started here on a free loopback port) that serves models/moee-demo in Hub layout. The page is
 * pointed at it with `?hubHost=` (Transformers.js env.remoteHost). The server logs every request and
 * forbids HTTP caching, so "no request" in its log means the page really fetched nothing.
 */
import { statSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startHubStandIn, type HubStandIn } from './hub-server.ts';

let hub: HubStandIn;
test.beforeAll(async () => {
  hub = await startHubStandIn();
});
test.afterAll(async () => {
  await hub.close();
});

/** A stall timeout short enough for a test, long enough for a loaded machine. */
const STALL_MS = 4000;
const DEMO_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];
const demoBytes = (files: string[]) => files.reduce((s, f) => s + statSync(new URL(`../models/moee-demo/${f}`, import.meta.url)).size, 0);
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

/** Requests for one Hub model since `from` (index in the log). */
const requestsFor = (model: string, from = 0) => hub.log.slice(from).filter((r) => r.path.startsWith(`/${model}/`));
/** Whole-file GETs (not the 1-byte Range reads of file sizes). */
const fullGets = (model: string, from = 0) => requestsFor(model, from).filter((r) => r.method === 'GET' && !r.range).map((r) => r.path.replace(/^.*\/resolve\/[^/]+\//, ''));

async function openPage(page: Page) {
  await page.goto(`/?model=moee-demo&hubHost=${encodeURIComponent(hub.url)}&hubStallMs=${STALL_MS}`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

async function check(page: Page, modelId: string, dtype = 'q8') {
  await page.getByTestId('hub-model-id').fill(modelId);
  await page.getByTestId('hub-dtype').selectOption(dtype);
  await page.getByTestId('hub-check').click();
}

async function expectHubError(page: Page, name: string) {
  const error = page.getByTestId('hub-error');
  await expect(error).toHaveAttribute('data-error-name', name, { timeout: 60_000 });
  return (await error.textContent()) ?? '';
}

/** The page still works: the embedded model loads and embeds again. */
async function expectWorkingPage(page: Page) {
  await page.getByTestId('load-embedded').click();
  await expect(page.getByTestId('model-facts')).toContainText('moee-demo (qwen2_moe)', { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', /ready|error/, { timeout: 120_000 });
  // On failure, say which error the page showed.
  expect(await page.getByTestId('error').count() ? await page.getByTestId('error').textContent() : '').toBe('');
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready');
}

test('first load downloads after showing the size; a second load in the same browser makes no request', async ({ page }) => {
  const model = 'hub-test/moee-demo';
  await openPage(page);
  await check(page, model);
  const plan = page.getByTestId('hub-plan');
  await expect(plan).toContainText('qwen2_moe', { timeout: 60_000 });
  await expect(page.getByTestId('hub-file')).toHaveCount(DEMO_FILES.length);
  // config.json was read (and cached) by the check itself: the download is the rest.
  await expect(page.getByTestId('hub-download-size')).toHaveAttribute('data-total', String(demoBytes(DEMO_FILES)));
  await expect(page.getByTestId('hub-download-size')).toHaveAttribute('data-bytes', String(demoBytes(DEMO_FILES.slice(1))));
  await expect(page.locator('[data-testid="hub-file"][data-cached="true"]')).toHaveCount(1);
  // Before the user agrees only config.json was read whole; weights were only sized (Range reads).
  expect(fullGets(model)).toEqual(['config.json']);
  await shot(page, 'hub-plan');

  await page.getByTestId('hub-download').click();
  await expect(page.getByTestId('model-facts')).toContainText(`${model} (qwen2_moe)`, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  expect(fullGets(model).sort()).toEqual([...DEMO_FILES].sort());
  // The cache panel lists it with the bytes downloaded.
  await expect(page.locator(`[data-testid="cached-model"][data-model-id="${model}"]`)).toHaveAttribute('data-bytes', String(demoBytes(DEMO_FILES)));
  console.log(`[hub first load] ${requestsFor(model).length} requests: ${JSON.stringify(requestsFor(model).map((r) => `${r.method} ${r.path.split('/resolve/main/')[1]}${r.range ? ` (${r.range})` : ''} ${r.status}`))}`);

  const before = hub.log.length;
  await page.reload();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await check(page, model);
  await expect(page.getByTestId('hub-download-size')).toHaveAttribute('data-bytes', '0', { timeout: 60_000 });
  await expect(page.locator('[data-testid="hub-file"][data-cached="true"]')).toHaveCount(DEMO_FILES.length);
  await page.getByTestId('hub-download').click();
  await expect(page.getByTestId('model-facts')).toContainText(`${model} (qwen2_moe)`, { timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  expect(hub.log.slice(before)).toEqual([]);

  // Deleting it from the cache panel empties the cache of its files.
  await page.locator(`[data-testid="cached-model"][data-model-id="${model}"]`).getByRole('button', { name: /Delete/ }).click();
  await expect(page.locator(`[data-testid="cached-model"][data-model-id="${model}"]`)).toHaveCount(0);
});

test('a non-MoE model is refused from its config.json, with its type named, before any other file', async ({ page }) => {
  const model = 'hub-test/dense-qwen2';
  await openPage(page);
  await check(page, model);
  const text = await expectHubError(page, 'NotMoEModelError');
  expect(text).toContain('qwen2');
  expect(requestsFor(model).map((r) => r.path.split('/resolve/main/')[1])).toEqual(['config.json']);
});

test('a 404 for the weights is a MissingFileError before any download, and the page goes on', async ({ page }) => {
  const model = 'hub-test/missing-onnx';
  await openPage(page);
  await check(page, model);
  expect(await expectHubError(page, 'MissingFileError')).toContain('onnx/model_quantized.onnx');
  expect(fullGets(model)).toEqual(['config.json']);
  await expectWorkingPage(page);
});

test('a truncated file is a DownloadError, is not cached, and the page goes on', async ({ page }) => {
  const model = 'hub-test/truncated';
  await openPage(page);
  await check(page, model);
  await expect(page.getByTestId('hub-download')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('hub-download').click();
  expect(await expectHubError(page, 'DownloadError')).toContain('truncated');
  await page.getByTestId('cache-refresh').click();
  const cached = page.locator(`[data-testid="cached-model"][data-model-id="${model}"]`);
  await expect(cached).toBeVisible();
  await expect(cached).not.toContainText('model_quantized.onnx');
  await shot(page, 'hub-truncated');
  await expectWorkingPage(page);
});

test('a corrupt .onnx is a CorruptModelError and its cached copy is removed', async ({ page }) => {
  const model = 'hub-test/corrupt';
  await openPage(page);
  await check(page, model);
  await expect(page.getByTestId('hub-download')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('hub-download').click();
  expect(await expectHubError(page, 'CorruptModelError')).toContain('removed');
  await page.getByTestId('cache-refresh').click();
  await expect(page.locator(`[data-testid="cached-model"][data-model-id="${model}"]`)).not.toContainText('model_quantized.onnx');
  await expectWorkingPage(page);
});

test('a stalled stream is a DownloadError after the stall timeout', async ({ page }) => {
  await openPage(page);
  await check(page, 'hub-test/stall');
  await expect(page.getByTestId('hub-download')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('hub-download').click();
  expect(await expectHubError(page, 'DownloadError')).toContain(`sent nothing for ${STALL_MS / 1000} s`);
  await expectWorkingPage(page);
});

test('a slow stream shows per-file bytes, cancels at once, and resumes without fetching completed files again', async ({ page }) => {
  const model = 'hub-test/slow';
  await openPage(page);
  await check(page, model);
  await expect(page.getByTestId('hub-download')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('hub-download').click();
  const onnx = page.locator('[data-testid="load-file"][data-file="onnx/model_quantized.onnx"]');
  await expect.poll(async () => Number(await onnx.getAttribute('data-loaded')), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('load-total')).toHaveAttribute('data-total', /[1-9]/);
  await shot(page, 'hub-slow-progress');
  const cancelledAt = Date.now();
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('hub-cancelled')).toBeVisible({ timeout: 10_000 });
  console.log(`[hub cancel] cancelled state shown after ${Date.now() - cancelledAt} ms`);
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle');

  // Resume: the files that completed come from the cache; only the weights are requested again.
  const before = hub.log.length;
  await page.getByTestId('hub-resume').click();
  await expect.poll(() => fullGets(model, before), { timeout: 60_000 }).toContain('onnx/model_quantized.onnx');
  expect(fullGets(model, before)).toEqual(['onnx/model_quantized.onnx']);
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('hub-cancelled')).toBeVisible({ timeout: 10_000 });
  await expectWorkingPage(page);
});
