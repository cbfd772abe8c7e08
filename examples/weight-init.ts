// Initial values: why zeros break symmetry-learning, why plain random values explode or vanish,
// why Xavier suits tanh and He suits ReLU. A 10-layer network of width 500 is run once on random
// input with each initialisation; the standard deviation of every layer's activations shows it.
// Run: npm run example:init   (writes examples/out/weight-init.svg and .png)
import * as tg from 'tensorgrad';
import { savePlot } from './plot';

const { nn } = tg;
const [N, WIDTH, LAYERS] = [1000, 500, 10];

type Init = (w: tg.Tensor) => void;
const inits: Record<string, Init> = {
  zeros: (w) => nn.init.zeros_(w),
  'randn * 0.01': (w) => nn.init.normal_(w, 0, 0.01),
  randn: (w) => nn.init.normal_(w),
  Xavier: (w) => nn.init.xavierNormal_(w),
  He: (w) => nn.init.kaimingNormal_(w, { nonlinearity: 'relu' }),
};
const activations: Record<string, (x: tg.Tensor) => tg.Tensor> = { tanh: (x) => x.tanh(), relu: (x) => x.relu() };

tg.manualSeed(0);
const x = tg.randn(N, WIDTH);
const rows: { activation: string; init: string; layer: number; std: number }[] = [];
for (const [act, f] of Object.entries(activations)) {
  console.log(`\n${act}: activation std per layer`);
  for (const [name, init] of Object.entries(inits)) {
    let h = x;
    const stds: number[] = [];
    for (let layer = 1; layer <= LAYERS; layer++) {
      const w = tg.empty(WIDTH, WIDTH); // [out, in], as nn.Linear holds it
      init(w);
      h = f(h.mm(w.t()));
      const std = h.std().item();
      stds.push(std);
      rows.push({ activation: act, init: name, layer, std });
    }
    const same = h.std(0).max().item() === 0 ? '  (every unit of a layer equal: symmetry never breaks)' : '';
    console.log(`  ${name.padEnd(13)} ${stds.map((s) => s.toExponential(2).padStart(9)).join(' ')}${same}`);
  }
}
console.log('\nzeros: all units compute the same thing, so they get the same gradients and stay equal.');
console.log('randn: with tanh the activations saturate at +-1, with ReLU they grow without bound;');
console.log('randn * 0.01: they shrink towards 0 layer after layer (vanishing signal and gradients).');
console.log('Xavier keeps tanh activations in a working range; He keeps ReLU activations at a steady scale,');
console.log('where Xavier lets them fade (ReLU zeroes half of each layer, which He\'s factor 2 makes up for).');
console.log('(zeros are drawn at 1e-12 on the log scale; they are exactly 0.)');

// Panels and legend in the order of the printed sections and rows (tanh, then relu; zeros to He), and
// one tick format on both log axes (1e-4, 1e+0, 1e+2: the style of the printed numbers).
const order = { activation: Object.keys(activations), init: Object.keys(inits) };
const panel = (act: string) => `${act}: activation std per layer`;
savePlot('weight-init', {
  data: { values: rows.map((r) => ({ ...r, panel: panel(r.activation), std: Math.max(r.std, 1e-12) })) },
  facet: { column: { field: 'panel', type: 'nominal', title: null, sort: order.activation.map(panel), header: { labelFontSize: 13 } } },
  spec: {
    width: 320,
    height: 240,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'layer', type: 'quantitative', title: 'layer', axis: { tickMinStep: 1 } },
      y: { field: 'std', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.0e' }, title: 'activation std (log scale)' },
      color: { field: 'init', type: 'nominal', title: 'initialisation', sort: order.init, scale: { domain: order.init } },
    },
  },
  resolve: { scale: { y: 'independent' } },
  title: {
    text: `Activation scale through a ${LAYERS}-layer network of width ${WIDTH}, by initialisation`,
    subtitle: 'zeros are exactly 0 and are drawn at 1e-12',
  },
}).then((paths) => console.log(`\nplots: ${paths.join(', ')}`));
