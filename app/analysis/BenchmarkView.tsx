/** Benchmark panel: STS Spearman ×100 per template × representation, α grid, bootstrap intervals, export. */
import { memo, useDeferredValue, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceDot, Tooltip, XAxis, YAxis } from 'recharts';
import { download } from '../download.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import { runBenchmarkView } from './actions.ts';
import { benchmarkCsv, METHOD_LABEL, METHODS, type Method } from './benchmark.ts';
import { fmt, TemplateChecklist, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { useAnalysis } from './state.ts';
import type { BenchmarkResult } from './benchmark.ts';
import { dtypeLabel, isModelDtype } from '../../models/dtypes.ts';

/** Resamples per interval: 1,000 is the usual percentile-bootstrap choice; fewer for a quick look. */
const RESAMPLE_CHOICES = [0, 200, 1000, 2000];

export function BenchmarkView() {
  const dataset = useAnalysis((s) => s.dataset);
  const result = useAnalysis((s) => s.benchmark);
  const running = useRunning('benchmark');
  const [templates, setTemplates] = useState<BuiltinTemplateId[]>(['none', 'prompteol']);
  const [methods, setMethods] = useState<Method[]>([...METHODS]);
  const [resamples, setResamples] = useState(1000);
  const [seed, setSeed] = useState(0);
  // Charts open on request: mounting recharts' SVG is one uninterruptible commit of 100 ms and more,
  // which a finished run must not add to the page's main thread.
  const [chartsOpen, setChartsOpen] = useState(false);

  const shown = result ? result.settings.methods : [];
  // Charts render at low priority, time-sliced by React, so a finished run never blocks the page for long.
  const deferred = useDeferredValue(result);

  return (
    <section className="panel" aria-label="Benchmark" data-testid="view-benchmark">
      <h2>Benchmark: STS Spearman ×100</h2>
      <p className="note">
        Scored by <code>evaluateSts</code>, the code behind <code>moee eval</code>, with its embedding options (last token, left padding, batch 32), so the numbers equal the CLI’s for the same file,
        model, dtype and EP. Intervals: seeded percentile bootstrap over pairs.
      </p>
      {!dataset?.pairs && <p className="warning">Upload an STS file above to run the benchmark.</p>}
      <div className="controls">
        <TemplateChecklist value={templates} onChange={setTemplates} testId="bench-templates" />
        <fieldset className="checklist" data-testid="bench-methods">
          <legend>Representations</legend>
          {METHODS.map((m) => (
            <label key={m}>
              <input type="checkbox" checked={methods.includes(m)} onChange={(e) => setMethods(e.target.checked ? METHODS.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m))} />
              {METHOD_LABEL[m]}
            </label>
          ))}
        </fieldset>
        <label>
          Bootstrap resamples{' '}
          <select value={resamples} onChange={(e) => setResamples(Number(e.target.value))} data-testid="bench-resamples">
            {RESAMPLE_CHOICES.map((r) => (
              <option key={r} value={r}>
                {r === 0 ? 'none' : r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed <input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value) || 0)} style={{ width: 70 }} />
        </label>
        <button type="button" disabled={!dataset?.pairs || running.any || templates.length === 0 || methods.length === 0} onClick={() => void runBenchmarkView({ templates, methods, resamples, seed })} data-testid="benchmark-run">
          Run benchmark
        </button>
      </div>
      <ViewError view="benchmark" />
      {result && (
        <>
          <p className="note" data-testid="benchmark-summary">
            {result.file}: {result.pairs} pairs · {result.modelId} {isModelDtype(result.dtype) ? dtypeLabel(result.dtype) : result.dtype} on <span data-testid="benchmark-ep">{result.ep}</span> · {result.seconds.toFixed(1)} s
          </p>
          <table className="results" data-testid="benchmark-table">
            <thead>
              <tr>
                <th>template</th>
                {shown.map((m) => (
                  <th key={m}>{METHOD_LABEL[m]}</th>
                ))}
                <th>best α</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr key={r.template}>
                  <th scope="row">{r.template}</th>
                  {shown.map((m) => {
                    const ci = r.intervals[m];
                    return (
                      <td key={m}>
                        <span data-testid={`score-${r.template}-${m}`}>{r.scores.all[m].toFixed(2)}</span>
                        {ci && <span className="ci" data-testid={`ci-${r.template}-${m}`}>{` [${fmt(ci.low)}, ${fmt(ci.high)}]`}</span>}
                      </td>
                    );
                  })}
                  <td data-testid={`best-alpha-${r.template}`}>{r.scores.bestAlpha}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="buttons">
            <button type="button" onClick={() => download('moee-benchmark.csv', new Blob([benchmarkCsv(result)], { type: 'text/csv' }))} data-testid="benchmark-csv">
              Export CSV
            </button>
            <button type="button" onClick={() => download('moee-benchmark.json', new Blob([JSON.stringify(result, null, 1)], { type: 'application/json' }))} data-testid="benchmark-json">
              Export JSON
            </button>
          </div>
          <button type="button" aria-expanded={chartsOpen} onClick={() => setChartsOpen(!chartsOpen)} data-testid="benchmark-charts-toggle">
            {chartsOpen ? 'Hide charts' : 'Show charts'}
          </button>
          {chartsOpen && <BenchmarkCharts result={deferred} />}
        </>
      )}
    </section>
  );
}

/** The bar chart and the α curve; memoised and fed a deferred result. */
const BenchmarkCharts = memo(function BenchmarkCharts({ result }: { result: BenchmarkResult | null }) {
  if (!result) return null;
  const shown = result.settings.methods;
  const chartData = result.rows.map((r) => ({ template: r.template, ...Object.fromEntries(shown.map((m) => [m, r.scores.all[m]])) }));
  const alphaData = result.rows[0].alphaGrid.map((a, i) => ({ alpha: a.alpha, ...Object.fromEntries(result.rows.map((r) => [r.template, Math.round(r.alphaGrid[i].score * 10000) / 100])) }));
  return (
    <div className="charts">
      <figure>
        <figcaption>Spearman ×100 by template</figcaption>
        <BarChart width={560} height={260} data={chartData}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="template" />
          <YAxis />
          <Tooltip />
          <Legend />
          {shown.map((m, i) => (
            <Bar key={m} dataKey={m} name={METHOD_LABEL[m]} fill={SERIES_COLORS[i % SERIES_COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </figure>
      <figure data-testid="alpha-grid">
        <figcaption>MoEE sum: Spearman ×100 over the α grid (dot: best α)</figcaption>
        <LineChart width={480} height={260} data={alphaData}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="alpha" type="number" domain={[0.1, 1]} ticks={[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]} />
          <YAxis domain={['auto', 'auto']} />
          <Tooltip />
          <Legend />
          {result.rows.map((r, i) => (
            <Line key={r.template} dataKey={r.template} stroke={SERIES_COLORS[i % SERIES_COLORS.length]} dot={false} isAnimationActive={false} />
          ))}
          {result.rows.map((r, i) => (
            <ReferenceDot key={`best-${r.template}`} x={r.scores.bestAlpha} y={r.scores.all.sum_best} r={5} fill={SERIES_COLORS[i % SERIES_COLORS.length]} stroke="#000" />
          ))}
        </LineChart>
      </figure>
    </div>
  );
});
