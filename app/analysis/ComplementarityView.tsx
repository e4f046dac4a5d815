/** Complementarity (paper Table 1 and Fig. 2): do HS and RW group texts alike, and do they err on the same pairs? */
import { useMemo, useState } from 'react';
import { DEFAULT_FAIL_THRESHOLD, matchedContingency } from '../../core/index.ts';
import { viridis } from '../colormap.ts';
import { runComplementarity } from './actions.ts';
import { fmt, TemplateSelect, useRunning, ViewError } from './common.tsx';
import { useAnalysis, type ComplementarityResult } from './state.ts';

/** Pairs listed per failure group before "show all". */
const LIST_PREVIEW = 25;

function PairList({ title, ids, result, testId }: { title: string; ids: number[]; result: NonNullable<ComplementarityResult['errors']>; testId: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? ids : ids.slice(0, LIST_PREVIEW);
  return (
    <details open data-testid={testId}>
      <summary>
        {title}: {ids.length} pairs
      </summary>
      <table className="results pairs">
        <thead>
          <tr>
            <th>sentence 1</th>
            <th>sentence 2</th>
            <th>gold</th>
            <th>HS cos (rank error)</th>
            <th>RW cos (rank error)</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((i) => (
            <tr key={i}>
              <td>{result.pairs[i].sentence1}</td>
              <td>{result.pairs[i].sentence2}</td>
              <td>{result.pairs[i].score}</td>
              <td>
                {fmt(result.hsSim[i], 3)} ({fmt(result.analysis.hsError[i])})
              </td>
              <td>
                {fmt(result.rwSim[i], 3)} ({fmt(result.analysis.rwError[i])})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {ids.length > LIST_PREVIEW && (
        <button type="button" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${ids.length}`}
        </button>
      )}
    </details>
  );
}

/**
 * HS clusters × RW clusters as a heatmap: RW's columns reordered by the best one-to-one matching, so
 * agreement is the diagonal and disagreement the off-diagonal mass. Small (k × k), so an HTML table.
 */
function ContingencyHeatmap({ hs, rw }: { hs: Int32Array; rw: Int32Array }) {
  const m = useMemo(() => matchedContingency(hs, rw), [hs, rw]);
  const max = Math.max(1, ...m.counts);
  return (
    <figure data-testid="contingency">
      <figcaption>
        Texts per HS cluster (rows) × RW cluster (columns), columns matched to rows: on the diagonal {m.matched} of {m.n} texts ({((m.matched / Math.max(1, m.n)) * 100).toFixed(1)}%, the exact
        match), off it {m.n - m.matched}
      </figcaption>
      <table className="results contingency" data-testid="contingency-table">
        <thead>
          <tr>
            <th scope="col">HS \ RW</th>
            {m.colLabels.map((c) => (
              <th key={c} scope="col">{`RW ${c}`}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.rowLabels.map((r, i) => (
            <tr key={r}>
              <th scope="row">{`HS ${r}`}</th>
              {m.colLabels.map((c, j) => {
                const v = m.counts[i * m.kb + j];
                const [red, g, b] = viridis(v / max);
                return (
                  <td key={c} style={{ background: `rgb(${red},${g},${b})`, color: v / max > 0.6 ? '#000' : '#fff', outline: i === j ? '2px solid #1d2030' : undefined }} title={`HS cluster ${r}, RW cluster ${c}: ${v} texts`}>
                    {v}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">Colour: texts in the cell, 0 (dark) … {max} (yellow); outlined: the matched pairs.</p>
    </figure>
  );
}

export function ComplementarityView() {
  const result = useAnalysis((s) => s.complementarity);
  const running = useRunning('complementarity');
  const [k, setK] = useState(3);
  const [seed, setSeed] = useState(0);
  const [threshold, setThreshold] = useState(DEFAULT_FAIL_THRESHOLD);
  const errors = result?.errors;
  const failing = errors ? errors.analysis.hsOnly.length + errors.analysis.rwOnly.length + errors.analysis.both.length : 0;

  return (
    <section className="panel" aria-label="Complementarity" data-testid="view-complementarity">
      <h2>Complementarity of HS and RW</h2>
      <p className="note">
        k-means (k-means++ starts, seeded) on HS and on RW of the same texts, compared by AMI, NMI, pair-counting Jaccard and exact match after the best one-to-one matching of cluster ids
        (the paper: 0.29, 0.29, 0.06, 45.5%). With an STS set: a pair <em>fails</em> under a method when its similarity’s percentile rank is more than the threshold away from its gold score’s.
      </p>
      <div className="controls">
        <TemplateSelect />
        <label>
          k <input type="number" min={2} value={k} onChange={(e) => setK(Math.max(2, Number(e.target.value) || 2))} style={{ width: 60 }} data-testid="kmeans-k" />
        </label>
        <label>
          Seed <input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value) || 0)} style={{ width: 60 }} />
        </label>
        <label>
          Fail threshold <input type="number" step={0.05} min={0.05} max={0.95} value={threshold} onChange={(e) => setThreshold(Number(e.target.value) || DEFAULT_FAIL_THRESHOLD)} style={{ width: 60 }} />
        </label>
        <button type="button" disabled={running.any} onClick={() => void runComplementarity(k, seed, threshold)} data-testid="complementarity-run">
          Run
        </button>
      </div>
      <ViewError view="complementarity" />
      {result && (
        <>
          <table className="results" data-testid="complementarity-scores">
            <thead>
              <tr>
                <th>texts</th>
                <th>k</th>
                <th>AMI</th>
                <th>NMI</th>
                <th>Jaccard</th>
                <th>exact match</th>
                <th>ms</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>
                  {result.texts.length} ({result.source}, {result.template})
                </td>
                <td>{result.k}</td>
                <td data-testid="ami">{fmt(result.clusters.ami, 3)}</td>
                <td data-testid="nmi">{fmt(result.clusters.nmi, 3)}</td>
                <td data-testid="jaccard">{fmt(result.clusters.jaccard, 3)}</td>
                <td data-testid="exact-match">{fmt(result.clusters.exactMatch * 100, 1)}%</td>
                <td>{result.clusters.ms.toFixed(0)}</td>
              </tr>
            </tbody>
          </table>
          {result.clusters.vsLabels && (
            <table className="results" data-testid="clusters-vs-labels">
              <thead>
                <tr>
                  <th>against the source’s labels</th>
                  <th>AMI</th>
                  <th>NMI</th>
                </tr>
              </thead>
              <tbody>
                {(['hs', 'rw'] as const).map((k) => (
                  <tr key={k}>
                    <th scope="row">{k.toUpperCase()} clusters</th>
                    <td data-testid={`labels-ami-${k}`}>{fmt(result.clusters.vsLabels![k].ami, 3)}</td>
                    <td>{fmt(result.clusters.vsLabels![k].nmi, 3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <ContingencyHeatmap hs={result.clusters.hsLabels} rw={result.clusters.rwLabels} />
          {result.texts.length <= 60 && (
            <details>
              <summary>Cluster of every text</summary>
            <table className="results pairs">
              <thead>
                <tr>
                  <th>text</th>
                  <th>HS cluster</th>
                  <th>RW cluster</th>
                </tr>
              </thead>
              <tbody>
                {result.texts.map((t, i) => (
                  <tr key={i}>
                    <td>{t}</td>
                    <td>{result.clusters.hsLabels[i]}</td>
                    <td>{result.clusters.rwLabels[i]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </details>
          )}
          {errors && (
            <div data-testid="error-analysis">
              <h3>Error analysis (threshold {errors.analysis.threshold})</h3>
              <p className="note" data-testid="error-counts">
                HS only {errors.analysis.hsOnly.length} · RW only {errors.analysis.rwOnly.length} · both {errors.analysis.both.length} · neither {errors.analysis.neither}
                {failing > 0 && ` — of the ${failing} failing pairs, ${fmt(((errors.analysis.hsOnly.length + errors.analysis.rwOnly.length) / failing) * 100, 1)}% fail under exactly one`}
              </p>
              <p className="note" data-testid="rank-error-note">
                Rank error: how far a pair’s similarity ranks from where its gold score ranks, as a difference of percentile ranks (0: same place, 0.5: half the list apart).
              </p>
              <PairList title="Fail under HS only" ids={errors.analysis.hsOnly} result={errors} testId="fails-hs-only" />
              <PairList title="Fail under RW only" ids={errors.analysis.rwOnly} result={errors} testId="fails-rw-only" />
              <PairList title="Fail under both" ids={errors.analysis.both} result={errors} testId="fails-both" />
            </div>
          )}
        </>
      )}
    </section>
  );
}
