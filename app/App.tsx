/** The playground: sentences in, HS / RW / MoEE similarity matrices and routing out, live. */
import { useEffect, useMemo } from 'react';
import { Controls } from './components/Controls.tsx';
import { ErrorPanel } from './components/ErrorPanel.tsx';
import { MatrixCanvas } from './components/MatrixCanvas.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { RoutingView } from './components/RoutingHeatmap.tsx';
import { TextEditor } from './components/TextEditor.tsx';
import { embedTexts, loadModel } from './engine.ts';
import { clusterOrder, REPRESENTATION_LABEL, similarityMatrices } from './derive.ts';
import { REPRESENTATIONS, shareUrl, useStore } from './store.ts';
import { AnalysisPage } from './analysis/AnalysisPage.tsx';
import { AppTabs, useAppTab } from './analysis/tab.tsx';

/** Typing pauses this long before the texts are embedded again. */
const EMBED_DEBOUNCE_MS = 400;

export function App() {
  const settings = useStore((s) => s.settings);
  const engine = useStore((s) => s.engine);
  const setSettings = useStore((s) => s.setSettings);
  const { result, resultTexts, model } = engine;
  const tab = useAppTab();

  useEffect(() => {
    void loadModel();
    // Load once on start; later loads come from the model panel.
  }, []);

  // Re-embed when anything the embedding depends on changes (not α, RW kind or order: those are views).
  useEffect(() => {
    if (!model) return;
    const timer = setTimeout(() => void embedTexts(), EMBED_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [model, settings.text, settings.templateId, settings.customTemplate, settings.useInstruction, settings.instruction, settings.pooling, settings.padding, settings.maxTokens]);

  const stats = settings.standardization === 'reference' ? engine.referenceStats : null;
  const matrices = useMemo(() => (result ? similarityMatrices(result, settings.rwKind, settings.alpha, stats) : null), [result, settings.rwKind, settings.alpha, stats]);
  const order = useMemo(() => {
    if (!matrices) return [];
    return settings.order === 'cluster' ? clusterOrder(matrices.sum, matrices.n) : Array.from({ length: matrices.n }, (_, i) => i);
  }, [matrices, settings.order]);

  const caption = result
    ? `${result.options.template.id} template · RW ${settings.rwKind} · ${result.options.pooling} token · ${result.dtype === 'q8' ? 'int8' : 'fp32'} on ${result.ep.toUpperCase()}`
    : '';
  const shown = settings.view === 'all' ? REPRESENTATIONS : settings.view === 'compare' ? [] : [settings.view];
  if (tab === 'analysis') return <AnalysisPage />;

  return (
    <main>
      <header>
        <h1>MoEE Playground</h1>
        <AppTabs tab="playground" />
        <p className="tagline">Your MoE LLM’s routers are an embedding model for free: compare the hidden state (HS), the routing weights (RW) and both (MoEE).</p>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(shareUrl(settings))} data-testid="share">
          Copy share link
        </button>
      </header>
      <ErrorPanel />
      <div className="layout">
        <div className="column">
          <TextEditor />
          <Controls hsSim={matrices?.hs ?? null} rwSim={matrices?.rw ?? null} />
          <ModelPanel />
        </div>
        <div className="column wide">
          <div className="status" role="status" data-testid="status" data-status={engine.status}>
            {engine.status === 'embedding' && engine.embedProgress ? `Embedding ${engine.embedProgress.done} / ${engine.embedProgress.total}…` : engine.status}
          </div>
          {matrices && (
            <section className="matrices" aria-label="Similarity matrices">
              {shown.map((rep) => (
                <MatrixCanvas
                  key={rep}
                  id={rep}
                  title={REPRESENTATION_LABEL[rep] + (rep === 'sum' ? ` (α = ${settings.alpha.toFixed(2)})` : '')}
                  caption={caption + (rep === 'concat' ? ` · z-scored by ${matrices.concatStats === 'reference' ? 'reference set' : 'batch'}` : '')}
                  values={matrices[rep]}
                  labels={resultTexts}
                  order={order}
                  scale="sequential"
                />
              ))}
              {settings.view === 'compare' && (
                <MatrixCanvas
                  id="compare"
                  title="HS − RW"
                  caption={`${caption} · red: HS finds the pair more similar, blue: RW does`}
                  values={matrices.hs.map((v, i) => v - matrices.rw[i])}
                  labels={resultTexts}
                  order={order}
                  scale="diverging"
                />
              )}
            </section>
          )}
          {result && model && (
            <RoutingView
              result={result}
              texts={resultTexts}
              topK={model.topK}
              moeLayers={model.moeLayers}
              selectedText={settings.selectedText}
              selectedLayer={settings.selectedLayer}
              onSelect={(patch) => setSettings(patch)}
            />
          )}
        </div>
      </div>
    </main>
  );
}
