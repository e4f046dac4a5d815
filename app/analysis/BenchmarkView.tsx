/** Benchmark panel: STS Spearman ×100 per template × representation, α grid, bootstrap intervals, export. */
import { memo, useDeferredValue, useState } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ReferenceDot, Tooltip, XAxis, YAxis } from 'recharts';
import { download } from '../download.ts';
import type { BuiltinTemplateId } from '../../workers/templates.ts';
import { runBenchmarkView } from './actions.ts';
import { benchmarkCsv, METHOD_LABEL, METHODS, type Method } from './benchmark.ts';
import { fmt, TemplateChecklist, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { loadSampleSet, SAMPLE_SETS, useAnalysis } from './state.ts';
import type { BenchmarkResult } from './benchmark.ts';
import { dtypeLabel, isModelDtype } from '../../models/dtypes.ts';
import { YARDSTICK } from '../../workers/yardstick.ts';

/** Resamples per interval: 1,000 is the usual percentile-bootstrap choice; fewer for a quick look. */
const RESAMPLE_CHOICES = [0, 200, 1000, 2000];

/** The in-sample best α is chosen on the pairs it scores: it can only be read as an upper bound. */
const UPPER_BOUND_LABEL = 'MoEE sum best α (in-sample, upper bound)';
const CV_LABEL = 'MoEE sum, cross-validated α';
const label = (m: Method): string => (m === 'sum_best' ? UPPER_BOUND_LABEL : METHOD_LABEL[m]);

/** One-click sample sets shipped with the app, with their licence. */
function SampleSets() {
  const running = useRunning('benchmark');
  return (
    <div className="samples" data-testid="sample-sets">
      <span>No file? Use a sample set:</span>
      {SAMPLE_SETS.map((s) => (
        <button key={s.id} type="button" disabled={running.any} onClick={() => void loadSampleSet(s)} data-testid={`sample-${s.id}`}>
          {s.title}
        </button>
      ))}
      <p className="note" data-testid="sample-licence">
        Licence: {SAMPLE_SETS[0].licence}. The SemEval STS 2012–2014 sets are not shipped (their sources allow research use only).
      </p>
    </div>
  );
}

export function BenchmarkView() {
  const dataset = useAnalysis((s) => s.dataset);
  const result = useAnalysis((s) => s.benchmark);
  const running = useRunning('benchmark');
  const [templates, setTemplates] = useState<BuiltinTemplateId[]>(['none', 'prompteol']);
  const [methods, setMethods] = useState<Method[]>([...METHODS]);
  const [resamples, setResamples] = useState(1000);
  const [seed, setSeed] = useState(0);
  const [yardstick, setYardstick] = useState(true);
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
        model, dtype and EP. Intervals: seeded 95% percentile bootstrap over pairs. The headline MoEE sum picks α by 5-fold cross-validation over pairs (seeded): each fold is scored with the α the
        other four chose. The in-sample best α is picked on the pairs it scores, so it is only an upper bound.
      </p>
      {!dataset?.pairs && <p className="warning">Upload an STS file above, or pick a sample set, to run the benchmark.</p>}
      <SampleSets />
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
        <label title="A sentence embedder trained for similarity, scored on the same pairs: how far the training-free MoEE is from a trained model">
          <input type="checkbox" checked={yardstick} onChange={(e) => setYardstick(e.target.checked)} data-testid="bench-yardstick" /> yardstick: {YARDSTICK.name} ({YARDSTICK.kind})
        </label>
        <label>
          Seed <input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value) || 0)} style={{ width: 70 }} />
        </label>
        <button type="button" disabled={!dataset?.pairs || running.any || templates.length === 0 || methods.length === 0} onClick={() => void runBenchmarkView({ templates, methods, resamples, seed, yardstick })} data-testid="benchmark-run">
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
                  <th key={m}>{label(m)}</th>
                ))}
                <th>{CV_LABEL} (5-fold)</th>
                <th>α per fold</th>
                <th>in-sample best α</th>
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
                  <td className="headline">
                    <strong data-testid={`cv-score-${r.template}`}>{r.crossValidated.score.toFixed(2)}</strong>
                    {r.crossValidated.interval && <span className="ci" data-testid={`ci-${r.template}-cv`}>{` [${fmt(r.crossValidated.interval.low)}, ${fmt(r.crossValidated.interval.high)}]`}</span>}
                  </td>
                  <td data-testid={`cv-alphas-${r.template}`}>{r.crossValidated.folds.map((f) => f.alpha).join(', ')}</td>
                  <td data-testid={`best-alpha-${r.template}`}>{r.scores.bestAlpha}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.yardstick && (
            <table className="results" data-testid="benchmark-yardstick">
              <thead>
                <tr>
                  <th>reference</th>
                  <th>model</th>
                  <th>Spearman ×100 (raw text, mean pooling)</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">{YARDSTICK.kind}: not training-free, unlike every row above</th>
                  <td>
                    {result.yardstick.name} · {isModelDtype(result.yardstick.dtype) ? dtypeLabel(result.yardstick.dtype) : result.yardstick.dtype} on WASM
                  </td>
                  <td>
                    <strong data-testid="score-yardstick">{result.yardstick.score.toFixed(2)}</strong>
                    {result.yardstick.interval && <span className="ci" data-testid="ci-yardstick">{` [${fmt(result.yardstick.interval.low)}, ${fmt(result.yardstick.interval.high)}]`}</span>}
                  </td>
                </tr>
              </tbody>
            </table>
          )}
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

/** Series of the bar chart, in bar (and legend) order: the chosen methods with the cross-validated sum before the upper bound. */
type Series = { key: Method | 'cv'; name: string };

function seriesOf(methods: Method[]): Series[] {
  const out: Series[] = methods.filter((m) => m !== 'sum_best').map((m) => ({ key: m, name: label(m) }));
  out.push({ key: 'cv', name: CV_LABEL });
  if (methods.includes('sum_best')) out.push({ key: 'sum_best', name: UPPER_BOUND_LABEL });
  return out;
}

/** A y-axis range in steps of 10 that holds every value and whisker and always includes 0. */
function tenRange(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return [Math.min(0, Math.floor(Math.min(...finite) / 10) * 10), Math.max(10, Math.ceil(Math.max(...finite) / 10) * 10)];
}

const Y_LABEL = { value: 'Spearman ×100', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } } as const;
const TEMPLATE_LABEL = { value: 'template', position: 'insideBottom', offset: -4 } as const;
const ALPHA_LABEL = { value: 'α', position: 'insideBottom', offset: -4 } as const;
const MARGIN = { top: 16, right: 12, bottom: 16, left: 8 };

/** Ticks every 10 (every 20 past a span of 100) across a tenRange. */
const tensTicks = ([lo, hi]: [number, number]) => Array.from({ length: Math.floor((hi - lo) / (hi - lo > 100 ? 20 : 10)) + 1 }, (_, i) => lo + i * (hi - lo > 100 ? 20 : 10));

/** The bar chart with bootstrap whiskers and the α curve; memoised and fed a deferred result. */
const BenchmarkCharts = memo(function BenchmarkCharts({ result }: { result: BenchmarkResult | null }) {
  if (!result) return null;
  const series = seriesOf(result.settings.methods);
  const valueOf = (r: BenchmarkResult['rows'][number], key: Series['key']) => (key === 'cv' ? r.crossValidated.score : r.scores.all[key]);
  const intervalOf = (r: BenchmarkResult['rows'][number], key: Series['key']) => (key === 'cv' ? r.crossValidated.interval : r.intervals[key]);
  // Whiskers as [below, above] distances from the bar's top, as recharts' ErrorBar reads them.
  const chartData = result.rows.map((r) => ({
    template: r.template,
    ...Object.fromEntries(series.flatMap(({ key }) => {
      const ci = intervalOf(r, key);
      const v = valueOf(r, key);
      return [[key, v], [`${key}_ci`, ci ? [v - ci.low, ci.high - v] : [0, 0]]];
    })),
  }));
  const barRange = tenRange(result.rows.flatMap((r) => series.flatMap(({ key }) => [valueOf(r, key), intervalOf(r, key)?.low ?? 0, intervalOf(r, key)?.high ?? 0])));
  const alphaData = result.rows[0].alphaGrid.map((a, i) => ({ alpha: a.alpha, ...Object.fromEntries(result.rows.map((r) => [r.template, Math.round(r.alphaGrid[i].score * 10000) / 100])) }));
  const alphaRange = tenRange(result.rows.flatMap((r) => r.alphaGrid.map((a) => a.score * 100)));
  return (
    <div className="charts">
      <figure data-testid="bench-bars">
        <figcaption>Spearman ×100 by template, with 95% bootstrap intervals</figcaption>
        <BarChart width={900} height={320} data={chartData} margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="template" label={TEMPLATE_LABEL} />
          <YAxis domain={barRange} ticks={tensTicks(barRange)} label={Y_LABEL} />
          <Tooltip />
          <Legend itemSorter={null} verticalAlign="top" />
          {series.map(({ key, name }, i) => (
            <Bar key={key} dataKey={key} name={name} fill={SERIES_COLORS[i % SERIES_COLORS.length]} fillOpacity={key === 'sum_best' ? 0.35 : 1} isAnimationActive={false}>
              <ErrorBar dataKey={`${key}_ci`} width={4} stroke="#222" strokeWidth={1.5} />
            </Bar>
          ))}
        </BarChart>
      </figure>
      <figure data-testid="alpha-grid">
        <figcaption>MoEE sum: in-sample Spearman ×100 over the α grid (dot: in-sample best α, an upper bound)</figcaption>
        <LineChart width={480} height={300} data={alphaData} margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="alpha" type="number" domain={[0.1, 1]} ticks={[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]} label={ALPHA_LABEL} />
          <YAxis domain={alphaRange} ticks={tensTicks(alphaRange)} label={Y_LABEL} />
          <Tooltip />
          <Legend itemSorter={null} verticalAlign="top" />
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
