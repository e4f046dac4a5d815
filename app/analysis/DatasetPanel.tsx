/** Upload an STS TSV (or labelled texts) and choose what the text-based views work on. */
import { textsOf, useStore } from '../store.ts';
import { parseDataset, useAnalysis } from './state.ts';

export function DatasetPanel() {
  const dataset = useAnalysis((s) => s.dataset);
  const datasetError = useAnalysis((s) => s.datasetError);
  const source = useAnalysis((s) => s.source);
  const set = useAnalysis((s) => s.set);
  const editorCount = useStore((s) => textsOf(s.settings.text).length);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const parsed = parseDataset(file.name, await file.text());
      set({ dataset: parsed, datasetError: null, source: 'dataset' });
    } catch (error) {
      set({ datasetError: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  };

  return (
    <section className="panel dataset" aria-label="Data">
      <h2>Data</h2>
      <label>
        Upload STS TSV (<code>subset⇥score⇥sentence1⇥sentence2</code> or <code>score⇥s1⇥s2</code>) or labelled texts (<code>label⇥text</code>) or one text per line:{' '}
        <input type="file" accept=".tsv,.txt,.csv,text/tab-separated-values,text/plain" onChange={(e) => void onFile(e.target.files?.[0])} data-testid="sts-upload" />
      </label>
      {datasetError && (
        <p className="error" role="alert" data-testid="dataset-error">
          {datasetError}
        </p>
      )}
      {dataset && (
        <p className="note" data-testid="dataset-summary">
          {dataset.name}: {dataset.pairs ? `${dataset.pairs.length} pairs, ${dataset.texts.length} distinct sentences` : `${dataset.texts.length} ${dataset.labels ? 'labelled texts' : 'texts'}`}
          {dataset.labels ? `, ${new Set(dataset.labels).size} labels` : ''}
        </p>
      )}
      <div className="controls" role="radiogroup" aria-label="Texts for the views">
        <label>
          <input type="radio" checked={source === 'texts'} onChange={() => set({ source: 'texts' })} data-testid="source-texts" /> playground texts ({editorCount})
        </label>
        <label>
          <input type="radio" checked={source === 'dataset'} disabled={!dataset} onChange={() => set({ source: 'dataset' })} data-testid="source-dataset" /> uploaded set
        </label>
      </div>
    </section>
  );
}
