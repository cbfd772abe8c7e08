/** nn.Parameter: the tensors a module trains. */
import { isTensor, keep } from '../storage';
import { zeros } from '../ops/creation';
import { Tensor } from '../tensor';

/**
 * A tensor that is a module parameter: a leaf that requires grad (unless told otherwise).
 * @example this.scale = new nn.Parameter(tg.ones(3));
 */
export class Parameter extends Tensor {
  constructor(data?: Tensor, requiresGrad = true) {
    const d = data ?? zeros(0);
    if (!isTensor(d)) throw new TypeError('Parameter expects a Tensor');
    super(keep(d)._storage, d.shape, d._strides, d._offset);
    this.requiresGrad_(requiresGrad);
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
