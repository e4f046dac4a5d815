/** Small pieces the analysis views share. */
import { TEMPLATE_IDS, type BuiltinTemplateId } from '../../workers/templates.ts';
import { useAnalysis, type AnalysisViewId } from './state.ts';

/** One template picker, controlled: every view that picks a single template uses it. */
export function TemplatePick({ value, onChange, testId, label = 'Template' }: { value: BuiltinTemplateId; onChange: (v: BuiltinTemplateId) => void; testId: string; label?: string }) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as BuiltinTemplateId)} data-testid={testId}>
        {TEMPLATE_IDS.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The analysis page's shared template, which most views read. */
export function TemplateSelect() {
  const template = useAnalysis((s) => s.template);
  const set = useAnalysis((s) => s.set);
  return <TemplatePick value={template} onChange={(v) => set({ template: v })} testId="analysis-template" />;
}

export function TemplateChecklist({ value, onChange, testId }: { value: BuiltinTemplateId[]; onChange: (v: BuiltinTemplateId[]) => void; testId: string }) {
  return (
    <fieldset className="checklist" data-testid={testId}>
      <legend>Templates</legend>
      {TEMPLATE_IDS.map((id) => (
        <label key={id}>
          <input
            type="checkbox"
            checked={value.includes(id)}
            onChange={(e) => onChange(e.target.checked ? TEMPLATE_IDS.filter((t) => t === id || value.includes(t)) : value.filter((t) => t !== id))}
            data-testid={`${testId}-${id}`}
          />
          {id}
        </label>
      ))}
    </fieldset>
  );
}

/** Whether a run of this view is going on, and whether any run is (only one at a time). */
export function useRunning(view: AnalysisViewId): { mine: boolean; any: boolean } {
  // Two boolean selectors: progress ticks then never re-render the views, only the status bar.
  const mine = useAnalysis((s) => s.run?.view === view);
  const any = useAnalysis((s) => s.run !== null);
  return { mine, any };
}

export function ViewError({ view }: { view: AnalysisViewId }) {
  const error = useAnalysis((s) => s.error);
  const cancelled = useAnalysis((s) => s.cancelled);
  if (cancelled === view) return <p className="note" data-testid="analysis-cancelled">Cancelled; the previous result (if any) is kept.</p>;
  if (error?.view !== view) return null;
  return (
    <div className="error" role="alert" data-testid="analysis-error">
      <strong>{error.name}</strong>: {error.message}
    </div>
  );
}

export const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
