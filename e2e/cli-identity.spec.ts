/** The CLI (Node WASM) and the page's worker (Chromium WASM) give bit-identical embeddings. */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';

const TEXTS = ['The meeting starts at 5.30 p.m.', 'They managed to prevent a disaster.', 'Rain'];

test('CLI and worker embeddings are bit-identical on WASM', async ({ page }) => {
  const lines = execFileSync('npx', ['tsx', 'cli/moee.ts', 'embed', '--dtype', 'q8', '--template', 'prompteol', ...TEXTS], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { hs: number[]; rw_logits: number[]; ep: string });
  await page.goto('/harness.html');
  await page.evaluate(() => window.moeeHarness.load('moee-demo', 'q8', 'wasm'));
  const r = await page.evaluate((t) => window.moeeHarness.embed(t, { template: { id: 'prompteol' }, batchSize: 32 }), TEXTS);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  expect(r.ep).toBe('wasm');
  expect(lines.every((l) => l.ep === 'wasm')).toBe(true);
  // Float32 values, compared exactly.
  expect(r.hs).toEqual(lines.flatMap((l) => l.hs));
  expect(r.rwLogits).toEqual(lines.flatMap((l) => l.rw_logits));
});
