/**
 * Error classes. Messages keep PyTorch's meaning (and its wording where it helps) but speak
 * JavaScript: the camelCase option and function names users call (`{ retainGraph: true }`,
 * indexSelect()), dtypes by tensorgrad's names (int64, not Long), shapes as [2, 3], null/true/false.
 * What PyTorch prints on purpose (a tensor's or module's repr, gradFn names) stays PyTorch's.
 *
 * - ShapeError: shapes that do not fit (PyTorch's RuntimeError for size mismatches), and an
 *   in-place write into a tensor whose elements overlap in memory.
 * - DTypeError (a TypeError): a dtype the operation cannot take.
 * - IndexError (a RangeError): a dimension or index out of range.
 * - AutogradError: misuse of the autograd engine (backward twice, in-place on saved tensors...).
 * - FormatError: a file that is not what it should be (a truncated, malformed or hostile
 *   safetensors, .npy, .npz or torch.save file, or a pickle calling what it may not).
 * Bad sizes and allocations beyond the machine's means are plain RangeErrors; wrong argument
 * types are plain TypeErrors.
 */

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export class DTypeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'DTypeError';
  }
}

export class IndexError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

export class AutogradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AutogradError';
  }
}

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** A shape as messages write it: [2, 3] (PyTorch's torch.Size([2, 3]) is Python's spelling). */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

const warned = new Set<string>();
/** process.emitWarning, once per process for each message (as Python's default warnings filter). */
export function warnOnce(message: string, type = 'UserWarning'): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, type);
}
