/** Complementarity (paper Table 1 and Fig. 2): do HS and RW group texts alike, and do they err on the same pairs? */
import { useState } from 'react';
import { DEFAULT_FAIL_THRESHOLD } from '../../core/index.ts';
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
          {result.texts.length <= 60 && (
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
          )}
          {errors && (
            <div data-testid="error-analysis">
              <h3>Error analysis (threshold {errors.analysis.threshold})</h3>
              <p className="note" data-testid="error-counts">
                HS only {errors.analysis.hsOnly.length} · RW only {errors.analysis.rwOnly.length} · both {errors.analysis.both.length} · neither {errors.analysis.neither}
                {failing > 0 && ` — of the ${failing} failing pairs, ${fmt(((errors.analysis.hsOnly.length + errors.analysis.rwOnly.length) / failing) * 100, 1)}% fail under exactly one`}
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
