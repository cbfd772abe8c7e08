// The same network with autograd: the forward pass builds the graph, loss.backward() computes
// w1.grad and w2.grad, and the update runs inside noGrad.
// Run: npm run example:two-layer-autograd
import * as tg from 'tensorgrad';

const dtype = tg.float32;

// N is batch size; D_in is input dimension; H is hidden dimension; D_out is output dimension.
const [N, D_in, H, D_out] = [64, 1000, 100, 10];

// Random input and output data; they need no gradients.
const x = tg.randn(N, D_in, { dtype });
const y = tg.randn(N, D_out, { dtype });

// Random weights; requiresGrad asks autograd to compute their gradients during backward.
const w1 = tg.randn(D_in, H, { dtype, requiresGrad: true });
const w2 = tg.randn(H, D_out, { dtype, requiresGrad: true });

const learningRate = 1e-6;
for (let t = 0; t < 500; t++) {
  // Forward pass with tensor ops; no references to intermediate values are needed.
  const yPred = x.mm(w1).clamp({ min: 0 }).mm(w2);

  // Loss: a one-element tensor; item() gives its value.
  const loss = yPred.sub(y).pow(2).sum();
  console.log(t, loss.item());

  // Backward pass: w1.grad and w2.grad now hold the gradients of the loss.
  loss.backward();

  // Gradient descent by hand, without recording the graph; then zero the gradients.
  tg.noGrad(() => {
    w1.sub_(w1.grad!.mul(learningRate));
    w2.sub_(w2.grad!.mul(learningRate));
    w1.grad!.zero_();
    w2.grad!.zero_();
  });
}
