/**
 * The nearest-neighbour, expert and prompt A/B views and the matrices' colour scales, in Chromium
 * on the demo model (WASM, q8): each test does what a user does and checks the numbers on screen
 * against core/ on the same data (e2e/views-reference.ts: the Node engine, bit-identical to the
 * page's worker on WASM). Screenshots: test-results/screens/views-*.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { VIRIDIS_LUT } from '../app/colormap.ts';
import type { compareRankings, ExpertDetail, NeighbourRepresentation } from '../core/index.ts';
import { DEMO_PAGE } from './pages.ts';
import { stsFile } from '../cli/sts-data.ts';
import type { ViewsReferenceInput } from './views-reference.ts';

const STS13 = stsFile('sts13.tsv');
const REPS: NeighbourRepresentation[] = ['hs', 'rw', 'concat', 'sum'];
/** More rows than two of the page's 512-row scoring blocks: the search runs in three. */
const CORPUS_LINES = 1200;

const PLAYGROUND_TEXTS = [
  'The meeting starts at 5.30 p.m.',
  'The meeting starts at 17h30.',
  'They narrowly avoided a catastrophe.',
  'They managed to prevent a disaster.',
  'A dog is running across the green field.',
  'The stock market fell sharply on Monday.',
  'Shares dropped steeply at the start of the week.',
  'A puppy races over the grass.',
];

interface ViewsReference {
  ep: string;
  neighbours: ReturnType<typeof compareRankings>;
  hsMatrix: number[];
  expertMap: { counts: number[]; share: number[]; tokenEntropy: number[]; dormant: boolean[]; tokenCount: number };
  detail: ExpertDetail;
  abTemplates: { jsd: number[]; hsDistance: number; rwDistance: number; prompts: string[] };
  abTexts: { jsd: number[]; hsDistance: number; rwDistance: number; prompts: string[] };
}

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/views-${name}.png`, fullPage: true });

/** Distinct sentences of STS13 in file order: a plain list of thousands of lines to search. */
function corpusLines(): string[] {
  const [, ...rows] = readFileSync(STS13, 'utf8').trim().split('\n');
  const seen = new Set<string>();
  for (const row of rows) {
    const [, , a, b] = row.split('\t');
    for (const s of [a, b]) if (s && !seen.has(s.trim())) seen.add(s.trim());
    if (seen.size >= CORPUS_LINES) break;
  }
  return [...seen].slice(0, CORPUS_LINES);
}

const INPUT: Omit<ViewsReferenceInput, 'corpus'> = {
  query: 'A man is playing a guitar on the stage.',
  k: 5,
  alpha: 1,
  template: 'prompteol',
  playgroundTexts: PLAYGROUND_TEXTS,
  expertTemplate: 'none',
  expertLayer: 2,
  expertIndex: 3,
  ab: { text: 'They narrowly avoided a catastrophe.', templateA: 'prompteol', templateB: 'sentiment', textA: 'They narrowly avoided a catastrophe.', textB: 'They managed to prevent a disaster.', template: 'prompteol' },
};

function reference(corpus: string[]): ViewsReference {
  const input: ViewsReferenceInput = { ...INPUT, corpus };
  return JSON.parse(execFileSync('npx', ['tsx', 'e2e/views-reference.ts'], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 })) as ViewsReference;
}

/** The page on the demo model with WASM q8 (the reference's EP and weights) and MoEE concat z-scored by the corpus. */
async function open(page: Page, hash: string) {
  await page.goto(DEMO_PAGE);
  await page.evaluate(() => localStorage.clear());
  const settings = { ep: 'wasm', dtype: 'q8', standardization: 'batch', text: PLAYGROUND_TEXTS.join('\n') };
  await page.goto(`${DEMO_PAGE}#${hash}s=${encodeURIComponent(JSON.stringify(settings))}`);
  // Only the hash changed: that navigation stays in the document, so load it for the settings to apply.
  await page.reload();
}

async function finished(page: Page, timeout = 300_000) {
  await expect(page.getByTestId('analysis-run')).toHaveCount(0, { timeout });
  await expect(page.getByTestId('analysis-error')).toHaveCount(0);
}

test('nearest neighbours, what an expert does and prompt A/B show core’s numbers on the same data', async ({ page }) => {
  test.setTimeout(900_000);
  const corpus = corpusLines();
  expect(corpus.length).toBe(CORPUS_LINES);
  const ref = reference(corpus);
  expect(ref.ep).toBe('wasm');

  await open(page, 'analysis&');
  await expect(page.getByTestId('analysis-engine')).toContainText('on WASM', { timeout: 120_000 });

  // ---- Nearest neighbours over an uploaded list of 1,200 lines -------------------------------
  await page.getByTestId('sts-upload').setInputFiles({ name: 'sts13-sentences.txt', mimeType: 'text/plain', buffer: Buffer.from(corpus.join('\n') + '\n') });
  await expect(page.getByTestId('dataset-summary')).toHaveText(`sts13-sentences.txt: ${CORPUS_LINES} texts`);
  await page.getByTestId('view-tab-neighbours').click();
  const query = page.getByTestId('nn-query');
  await query.fill(INPUT.query);
  await page.getByTestId('nn-k').fill(String(INPUT.k));
  // Start, see progress, cancel: the page says so and stays usable.
  await query.press('Enter');
  await expect(page.getByTestId('analysis-run-message')).toContainText('embedding the texts');
  await page.getByTestId('analysis-cancel').click();
  await expect(page.getByTestId('analysis-cancelled')).toBeVisible();
  await page.getByTestId('nn-run').click();
  await expect(page.getByTestId('analysis-run')).toBeVisible();
  await finished(page);
  await expect(page.getByTestId('nn-summary')).toContainText(`among ${CORPUS_LINES} texts`);
  await expect(page.getByTestId('nn-summary')).toContainText('z-scored by this corpus');
  for (const column of ref.neighbours.columns) {
    const rows = await page
      .getByTestId(`nn-col-${column.representation}`)
      .getByTestId(`nn-row-${column.representation}`)
      .evaluateAll((trs) => trs.map((tr) => ({ index: Number(tr.getAttribute('data-index')), only: tr.getAttribute('data-only') === 'true', score: tr.querySelector('[data-testid=nn-score]')!.textContent })));
    expect(rows.map((r) => r.index)).toEqual(column.indices);
    expect(rows.map((r) => r.score)).toEqual(column.scores.map((s) => s.toFixed(4)));
    expect(rows.filter((r) => r.only).map((r) => r.index)).toEqual(column.onlyHere);
  }
  for (const a of REPS) for (const b of REPS) await expect(page.getByTestId(`nn-overlap-${a}-${b}`)).toHaveText(String(ref.neighbours.overlap[a][b]));
  await shot(page, 'neighbours');

  // ---- What an expert does, over the playground's texts ---------------------------------------
  await page.getByTestId('source-texts').check();
  await page.getByTestId('view-tab-experts').click();
  await page.getByTestId('experts-template').selectOption(INPUT.expertTemplate);
  await page.getByTestId('experts-run').click();
  await finished(page);
  const dormant = ref.expertMap.dormant.filter(Boolean).length;
  await expect(page.getByTestId('experts-dormant')).toHaveAttribute('data-count', String(dormant));
  await expect(page.getByTestId('experts-summary')).toContainText(`${PLAYGROUND_TEXTS.length} texts, ${ref.expertMap.tokenCount} tokens`);
  // Keyboard: from (0, 0) three experts right and two layers down.
  const map = page.getByTestId('expert-map');
  await map.focus();
  for (let i = 0; i < INPUT.expertIndex; i++) await page.keyboard.press('ArrowRight');
  for (let i = 0; i < INPUT.expertLayer; i++) await page.keyboard.press('ArrowDown');
  const detail = page.getByTestId('expert-detail');
  await expect(detail).toHaveAttribute('data-layer', String(INPUT.expertLayer));
  await expect(detail).toHaveAttribute('data-expert', String(INPUT.expertIndex));
  const cell = INPUT.expertLayer * (ref.expertMap.counts.length / 4) + INPUT.expertIndex;
  await expect(page.getByTestId('expert-stats')).toContainText(`${ref.expertMap.counts[cell]} routings (${(100 * ref.expertMap.share[cell]).toFixed(1)}% of the layer’s) · token entropy ${ref.expertMap.tokenEntropy[cell].toFixed(3)} bits`);
  expect(ref.detail.routings).toBe(ref.expertMap.counts[cell]);
  const tokens = await page.getByTestId('expert-token-row').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-token'), Number(tr.getAttribute('data-count'))]));
  expect(tokens).toEqual(ref.detail.tokens.map((t) => [t.token, t.count]));
  const texts = await page.getByTestId('expert-text-row').evaluateAll((trs) => trs.map((tr) => [Number(tr.getAttribute('data-text')), Number(tr.getAttribute('data-count'))]));
  expect(texts).toEqual(ref.detail.texts.map((t) => [t.text, t.count]));
  await shot(page, 'experts');

  // ---- Prompt A/B: two templates, then two versions of a text ---------------------------------
  await page.getByTestId('view-tab-abtest').click();
  await page.getByTestId('ab-template-a').selectOption(INPUT.ab.templateA);
  await page.getByTestId('ab-template-b').selectOption(INPUT.ab.templateB);
  await page.getByTestId('ab-text').fill(INPUT.ab.text);
  await page.getByTestId('ab-text').press('Enter');
  await finished(page);
  const checkAb = async (expected: ViewsReference['abTemplates']) => {
    await expect(page.getByTestId('ab-prompt-a')).toHaveText(expected.prompts[0]);
    await expect(page.getByTestId('ab-prompt-b')).toHaveText(expected.prompts[1]);
    for (const [i, jsd] of expected.jsd.entries()) await expect(page.getByTestId(`ab-jsd-${i}`)).toHaveText(jsd.toFixed(4));
    await expect(page.getByTestId('ab-hs-distance')).toHaveText(expected.hsDistance.toFixed(4));
    await expect(page.getByTestId('ab-rw-distance')).toHaveText(expected.rwDistance.toFixed(4));
  };
  await checkAb(ref.abTemplates);
  await shot(page, 'abtest-templates');
  await page.getByTestId('ab-mode-texts').check();
  await page.getByTestId('ab-text-a').fill(INPUT.ab.textA);
  await page.getByTestId('ab-text-b').fill(INPUT.ab.textB);
  await page.getByTestId('ab-template').selectOption(INPUT.ab.template);
  await page.getByTestId('ab-run').click();
  await finished(page);
  await checkAb(ref.abTexts);
  await shot(page, 'abtest-texts');

  // What was typed and chosen survives a reload.
  await page.reload();
  // The page dropped the share hash once applied, so it opens on the playground.
  await page.getByTestId('tab-analysis').click();
  await page.getByTestId('view-tab-neighbours').click();
  await expect(page.getByTestId('nn-query')).toHaveValue(INPUT.query);
  await page.getByTestId('view-tab-abtest').click();
  await expect(page.getByTestId('ab-mode-texts')).toBeChecked();
  await expect(page.getByTestId('ab-text-b')).toHaveValue(INPUT.ab.textB);
});

test('the matrices share one fixed colour scale, the per-matrix stretch is an option, and every matrix shows its range', async ({ page }) => {
  test.setTimeout(600_000);
  const ref = reference([INPUT.query]);
  const n = PLAYGROUND_TEXTS.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) [min, max] = [Math.min(min, ref.hsMatrix[i * n + j]), Math.max(max, ref.hsMatrix[i * n + j])];

  await open(page, '');
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('updating')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('color-scale')).toHaveValue('fixed');
  for (const id of ['hs', 'rw', 'concat']) {
    await expect(page.getByTestId(`range-${id}`)).toHaveAttribute('data-low', '-1');
    await expect(page.getByTestId(`range-${id}`)).toHaveAttribute('data-high', '1');
  }
  await expect(page.getByTestId('range-sum')).toHaveAttribute('data-low', '-2');
  await expect(page.getByTestId('range-sum')).toHaveAttribute('data-high', '2');
  const range = page.getByTestId('range-hs');
  await expect(range).toHaveAttribute('data-min', String(min));
  await expect(range).toHaveAttribute('data-max', String(max));
  await expect(range).toContainText(`off-diagonal ${min.toFixed(3)} … ${max.toFixed(3)} · colours -1.000 … 1.000 (fixed`);

  /** The colour the canvas drew for cell (0, 1), and the one the scale [low, high] gives its value. */
  const cellColour = () =>
    page.getByTestId('matrix-hs').locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const [left, top, cell] = ['left', 'top', 'cell'].map((a) => Number(c.dataset[a]));
      return Array.from(c.getContext('2d')!.getImageData(left + cell + cell / 2, top + cell / 2, 1, 1).data.slice(0, 3));
    });
  const expected = (low: number, high: number) => {
    const t = (ref.hsMatrix[1] - low) / (high - low);
    const k = t >= 1 ? 255 : t > 0 ? Math.round(255 * t) : 0;
    return Array.from(VIRIDIS_LUT.slice(3 * k, 3 * k + 3));
  };
  expect(await cellColour()).toEqual(expected(-1, 1));
  await shot(page, 'matrices-fixed');

  await page.getByTestId('color-scale').selectOption('stretch');
  await expect(range).toHaveAttribute('data-low', String(min));
  await expect(range).toHaveAttribute('data-high', String(max));
  await expect(range).toContainText('stretched to this matrix’s own range');
  expect(await cellColour()).toEqual(expected(min, max));
  await shot(page, 'matrices-stretch');
  // The choice is a setting: it survives a reload.
  await page.reload();
  await expect(page.getByTestId('color-scale')).toHaveValue('stretch');
});
