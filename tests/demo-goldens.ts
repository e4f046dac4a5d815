/** Test data helpers beside the Node engine (workers/node-engine.ts, which tests use directly). */
import { readFileSync } from 'node:fs';
import { readGoldens, type GoldenCase, type GoldenManifest } from '../models/goldens.ts';

export function loadDemoGoldens(): GoldenCase[] {
  const dir = new URL('../models/moee-demo/goldens/', import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('goldens.json', dir), 'utf8')) as GoldenManifest;
  return readGoldens(manifest, new Uint8Array(readFileSync(new URL('goldens.bin', dir))));
}
