// PyTorch's "Learning PyTorch with Examples" tutorial, polynomial_custom_function.py, ported: a
// custom autograd Function (the Legendre polynomial P3 with its own backward) in the model
// y = a + b * P3(c + d * x), fitted to sin(x) by gradient descent.
// Run: npm run example:polynomial-custom-function [-- --dtype float64] [-- --json]
import * as tg from 'tensorgrad';

class LegendrePolynomial3 extends tg.autograd.Function {
  /**
   * In the forward pass we receive a Tensor containing the input and return a Tensor containing
   * the output. ctx is a context object that can be used to stash information for backward
   * computation: ctx.saveForBackward caches tensors for the backward pass.
   */
  static forward(ctx: tg.autograd.FunctionCtx, input: tg.Tensor): tg.Tensor {
    ctx.saveForBackward(input);
    return input.pow(3).mul(5).sub(input.mul(3)).mul(0.5);
  }

  /**
   * In the backward pass we receive a Tensor containing the gradient of the loss with respect to
   * the output, and we need to compute the gradient of the loss with respect to the input.
   */
  static backward(ctx: tg.autograd.FunctionCtx, gradOutput: tg.Tensor): tg.Tensor {
    const [input] = ctx.savedTensors as tg.Tensor[];
    return gradOutput.mul(1.5).mul(input.pow(2).mul(5).sub(1));
  }
}

const i = process.argv.indexOf('--dtype');
const dtype = (i < 0 ? 'float32' : process.argv[i + 1]) as tg.DType;
const json = process.argv.includes('--json');

// Create Tensors to hold input and outputs.
const x = tg.linspace(-Math.PI, Math.PI, 2000, { dtype });
const y = tg.sin(x);

// Create random Tensors for weights. For this example, we need 4 weights: y = a + b * P3(c + d * x);
// these weights need to be initialized not too far from the correct result to ensure convergence.
// requiresGrad: true indicates that we want to compute gradients with respect to these Tensors
// during the backward pass.
const a = tg.full([], 0.0, { dtype, requiresGrad: true });
const b = tg.full([], -1.0, { dtype, requiresGrad: true });
const c = tg.full([], 0.0, { dtype, requiresGrad: true });
const d = tg.full([], 0.3, { dtype, requiresGrad: true });

const learningRate = 5e-6;
const losses: number[] = [];
for (let t = 0; t < 2000; t++) {
  // To apply our Function, we use Function.apply; we alias this as 'P3'.
  const P3 = LegendrePolynomial3.apply;

  // Forward pass: compute predicted y using operations; we compute P3 using our custom autograd operation.
  const yPred = a.add(b.mul(P3(c.add(d.mul(x)))));

  // Compute and print loss
  const loss = yPred.sub(y).pow(2).sum();
  if (t % 100 === 99) {
    losses.push(loss.item() as number);
    if (!json) console.log(t, loss.item());
  }

  // Use autograd to compute the backward pass.
  loss.backward();

  // Update weights using gradient descent
  tg.noGrad(() => {
    for (const p of [a, b, c, d]) {
      p.sub_(p.grad!.mul(learningRate));
      p.grad = null;
    }
  });
}
const params = [a, b, c, d].map((p) => p.item() as number);
if (json) console.log(JSON.stringify({ losses, params }));
else console.log(`Result: y = ${params[0]} + ${params[1]} * P3(${params[2]} + ${params[3]} x)`);
