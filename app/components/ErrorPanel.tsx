/** Named engine errors in place (never alert()), each with a way forward; notes of what the engine recovered from. */
import { dismissMessages, embedTexts, loadModel } from '../engine.ts';
import { DEFAULT_SETTINGS, textsOf, useStore } from '../store.ts';
import type { EngineErrorName } from '../../workers/errors.ts';
import { MAX_TEXTS_PER_REQUEST } from '../../workers/protocol.ts';

/** What each named error means for the user; every name of workers/errors.ts has one. */
const ADVICE: Record<EngineErrorName, string> = {
  NotMoEModelError: 'MoEE needs a Mixture-of-Experts model (one with routed experts); this one has none. Go back to the demo model or choose another.',
  ConfigMismatchError: "The model's config.json and its ONNX graph disagree, so the export is broken. Go back to the demo model or choose another.",
  CorruptModelError: 'The model file is damaged or truncated. Load it again (it is fetched afresh); if it persists, clear the model cache.',
  EmptyTextError: 'A sentence was empty. Empty lines are skipped; nothing you typed was lost. Embed again.',
  TooManyTextsError: `One run takes at most ${MAX_TEXTS_PER_REQUEST.toLocaleString('en')} sentences. Keep the first ones, or split the set.`,
  MissingFileError: 'A file of the model is missing: check the model id, or go back to the demo model.',
  NoWebGPUError: 'This browser gave no WebGPU adapter. Switch the execution provider to WASM (or auto) and load again.',
  DeviceLostError: 'The GPU was lost (often out of GPU memory). Load again, or switch to WASM.',
  WorkerCrashedError: 'The engine worker died; a fresh one was started. The model is loaded into it again.',
  RuntimeSwitchError: 'The engine needed a fresh worker for the other execution provider. Load the model again.',
  CancelledError: 'The run was cancelled. Embed again when you are ready.',
  NoModelError: 'No model is loaded yet. Load the model first.',
  BadTemplateError: 'The custom template needs exactly one {text} where the sentence goes. Fix it, or go back to the PromptEOL template.',
  UnknownRequestError: 'The page and the engine disagree about a message (a stale tab after an update?). Reload the page.',
  DownloadError: 'A download from the Hub failed (network, a stalled or truncated file). Load again: files already complete come from the cache.',
  DeviceUnsupportedError: 'This device cannot run that model (see the reason above). Choose a smaller model or dtype, or go back to the demo model.',
  InternalError: 'Something unexpected failed in the engine. Load the model again; if it persists, reload the page.',
};

export function ErrorPanel() {
  const error = useStore((s) => s.engine.error);
  const notice = useStore((s) => s.engine.notice);
  const status = useStore((s) => s.engine.status);
  const setSettings = useStore((s) => s.setSettings);
  if (!error && !notice) return null;
  if (!error) {
    return (
      <div className="notice" role="status" data-testid="notice">
        {notice}{' '}
        <button type="button" onClick={dismissMessages}>OK</button>
      </div>
    );
  }
  const name = error.name;
  const actions: { label: string; run: () => void }[] = [];
  if (name === 'NoWebGPUError' || name === 'DeviceLostError') actions.push({ label: 'Use WASM', run: () => (setSettings({ ep: 'wasm' }), void loadModel()) });
  if (['CorruptModelError', 'DeviceLostError', 'NoModelError', 'InternalError', 'WorkerCrashedError', 'MissingFileError'].includes(name) && status !== 'loading') {
    actions.push({ label: 'Load the model again', run: () => void loadModel() });
  }
  if (name === 'NotMoEModelError' || name === 'ConfigMismatchError' || name === 'MissingFileError') {
    actions.push({ label: 'Use the embedded default model', run: () => (setSettings({ modelId: DEFAULT_SETTINGS.modelId, dtype: DEFAULT_SETTINGS.dtype }), void loadModel()) });
  }
  if (name === 'BadTemplateError') actions.push({ label: 'Use the PromptEOL template', run: () => setSettings({ templateId: 'prompteol' }) });
  if (name === 'TooManyTextsError') {
    actions.push({ label: `Keep the first ${MAX_TEXTS_PER_REQUEST.toLocaleString('en')}`, run: () => setSettings({ text: textsOf(useStore.getState().settings.text).slice(0, MAX_TEXTS_PER_REQUEST).join('\n') }) });
  }
  if (name === 'EmptyTextError' || name === 'CancelledError') actions.push({ label: 'Embed again', run: () => void embedTexts() });
  if (name === 'UnknownRequestError') actions.push({ label: 'Reload the page', run: () => location.reload() });
  return (
    <div className="error" role="alert" data-testid="error" data-error-name={name}>
      <strong>{name}</strong>: {error.message}
      <div className="advice">{ADVICE[name]}</div>
      <div className="buttons">
        {actions.map((a) => (
          <button key={a.label} type="button" onClick={a.run}>{a.label}</button>
        ))}
        <button type="button" onClick={dismissMessages}>Dismiss</button>
      </div>
    </div>
  );
}
