/** Representation, RW kind, template, α and order: every choice a matrix depends on. */
import { autoAlpha } from '../../core/index.ts';
import { useStore, type Settings } from '../store.ts';
import { TEMPLATE_IDS, TEMPLATES } from '../../workers/templates.ts';

export function Controls({ hsSim, rwSim }: { hsSim: Float32Array | null; rwSim: Float32Array | null }) {
  const settings = useStore((s) => s.settings);
  const setSettings = useStore((s) => s.setSettings);
  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setSettings({ [key]: value } as Partial<Settings>);
  const templateText = settings.templateId === 'custom' ? settings.customTemplate : TEMPLATES[settings.templateId];
  return (
    <section className="panel controls-panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div className="controls">
        <label>
          View{' '}
          <select value={settings.view} onChange={(e) => set('view')(e.target.value as Settings['view'])} data-testid="view">
            <option value="all">all four</option>
            <option value="hs">HS</option>
            <option value="rw">RW</option>
            <option value="concat">MoEE concat</option>
            <option value="sum">MoEE sum</option>
            <option value="compare">compare: HS − RW</option>
          </select>
        </label>
        <label>
          RW as{' '}
          <select value={settings.rwKind} onChange={(e) => set('rwKind')(e.target.value as Settings['rwKind'])}>
            <option value="softmax">softmax (paper)</option>
            <option value="logits">logits (reference code)</option>
          </select>
        </label>
        <label>
          Standardise by{' '}
          <select value={settings.standardization} onChange={(e) => set('standardization')(e.target.value as Settings['standardization'])}>
            <option value="reference">reference set (works for one text)</option>
            <option value="batch">this batch (paper)</option>
          </select>
        </label>
        <label>
          Pooling{' '}
          <select value={settings.pooling} onChange={(e) => set('pooling')(e.target.value as Settings['pooling'])}>
            <option value="last">last token</option>
            <option value="mean">mean of tokens</option>
          </select>
        </label>
        <label>
          Order{' '}
          <select value={settings.order} onChange={(e) => set('order')(e.target.value as Settings['order'])}>
            <option value="input">as typed</option>
            <option value="cluster">similar together</option>
          </select>
        </label>
      </div>
      <div className="controls">
        <label>
          Template{' '}
          <select value={settings.templateId} onChange={(e) => set('templateId')(e.target.value as Settings['templateId'])} data-testid="template">
            {TEMPLATE_IDS.map((id) => (
              <option key={id} value={id}>{id}</option>
            ))}
            <option value="custom">custom…</option>
          </select>
        </label>
        {settings.templateId === 'custom' ? (
          <label className="wide">
            Custom template (one {'{text}'} slot){' '}
            <input value={settings.customTemplate} onChange={(e) => set('customTemplate')(e.target.value)} data-testid="custom-template" />
          </label>
        ) : (
          <code className="template-text" data-testid="template-text">{templateText}</code>
        )}
      </div>
      <div className="controls">
        <label>
          <input type="checkbox" checked={settings.useInstruction} onChange={(e) => set('useInstruction')(e.target.checked)} /> instruction prefix
        </label>
        {settings.useInstruction && <input className="wide" value={settings.instruction} onChange={(e) => set('instruction')(e.target.value)} aria-label="Instruction" />}
      </div>
      <div className="controls">
        <label>
          α (MoEE sum) {settings.alpha.toFixed(2)}{' '}
          <input type="range" min={0} max={2} step={0.05} value={settings.alpha} onChange={(e) => set('alpha')(Number(e.target.value))} data-testid="alpha" aria-label="alpha" />
        </label>
        <button
          type="button"
          disabled={!hsSim || !rwSim}
          onClick={() => hsSim && rwSim && set('alpha')(autoAlpha(hsSim, rwSim).alpha)}
          title="Label-free: the α whose sum agrees best in rank with both HS and RW"
        >
          auto α
        </button>
      </div>
    </section>
  );
}
