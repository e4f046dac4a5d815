/**
 * Reader for moee_reference_stats.{json,bin} (models/build/reference_stats.py): per template, the
 * mean and population std of HS, RW softmax and RW logits over a fixed reference set.
 */
import { readFloat32, type TensorEntry } from './tensor-file.ts';

/** Per-dimension mean and population std of one representation over the reference set. */
export interface DimensionStatsF32 {
  mean: Float32Array;
  std: Float32Array;
}

/** Standardisation statistics shipped with a model, per built-in template (last-token pooling). */
export type ReferenceStats = Partial<Record<string, { hs: DimensionStatsF32; rw_softmax: DimensionStatsF32; rw_logits: DimensionStatsF32 }>>;

export const REFERENCE_STATS_FILES = { manifest: 'moee_reference_stats.json', blob: 'moee_reference_stats.bin' } as const;

interface Manifest {
  templates: Record<string, Record<'hs' | 'rw_softmax' | 'rw_logits', { mean: TensorEntry; std: TensorEntry }>>;
}

export function readReferenceStats(manifestText: string, blob: Uint8Array): ReferenceStats {
  const manifest = JSON.parse(manifestText) as Manifest;
  const out: ReferenceStats = {};
  for (const [template, reps] of Object.entries(manifest.templates)) {
    const read = (r: 'hs' | 'rw_softmax' | 'rw_logits') => ({ mean: readFloat32(blob, reps[r].mean), std: readFloat32(blob, reps[r].std) });
    out[template] = { hs: read('hs'), rw_softmax: read('rw_softmax'), rw_logits: read('rw_logits') };
  }
  return out;
}
