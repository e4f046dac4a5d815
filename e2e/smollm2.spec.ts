/**
 * The pretrained default model, moee-smollm2, in Chromium: its 4-bit graph against the HF fp32
 * goldens on WASM, and the playground's first load on it with the teaching presets doing what their
 * explanations say. On WebGPU (['webgpu'] alone: SwiftShader in CI, about 7 minutes for the 64 golden
 * texts) the 4-bit MatMulNBits kernels run as they are, so the bar is looser than WASM's, where the
 * engine dequantises every weight to fp32 at load.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

const MODEL = 'moee-smollm2';
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

/** Measured on SwiftShader: min HS cosine 0.99951, 99.67% equal top-8 sets; issue 12 asks 0.99 and 97%. */
const BAR = { wasm: { cosine: 0.9999, topk: 0.99 }, webgpu: { cosine: 0.999, topk: 0.99 } } as const;

for (const ep of ['wasm', 'webgpu'] as const) {
  test(`goldens: ${MODEL} q4 on ${ep}`, async ({ page }) => {
    test.setTimeout(ep === 'webgpu' ? 1_800_000 : 300_000);
    await page.goto('/harness.html');
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const loaded = await page.evaluate(([m, e]) => window.moeeHarness.load(m, 'q4', e), [MODEL, ep] as const);
    if (!loaded.ok) throw new Error(`load failed: ${JSON.stringify(loaded.error)}`);
    expect(loaded.model.ep).toBe(ep);
    const reports = await page.evaluate((m) => window.moeeHarness.goldens(m), MODEL);
    console.log(`[goldens ${MODEL} q4 chromium-${ep}] ${JSON.stringify(reports.map((r) => ({ case: r.case, ...r.report })))}`);
    expect(reports.length).toBeGreaterThan(0);
    for (const { ep: ran, report } of reports) {
      expect(ran).toBe(ep);
      expect(report.promptsEqual).toBe(true);
      // The 4-bit file holds the checkpoint's own blocks (workers/engine.smollm2.test.ts).
      expect(report.minHiddenStateCosine).toBeGreaterThanOrEqual(BAR[ep].cosine);
      expect(report.topkSetAgreement).toBeGreaterThanOrEqual(BAR[ep].topk);
    }
  });
}

interface MatrixJson {
  labels: string[];
  values: number[][];
}

async function matrix(page: Page, id: 'hs' | 'rw' | 'sum'): Promise<MatrixJson> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`matrix-${id}`).getByRole('button', { name: 'JSON' }).first().click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8')) as MatrixJson;
}

/** Mean similarity over the given (i, j) cells. */
const meanOf = (m: MatrixJson, cells: [number, number][]) => cells.reduce((s, [i, j]) => s + m.values[i][j], 0) / cells.length;

async function ready(page: Page) {
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 240_000 });
}

test(`first load runs ${MODEL}; its presets put paraphrases closer than unrelated sentences`, async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/');
  await expect(page.getByTestId('model-facts')).toContainText(`${MODEL} (qwen2_moe)`, { timeout: 240_000 });
  await expect(page.getByTestId('model-about')).toContainText('SmolLM2-135M');
  await ready(page);
  await shot(page, 'smollm2-first-load');

  // Pairs (1,2), (3,4), (5,6), (7,8) say the same thing; every other pair is unrelated.
  await page.getByTestId('preset').selectOption('surface-vs-paraphrase');
  await ready(page);
  const pairs: [number, number][] = [[0, 1], [2, 3], [4, 5], [6, 7]];
  const unrelated: [number, number][] = [];
  for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) if (!pairs.some(([a, b]) => a === i && b === j)) unrelated.push([i, j]);
  for (const id of ['hs', 'sum'] as const) {
    const m = await matrix(page, id);
    expect(m.labels.length).toBe(8);
    console.log(`[${MODEL} surface-vs-paraphrase ${id}] pairs ${meanOf(m, pairs).toFixed(3)} unrelated ${meanOf(m, unrelated).toFixed(3)}`);
    expect(meanOf(m, pairs)).toBeGreaterThan(meanOf(m, unrelated));
  }
  await shot(page, 'smollm2-preset-surface-vs-paraphrase');

  // The case study: each of the two pairs is closer than any cross pair under HS.
  await page.getByTestId('preset').selectOption('case-study');
  await ready(page);
  // The preset opens the HS − RW comparison; the four matrices show the HS numbers themselves.
  await page.getByTestId('view').selectOption('all');
  await ready(page);
  const hs = await matrix(page, 'hs');
  const crossCase = Math.max(hs.values[0][2], hs.values[0][3], hs.values[1][2], hs.values[1][3]);
  console.log(`[${MODEL} case-study hs] (1,2) ${hs.values[0][1].toFixed(3)} (3,4) ${hs.values[2][3].toFixed(3)} max cross ${crossCase.toFixed(3)}`);
  expect(hs.values[0][1]).toBeGreaterThan(crossCase);
  expect(hs.values[2][3]).toBeGreaterThan(crossCase);
  await shot(page, 'smollm2-preset-case-study');
});
