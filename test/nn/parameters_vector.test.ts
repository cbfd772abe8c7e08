// nn.utils.parametersToVector / vectorToParameters: the parameters as one vector and back.
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

const { nn } = tg;

describe('nn.utils.parametersToVector / vectorToParameters', () => {
  it('flatten the parameters into one vector, differentiably, and back as views of a vector', () => {
    const net = new nn.Sequential(new nn.Linear(3, 2), new nn.Linear(2, 1));
    const params = [...net.parameters()];
    const vec = nn.utils.parametersToVector(net.parameters());
    expect(vec.shape).toEqual([11]);
    expect(vec.tolist()).toEqual(params.flatMap((p) => p.reshape(-1).tolist() as number[]));
    vec.mul(tg.arange(11)).sum().backward();
    expect(params.flatMap((p) => p.grad!.reshape(-1).tolist() as number[])).toEqual([...Array(11).keys()]);

    const fresh = tg.arange(11, { dtype: 'float32' });
    nn.utils.vectorToParameters(fresh, net.parameters());
    expect(params.map((p) => p.tolist())).toEqual([[[0, 1, 2], [3, 4, 5]], [6, 7], [[8, 9]], [10]]);
    expect(params.every((p, i) => p === [...net.parameters()][i] && p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
    fresh.fill_(1); // the parameters share its memory, as PyTorch's param.data = vec[...] does
    expect(net.getParameter('1.bias').item()).toBe(1);
    expect(() => nn.utils.vectorToParameters([1, 2] as never, net.parameters())).toThrow('expected a Tensor, but got: Array');
    expect(() => nn.utils.vectorToParameters(tg.zeros(5), net.parameters())).toThrow();
    expect(() => nn.utils.parametersToVector(3 as never)).toThrow('parametersToVector(): parameters must be an iterable of tensors (e.g. module.parameters()), but got number');
  });
});
