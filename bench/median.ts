/** The median of a list of timings; undefined for none. Shared by bench/run.ts and bench/seed-loop.ts. */
export function median(xs: readonly number[] | undefined): number | undefined {
  if (!xs || xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
