/**
 * Tensors stored as a JSON manifest plus one little-endian binary blob (goldens, reference
 * statistics): each entry is `{ dtype, shape, offset, length }`. Written by models/build/*.py.
 */

/** One tensor's place in the blob. */
export interface TensorEntry {
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}


/** A view of one tensor (copied, so that the blob's alignment does not matter). */
function readTensor(blob: ArrayBuffer | Uint8Array, entry: TensorEntry): Float32Array | Int32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  const slice = bytes.slice(entry.offset, entry.offset + entry.length);
  return entry.dtype === 'float32' ? new Float32Array(slice.buffer) : new Int32Array(slice.buffer);
}

export function readFloat32(blob: ArrayBuffer | Uint8Array, entry: TensorEntry): Float32Array {
  if (entry.dtype !== 'float32') throw new TypeError(`expected float32, got ${entry.dtype}`);
  return readTensor(blob, entry) as Float32Array;
}

export function readInt32(blob: ArrayBuffer | Uint8Array, entry: TensorEntry): Int32Array {
  if (entry.dtype !== 'int32') throw new TypeError(`expected int32, got ${entry.dtype}`);
  return readTensor(blob, entry) as Int32Array;
}
