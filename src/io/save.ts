/**
 * tg.save / tg.saveAsync: one entry point for both file formats. The torch format (torch-save.ts)
 * is what torch.save writes; the safetensors format (safetensors.ts) holds named tensors only.
 * The format is the `format` option, or else the path's extension: `.pt` and `.pth` mean torch,
 * anything else safetensors.
 */
import { checkOptions, kinds } from '../options';
import { saveSafetensors, saveSafetensorsAsync, type NarrowDtype, type SafetensorsOptions, type TensorRecord } from './safetensors';
import { saveTorch, saveTorchAsync, type TorchSaveable } from './torch-save';

/** The file formats save() writes. */
export type SaveFormat = 'torch' | 'safetensors';

export interface SaveOptions {
  /**
   * 'torch' (torch.save's zip format, read by `torch.load(path, weights_only=True)`) or
   * 'safetensors'. Default: 'torch' for paths ending in `.pt` or `.pth`, else 'safetensors'.
   */
  format?: SaveFormat;
  /** safetensors only: free-form string pairs stored in the header (`__metadata__`), read back by loadMetadata. */
  metadata?: Record<string, string>;
  /** safetensors only: integer tensors to store in a narrower type, e.g. `{ images: 'U8' }`; their values must fit. */
  dtypes?: Record<string, NarrowDtype>;
}

const SPEC = { format: kinds.oneOf('torch', 'safetensors'), metadata: 'object', dtypes: 'object' } as const;

/** Checks the options; returns the format and, for safetensors, its options. */
function resolve(fn: string, path: string, opts: SaveOptions | undefined): { format: SaveFormat; rest: SafetensorsOptions | undefined } {
  checkOptions(fn, opts, SPEC);
  const format = opts?.format ?? (typeof path === 'string' && /\.pth?$/i.test(path) ? 'torch' : 'safetensors');
  if (format === 'torch') {
    for (const key of ['metadata', 'dtypes'] as const) {
      if (opts?.[key] !== undefined) throw new TypeError(`${fn}(): option '${key}' is for the safetensors format; the torch format does not take it`);
    }
    return { format, rest: undefined };
  }
  return { format, rest: opts === undefined ? undefined : { metadata: opts.metadata, dtypes: opts.dtypes } };
}

/**
 * Saves to a file, replacing it whole (the bytes go to a temporary file renamed over `path`).
 *
 * In the torch format (`.pt`, `.pth`, or `{ format: 'torch' }`) it writes what torch.save writes,
 * for `torch.load(path, weights_only=True)`: a module (saved as its state dict, a
 * collections.OrderedDict), an optimizer (its state dict in PyTorch's layout), or any nesting of
 * tensors, numbers, bigints, strings, booleans, null, Uint8Arrays, arrays, Maps and plain objects.
 *
 * In the safetensors format it saves named tensors (a plain object, a Map, or a module's stateDict),
 * with `metadata` and narrowed `dtypes` if asked.
 * @example
 * tg.save(net, 'net.pt');                                       // torch.load('net.pt') in Python
 * tg.save({ model: net.stateDict(), optimizer: opt.stateDict(), epoch: 3 }, 'checkpoint.pt');
 * tg.save(net.stateDict(), 'net.safetensors', { metadata: { epoch: '3' } });
 */
export function save(obj: TensorRecord | TorchSaveable, path: string, opts?: SaveOptions): void {
  const { format, rest } = resolve('save', path, opts);
  if (format === 'torch') saveTorch(obj, path, 'save');
  else saveSafetensors(obj as TensorRecord, path, rest, 'save');
}

/**
 * save(), without blocking the event loop while the file is written. It saves the values as they
 * are when it is called: tensors' bytes are copied before it returns (so the tensors may change
 * while the promise is pending; this takes memory for a copy of them). Concurrent saves to one
 * path each write a whole file; the last to finish is the one that stays.
 */
export async function saveAsync(obj: TensorRecord | TorchSaveable, path: string, opts?: SaveOptions): Promise<void> {
  const { format, rest } = resolve('saveAsync', path, opts);
  if (format === 'torch') await saveTorchAsync(obj, path, 'saveAsync');
  else await saveSafetensorsAsync(obj as TensorRecord, path, rest, 'saveAsync');
}
