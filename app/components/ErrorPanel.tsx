/** Named engine errors in place (never alert()), each with a way forward. */
import { loadModel } from '../engine.ts';
import { useStore } from '../store.ts';

const ADVICE: Record<string, string> = {
  NotMoEModelError: 'MoEE needs a Mixture-of-Experts model: choose one with routed experts.',
  ConfigMismatchError: "The model's config.json and its ONNX graph disagree: the export is broken.",
  CorruptModelError: 'The model file is damaged or truncated: clear the cache and load it again.',
  EmptyTextError: 'Remove the empty lines or type a sentence in them; nothing you typed was lost.',
  TooManyTextsError: 'Split the texts into smaller sets.',
  MissingFileError: 'A file of the model is missing: check the model id or the folder.',
  NoWebGPUError: 'Switch the execution provider to WASM (or auto) and load again.',
  DeviceLostError: 'The GPU was lost (often out of memory): load again, or switch to WASM.',
  WorkerCrashedError: 'The engine restarted: load the model again.',
  BadTemplateError: 'Put exactly one {text} in the custom template.',
  NoModelError: 'Load a model first.',
};

export function ErrorPanel() {
  const error = useStore((s) => s.engine.error);
  const setSettings = useStore((s) => s.setSettings);
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error" data-error-name={error.name}>
      <strong>{error.name}</strong>: {error.message}
      <div className="advice">{ADVICE[error.name] ?? 'Try again; if it persists, reload the page.'}</div>
      {(error.name === 'NoWebGPUError' || error.name === 'DeviceLostError') && (
        <button type="button" onClick={() => { setSettings({ ep: 'wasm' }); void loadModel(); }}>
          Use WASM
        </button>
      )}
      {(error.name === 'WorkerCrashedError' || error.name === 'CorruptModelError') && (
        <button type="button" onClick={() => void loadModel()}>Load again</button>
      )}
    </div>
  );
}
