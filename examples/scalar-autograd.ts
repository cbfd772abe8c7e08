// Gradients of y = w * x + b with x = 1, w = 2, b = 3.
// Run: npm run example:scalar-autograd
import * as tg from 'tensorgrad';

const x = tg.tensor([1], { requiresGrad: true });
const w = tg.tensor([2], { requiresGrad: true });
const b = tg.tensor([3], { requiresGrad: true });

const y = w.mul(x).add(b);
y.backward();
console.log(String(x.grad)); // tensor([2.])
console.log(String(w.grad)); // tensor([1.])
console.log(String(b.grad)); // tensor([1.])
