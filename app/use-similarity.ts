/**
 * The similarity matrices of the current result, computed in the derive worker. The cheap parts
 * (MoEE sum for the α slider, HS − RW) are left to the caller on the main thread.
 */
import { startTransition, useEffect, useState } from 'react';
import { deriveCosines } from './derive-client.ts';
import { hsMatrix, referenceStatsFor, rwMatrix, type CosineMatrices } from './derive.ts';
import type { EmbedResult, ReferenceStats, RwKind } from '../workers/protocol.ts';

export interface SimilarityState {
  cosines: CosineMatrices | null;
  /** The result and RW kind the cosines were computed from (they may lag behind while a new set is computed). */
  source: { result: EmbedResult; texts: string[]; rwKind: RwKind } | null;
  pending: boolean;
  error: string | null;
}

export function useSimilarity(result: EmbedResult | null, texts: string[], rwKind: RwKind, stats: ReferenceStats | null): SimilarityState {
  const [state, setState] = useState<SimilarityState>({ cosines: null, source: null, pending: false, error: null });
  useEffect(() => {
    if (!result) {
      setState({ cosines: null, source: null, pending: false, error: null });
      return;
    }
    let current = true;
    setState((s) => ({ ...s, pending: true }));
    const hs = hsMatrix(result);
    const rw = rwMatrix(result, rwKind);
    deriveCosines(
      hs,
      rw,
      referenceStatsFor(result, stats, rwKind),
    ).then(
      // A transition: React may split drawing four large matrices into several short tasks.
      (cosines) => current && startTransition(() => setState({ cosines, source: { result, texts, rwKind }, pending: false, error: null })),
      (error: unknown) => current && setState((s) => ({ ...s, pending: false, error: String(error) })),
    );
    return () => {
      current = false;
    };
  }, [result, texts, rwKind, stats]);
  return state;
}
