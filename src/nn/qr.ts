/**
 * The QR decomposition of a matrix by Householder reflections, in float64, with LAPACK's
 * conventions (dgeqrf's reflectors, dlarfg's signs, dorgqr's Q) and so torch.linalg.qr's results.
 * It serves nn.init.orthogonal_.
 */

/**
 * The reduced QR decomposition of the m x n matrix a (row-major, m >= n): q is m x n with
 * orthonormal columns, r is n x n upper triangular, a = q r. As LAPACK's dgeqrf, the diagonal of r
 * has the sign opposite to the column it reflects (not necessarily positive).
 */
export function householderQr(a: ArrayLike<number>, m: number, n: number): { q: Float64Array; r: Float64Array } {
  if (m < n) throw new RangeError(`householderQr: expected a matrix with at least as many rows as columns, got ${m} x ${n}`);
  const w = Float64Array.from(a); // reduced to r in place, column by column
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  for (let k = 0; k < n; k++) {
    const alpha = w[k * n + k];
    let sq = 0;
    for (let i = k + 1; i < m; i++) sq += w[i * n + k] ** 2;
    const v = new Float64Array(m);
    v[k] = 1;
    let tau = 0;
    if (sq > 0) {
      // dlarfg: H (alpha, x)^T = (beta, 0)^T with beta = -sign(alpha) * ||(alpha, x)||
      const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, Math.sqrt(sq));
      tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = k + 1; i < m; i++) {
        v[i] = w[i * n + k] * scale;
        w[i * n + k] = 0;
      }
      w[k * n + k] = beta;
      reflect(w, m, n, v, tau, k, k + 1);
    }
    vs.push(v);
    taus.push(tau);
  }
  // dorgqr: q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, m, n, vs[k], taus[k], k, k);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r[i * n + j] = w[i * n + j];
  return { q, r };
}

/** Applies I - tau v v^T (v zero above row k) to columns from..n-1 of the m x n matrix x. */
function reflect(x: Float64Array, m: number, n: number, v: Float64Array, tau: number, k: number, from: number): void {
  if (tau === 0) return;
  for (let j = from; j < n; j++) {
    let dot = 0;
    for (let i = k; i < m; i++) dot += v[i] * x[i * n + j];
    const s = tau * dot;
    for (let i = k; i < m; i++) x[i * n + j] -= s * v[i];
  }
}
