/** Helpers for printing modules as PyTorch's print(module) does. */

/** Indents every line but the first (PyTorch's _addindent). */
export function addIndent(s: string, spaces: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(spaces) + l)].join('\n');
}

/** Python's repr of a bool, for extraRepr strings. */
export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
