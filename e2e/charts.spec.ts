/**
 * Issue 17: charts a teacher can read. In Chromium on the demo model (WASM): the shipped sample set
 * runs the benchmark with no upload; every bar carries a whisker whose pixel extent is the table's
 * bootstrap interval; the cross-validated α equals core/'s crossValidatedAlpha on the same pairs;
 * axes and titles carry their names; the routing canvases take keyboard focus and read cells out.
 * Screenshots of every changed view go to test-results/screens/.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEMO_PAGE } from './pages.ts';
import { readFileSync } from 'node:fs';
import { crossValidatedAlpha, parseSts } from '../core/index.ts';

const SAMPLE = readFileSync(new URL('../public/samples/everyday-40.tsv', import.meta.url), 'utf8');

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

async function openAnalysis(page: Page) {
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${DEMO_PAGE}#analysis&s=${encodeURIComponent(JSON.stringify({ ep: 'wasm', dtype: 'q8' }))}`);
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

test('playground: load phases where the matrices will be, a preset says what it switched, named colour bars, routing canvases by keyboard', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${DEMO_PAGE}#s=${encodeURIComponent(JSON.stringify({ ep: 'wasm', dtype: 'q8' }))}`);
  // The first load explains itself where the matrices will appear.
  await expect(page.getByTestId('load-placeholder')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('load-placeholder')).toContainText('Loading the model');
  await shot(page, 'charts-playground-loading');
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('load-placeholder')).toHaveCount(0);

  await page.getByTestId('view').selectOption('all');
  await page.getByTestId('preset').selectOption('case-study');
  await expect(page.getByTestId('preset-switched')).toHaveText(' This preset switched View to compare: HS − RW.');
  await expect(page.getByTestId('matrix-compare')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('matrix-compare').locator('canvas')).toHaveAttribute('data-legend', 'cos HS − cos RW');
  await page.getByTestId('view').selectOption('all');
  await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('matrix-hs').locator('canvas')).toHaveAttribute('data-legend', 'cosine');
  await expect(page.getByTestId('matrix-sum').locator('canvas')).toHaveAttribute('data-legend', /^cos HS \+ α·cos RW/);
  // The diagonal is grey, not the top colour of the scale.
  const diagonal = await page.getByTestId('matrix-hs').locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const [left, top, cell] = ['left', 'top', 'cell'].map((a) => Number(c.dataset[a]));
    return Array.from(c.getContext('2d')!.getImageData(left + cell / 2, top + cell / 2, 1, 1).data.slice(0, 3));
  });
  expect(diagonal).toEqual([200, 200, 200]);
  // The focused cell's readout holds the full text (the row label is cut).
  const hs = page.getByTestId('matrix-hs').locator('canvas');
  await hs.focus();
  // The first arrow key puts the cursor on cell (1, 1); two more go down to row 3.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('hover-hs')).toContainText('3. They narrowly avoided a catastrophe. ↔ 1. The meeting starts at 5.30 p.m.');
  await shot(page, 'charts-playground-matrices');

  // Routing canvases: Tab-focusable, arrow keys read cells into an aria-live readout.
  const tokens = page.getByTestId('heatmap-tokens');
  await expect(tokens).toHaveAttribute('tabindex', '0');
  await tokens.focus();
  await expect(tokens).toBeFocused();
  const readout = page.getByTestId('heatmap-tokens-readout');
  await expect(readout).toHaveAttribute('aria-live', 'polite');
  await page.keyboard.press('ArrowRight');
  await expect(readout).toContainText(/expert 0: \d\.\d{4}/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  // Row 2's readable token, then its raw tokenizer form in quotes.
  await expect(readout).toContainText(/^.+ \(token ".+"\), expert 1: \d\.\d{4}/);
  const last = page.getByTestId('heatmap-last-token');
  await last.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('heatmap-last-token-readout')).toContainText(/^layer \d+, expert 0: \d\.\d{4}/);
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('heatmap-last-token-readout')).toContainText(/^layer \d+, expert 0/);
  await page.getByTestId('heatmap-tokens-scale').selectOption('log');
  await expect(page.getByTestId('heatmap-tokens-caption')).toHaveText('colour: router probability, log scale 10⁻⁴ (dark) … 1 (yellow)');
  await page.getByTestId('heatmap-last-token-scale').selectOption('row');
  await expect(page.getByTestId('heatmap-last-token-caption')).toContainText('per row');
  const comparison = page.getByTestId('comparison-canvas');
  await comparison.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('comparison-readout')).toContainText(/ \| .*: L\d+ /);
  await shot(page, 'charts-playground-routing');
});

test('analysis views on a sample set: robustness bars and progress, contingency heatmap, map axes and linked list, layers, nuclear guide', async ({ page }) => {
  test.setTimeout(600_000);
  await openAnalysis(page);
  await page.getByTestId('sample-everyday-40').click();
  await expect(page.getByTestId('dataset-summary')).toContainText('40 pairs');

  await page.getByTestId('view-tab-robustness').click();
  for (const id of ['style', 'sentiment', 'tone', 'intent', 'complexity', 'subjectivity', 'language_style', 'grammar_structure']) await page.getByTestId(`robust-templates-${id}`).uncheck();
  await page.getByTestId('robustness-run').click();
  await expect(page.getByTestId('analysis-run-message')).toContainText(/template [12] of 2/, { timeout: 60_000 });
  await finished(page);
  const scores = page.getByTestId('robust-scores');
  await expect(scores.locator('figcaption')).toHaveText('STS Spearman ×100 per template: HS, RW and MoEE sum (α = 1)');
  expect(await axisLabels(scores)).toEqual(expect.arrayContaining(['template', 'Spearman ×100']));
  await expect(scores.locator('.recharts-bar-rectangle')).toHaveCount(6);
  await expect(page.getByTestId('matrix-robust-hs-hs').locator('canvas')).toHaveAttribute('data-legend', 'Spearman, templates’ lists');
  await page.getByTestId('matrix-robust-hs-hs').locator('canvas').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('hover-robust-hs-hs')).toContainText('1. none ↔ 1. none');
  await shot(page, 'charts-robustness');

  await page.getByTestId('view-tab-complementarity').click();
  await page.getByTestId('kmeans-k').fill('4');
  await page.getByTestId('complementarity-run').click();
  await finished(page);
  await expect(page.getByTestId('contingency-table').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('contingency')).toContainText('on the diagonal');
  await expect(page.getByTestId('labels-ami-hs')).toHaveText(/^-?\d\.\d{3}$/);
  await expect(page.getByTestId('rank-error-note')).toContainText('Rank error');
  await shot(page, 'charts-complementarity');

  await page.getByTestId('view-tab-maps').click();
  await page.getByTestId('maps-run').click();
  await finished(page);
  await expect(page.getByTestId('map-hs-x')).toHaveText(/^PC1 \(\d+\.\d% of variance\)$/);
  await expect(page.getByTestId('map-rw-y')).toHaveText(/^PC2 \(\d+\.\d% of variance\)$/);
  await page.getByTestId('map-text-5').hover();
  await expect(page.getByTestId('map-hs')).toHaveAttribute('data-hovered', '5');
  await expect(page.getByTestId('map-rw')).toHaveAttribute('data-hovered', '5');
  await expect(page.getByTestId('map-text-5')).toHaveClass('hovered');
  await shot(page, 'charts-maps-pca');
  await page.getByTestId('map-method').selectOption('umap');
  await page.getByTestId('maps-run').click();
  await finished(page);
  await expect(page.getByTestId('map-hs-x')).toHaveText('UMAP 1');
  await expect(page.getByTestId('map-hs-y')).toHaveText('UMAP 2');
  await shot(page, 'charts-maps-umap');

  await page.getByTestId('view-tab-layers').click();
  await page.getByTestId('layers-run').click();
  await finished(page);
  // Every layer ticked: one "RW, all layers" column, no duplicate.
  await expect(page.getByTestId('layers-subset')).toHaveCount(0);
  const layers = page.getByTestId('layers-chart');
  expect(await axisLabels(layers)).toEqual(expect.arrayContaining(['MoE layer', 'Spearman ×100']));
  await shot(page, 'charts-layers');

  await page.getByTestId('view-tab-nuclear').click();
  await page.getByTestId('nuclear-run').click();
  await finished(page);
  await expect(page.getByTestId('nuclear-guide')).toContainText('never below');
  await expect(page.getByTestId('nuclear-ratio-HS')).toHaveText(/^\d\.\d{3}$/);
  await expect(page.getByTestId('nuclear-guide')).toContainText('‖Z‖F ≤ ‖Z‖* ≤ √D·‖Z‖F');
  for (const set of ['HS', 'RW']) {
    // The row's own N × d gives the windows: ‖Z‖F = √N (unit rows), ‖Z‖* within [√N, √(D·N)], ratio ≤ √D.
    const row = page.getByTestId(`nuclear-ratio-${set}`).locator('xpath=..');
    const [n, d] = (await row.locator('td').first().innerText()).split('×').map((v) => Number(v.trim()));
    const depth = Math.min(n, d);
    const window = (await page.getByTestId(`nuclear-window-${set}`).innerText()).match(/[\d.]+/g)!.map(Number);
    expect(window[0]).toBeCloseTo(Math.sqrt(n), 3);
    expect(window[1]).toBeCloseTo(Math.sqrt(n), 3);
    expect(window[2]).toBeCloseTo(Math.sqrt(depth * n), 2);
    const exact = Number(await row.locator('td').nth(3).innerText());
    expect(exact).toBeGreaterThanOrEqual(window[1] - 1e-3);
    expect(exact).toBeLessThanOrEqual(window[2] + 1e-3);
    const [low, high] = (await page.getByTestId(`nuclear-allowed-${set}`).innerText()).split('–').map(Number);
    expect(high).toBeCloseTo(Math.sqrt(depth), 2);
    if (n >= d) expect(low).toBe(1);
    const ratio = Number(await page.getByTestId(`nuclear-ratio-${set}`).innerText());
    expect(ratio).toBeGreaterThanOrEqual(low - 1e-3);
    expect(ratio).toBeLessThanOrEqual(high + 1e-3);
  }
  await shot(page, 'charts-nuclear');
});
