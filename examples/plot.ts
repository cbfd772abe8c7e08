// Plots for the examples: a Vega-Lite spec rendered to SVG (vega) and PNG (resvg), written to
// examples/out/. Not part of the library.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OUT = join(__dirname, 'out');

/**
 * Shared by every plot (a spec's own config overrides it). Vega asks for the generic 'sans-serif',
 * which resvg maps to Arial alone and, where Arial is missing, to the first font it finds (often a
 * serif, without bold); the list names common sans-serif families first, so the PNG looks as the SVG.
 */
const CONFIG = { font: 'Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif' }; // unquoted: resvg skips quoted names

/** Renders a Vega-Lite spec to examples/out/<name>.svg and .png; returns the two paths. */
export async function savePlot(name: string, spec: Record<string, unknown>): Promise<string[]> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  const config = { ...CONFIG, ...(spec.config as Record<string, unknown> | undefined) };
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec, config } as never).spec;
  const svg = await new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
  const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  mkdirSync(OUT, { recursive: true });
  const paths = [join(OUT, `${name}.svg`), join(OUT, `${name}.png`)];
  writeFileSync(paths[0], svg);
  writeFileSync(paths[1], png);
  return paths;
}
