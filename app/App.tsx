/** The playground: sentences in, HS / RW / MoEE similarity matrices and routing out, live. */
import { useEffect } from 'react';
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

export function App() {
  const engine = useStore((s) => s.engine);
  const rwKind = useStore((s) => s.settings.rwKind);
  const standardization = useStore((s) => s.settings.standardization);
  const similarity = useSimilarity(engine.result, engine.resultTexts, rwKind, standardization === 'reference' ? engine.referenceStats : null);

  useEffect(() => {
    // The shared settings are in the store now; later reloads should keep later edits.
    consumeShareHash();
    void loadModel();
    // Load once on start; later loads come from the model panel.
  }, []);

  return (
    <main>
      <header>
        <h1>MoEE Playground</h1>
        <p className="tagline">Your MoE LLM’s routers are an embedding model for free: compare the hidden state (HS), the routing weights (RW) and both (MoEE).</p>
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
          <div className="status" role="status" data-testid="status" data-status={engine.status}>
            {engine.status === 'embedding' && engine.embedProgress ? `Embedding ${engine.embedProgress.done} / ${engine.embedProgress.total}…` : engine.status}
          </div>
          <MatricesView similarity={similarity} />
          {engine.result && engine.model && <RoutingView result={engine.result} texts={engine.resultTexts} topK={engine.model.topK} moeLayers={engine.model.moeLayers} />}
        </div>
      </div>
    </main>
  );
}
