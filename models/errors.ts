/**
 * Errors about model files: each has a stable `name` that crosses the worker boundary as
 * `{ name, message }` and tells the page which way forward to offer.
 */

/** The graph has no router the convention table recognises: the model is not a Mixture-of-Experts. */
export class NotMoEModelError extends Error {
  override readonly name = 'NotMoEModelError';
  constructor(
    message: string,
    /** `model_type` from config.json, when known. */
    readonly modelType?: string,
  ) {
    super(message);
  }
}

/** config.json and the ONNX graph disagree (layer count, expert count). */
export class ConfigMismatchError extends Error {
  override readonly name = 'ConfigMismatchError';
}

/** The .onnx bytes could not be parsed (truncated or not an ONNX file). */
export class CorruptModelError extends Error {
  override readonly name = 'CorruptModelError';
}
