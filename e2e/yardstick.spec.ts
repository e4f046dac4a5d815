/**
 * The yardstick as a user meets it (issue 13): tick it on, see all-MiniLM-L6-v2's matrix beside the
 * MoEE ones, labelled as trained for similarity, and check its numbers twice: against core/'s cosine
 * of the engine's own yardstick embeddings for the same texts (the harness page, same worker), and
 * against sentence-transformers' reference (models/all-minilm-l6-v2/goldens/reference.json) within
 * what the 8-bit file allows.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { cosineSimilarityMatrix, matrix } from '../core/index.ts';
import { DEMO_PAGE } from './pages.ts';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
const reference = JSON.parse(readFileSync(new URL('../models/all-minilm-l6-v2/goldens/reference.json', import.meta.url), 'utf8')) as { texts: string[]; embeddings: number[][] };

// Paraphrase pairs (0/1, 2/3, 6/7) and two texts unrelated to them (4, 5), in the reference's order.
const TEXTS = reference.texts.slice(0, 8);
const PARAPHRASES = [[0, 1], [2, 3], [6, 7]] as const;

async function ready(page: Page) {
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
}

async function yardstickJson(page: Page): Promise<{ settings: Record<string, unknown>; labels: string[]; values: number[][] }> {
  const figure = page.getByTestId('matrix-yardstick');
  const [download] = await Promise.all([page.waitForEvent('download'), figure.getByRole('button', { name: 'JSON' }).click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

test('the yardstick matrix: beside MoEE, labelled, equal to core/ on the engine\'s embeddings, close to sentence-transformers', async ({ page }) => {
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(DEMO_PAGE);
  await ready(page);
  await page.getByTestId('texts').fill(TEXTS.join('\n'));
  await ready(page);
  await expect(page.getByTestId('matrix-yardstick')).toHaveCount(0);

  await page.getByTestId('yardstick-toggle').check();
  const figure = page.getByTestId('matrix-yardstick');
  await expect(figure).toBeVisible({ timeout: 120_000 });
  await expect(figure).toContainText('all-MiniLM-L6-v2 (trained for similarity)');
  await expect(page.getByTestId('caption-yardstick')).toContainText('a trained reference, not MoEE');
  await expect(page.getByTestId('caption-yardstick')).toContainText('8-bit (dynamic int8) on WASM');
  // The same fixed scale as the MoEE matrices by default, and its range shown.
  await expect(page.getByTestId('range-yardstick')).toHaveAttribute('data-low', '-1');
  for (const id of ['hs', 'rw', 'concat', 'sum']) await expect(page.getByTestId(`matrix-${id}`)).toBeVisible();
  await shot(page, 'yardstick-playground');

  const shown = await yardstickJson(page);
  expect(shown.labels).toEqual(TEXTS);
  expect(shown.settings).toMatchObject({ representation: 'yardstick', dtype: 'q8', pooling: 'mean' });
  const n = TEXTS.length;
  const flat = shown.values.flat();

  // core/ on the embeddings the engine returns for the same texts (harness page, same worker and protocol).
  await page.goto('/harness.html');
  const engine = await page.evaluate((t) => window.moeeHarness.yardstick(t), TEXTS);
  if (!engine.ok) throw new Error(JSON.stringify(engine.error));
  expect(engine.dims).toEqual([n, 384]);
  const fromCore = cosineSimilarityMatrix(matrix(Float32Array.from(engine.embeddings), n, 384));
  const vsCore = maxDiff(flat, fromCore);

  // sentence-transformers' own fp32 embeddings of the same texts.
  const st = cosineSimilarityMatrix(matrix(Float32Array.from(reference.embeddings.slice(0, n).flat()), n, 384));
  const vsSentenceTransformers = maxDiff(flat, st);
  console.log(`[yardstick page] max |Δ| vs core on the engine's embeddings ${vsCore.toExponential(2)}, vs sentence-transformers fp32 ${vsSentenceTransformers.toFixed(4)}`);
  expect(vsCore).toBeLessThan(1e-6);
  expect(vsSentenceTransformers).toBeLessThan(0.03);

  // What it is for: paraphrases closer than unrelated texts.
  for (const [a, b] of PARAPHRASES) expect(shown.values[a][b]).toBeGreaterThan(Math.max(shown.values[a][4], shown.values[a][5]));
});

test('the yardstick choice survives a reload, and an empty line is skipped as for MoEE', async ({ page }) => {
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(DEMO_PAGE);
  await ready(page);
  await page.getByTestId('yardstick-toggle').check();
  await expect(page.getByTestId('matrix-yardstick')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('texts').fill(`${TEXTS[0]}\n\n${TEXTS[1]}\n${TEXTS[4]}`);
  await ready(page);
  await expect(page.getByTestId('matrix-yardstick')).toBeVisible({ timeout: 60_000 });
  expect((await yardstickJson(page)).labels).toEqual([TEXTS[0], TEXTS[1], TEXTS[4]]);

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('yardstick-toggle')).toBeChecked();
  await expect(page.getByTestId('matrix-yardstick')).toBeVisible({ timeout: 120_000 });
  expect((await yardstickJson(page)).labels).toEqual([TEXTS[0], TEXTS[1], TEXTS[4]]);
  await shot(page, 'yardstick-after-reload');

  await page.getByTestId('yardstick-toggle').uncheck();
  await expect(page.getByTestId('matrix-yardstick')).toHaveCount(0);
});
