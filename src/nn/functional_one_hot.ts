/** One-hot encoding as a function (F.oneHot), composed of a comparison with the class indices. */
import { DTypeError, ShapeError } from '../errors';
import { checkTensor } from '../ops/common';
import { arange } from '../ops/creation';
import type { Tensor } from '../tensor';

/**
 * For an int64 tensor of class indices, an int64 tensor one dim larger whose last dim, of size
 * numClasses, is 1 at each index and 0 elsewhere (torch.nn.functional.one_hot). numClasses -1
 * takes the largest index plus one.
 * @example tg.F.oneHot(tg.tensor([0, 2], { dtype: 'int64' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  checkTensor(tensor, 'oneHot', 'tensor');
  if (tensor.dtype !== 'int64') throw new DTypeError(`oneHot() is only applicable to an int64 index tensor, but got ${tensor.dtype}`);
  if (!Number.isInteger(numClasses)) throw new TypeError(`oneHot(): numClasses must be an integer, but got ${String(numClasses)}`);
  if (tensor.numel() === 0) {
    if (numClasses <= 0) throw new ShapeError('oneHot(): Can not infer total number of classes from empty tensor.');
    return tensor.newZeros([...tensor.shape, numClasses]);
  }
  if (Number(tensor.min().item()) < 0) throw new RangeError('oneHot(): Class values must be non-negative.');
  const max = Number(tensor.max().item());
  if (numClasses === -1) numClasses = max + 1;
  else if (numClasses <= max) throw new RangeError(`oneHot(): Class values must be smaller than numClasses (${numClasses}), but the largest is ${max}.`);
  return tensor.unsqueeze(-1).eq(arange(numClasses, { dtype: 'int64' })).long();
}
