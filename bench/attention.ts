/**
 * An attention block as a benchmark: nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 256,
 * batchFirst: true }) (dropout 0.1, in training mode) forward and backward on a [32, 32, 64] input,
 * the loss the mean of the output's squares. bench/anchors/attention_block.py runs the same layer in
 * PyTorch: both are built after manualSeed(0) and draw the input after manualSeed(1), so they start
 * from the same weights and input (and draw the same dropout masks).
 */
import * as tg from 'tensorgrad';

export const D_MODEL = 64, HEADS = 4, FF = 256, BATCH = 32, SEQ = 32;

/** Milliseconds of each of `steps` forward + backward steps, and the last step's loss. */
export function attentionSteps(steps: number): { ms: number[]; loss: number } {
  tg.manualSeed(0);
  const layer = new tg.nn.TransformerEncoderLayer(D_MODEL, HEADS, { dimFeedforward: FF, batchFirst: true });
  tg.manualSeed(1);
  const x = tg.randn(BATCH, SEQ, D_MODEL).requiresGrad_();
  const ms: number[] = [];
  let loss = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = process.hrtime.bigint();
    layer.zeroGrad();
    x.grad = null;
    const l = layer.forward(x).square().mean();
    l.backward();
    loss = l.item();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, loss };
}
