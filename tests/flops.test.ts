/** bench/flops.ts's matmul FLOP count against torch's FlopCounterMode on the HF model (bench/flops_fixture.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forwardFlops, runFlops, usefulFlops, type Qwen2MoeShape } from '../bench/flops.ts';

const config = JSON.parse(readFileSync(new URL('../models/moee-demo/config.json', import.meta.url), 'utf8')) as Qwen2MoeShape;
const fx = JSON.parse(readFileSync(new URL('fixtures/flops.json', import.meta.url), 'utf8')) as { cases: { batch: number; seq: number; flops: number; last_token_flops: number }[] };

describe('matmul FLOPs of the demo model', () => {
  it('equal torch FlopCounterMode on the HF forward', () => {
    expect(fx.cases.length).toBeGreaterThan(1);
    for (const c of fx.cases) expect(forwardFlops(config, c.batch, c.seq)).toBe(c.flops);
  });
  it('useful FLOPs (LM head at the last token only) equal FlopCounterMode with logits_to_keep=1', () => {
    for (const c of fx.cases) expect(usefulFlops(config, Array(c.batch).fill(c.seq))).toBe(c.last_token_flops);
  });
  it('count an engine run batch by batch, each padded to its longest prompt', () => {
    const counts = [5, 9, 3, 9, 7];
    // Sorted 3,5,7 | 9,9 with batches of 3.
    expect(runFlops(config, counts, 3)).toBe(forwardFlops(config, 3, 7) + forwardFlops(config, 2, 9));
  });
});
