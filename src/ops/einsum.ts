/**
 * torch.einsum: Einstein summation over operands labelled by an equation such as 'bij,bjk->bik'.
 * Follows ATen's algorithm (without opt_einsum): every operand is aligned to the dims "output
 * labels, then contracted labels" (diagonals for repeated labels, size-1 dims for missing ones),
 * then the operands are contracted left to right, each pair by one batched GEMM (bmm) over permuted
 * and reshaped views. Everything is recorded ops, so gradients come from their rules.
 */
import { DTypeError, ShapeError } from '../errors';
import { isTensor } from '../storage';
import type { Tensor } from '../tensor';
import { typeName } from '../options';
import { diagonal } from './view';

const LETTERS = 26;
const ELLIPSIS = 2 * LETTERS;

const toSubscript = (c: string) => (c >= 'A' && c <= 'Z' ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 97 + LETTERS);
const toLabel = (s: number) => String.fromCharCode(s < LETTERS ? s + 65 : s - LETTERS + 97);
const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);

function fail(msg: string): never {
  throw new ShapeError(`einsum(): ${msg}`);
}

/** The operands' labels: subscripts in [0, 52), ELLIPSIS for '...'. */
function parseInputs(lhs: string, numOps: number): number[][] {
  const labels: number[][] = Array.from({ length: numOps }, () => []);
  let op = 0, ellipsis = false;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i];
    if (c === ' ') continue;
    if (c === '.') {
      if (ellipsis) fail(`found '.' for operand ${op} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === '.' && lhs[++i] === '.')) fail(`found '.' for operand ${op} that is not part of any ellipsis`);
      labels[op].push(ELLIPSIS);
      ellipsis = true;
    } else if (c === ',') {
      if (++op >= numOps) fail('fewer operands were provided than specified in the equation');
      ellipsis = false;
    } else {
      if (!isAlpha(c)) fail(`invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      labels[op].push(toSubscript(c));
    }
  }
  if (op !== numOps - 1) fail('more operands were provided than specified in the equation');
  return labels;
}

/**
 * left * right summed over sumDims, both of the same rank (dims of size 1 broadcast), as one bmm:
 * dims in both and kept (lro) are the batch, dims in one only (lo, ro) the rows and columns. The
 * summed dims stay as size 1 (ATen's sumproduct_pair with keepdim).
 */
function sumproductPair(left: Tensor, right: Tensor, sumDims: number[]): Tensor {
  if (sumDims.length === 0) return left.mul(right);
  const nd = left.shape.length, summed = new Set(sumDims);
  const lro: number[] = [], lo: number[] = [], ro: number[] = [];
  let lroSize = 1, loSize = 1, roSize = 1, sumSize = 1;
  for (let i = 0; i < nd; i++) {
    const sl = left.shape[i] !== 1, sr = right.shape[i] !== 1;
    if (summed.has(i)) {
      if (sl && sr) sumSize *= left.shape[i];
      else if (sl) left = left.sum(i, true);
      else if (sr) right = right.sum(i, true);
    } else if (sl && sr) {
      lro.push(i);
      lroSize *= left.shape[i];
    } else if (sl) {
      lo.push(i);
      loSize *= left.shape[i];
    } else {
      ro.push(i);
      roSize *= right.shape[i];
    }
  }
  const outSize = [...lro.map((d) => left.shape[d]), ...lo.map((d) => left.shape[d]), ...sumDims.map(() => 1), ...ro.map((d) => right.shape[d])];
  const lperm = [...lro, ...lo, ...sumDims, ...ro], rperm = [...lro, ...sumDims, ...ro, ...lo];
  const operm = new Array<number>(nd);
  [...lro, ...lo, ...sumDims, ...ro].forEach((d, i) => (operm[d] = i));
  const l = left.permute(lperm).reshape(lroSize, loSize, sumSize);
  const r = right.permute(rperm).reshape(lroSize, sumSize, roSize);
  return l.bmm(r).view(outSize).permute(operm);
}

/**
 * Sums the products of the operands' elements over the labels that the output does not keep
 * (torch.einsum). Labels are letters; a label repeated within one operand takes a diagonal; '...'
 * stands for dims that broadcast across operands; without '->' the output is '...' followed by the
 * labels that appear once, in alphabetical order (capitals first). Operands are contracted left to
 * right, each pair by a batched matrix product.
 * @example tg.einsum('bij,bjk->bik', a, b) // a.bmm(b)
 * @example tg.einsum('ii', m) // the trace; tg.einsum('i,j', u, v) is the outer product
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  if (typeof equation !== 'string') throw new TypeError(`einsum(): argument 'equation' must be a string, but got ${typeName(equation)}`);
  const ops = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  if (ops.length === 0) throw new TypeError('einsum(): must specify the equation string and at least one operand');
  ops.forEach((t, i) => {
    if (!isTensor(t)) throw new TypeError(`einsum(): operand ${i} must be a Tensor, but got ${typeName(t)}`);
    if (t.dtype !== ops[0].dtype) throw new DTypeError(`einsum(): expected all operands to have the same dtype, but operand 0 is ${ops[0].dtype} and operand ${i} is ${t.dtype}`);
  });
  const numOps = ops.length;
  const arrow = equation.indexOf('->');
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels = parseInputs(lhs, numOps);

  const labelCount = new Array<number>(ELLIPSIS).fill(0);
  let ellNumDim = 0;
  opLabels.forEach((labels, i) => {
    const ndims = ops[i].shape.length;
    let nlabels = labels.length;
    const hasEllipsis = labels.includes(ELLIPSIS);
    for (const l of labels) if (l !== ELLIPSIS) labelCount[l]++;
    if (hasEllipsis) {
      nlabels--;
      ellNumDim = Math.max(ellNumDim, ndims - nlabels);
    }
    if (hasEllipsis ? nlabels > ndims : nlabels !== ndims) {
      fail(`the number of subscripts in the equation (${nlabels}) ${hasEllipsis ? 'is more than' : 'does not match'} the number of dimensions (${ndims}) for operand ${i}${hasEllipsis ? '' : ' and no ellipsis was given'}`);
    }
  });

  // where each label (and the ellipsis dims) goes in the aligned shape: output dims, then contracted
  const permIndex = new Array<number>(ELLIPSIS).fill(-1);
  let perm = 0, ellIndex = 0, ellInOutput = false;
  if (arrow < 0) {
    perm = ellNumDim;
    ellInOutput = true;
    for (let l = 0; l < ELLIPSIS; l++) if (labelCount[l] === 1) permIndex[l] = perm++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i];
      if (c === ' ') continue;
      if (c === '.') {
        if (ellInOutput) fail("found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === '.' && rhs[++i] === '.')) fail("found '.' for output that is not part of any ellipsis (...)");
        ellIndex = perm;
        perm += ellNumDim;
        ellInOutput = true;
      } else {
        if (!isAlpha(c)) fail(`invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`);
        const s = toSubscript(c);
        if (!(labelCount[s] > 0 && permIndex[s] === -1)) {
          fail(`output subscript ${c}${permIndex[s] > -1 ? ' appears more than once in the output' : ' does not appear in the equation for any input operand'}`);
        }
        permIndex[s] = perm++;
      }
    }
  }
  const outNumDim = perm;
  if (!ellInOutput) {
    ellIndex = perm;
    perm += ellNumDim;
  }
  for (let l = 0; l < ELLIPSIS; l++) if (labelCount[l] > 0 && permIndex[l] === -1) permIndex[l] = perm++;

  // align every operand: diagonals for repeated labels, size-1 dims for missing ones, permuted
  const labelSize = new Array<number>(ELLIPSIS).fill(1), ellSizes = new Array<number>(ellNumDim).fill(1);
  const dimCounts = new Array<number>(perm).fill(0);
  const aligned: Tensor[] = [];
  opLabels.forEach((labels, i) => {
    let op = ops[i];
    const permutation = new Array<number>(perm).fill(-1);
    let dim = 0;
    for (const s of labels) {
      if (s === ELLIPSIS) {
        const ndim = ops[i].shape.length - (labels.length - 1);
        for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
          const n = op.shape[dim];
          if (n !== 1) {
            if (ellSizes[j] !== 1 && ellSizes[j] !== n) {
              fail(`dimension ${dim} covered by ellipsis in operand ${i} has size ${n} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`);
            }
            ellSizes[j] = n;
            dimCounts[ellIndex + j]++;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[permIndex[s]] === -1) {
        const n = op.shape[dim];
        if (n !== 1) {
          if (labelSize[s] !== 1 && labelSize[s] !== n) {
            fail(`subscript ${toLabel(s)} has size ${n} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`);
          }
          labelSize[s] = n;
          dimCounts[permIndex[s]]++;
        }
        permutation[permIndex[s]] = dim++;
      } else {
        const prev = permutation[permIndex[s]];
        if (op.shape[dim] !== op.shape[prev]) {
          fail(`subscript ${toLabel(s)} is repeated for operand ${i} but the sizes don't match, ${op.shape[dim]} != ${op.shape[prev]}`);
        }
        op = diagonal(op, 0, prev, dim).movedim(-1, prev);
      }
    }
    for (let p = 0; p < perm; p++) {
      if (permutation[p] === -1) {
        op = op.unsqueeze(dim);
        permutation[p] = dim++;
      }
    }
    aligned.push(op.permute(permutation));
  });

  // contract left to right, summing each contracted dim as soon as no later operand has it
  while (aligned.length > 1) {
    let a = aligned.shift() as Tensor, b = aligned.shift() as Tensor;
    const sumDims: number[] = [], aSum: number[] = [], bSum: number[] = [];
    for (let d = outNumDim; d < perm; d++) {
      if (a.shape[d] !== 1 && b.shape[d] !== 1) {
        if (--dimCounts[d] === 1) {
          sumDims.push(d);
          dimCounts[d] = 0;
        }
      } else if (dimCounts[d] === 1) {
        if (a.shape[d] !== 1) {
          aSum.push(d);
          dimCounts[d] = 0;
        } else if (b.shape[d] !== 1) {
          bSum.push(d);
          dimCounts[d] = 0;
        }
      }
    }
    if (aSum.length > 0) a = a.sum(aSum, true);
    if (bSum.length > 0) b = b.sum(bSum, true);
    aligned.unshift(sumproductPair(a, b, sumDims));
  }

  const result = aligned[0];
  if (perm === outNumDim) return result;
  if (numOps > 1) return result.reshape(result.shape.slice(0, outNumDim) as number[]);
  return result.sum(Array.from({ length: perm - outNumDim }, (_, k) => outNumDim + k));
}
