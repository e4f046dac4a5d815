import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StsDataMissingError, stsDataDir, stsFile } from './sts-data.ts';

describe('stsDataDir', () => {
  it('takes $MOEE_STS_DIR when it holds the three files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moee-sts-dir-'));
    for (const f of ['sts12.tsv', 'sts13.tsv', 'sts14.tsv']) writeFileSync(join(dir, f), 'subset\tscore\tsentence1\tsentence2\n');
    expect(stsDataDir({ MOEE_STS_DIR: dir })).toBe(dir);
    expect(stsFile('sts14.tsv', { MOEE_STS_DIR: dir })).toBe(join(dir, 'sts14.tsv'));
  });

  it('names the folders it looked in when $MOEE_STS_DIR lacks a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'moee-sts-dir-'));
    writeFileSync(join(dir, 'sts13.tsv'), '');
    let error: unknown;
    try {
      stsDataDir({ MOEE_STS_DIR: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StsDataMissingError);
    expect((error as StsDataMissingError).searched).toEqual([dir]);
    expect((error as Error).message).toMatch(/Set MOEE_STS_DIR/);
  });

  it('without $MOEE_STS_DIR, takes the nearest shared/data/sts at or above the checkout', () => {
    const root = mkdtempSync(join(tmpdir(), 'moee-sts-tree-'));
    const data = join(root, 'shared', 'data', 'sts');
    mkdirSync(data, { recursive: true });
    for (const f of ['sts12.tsv', 'sts13.tsv', 'sts14.tsv']) writeFileSync(join(data, f), '');
    const checkout = join(root, 'runs', 'clone');
    mkdirSync(checkout, { recursive: true });
    expect(stsDataDir({}, checkout)).toBe(data);
  });

  it('without $MOEE_STS_DIR and no shared folder above, lists every candidate up to the root', () => {
    const lonely = mkdtempSync(join(tmpdir(), 'moee-sts-none-'));
    expect(() => stsDataDir({}, lonely)).toThrow(StsDataMissingError);
    try {
      stsDataDir({}, lonely);
    } catch (e) {
      const searched = (e as StsDataMissingError).searched;
      expect(searched[0]).toBe(join(lonely, 'shared', 'data', 'sts'));
      expect(searched.at(-1)).toBe(join('/', 'shared', 'data', 'sts'));
    }
  });
});
