/** The sentences, one per line; each shows the model's "one word" and any truncation. */
import { textsOf, useStore } from '../store.ts';
import { PRESETS } from '../presets.ts';

export function TextEditor() {
  const text = useStore((s) => s.settings.text);
  const setSettings = useStore((s) => s.setSettings);
  const result = useStore((s) => s.engine.result);
  const resultTexts = useStore((s) => s.engine.resultTexts);
  const texts = textsOf(text);
  return (
    <section className="panel editor" aria-labelledby="texts-title">
      <h2 id="texts-title">Sentences <span className="count">({texts.length})</span></h2>
      <div className="controls">
        <label>
          Preset{' '}
          <select
            value=""
            onChange={(e) => {
              const preset = PRESETS.find((p) => p.id === e.target.value);
              if (preset) setSettings({ text: preset.texts.join('\n') });
            }}
            data-testid="preset"
          >
            <option value="">choose a teaching set…</option>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{p.title}</option>
            ))}
          </select>
        </label>
      </div>
      <textarea
        value={text}
        onChange={(e) => setSettings({ text: e.target.value })}
        rows={10}
        spellCheck={false}
        aria-label="Sentences, one per line"
        data-testid="texts"
      />
      {texts.length === 0 && <p className="warning" role="status" data-testid="empty-note">Type at least one sentence (one per line) to see its embeddings.</p>}
      {result && (
        <ol className="text-list" data-testid="text-list">
          {resultTexts.map((t, i) => (
            <li key={i}>
              <span className="text">{t.length > 80 ? `${t.slice(0, 80)}…` : t}</span>{' '}
              <span className="one-word" title="Top next tokens after the prompt">→ {result.nextTokens[i]?.slice(0, 3).map((w) => JSON.stringify(w)).join(' ')}</span>
              {result.truncated[i] && <span className="badge" data-testid="truncated">truncated to {result.tokenCounts[i]} tokens</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
