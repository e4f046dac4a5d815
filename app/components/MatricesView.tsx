/**
 * The similarity matrices: HS, RW, MoEE concat, MoEE sum (or one of them, or HS − RW), each with
 * the settings that produced it. Heavy cosines come from the derive worker; the α sum is cheap.
 */
import { memo, useMemo } from 'react';
import { moeeSum } from '../../core/index.ts';
import { clusterOrder, REPRESENTATION_LABEL } from '../derive.ts';
import { useStaggerPending } from '../stagger.ts';
import { REPRESENTATIONS, useStore } from '../store.ts';
import type { SimilarityState } from '../use-similarity.ts';
import { MatrixCanvas, type ColourDomain } from './MatrixCanvas.tsx';
import { dtypeLabel } from '../../models/dtypes.ts';
import { LoadPhasesPlaceholder } from './ModelPanel.tsx';
import { YardstickMatrix } from './YardstickMatrix.tsx';

/** What each matrix's colours measure (unitless cosines; the sum of two runs 0–2 for α = 1 over non-negative cosines). */
const LEGEND_NAME: Record<(typeof REPRESENTATIONS)[number], string> = {
  hs: 'cosine',
  rw: 'cosine',
  concat: 'cosine, z-scored concat',
  sum: 'cos HS + α·cos RW (0–1+α)',
};

/**
 * One scale for all four matrices: a cosine's whole range −1 … 1, and for the sum (cos HS + α·cos RW)
 * its whole range −(1+α) … 1+α, so a colour means the same share of the maximum in every matrix
 * and a matrix whose values sit in a narrow band (noise) looks uniform instead of structured.
 */
function fixedDomains(alpha: number): Record<(typeof REPRESENTATIONS)[number], ColourDomain> {
  const cosine = { low: -1, high: 1, label: 'fixed −1 … 1, shared by the four matrices' };
  const top = 1 + alpha;
  return { hs: cosine, rw: cosine, concat: cosine, sum: { low: -top, high: top, label: `fixed −(1+α) … 1+α, the same scale as the cosines` } };
}

const orderLine = (order: string) => `order: ${order === 'cluster' ? 'similar together (by MoEE sum)' : 'as typed'}`;

export const MatricesView = memo(function MatricesView({ similarity }: { similarity: SimilarityState }) {
  const view = useStore((s) => s.settings.view);
  const alpha = useStore((s) => s.settings.alpha);
  const order = useStore((s) => s.settings.order);
  const colorScale = useStore((s) => s.settings.colorScale);
  const showYardstick = useStore((s) => s.settings.yardstick);
  const embedding = useStore((s) => s.engine.status === 'embedding');
  // Views still waiting for their turn to draw (stagger.ts) count as updating too, and so do
  // matrices of an older result than the store's (the deferred render has not caught up yet).
  const drawing = useStaggerPending();
  const latest = useStore((s) => s.engine.result);
  const stale = latest !== null && similarity.source?.result !== latest && !similarity.error;
  const { cosines, source } = similarity;

  const sum = useMemo(() => (cosines ? moeeSum(cosines.hs, cosines.rw, alpha) : null), [cosines, alpha]);
  const difference = useMemo(() => (cosines && view === 'compare' ? cosines.hs.map((v, i) => v - cosines.rw[i]) : null), [cosines, view]);
  const displayOrder = useMemo(() => {
    if (!cosines || !sum) return [];
    return order === 'cluster' ? clusterOrder(sum, cosines.n) : Array.from({ length: cosines.n }, (_, i) => i);
  }, [cosines, sum, order]);

  const updating = similarity.pending || embedding || drawing || stale;
  if (!cosines || !source || !sum) {
    if (similarity.error) return <p className="warning" role="status">Could not compute the matrices: {similarity.error}</p>;
    return (
      <>
        <LoadPhasesPlaceholder />
        {updating && <span className="updating" data-testid="updating">updating…</span>}
      </>
    );
  }
  const { result, rwKind, texts: labels } = source;
  const o = result.options;
  const base = [
    `${o.template.id} template${o.instruction ? ' + instruction' : ''}`,
    `${o.pooling === 'last' ? 'last' : 'mean'} token`,
    `${result.modelId} · ${dtypeLabel(result.dtype)} on ${result.ep.toUpperCase()}`,
    orderLine(order),
  ];
  const rwLine = `RW ${rwKind}`;
  const settingsOf = (rep: string) => ({
    representation: rep,
    modelId: result.modelId,
    dtype: result.dtype,
    ep: result.ep,
    template: o.template,
    instruction: o.instruction,
    pooling: o.pooling,
    padding: o.padding,
    maxTokens: o.maxTokens,
    rwKind,
    ...(rep === 'concat' ? { standardization: cosines.concatStats } : {}),
    ...(rep === 'sum' ? { alpha } : {}),
  });
  const lines = {
    hs: base,
    rw: [...base, rwLine],
    concat: [...base, rwLine, `z-scored by ${cosines.concatStats === 'reference' ? 'reference set' : 'this batch'}`],
    sum: [...base, rwLine, `α = ${alpha.toFixed(2)}`],
  };
  const values = { hs: cosines.hs, rw: cosines.rw, concat: cosines.concat, sum };
  const shown = view === 'all' ? REPRESENTATIONS : view === 'compare' ? [] : [view];
  const domains = colorScale === 'fixed' ? fixedDomains(alpha) : null;

  return (
    <section className="matrices" aria-labelledby="matrices-title" aria-busy={updating}>
      <h2 id="matrices-title" className="visually-hidden">Similarity matrices</h2>
      {updating && <span className="updating" data-testid="updating">updating…</span>}
      {shown.map((rep) => (
        <MatrixCanvas
          key={rep}
          id={rep}
          title={REPRESENTATION_LABEL[rep] + (rep === 'sum' ? ` (α = ${alpha.toFixed(2)})` : '')}
          settingsLines={lines[rep]}
          settings={settingsOf(rep)}
          values={values[rep]}
          labels={labels}
          order={displayOrder}
          scale="sequential"
          legendName={LEGEND_NAME[rep]}
          domain={domains?.[rep]}
        />
      ))}
      {view === 'compare' && difference && (
        <MatrixCanvas
          id="compare"
          title="HS − RW"
          settingsLines={[...base, rwLine, 'red: HS finds the pair more similar; blue: RW does']}
          settings={settingsOf('hs-minus-rw')}
          values={difference}
          labels={labels}
          order={displayOrder}
          scale="diverging"
          legendName="cos HS − cos RW"
        />
      )}
      {showYardstick && <YardstickMatrix texts={labels} order={displayOrder} domain={domains?.hs} orderLine={orderLine(order)} />}
    </section>
  );
});
