import { memo } from 'react';
/** The Analysis tab: the paper's findings as views anyone can rerun on their own data with the model in the page. */
import { useStore } from '../store.ts';
import { cancelAnalysis } from './actions.ts';
import { BenchmarkView } from './BenchmarkView.tsx';
import { ComplementarityView } from './ComplementarityView.tsx';
import { DatasetPanel } from './DatasetPanel.tsx';
import { LayersView } from './LayersView.tsx';
import { MapsView } from './MapsView.tsx';
import { NuclearView } from './NuclearView.tsx';
import { RobustnessView } from './RobustnessView.tsx';
import { NeighboursView } from './NeighboursView.tsx';
import { ExpertsView } from './ExpertsView.tsx';
import { AbTestView } from './AbTestView.tsx';
import { ANALYSIS_VIEWS, useAnalysis, type AnalysisViewId } from './state.ts';
import { AppTabs } from './tab.tsx';
import './analysis.css';
import { dtypeLabel } from '../../models/dtypes.ts';

const VIEWS: Record<AnalysisViewId, () => React.JSX.Element> = {
  benchmark: BenchmarkView,
  robustness: RobustnessView,
  complementarity: ComplementarityView,
  maps: MapsView,
  layers: LayersView,
  nuclear: NuclearView,
  neighbours: NeighboursView,
  experts: ExpertsView,
  abtest: AbTestView,
};

/** The run's progress bar and cancel button: the only part that re-renders on progress ticks. */
function RunStatus() {
  const run = useAnalysis((s) => s.run);
  if (!run) return null;
  return (
    <div className="run-status" role="status" data-testid="analysis-run" data-view={run.view}>
      <progress value={run.fraction} max={1} />
      <span data-testid="analysis-run-message">{run.message}</span>
      <button type="button" onClick={cancelAnalysis} data-testid="analysis-cancel">
        Cancel
      </button>
    </div>
  );
}

function EngineLine() {
  const status = useStore((s) => s.engine.status);
  const model = useStore((s) => s.engine.model);
  return (
    <p className="status" data-testid="analysis-engine" data-status={status}>
      {model ? `${model.modelId} · ${dtypeLabel(model.dtype)} on ${model.ep.toUpperCase()}` : `engine: ${status}`}
    </p>
  );
}

/** Memoised: the playground's App re-renders on every engine event, this page needs none of them. */
export const AnalysisPage = memo(function AnalysisPage() {
  const view = useAnalysis((s) => s.view);
  const set = useAnalysis((s) => s.set);
  const View = VIEWS[view];
  return (
    <main className="analysis">
      <header>
        <h1>MoEE Playground</h1>
        <AppTabs tab="analysis" />
        <EngineLine />
      </header>
      <DatasetPanel />
      <nav className="view-tabs" role="tablist" aria-label="Analysis views">
        {ANALYSIS_VIEWS.map((v) => (
          <button key={v.id} type="button" role="tab" aria-selected={view === v.id} className={view === v.id ? 'active' : ''} onClick={() => set({ view: v.id })} data-testid={`view-tab-${v.id}`}>
            {v.label}
          </button>
        ))}
      </nav>
      <RunStatus />
      <View />
    </main>
  );
});
