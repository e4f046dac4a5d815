/** The playground: sentences in, HS / RW / MoEE similarity matrices and routing out, live. */
import { useDeferredValue, useEffect } from 'react';
import { Controls } from './components/Controls.tsx';
import { ErrorPanel } from './components/ErrorPanel.tsx';
import { LiveEmbedding } from './components/LiveEmbedding.tsx';
import { MatricesView } from './components/MatricesView.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { RoutingView } from './components/RoutingHeatmap.tsx';
import { ShareLink } from './components/ShareLink.tsx';
import { TextEditor } from './components/TextEditor.tsx';
import { loadModel } from './engine.ts';
import { consumeShareHash, useStore } from './store.ts';
import { useSimilarity } from './use-similarity.ts';
import { AnalysisPage } from './analysis/AnalysisPage.tsx';
import { AppTabs, useAppTab } from './analysis/tab.tsx';

export function App() {
  const tab = useAppTab();
  // Narrow selectors: typing or a progress event must not re-render the whole page.
  const model = useStore((s) => s.engine.model);
  const referenceStats = useStore((s) => s.engine.referenceStats);
  const rwKind = useStore((s) => s.settings.rwKind);
  const standardization = useStore((s) => s.settings.standardization);
  // Deferred: a new result re-renders the views in an interruptible render, in short tasks.
  const result = useDeferredValue(useStore((s) => s.engine.result));
  const resultTexts = useDeferredValue(useStore((s) => s.engine.resultTexts));
  const similarity = useSimilarity(result, resultTexts, rwKind, standardization === 'reference' ? referenceStats : null);

  useEffect(() => {
    // The shared settings are in the store now; later reloads should keep later edits.
    consumeShareHash();
    void loadModel();
    // Load once on start; later loads come from the model panel.
  }, []);

  if (tab === 'analysis') return <AnalysisPage />;

  return (
    <main>
      <header>
        <h1>MoEE Playground</h1>
        <p className="tagline">Your MoE LLM’s routers are an embedding model for free: compare the hidden state (HS), the routing weights (RW) and both (MoEE).</p>
        <AppTabs tab="playground" />
        <ShareLink />
      </header>
      <LiveEmbedding />
      <ErrorPanel />
      <div className="layout">
        <div className="column">
          <TextEditor />
          <Controls similarity={similarity} />
          <ModelPanel />
        </div>
        <div className="column wide">
          <StatusLine />
          <MatricesView similarity={similarity} />
          {result && model && result.modelId === model.modelId && <RoutingView result={result} texts={resultTexts} topK={model.topK} moeLayers={model.moeLayers} />}
        </div>
      </div>
    </main>
  );
}

/** What the engine is doing, for people and for tests (data-status). */
function StatusLine() {
  const status = useStore((s) => s.engine.status);
  const progress = useStore((s) => s.engine.embedProgress);
  return (
    <div className="status" role="status" data-testid="status" data-status={status}>
      {status === 'embedding' ? (progress ? `Embedding ${progress.done} / ${progress.total}…` : 'embedding…') : status}
    </div>
  );
}
