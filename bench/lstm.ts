/**
 * An LSTM training step as a benchmark: nn.LSTM(64, 128) over batches of 32 sequences of 32 steps,
 * forward and backward of a mean-squared loss against a target (no optimizer, so that the time is
 * the recurrent layer's). `tsx bench/lstm.ts DIR` writes the initial weights (PyTorch's names) and
 * the batches to DIR as .npy files, which this file and bench/anchors/lstm_step.py both read.
 */
import { join } from 'node:path';
import * as tg from 'tensorgrad';

export const INPUT = 64, HIDDEN = 128, SEQ = 32, BATCH = 32, BATCHES = 4;

/** The initial weights and BATCHES inputs and targets, as .npy files in dir. */
export function exportLstm(dir: string): void {
  tg.manualSeed(0);
  const sd = new tg.nn.LSTM(INPUT, HIDDEN).stateDict();
  for (const [name, t] of Object.entries(sd)) tg.saveNpy(t, join(dir, `${name}.npy`));
  tg.saveNpy(tg.randn(BATCHES, SEQ, BATCH, INPUT), join(dir, 'inputs.npy'));
  tg.saveNpy(tg.randn(BATCHES, SEQ, BATCH, HIDDEN).mul(0.1), join(dir, 'targets.npy'));
}

/** Milliseconds of each of `steps` forward-and-backward steps, and the last step's loss. */
export function lstmSteps(dir: string, steps: number): { ms: number[]; loss: number } {
  const lstm = new tg.nn.LSTM(INPUT, HIDDEN);
  lstm.loadStateDict(Object.fromEntries(Object.keys(lstm.stateDict()).map((name) => [name, tg.loadNpy(join(dir, `${name}.npy`))])));
  const inputs = tg.loadNpy(join(dir, 'inputs.npy')).unbind(0), targets = tg.loadNpy(join(dir, 'targets.npy')).unbind(0);
  const ms: number[] = [];
  let loss = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = process.hrtime.bigint();
    const [out] = lstm.forward(inputs[s % BATCHES]);
    const l = out.sub(targets[s % BATCHES]).square().mean();
    lstm.zeroGrad();
    l.backward();
    loss = l.item();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, loss };
}

if (require.main === module) exportLstm(process.argv[2]);
