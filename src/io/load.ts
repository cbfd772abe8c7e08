/**
 * tg.load / tg.loadAsync: one entry for the files tensorgrad reads whole. The first bytes say
 * which: a zip with a `<name>/data.pkl` member or the legacy magic number is a torch.save file
 * (torch-load.ts); anything else is read as safetensors (safetensors.ts), as before.
 */
import type { Tensor } from '../tensor';
import { loadLimit, withFile, withFileAsync, type ByteSource, type LoadOptions } from './bytes';
import { loadSafetensors, loadSafetensorsAsync } from './safetensors';
import { loadTorch, loadTorchAsync, sniff, SNIFF_BYTES } from './torch-load';

function head(size: number): Uint8Array {
  return new Uint8Array(Math.min(size, SNIFF_BYTES));
}

function kindOf(src: ByteSource) {
  const b = head(src.size);
  src.readInto(b, 0);
  return sniff(b);
}

/**
 * Loads a file of tensors: safetensors (`tg.save`'s format), or a PyTorch torch.save file (`.pt`,
 * `.pth`, `.bin`; the zip format of PyTorch >= 1.6 and the legacy one before it), returning what
 * `torch.load(path, weights_only=True)` returns, in JavaScript values:
 *
 * - a tensor is a Tensor. float32, float64, int32, int64 and bool load as themselves; float16 and
 *   bfloat16 as float32; uint8, int8 and int16 as int32. Tensors saved over one storage (`t`,
 *   `t[1:]`, `t.T`) are views of one memory here too, with the file's offsets and strides; an
 *   nn.Parameter (and any tensor saved with requires_grad) requires grad.
 * - dict and OrderedDict are plain objects (int keys become their decimal strings, so a dict with
 *   both 1 and '1' as keys is refused; as in any JavaScript object, keys that are integers come
 *   first, in ascending order); list and tuple are
 *   arrays; None is null; bool, str are themselves; int is a number (a BigInt beyond 2^53); float a
 *   number; bytes a Uint8Array; a set an array; torch.Size a number[]; a dtype (torch.float16) its
 *   name ('float16'); a torch.device its string ('cpu', 'cuda:0').
 *
 * torch.save files are unpickled with an allow-list, as `weights_only=True` does: a pickle that names
 * any function or class beyond tensors, storages, state_dict containers, torch.Size, torch.device and
 * the dtypes is refused (a FormatError) before anything is called; so are malformed pickles, storage
 * references the file does not hold, and tensors reaching past their storage. Storages are read
 * straight from the file into tensors. `{ maxBytes }` caps what the file may make it allocate (the
 * pickle, which is read whole, and the storages).
 *
 * The type parameter says what the caller expects (a state_dict by default); nothing checks it.
 * @example
 * net.loadStateDict(tg.load('net.safetensors'))
 * net.loadStateDict(tg.load('net.pt'))                       // torch.save(net.state_dict(), 'net.pt')
 * const ckpt = tg.load<{ model: Record<string, tg.Tensor>; epoch: number }>('ckpt.pt')
 */
export function load<T = Record<string, Tensor>>(path: string, opts?: LoadOptions): T {
  const maxBytes = loadLimit('load', opts);
  return withFile(path, (src) => {
    const kind = kindOf(src);
    return (kind === 'other' ? loadSafetensors(src, 'load', maxBytes) : loadTorch(src, kind, 'load', maxBytes)) as T;
  });
}

/**
 * load(), reading the tensors without blocking the event loop (a torch.save file's pickle and zip
 * directory, which are small, are read synchronously).
 * @example const sd = await tg.loadAsync('net.pt')
 */
export async function loadAsync<T = Record<string, Tensor>>(path: string, opts?: LoadOptions): Promise<T> {
  const maxBytes = loadLimit('loadAsync', opts);
  return withFileAsync(path, async (src) => {
    const b = head(src.size);
    await src.readInto(b, 0);
    const kind = sniff(b);
    return (kind === 'other' ? await loadSafetensorsAsync(src, 'loadAsync', maxBytes) : await loadTorchAsync(src, kind, 'loadAsync', maxBytes)) as T;
  });
}
