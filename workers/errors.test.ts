/**
 * Every named error of the engine, raised by the real engine in Node on real (broken) model folders.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { tapModel } from '../models/tap.ts';
import { moeFacts } from '../models/moe-config.ts';
import { chooseExecutionProvider, detectCapabilities } from './capabilities.ts';
import { DEFAULT_EMBED_OPTIONS, MAX_TEXTS_PER_REQUEST, type EngineEvent } from './protocol.ts';
import { onnxFileFor } from '../models/dtypes.ts';
import { createNodeEngine, type NodeEngine } from './node-engine.ts';
import { LOCAL_MODELS_DIR as MODELS_DIR } from './ort-node.ts';

const DEMO = join(MODELS_DIR, 'moee-demo');
let dir: string;

/** A copy of the demo model folder, changed by `edit`. */
function brokenModel(name: string, edit: (folder: string) => void): void {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor('q8')]) cpSync(join(DEMO, f), join(folder, f));
  edit(folder);
}

function errorOf(events: EngineEvent[]) {
  const e = events.find((x) => x.kind === 'failed');
  return e?.kind === 'failed' ? e.error : null;
}

describe('named errors', () => {
  let engine: NodeEngine;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'moee-models-'));
    brokenModel('truncated', (f) => writeFileSync(join(f, onnxFileFor('q8')), readFileSync(join(f, onnxFileFor('q8'))).subarray(0, 100_000)));
    brokenModel('no-tokenizer', (f) => rmSync(join(f, 'tokenizer.json')));
    brokenModel('wrong-experts', (f) => {
      const config = JSON.parse(readFileSync(join(f, 'config.json'), 'utf8'));
      writeFileSync(join(f, 'config.json'), JSON.stringify({ ...config, num_experts: 8 }));
    });
    brokenModel('dense', (f) => {
      const config = JSON.parse(readFileSync(join(f, 'config.json'), 'utf8'));
      delete config.num_experts;
      writeFileSync(join(f, 'config.json'), JSON.stringify({ ...config, model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] }));
    });
    engine = await createNodeEngine('moee-demo', 'q8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const embed = (texts: string[], options = DEFAULT_EMBED_OPTIONS) => engine.request({ kind: 'embed', id: `x${Math.random()}`, texts, options });

  it('EmptyTextError for empty and whitespace-only texts, with their indices', async () => {
    expect(errorOf(await embed([]))?.name).toBe('EmptyTextError');
    const e = errorOf(await embed(['fine', '   \t', '']));
    expect(e?.name).toBe('EmptyTextError');
    expect(e?.details?.indices).toEqual([1, 2]);
  });

  it('a 100k-character text is cut to maxTokens with a warning flag, the template kept', async () => {
    const result = await engine.embed(['word '.repeat(20_000), 'short'], { ...DEFAULT_EMBED_OPTIONS, maxTokens: 64 });
    expect(result.truncated).toEqual([true, false]);
    expect(result.tokenCounts[0]).toBeLessThanOrEqual(64);
    expect(result.prompts[0].endsWith('means in one word:"')).toBe(true);
  });

  it('1,000 texts in one request run; more than the limit is TooManyTextsError', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `Text number ${i}.`);
    const result = await engine.embed(texts, { ...DEFAULT_EMBED_OPTIONS, batchSize: 64 });
    expect(result.hs.dims).toEqual([1000, 160]);
    expect(errorOf(await embed(Array.from({ length: MAX_TEXTS_PER_REQUEST + 1 }, () => 'x')))?.name).toBe('TooManyTextsError');
  });

  it('BadTemplateError for a custom template without one {text} slot', async () => {
    expect(errorOf(await embed(['a'], { ...DEFAULT_EMBED_OPTIONS, template: { id: 'custom', template: 'no slot' } }))?.name).toBe('BadTemplateError');
  });

  it('cancel mid-run stops at a batch boundary with CancelledError', async () => {
    const texts = Array.from({ length: 400 }, (_, i) => `Sentence ${i} for the cancel test.`);
    const running = engine.request({ kind: 'embed', id: 'long', texts, options: { ...DEFAULT_EMBED_OPTIONS, batchSize: 8 } });
    await new Promise((r) => setTimeout(r, 200));
    await engine.request({ kind: 'cancel', id: 'c', targetId: 'long' });
    const events = await running;
    expect(errorOf(events)?.name).toBe('CancelledError');
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThan(50);
  });

  it.each([
    ['truncated', 'CorruptModelError'],
    ['no-tokenizer', 'MissingFileError'],
    ['wrong-experts', 'ConfigMismatchError'],
    ['dense', 'NotMoEModelError'],
  ])('loading %s fails with %s', async (name, expected) => {
    const broken = await createNodeEngine('', 'q8', `${dir}/`);
    const events = await broken.request({ kind: 'load', id: `load-${name}`, modelId: name, dtype: 'q8', ep: 'wasm' });
    const error = errorOf(events);
    expect(error?.name).toBe(expected);
    if (name === 'dense') expect(error?.message).toContain('qwen2');
  });

  it('NotMoEModelError for a graph with no router, before any inference', () => {
    const { onnx } = onnxProto;
    const graph = { name: 'dense', node: [{ name: '/model/layers.0/mlp/up_proj/MatMul', opType: 'MatMul', input: ['x', 'w'], output: ['y'] }], input: [{ name: 'x' }], output: [{ name: 'y' }] };
    const bytes = onnx.ModelProto.encode({ irVersion: 8, graph }).finish();
    const facts = moeFacts(JSON.parse(readFileSync(join(DEMO, 'config.json'), 'utf8')));
    expect(() => tapModel(bytes, facts)).toThrowError(expect.objectContaining({ name: 'NotMoEModelError' }));
  });

  it('NoWebGPUError when WebGPU is forced and no adapter is obtained', async () => {
    const caps = await detectCapabilities();
    expect(caps.webgpuAdapter).toBe(false);
    expect(() => chooseExecutionProvider('webgpu', caps)).toThrowError(expect.objectContaining({ name: 'NoWebGPUError' }));
    expect(chooseExecutionProvider('auto', caps).ep).toBe('wasm');
  });
});
