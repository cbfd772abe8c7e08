// Linear regression by hand: fit y = w * x to x = [1, 2, 3], y = [2, 4, 6] with gradient descent
// on the mean squared error, computing the gradient ourselves.
// Run: npm run example:linear-regression
import * as tg from 'tensorgrad';

const xData = tg.tensor([1, 2, 3]);
const yData = tg.tensor([2, 4, 6]);

const epochs = 10;
const lr = 0.1;
let w = 0;
const cost: number[] = [];

for (let epoch = 0; epoch < epochs; epoch++) {
  const yhat = xData.mul(w);
  const loss = yhat.sub(yData).pow(2).mean().item();
  cost.push(loss);
  const dw = yData.sub(yhat).mul(-2).dot(xData).item() / xData.shape[0];
  w = w - lr * dw;
}
console.log(w);
