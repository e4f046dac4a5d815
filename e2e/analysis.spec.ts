/**
 * The Analysis tab in Chromium on the demo model (WASM): a 300-pair slice of STS13 uploaded and
 * benchmarked gives the same Spearman ×100 as `moee eval` on the same slice, with no main-thread
 * task over 50 ms while it runs; every view opens, runs and is saved as a screenshot
 * (test-results/screens/); a run cancelled halfway leaves a usable page.
 */
import { expect, test, type Page } from '@playwright/test';
import { DEMO_PAGE } from './pages.ts';
import { stsFile } from '../cli/sts-data.ts';
import { matrix, parseSts, representationPairCosines, spearman100, stsPairRows } from '../core/index.ts';
import { createNodeEngine } from '../workers/node-engine.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const STS13 = stsFile('sts13.tsv');
/** A long task, by the browser's definition: what the benchmark must never cause. */
const LONG_TASK_MS = 50;

/** Every 5th pair of STS13: 300 pairs that keep all three subsets. */
function slice300(): { path: string; text: string } {
  const [header, ...rows] = readFileSync(STS13, 'utf8').trim().split('\n');
  const text = [header, ...rows.filter((_, i) => i % 5 === 0)].join('\n') + '\n';
  mkdirSync('test-results', { recursive: true });
  const path = resolve('test-results/sts13-300.tsv');
  writeFileSync(path, text);
  return { path, text };
}

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

interface CliResult {
  ep: string;
  pairs: number;
  results: { template: string; all: Record<string, number>; bestAlpha: number }[];
}

async function openAnalysis(page: Page) {
  // Force WASM through the share-URL settings so the page runs the CLI's EP.
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${DEMO_PAGE}#analysis&s=${encodeURIComponent(JSON.stringify({ ep: 'wasm', dtype: 'q8' }))}`);
  await expect(page.getByTestId('analysis-engine')).toContainText('on WASM', { timeout: 120_000 });
}

async function upload(page: Page, path: string, text: string) {
  await page.getByTestId('sts-upload').setInputFiles({ name: 'sts13-300.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(text) });
  await expect(page.getByTestId('dataset-summary')).toContainText('300 pairs');
  void path;
}

async function finished(page: Page, timeout = 300_000) {
  await expect(page.getByTestId('analysis-run')).toHaveCount(0, { timeout });
  await expect(page.getByTestId('analysis-error')).toHaveCount(0);
}

test('the benchmark on 300 STS13 pairs equals moee eval, with no long task; every view runs', async ({ page }) => {
  test.setTimeout(900_000);
  const { path, text } = slice300();
  const cli = JSON.parse(execFileSync('npx', ['tsx', 'cli/moee.ts', 'eval', path, '--templates', 'none,prompteol', '--dtype', 'q8', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as CliResult;
  expect(cli.ep).toBe('wasm');
  expect(cli.pairs).toBe(300);

  await openAnalysis(page);
  await upload(page, path, text);
  await page.getByTestId('view-tab-benchmark').click();
  await shot(page, 'analysis-benchmark-ready');
  const started = await page.evaluate(() => performance.now());
  await page.getByTestId('benchmark-run').click();
  await expect(page.getByTestId('analysis-run')).toBeVisible();
  await finished(page);
  const ended = await page.evaluate(() => performance.now());
  await expect(page.getByTestId('benchmark-table')).toBeVisible();
  await expect(page.getByTestId('benchmark-ep')).toHaveText('wasm');

  for (const row of cli.results) {
    for (const [method, value] of Object.entries(row.all)) {
      await expect(page.getByTestId(`score-${row.template}-${method}`)).toHaveText(value.toFixed(2));
      // The interval is around the estimate (1,000 seeded resamples).
      const ci = (await page.getByTestId(`ci-${row.template}-${method}`).textContent())!.match(/-?\d+\.\d+/g)!.map(Number);
      expect(ci[0]).toBeLessThanOrEqual(value + 0.01);
      expect(ci[1]).toBeGreaterThanOrEqual(value - 0.01);
    }
    await expect(page.getByTestId(`best-alpha-${row.template}`)).toHaveText(String(row.bestAlpha));
  }
  const longTasks = await page.evaluate(([from, to]) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= from && t.start <= to), [started, ended]);
  console.log(`[benchmark] 300 pairs × 2 templates: ${((ended - started) / 1000).toFixed(1)} s in the page; long tasks: ${JSON.stringify(longTasks)}`);
  expect(longTasks.filter((t) => t.duration > LONG_TASK_MS)).toEqual([]);

  // The yardstick (all-MiniLM-L6-v2, on by default): core's Spearman of its cosines over the same pairs,
  // its embeddings computed in Node by the engine's own yardstick request (the same WASM kernels).
  const { sentences, rows, gold } = stsPairRows(parseSts(text));
  const node = await createNodeEngine('');
  const embedded = await node.yardstick(sentences);
  const expected = spearman100(representationPairCosines(matrix(embedded.embeddings.data, sentences.length, embedded.embeddings.dims[1]), rows.index), gold);
  await expect(page.getByTestId('benchmark-yardstick')).toContainText('trained for similarity');
  await expect(page.getByTestId('score-yardstick')).toHaveText(expected.toFixed(2));
  console.log(`[benchmark] yardstick all-MiniLM-L6-v2 q8: ${expected.toFixed(2)} (HS prompteol ${cli.results[1].all.hs.toFixed(2)})`);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('benchmark-csv').click()]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(1 + 2 * 6 + 1);
  expect(lines[1].split(',').slice(0, 3)).toEqual(['none', 'hs', cli.results[0].all.hs.toFixed(2)]);
  expect(lines.at(-1)!.split(',').slice(0, 3)).toEqual(['—', 'yardstick (trained for similarity)', expected.toFixed(2)]);
  await page.getByTestId('benchmark-charts-toggle').click();
  await expect(page.getByTestId('alpha-grid')).toBeVisible();
  await shot(page, 'analysis-benchmark');

  // Layers on the same set: RW from all layers is the benchmark's RW (softmax) score.
  const prompteol = cli.results.find((r) => r.template === 'prompteol')!;
  await page.getByTestId('view-tab-layers').click();
  await page.getByTestId('analysis-template').selectOption('prompteol');
  await page.getByTestId('layer-0').uncheck();
  await page.getByTestId('layers-run').click();
  await finished(page);
  await expect(page.getByTestId('layers-table')).toContainText(prompteol.all.rw_softmax.toFixed(2));
  await expect(page.getByTestId('layer-score-3')).toHaveText(/^-?\d+\.\d\d$/);
  await expect(page.getByTestId('layers-subset')).toHaveText(/^-?\d+\.\d\d$/);
  await shot(page, 'analysis-layers');

  // Complementarity with error analysis on the uploaded pairs.
  await page.getByTestId('view-tab-complementarity').click();
  await page.getByTestId('kmeans-k').fill('6');
  await page.getByTestId('complementarity-run').click();
  await finished(page);
  for (const id of ['ami', 'nmi', 'jaccard']) await expect(page.getByTestId(id)).toHaveText(/^-?\d\.\d{3}$/);
  await expect(page.getByTestId('error-counts')).toContainText('HS only');
  await expect(page.getByTestId('fails-hs-only').locator('tbody tr').first()).toBeVisible();
  await shot(page, 'analysis-complementarity');

  // Prompt robustness on the two benchmarked templates: per-template scores equal the benchmark's.
  await page.getByTestId('view-tab-robustness').click();
  for (const id of ['style', 'sentiment', 'tone', 'intent', 'complexity', 'subjectivity', 'language_style', 'grammar_structure']) await page.getByTestId(`robust-templates-${id}`).uncheck();
  await page.getByTestId('robustness-run').click();
  await finished(page);
  await expect(page.getByTestId('robust-means')).toContainText('HS–HS');
  await expect(page.getByTestId('robust-scores')).toBeVisible();
  await shot(page, 'analysis-robustness-sts');

  // Maps coloured by the STS subset; hovering a point in HS highlights the same text in RW.
  await page.getByTestId('view-tab-maps').click();
  await page.getByTestId('maps-run').click();
  await finished(page);
  const hs = page.getByTestId('map-hs');
  const box = (await hs.boundingBox())!;
  for (let y = 0; y < box.height; y += 4) {
    await page.mouse.move(box.x + 14, box.y + y);
    if ((await hs.getAttribute('data-hovered')) !== '') break;
  }
  const hovered = await hs.getAttribute('data-hovered');
  expect(hovered).not.toBe('');
  await expect(page.getByTestId('map-rw')).toHaveAttribute('data-hovered', hovered!);
  await expect(page.getByTestId('map-hover')).toContainText('[');
  await shot(page, 'analysis-maps-pca');
  await page.getByTestId('map-method').selectOption('umap');
  await page.getByTestId('maps-run').click();
  await finished(page);
  await shot(page, 'analysis-maps-umap');

  // Nuclear norm and entropy of the 600 sentences.
  await page.getByTestId('view-tab-nuclear').click();
  await page.getByTestId('nuclear-run').click();
  await finished(page);
  await expect(page.getByTestId('nuclear-table').locator('tbody tr')).toHaveCount(2);
  await shot(page, 'analysis-nuclear');
});

test('views over the playground texts: robustness across all templates, clusters, maps, nuclear norm', async ({ page }) => {
  test.setTimeout(300_000);
  await openAnalysis(page);
  await page.getByTestId('view-tab-robustness').click();
  await page.getByTestId('robustness-run').click();
  await finished(page);
  await expect(page.getByTestId('matrix-robust-hs-hs')).toBeVisible();
  await expect(page.getByTestId('matrix-robust-rw-rw')).toBeVisible();
  await expect(page.getByTestId('matrix-robust-hs-rw')).toBeVisible();
  await shot(page, 'analysis-robustness-texts');
  await page.getByTestId('view-tab-complementarity').click();
  await page.getByTestId('complementarity-run').click();
  await finished(page);
  await expect(page.getByTestId('exact-match')).toHaveText(/%$/);
  await shot(page, 'analysis-complementarity-texts');
  await page.getByTestId('view-tab-nuclear').click();
  await page.getByTestId('nuclear-run').click();
  await finished(page);
  await expect(page.getByTestId('nuclear-table')).toContainText('6 × 160');
  await shot(page, 'analysis-nuclear-texts');
});

test('a benchmark cancelled halfway stops, and the page stays usable', async ({ page }) => {
  test.setTimeout(300_000);
  const { path, text } = slice300();
  await openAnalysis(page);
  await upload(page, path, text);
  await page.getByTestId('bench-templates-sentiment').check();
  await page.getByTestId('benchmark-run').click();
  // Wait until the engine is part-way through the first template's sentences.
  await expect(page.getByTestId('analysis-run-message')).toContainText(/embedding [1-9]\d* \/ \d+/, { timeout: 120_000 });
  await page.getByTestId('analysis-cancel').click();
  await expect(page.getByTestId('analysis-run')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('analysis-cancelled')).toBeVisible();
  await expect(page.getByTestId('benchmark-table')).toHaveCount(0);
  await shot(page, 'analysis-cancelled');
  // The page and the engine still work: another view runs to the end, and so does the playground.
  await page.getByTestId('source-texts').check();
  await page.getByTestId('view-tab-nuclear').click();
  await page.getByTestId('nuclear-run').click();
  await finished(page);
  await expect(page.getByTestId('nuclear-table').locator('tbody tr')).toHaveCount(2);
  await page.getByTestId('tab-playground').click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.getByTestId('texts').fill('One more sentence.\nAnd another one.');
  await expect(page.getByTestId('text-list').locator('li')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
});
