/**
 * Error classes, worded as PyTorch words its errors.
 *
 * - ShapeError: shapes that do not fit (PyTorch's RuntimeError for size mismatches), and an
 *   in-place write into a tensor whose elements overlap in memory.
 * - DTypeError (a TypeError): a dtype the operation cannot take.
 * - IndexError (a RangeError): a dimension or index out of range.
 * - AutogradError: misuse of the autograd engine (backward twice, in-place on saved tensors...).
 * - FormatError: a file that is not what it should be (a truncated, malformed or hostile
 *   safetensors, .npy or .npz file).
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

/** Python's tuple/list spelling of a shape, as PyTorch puts it in messages: [2, 3]. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
