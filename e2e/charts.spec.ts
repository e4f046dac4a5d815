/**
 * Issue 17: charts a teacher can read. In Chromium on the demo model (WASM): the shipped sample set
 * runs the benchmark with no upload; every bar carries a whisker whose pixel extent is the table's
 * bootstrap interval; the cross-validated α equals core/'s crossValidatedAlpha on the same pairs;
 * axes and titles carry their names; the routing canvases take keyboard focus and read cells out.
 * Screenshots of every changed view go to test-results/screens/.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { crossValidatedAlpha, parseSts } from '../core/index.ts';

const SAMPLE = readFileSync(new URL('../public/samples/everyday-40.tsv', import.meta.url), 'utf8');

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

async function openAnalysis(page: Page) {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.goto(`/#analysis&s=${encodeURIComponent(JSON.stringify({ ep: 'wasm', dtype: 'q8' }))}`);
  await expect(page.getByTestId('analysis-engine')).toContainText('on WASM', { timeout: 120_000 });
}

async function finished(page: Page, timeout = 300_000) {
  await expect(page.getByTestId('analysis-run')).toHaveCount(0, { timeout });
  await expect(page.getByTestId('analysis-error')).toHaveCount(0);
}

/** The texts of a recharts chart's axis labels (the `label` prop) and tick values. */
async function axisLabels(chart: Locator): Promise<string[]> {
  return chart.locator('.recharts-label').allTextContents();
}

/** Pixel y of a value on a recharts y-axis, from two of its tick labels (a linear axis). */
async function yScale(chart: Locator): Promise<(v: number) => number> {
  // Each tick's text sits at the tick's y (its vertical centring is a dy on the tspan).
  const ticks = await chart.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').evaluateAll((els) => els.map((el) => ({ value: Number(el.textContent), y: Number(el.getAttribute('y')) })));
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  return (v: number) => a.y + ((v - a.value) * (b.y - a.y)) / (b.value - a.value);
}

test('a sample set runs the benchmark with no upload; whiskers are the intervals; the cross-validated α is core’s', async ({ page }) => {
  test.setTimeout(600_000);
  await openAnalysis(page);
  await expect(page.getByTestId('sample-licence')).toContainText('CC0');
  await page.getByTestId('sample-everyday-40').click();
  await expect(page.getByTestId('dataset-summary')).toContainText('40 pairs');
  await page.getByTestId('bench-templates-none').uncheck();
  await page.getByTestId('benchmark-run').click();
  await finished(page);
  await expect(page.getByTestId('benchmark-table')).toContainText('upper bound');

  // The cross-validated α: core/ on the exported pair similarities and the sample's gold scores.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('benchmark-json').click()]);
  const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as { settings: { seed: number }; rows: { template: string; crossValidated: { hsSim: number[]; rwSim: number[]; score: number; folds: { alpha: number }[] } }[] };
  const gold = parseSts(SAMPLE).map((p) => p.score);
  const row = exported.rows[0];
  expect(row.template).toBe('prompteol');
  expect(row.crossValidated.hsSim).toHaveLength(40);
  const reference = crossValidatedAlpha(row.crossValidated.hsSim, row.crossValidated.rwSim, gold, { folds: 5, seed: exported.settings.seed });
  await expect(page.getByTestId('cv-score-prompteol')).toHaveText((reference.score * 100).toFixed(2));
  await expect(page.getByTestId('cv-alphas-prompteol')).toHaveText(reference.folds.map((f) => f.alpha).join(', '));

  await page.getByTestId('benchmark-charts-toggle').click();
  const bars = page.getByTestId('bench-bars');
  await expect(bars.locator('.recharts-errorBar')).toHaveCount(7);
  await expect(bars.locator('figcaption')).toHaveText('Spearman ×100 by template, with 95% bootstrap intervals');
  expect(await axisLabels(bars)).toEqual(expect.arrayContaining(['template', 'Spearman ×100']));
  // Legend order is bar order: the chosen methods, the cross-validated sum, the upper bound last.
  await expect(bars.locator('.recharts-legend-item-text')).toHaveText(['HS', 'RW (softmax)', 'RW (logits)', 'MoEE concat', 'MoEE sum α=1', 'MoEE sum, cross-validated α', 'MoEE sum best α (in-sample, upper bound)']);
  // Each whisker spans the table's interval: its end caps sit at the interval's pixel y (±1.5 px).
  const y = await yScale(bars);
  const keys = ['hs', 'rw_softmax', 'rw_logits', 'concat', 'sum_alpha1', 'cv', 'sum_best'];
  const whiskers = await bars.locator('.recharts-errorBar').evaluateAll((els) =>
    els.map((el) => {
      const ys = [...el.querySelectorAll('line')].flatMap((l) => [Number(l.getAttribute('y1')), Number(l.getAttribute('y2'))]);
      return { top: Math.min(...ys), bottom: Math.max(...ys) };
    }),
  );
  for (const [i, key] of keys.entries()) {
    const [low, high] = (await page.getByTestId(`ci-prompteol-${key}`).textContent())!.match(/-?\d+\.\d+/g)!.map(Number);
    expect(Math.abs(whiskers[i].top - y(high)), `${key} upper whisker`).toBeLessThan(1.5);
    expect(Math.abs(whiskers[i].bottom - y(low)), `${key} lower whisker`).toBeLessThan(1.5);
  }
  const alpha = page.getByTestId('alpha-grid');
  expect(await axisLabels(alpha)).toEqual(expect.arrayContaining(['α', 'Spearman ×100']));
  // The α chart's y-axis starts at a floor of 0 (or lower), not at the curve's own minimum.
  const alphaTicks = await alpha.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  expect(Number(alphaTicks[0])).toBeLessThanOrEqual(0);
  await shot(page, 'charts-benchmark-sample');
});
