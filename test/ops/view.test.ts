import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index';

describe('views share storage', () => {
  it('view, reshape, transpose, permute, T, unsqueeze, squeeze, expand, flatten, narrow, select alias', () => {
    const x = tg.arange(24, { dtype: 'float32' }).reshape(2, 3, 4);
    const views: tg.Tensor[] = [
      x.view(6, 4), x.reshape(-1), x.transpose(0, 2), x.permute(2, 0, 1), x.T, x.unsqueeze(1), x.unsqueeze(0).squeeze(),
      x.flatten(), x.narrow(2, 1, 2), x.select(1, 2), x.index(1, '::2'), x.slice(2, 1, null, 2), x.detach(), x.unflatten(2, [2, 2]),
    ];
    for (const v of views) expect(v._storage).toBe(x._storage);
    x.select(1, 2).fill_(-1);
    expect(x.index(0, 2).tolist()).toEqual([-1, -1, -1, -1]);
    expect(x.view(6, 4).index(2).tolist()).toEqual([-1, -1, -1, -1]);
    expect(x.permute(2, 0, 1).index(3, 1).tolist()).toEqual([15, 19, -1]);
  });

  it('expand repeats without copying; contiguous copies only when needed', () => {
    const row = tg.tensor([1, 2, 3]);
    const e = row.expand(4, 3);
    expect(e.stride()).toEqual([0, 1]);
    expect(e.sum(0).tolist()).toEqual([4, 8, 12]);
    row.mul_(10);
    expect(e.index(3).tolist()).toEqual([10, 20, 30]);
    const c = e.contiguous();
    expect(c._storage).not.toBe(row._storage);
    expect(row.contiguous()).toBe(row);
    expect(tg.ones(3, 1).expand(-1, 4).shape).toEqual([3, 4]);
    expect(tg.ones(3).expandAs(tg.zeros(2, 3)).shape).toEqual([2, 3]);
  });

  it('reshape copies when a view is impossible; view refuses', () => {
    const t = tg.arange(6, { dtype: 'float32' }).reshape(2, 3).T;
    expect(() => t.view(6)).toThrow("view size is not compatible with input tensor's size and stride");
    const r = t.reshape(6);
    expect(r._storage).not.toBe(t._storage);
    expect(r.tolist()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => tg.zeros(4).view(3)).toThrow("shape '[3]' is invalid for input of size 4");
    expect(() => tg.zeros(4).view(-1, -1)).toThrow('only one dimension can be inferred');
    expect(tg.zeros(2, 3).view(3, -1).shape).toEqual([3, 2]);
    expect(() => tg.zeros(0, 3).view(-1, 0)).toThrow("shape '[-1, 0]' is invalid for input of size 0");
    expect(tg.zeros(0, 3).view(-1, 3).shape).toEqual([0, 3]);
  });

  it('strides, offsets and contiguity report the geometry', () => {
    const x = tg.zeros(3, 4);
    expect(x.stride()).toEqual([4, 1]);
    expect(x.t().stride()).toEqual([1, 4]);
    expect(x.t().isContiguous()).toBe(false);
    expect(x.narrow(1, 1, 2).storageOffset()).toBe(1);
    expect(x.size()).toEqual([3, 4]);
    expect(x.size(-1)).toBe(4);
    expect(x.dim()).toBe(2);
    expect(x.numel()).toBe(12);
  });

  it('indexing: numbers, slices, null, ellipsis', () => {
    const x = tg.arange(24).reshape(2, 3, 4);
    expect(x.index(1, 2, 3).item()).toBe(23);
    expect(x.index('...', 0).tolist()).toEqual([[0, 4, 8], [12, 16, 20]]);
    expect(x.index(0, '1:', '::3').tolist()).toEqual([[4, 7], [8, 11]]);
    expect(x.index(null, 0).shape).toEqual([1, 3, 4]);
    expect(x.index(-1, -1, '-2:').tolist()).toEqual([22, 23]);
    expect(x.index(':', '5:').shape).toEqual([2, 0, 4]);
    expect(() => x.index(0, 0, 0, 0)).toThrow('too many indices for tensor of dimension 3');
    expect(() => x.index(2)).toThrow('index 2 is out of bounds for dimension 0 with size 2');
    expect(() => x.narrow(0, 1, 2)).toThrow('start (1) + length (2) exceeds dimension size (2).');
  });

  it('split, chunk, unbind', () => {
    const x = tg.arange(10);
    expect(x.split(4).map((t) => t.tolist())).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(x.split([2, 8]).map((t) => t.numel())).toEqual([2, 8]);
    expect(x.chunk(3).map((t) => t.numel())).toEqual([4, 4, 2]);
    expect(tg.arange(6).reshape(2, 3).unbind(1).map((t) => t.tolist())).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it('cat and stack', () => {
    const a = tg.zeros(2, 3), b = tg.ones(1, 3);
    expect(tg.cat([a, b]).tolist()).toEqual([[0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(tg.cat([a, tg.ones(2, 1)], 1).shape).toEqual([2, 4]);
    expect(tg.cat([tg.ones(2, { dtype: 'int32' }), tg.ones(2, { dtype: 'float64' })]).dtype).toBe('float64');
    expect(tg.stack([tg.zeros(3), tg.ones(3)], 1).tolist()).toEqual([[0, 1], [0, 1], [0, 1]]);
    expect(() => tg.cat([a, tg.ones(2, 4)])).toThrow(
      'Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the array.',
    );
    expect(() => tg.stack([tg.zeros(2), tg.zeros(3)])).toThrow(
      'stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1',
    );
    expect(() => tg.cat([])).toThrow('cat(): expected a non-empty array of Tensors');
  });

  it('dim errors', () => {
    const x = tg.zeros(2, 3);
    expect(() => x.transpose(0, 2)).toThrow(tg.IndexError);
    expect(() => x.transpose(0, 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => x.permute(0)).toThrow('input.dim() = 2 is not equal to dims.length = 1');
    expect(() => x.permute(0, 0)).toThrow('permute(): duplicate dims are not allowed.');
    expect(() => tg.zeros(2, 3, 4).t()).toThrow('t() expects a tensor with <= 2 dimensions, but this tensor is 3D');
    expect(() => x.expand(2, 4)).toThrow(
      'The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]',
    );
    expect(() => x.unsqueeze(3)).toThrow('Dimension out of range (expected to be in range of [-3, 2], but got 3)');
    expect(() => x.flatten(1, 0)).toThrow('flatten() has invalid args: startDim cannot come after endDim');
  });
});
