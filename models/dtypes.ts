/**
 * The one table of weight variants, named as Transformers.js names them (its DEFAULT_DTYPE_SUFFIX_MAPPING
 * in src/utils/dtypes.js): which file stem in onnx/ holds each dtype, how the page labels it, and
 * how many bytes a weight takes. The loader, the Hub download plan, the registry and every caption
 * read it; nothing else spells an ONNX file name.
 */

export interface DtypeSpec {
  /** The .onnx file's name without extension, in the model's onnx/ folder. */
  stem: string;
  /** How captions and menus name the weights. */
  label: string;
  /** Bytes per weight of the quantised matrices (4-bit formats: 0.5, before scales and zero points). */
  bytesPerWeight: number;
  /** Whether weights or activations are half precision (WebGPU needs `shader-f16`). */
  f16: boolean;
}

export const DTYPES = {
  fp32: { stem: 'model', label: 'fp32', bytesPerWeight: 4, f16: false },
  fp16: { stem: 'model_fp16', label: 'fp16', bytesPerWeight: 2, f16: true },
  q8: { stem: 'model_quantized', label: 'int8', bytesPerWeight: 1, f16: false },
  int8: { stem: 'model_int8', label: 'int8 (signed)', bytesPerWeight: 1, f16: false },
  uint8: { stem: 'model_uint8', label: 'uint8', bytesPerWeight: 1, f16: false },
  q4: { stem: 'model_q4', label: 'int4', bytesPerWeight: 0.5, f16: false },
  q4f16: { stem: 'model_q4f16', label: 'int4 / fp16', bytesPerWeight: 0.5, f16: true },
  bnb4: { stem: 'model_bnb4', label: 'NF4 (bnb4)', bytesPerWeight: 0.5, f16: false },
} as const satisfies Record<string, DtypeSpec>;

/** Weight variants as Transformers.js names them. */
export type ModelDtype = keyof typeof DTYPES;

export const MODEL_DTYPES = Object.keys(DTYPES) as ModelDtype[];

export function isModelDtype(value: string): value is ModelDtype {
  return Object.hasOwn(DTYPES, value);
}

/** The page's label of a dtype (`int8` for q8). */
export function dtypeLabel(dtype: ModelDtype): string {
  return DTYPES[dtype].label;
}

/** The main ONNX file Transformers.js loads for a causal LM in this dtype, inside the model folder. */
export function onnxFileFor(dtype: ModelDtype): string {
  return `onnx/${DTYPES[dtype].stem}.onnx`;
}

/**
 * External-data files of a dtype's .onnx, as Transformers.js and onnx-community name them:
 * `<stem>.onnx_data`, then `<stem>.onnx_data_1`, `_2`, … for further chunks. Paths inside the onnx/ folder.
 */
export function externalDataNames(dtype: ModelDtype, chunks: number): string[] {
  const file = `${DTYPES[dtype].stem}.onnx`;
  return Array.from({ length: chunks }, (_, i) => `${file}_data${i === 0 ? '' : `_${i}`}`);
}

/** The weight files of a dtype in the model folder: the .onnx and `chunks` external-data files. */
export function weightFilesFor(dtype: ModelDtype, chunks: number): string[] {
  return [onnxFileFor(dtype), ...externalDataNames(dtype, chunks).map((name) => `onnx/${name}`)];
}

/** Whether a path is a weight file (.onnx or one of its external-data chunks). */
export function isWeightFile(path: string): boolean {
  return /\.onnx(_data(_\d+)?)?$/.test(path);
}

/** Every dtype's label, for menus. */
export const DTYPE_LABEL = Object.fromEntries(MODEL_DTYPES.map((d) => [d, DTYPES[d].label])) as Record<ModelDtype, string>;
