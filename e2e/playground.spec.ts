/**
 * The playground as a user meets it, on the embedded demo model in Debian's Chromium. Each test
 * saves a screenshot into test-results/screenshots/ (kept by CI).
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

async function ready(page: Page) {
  await expect(page.getByTestId('model-facts')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.goto('/');
});

test('type sentences and see four matrices that equal the engine output', async ({ page }) => {
  await ready(page);
  const texts = ['The cat sat on the mat.', 'A cat was sitting on a rug.', 'Stocks fell on Monday.'];
  await page.getByTestId('texts').fill(texts.join('\n'));
  await expect(page.getByTestId('text-list').locator('li')).toHaveCount(3, { timeout: 60_000 });
  await ready(page);
  for (const id of ['hs', 'rw', 'concat', 'sum']) await expect(page.getByTestId(`matrix-${id}`)).toBeVisible();
  // The CSV the page exports equals the harness engine's numbers for the same settings.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('matrix-hs').getByRole('button', { name: 'CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(4);
  const pageCos = Number(csv[1].split(',')[2]);
  await page.goto('/harness.html');
  await page.evaluate(() => window.moeeHarness.load('moee-demo', 'q8', 'auto'));
  const r = await page.evaluate((t) => window.moeeHarness.embed(t, { template: { id: 'prompteol' } }), texts);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const d = r.hs.length / 3;
  const a = r.hs.slice(0, d);
  const b = r.hs.slice(d, 2 * d);
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  const cos = dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
  expect(Math.abs(pageCos - cos)).toBeLessThan(1e-5);
});

test('moving alpha changes the sum matrix; a template switch moves HS more than RW', async ({ page }) => {
  await ready(page);
  const sumRange = () => page.getByTestId('hover-sum').textContent();
  const before = await sumRange();
  await page.getByTestId('alpha').fill('0.2');
  await expect.poll(sumRange).not.toBe(before);
  await shot(page, 'playground-matrices');
  const csvOf = async (id: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`matrix-${id}`).getByRole('button', { name: 'CSV' }).click()]);
    return readFileSync(await d.path(), 'utf8').trim().split('\n').slice(1).flatMap((l) => l.split(',').slice(1).map(Number));
  };
  const hs1 = await csvOf('hs');
  const rw1 = await csvOf('rw');
  await page.getByTestId('template').selectOption('none');
  await expect(page.getByTestId('template-text')).toHaveText('"*sent 0*"');
  await expect(page.getByTestId('matrix-hs')).toContainText('none template', { timeout: 60_000 });
  const hs2 = await csvOf('hs');
  const rw2 = await csvOf('rw');
  const change = (x: number[], y: number[]) => x.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / x.length;
  console.log(`[template switch] mean |Δcos| HS ${change(hs1, hs2).toFixed(4)} RW ${change(rw1, rw2).toFixed(4)}`);
  expect(change(hs1, hs2)).toBeGreaterThan(change(rw1, rw2));
});

test('routing heatmap marks the top-k experts; PNG export reads back', async ({ page }) => {
  await ready(page);
  await expect(page.getByTestId('heatmap-last-token')).toBeVisible();
  await expect(page.getByTestId('heatmap-tokens')).toBeVisible();
  // Count outlined cells: the canvas pixels of the top-k outline colour, per row.
  const outlined = await page.getByTestId('heatmap-last-token').evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const rows = (c.height - 16) / 22;
    const counts: number[] = [];
    for (let r = 0; r < rows; r++) {
      let n = 0;
      for (let col = 0; col < (c.width - 90) / 22; col++) {
        const px = ctx.getImageData(90 + col * 22 + 1, r * 22 + 8, 1, 1).data;
        if (px[0] === 255 && px[1] === 45 && px[2] === 85) n++;
      }
      counts.push(n);
    }
    return counts;
  });
  expect(outlined.length).toBe(4);
  for (const n of outlined) expect(n).toBe(2);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('matrix-sum').getByRole('button', { name: 'PNG' }).click()]);
  const bytes = readFileSync(await png.path());
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  await shot(page, 'playground-routing');
});

test('state survives a reload and a shared URL restores it in a fresh context', async ({ page, browser }) => {
  await ready(page);
  await page.getByTestId('texts').fill('First kept sentence.\nSecond kept sentence.');
  await page.getByTestId('template').selectOption('sentiment');
  await page.reload();
  await expect(page.getByTestId('texts')).toHaveValue('First kept sentence.\nSecond kept sentence.');
  await expect(page.getByTestId('template')).toHaveValue('sentiment');
  // The share link's format (app/store.ts shareUrl): the settings as JSON in the hash.
  const url = await page.evaluate(() => {
    const saved = JSON.parse(localStorage.getItem('moee-playground')!) as { state: { settings: unknown } };
    return `${location.origin}/#s=${encodeURIComponent(JSON.stringify(saved.state.settings))}`;
  });
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(url);
  await expect(other.getByTestId('texts')).toHaveValue('First kept sentence.\nSecond kept sentence.');
  await expect(other.getByTestId('template')).toHaveValue('sentiment');
  await fresh.close();
});

test('forcing WebGPU reports it as the EP that ran', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  await page.getByLabel('Execution provider').selectOption('webgpu');
  await page.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('ep-ran')).toHaveText('WEBGPU', { timeout: 240_000 });
  await ready(page);
  await shot(page, 'playground-webgpu');
});

test('bad input: empty, a 100k-character text and 500 sentences give clear messages', async ({ page }) => {
  test.setTimeout(300_000);
  await ready(page);
  await page.getByTestId('texts').fill('');
  await expect(page.getByTestId('empty-note')).toBeVisible();
  await page.getByTestId('texts').fill(`${'word '.repeat(20_000)}\nA short one.`);
  await expect(page.getByTestId('truncated')).toBeVisible({ timeout: 120_000 });
  await shot(page, 'playground-long-text');
  const many = Array.from({ length: 500 }, (_, i) => `Sentence number ${i} about topic ${i % 7}.`).join('\n');
  await page.getByTestId('texts').fill(many);
  await expect(page.getByTestId('text-list').locator('li')).toHaveCount(500, { timeout: 240_000 });
  await expect(page.getByTestId('texts')).toHaveValue(many);
  await shot(page, 'playground-500');
});
