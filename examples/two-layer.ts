// The seed's first program: a two-layer ReLU network trained with gradients computed by hand,
// as the NumPy version does (mm for dot, clamp for maximum, T, a boolean mask, in-place updates).
// Run: npm run example:two-layer
import * as tg from 'tensorgrad';

// N is batch size; D_in is input dimension; H is hidden dimension; D_out is output dimension.
const [N, D_in, H, D_out] = [64, 1000, 100, 10];

// Create random input and output data
const x = tg.randn(N, D_in);
const y = tg.randn(N, D_out);

// Randomly initialize weights
const w1 = tg.randn(D_in, H);
const w2 = tg.randn(H, D_out);

const learningRate = 1e-6;
for (let t = 0; t < 500; t++) {
  // Forward pass: compute predicted y
  const h = x.mm(w1);
  const hRelu = h.maximum(0);
  const yPred = hRelu.mm(w2);

  // Compute and print loss
  const loss = yPred.sub(y).square().sum().item();
  console.log(t, loss);

  // Backprop to compute gradients of w1 and w2 with respect to loss
  const gradYPred = yPred.sub(y).mul(2.0);
  const gradW2 = hRelu.T.mm(gradYPred);
  const gradHRelu = gradYPred.mm(w2.T);
  const gradH = gradHRelu.clone();
  gradH.maskedFill_(h.lt(0), 0); // grad_h[h < 0] = 0
  const gradW1 = x.T.mm(gradH);

  // Update weights
  w1.sub_(gradW1.mul(learningRate));
  w2.sub_(gradW2.mul(learningRate));
}
