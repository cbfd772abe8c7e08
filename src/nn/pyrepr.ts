/** Python's repr of values, for the extraRepr strings of the layers PyTorch prints with format(). */

/** Python's repr of a float: 0.1, 1.0, 1e-05, 1e+16 (the shortest round trip, exponent outside 1e-4 .. 1e16). */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = v.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A float or None (Python's repr of an optional float). */
export function pyOptionalFloat(v: number | null): string {
  return v === null ? 'None' : pyFloatRepr(v);
}

/** A tuple of ints as Python prints it: (3,), (2, 3). */
export function pyTuple(values: readonly number[]): string {
  return `(${values.join(', ')}${values.length === 1 ? ',' : ''})`;
}
