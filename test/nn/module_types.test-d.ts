// Type test (compiled by `npm run typecheck`, not run): calling a module is typed as its forward.
import { expectTypeOf } from 'vitest';
import * as tg from '../../src/index';

const { nn } = tg;
declare const x: tg.Tensor;

// layers and losses
expectTypeOf(new nn.Linear(3, 2)).parameters.toEqualTypeOf<[x: tg.Tensor]>();
expectTypeOf(new nn.Linear(3, 2)(x)).toEqualTypeOf<tg.Tensor>();
expectTypeOf(new nn.MSELoss()(x, x)).toEqualTypeOf<tg.Tensor>();
expectTypeOf(new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU())(x)).toEqualTypeOf<tg.Tensor>();
// @ts-expect-error a Linear takes one tensor
new nn.Linear(3, 2)(x, x);
// @ts-expect-error not a number
new nn.Linear(3, 2)(1);
// @ts-expect-error a loss takes input and target
new nn.MSELoss()(x);

// user subclasses, with nothing written for it: the call takes and returns what forward does
class Net extends nn.Module {
  fc1 = new nn.Linear(3, 4);
  fc2: tg.nn.Linear;
  constructor() {
    super();
    this.fc2 = new nn.Linear(4, 2);
  }
  override forward(x: tg.Tensor) {
    return { logits: this.fc2(this.fc1(x).relu()), hidden: this.fc1(x) };
  }
}
const net = new Net();
expectTypeOf(net(x)).toEqualTypeOf<{ logits: tg.Tensor; hidden: tg.Tensor }>();
expectTypeOf(net.forward(x)).toEqualTypeOf<{ logits: tg.Tensor; hidden: tg.Tensor }>();

class TwoInputs extends nn.Module {
  override forward(a: tg.Tensor, b: tg.Tensor, opts: { scale?: number } = {}): [tg.Tensor, number] {
    return [a.add(b).mul(opts.scale ?? 1), 1];
  }
}
const two = new TwoInputs();
expectTypeOf(two(x, x)).toEqualTypeOf<[tg.Tensor, number]>();
expectTypeOf(two(x, x, { scale: 2 })).toEqualTypeOf<[tg.Tensor, number]>();
// @ts-expect-error unknown option
two(x, x, { factor: 2 });

// a subclass of a subclass is typed by its own forward
class Wider extends Net {
  override forward(x: tg.Tensor) {
    return { logits: x, hidden: x, extra: 1 };
  }
}
expectTypeOf(new Wider()(x).extra).toEqualTypeOf<number>();

// every module is a Module; a plain Module is called as PyTorch types it (any in, any out)
const layers: tg.nn.Module[] = [net, two, new nn.Linear(1, 1), new nn.MSELoss()];
expectTypeOf(layers[0](x, 1, 'a')).toBeAny();
function run<M extends tg.nn.Module>(m: M, ...args: Parameters<M['forward']>): ReturnType<M['forward']> {
  return m(...args);
}
expectTypeOf(run(new nn.Linear(1, 1), x)).toEqualTypeOf<tg.Tensor>();

// methods and properties stay those of the class
expectTypeOf(net.fc1.weight).toEqualTypeOf<tg.nn.Parameter>();
expectTypeOf(net.apply((m) => m)).toEqualTypeOf<Net>();
expectTypeOf(net.double()).toEqualTypeOf<Net>();
expectTypeOf(net.getSubmodule('fc1')).toEqualTypeOf<tg.nn.Module>();

// hooks are typed by the module: its type, and its forward's output
net.registerForwardHook((m, args, out) => {
  expectTypeOf(m).toEqualTypeOf<Net>();
  expectTypeOf(args).toEqualTypeOf<unknown[]>();
  expectTypeOf(out).toEqualTypeOf<{ logits: tg.Tensor; hidden: tg.Tensor }>();
});
net.registerForwardPreHook((m, args, kwargs) => [args, kwargs], { withKwargs: true });
net.registerFullBackwardHook((m, gradInput, gradOutput) => {
  expectTypeOf(gradInput).toEqualTypeOf<(tg.Tensor | null)[]>();
  return gradOutput;
});

// DistributedDataParallel is called as the module it wraps
declare const ddp: tg.nn.parallel.DistributedDataParallel<Net>;
expectTypeOf(ddp(x)).toEqualTypeOf<{ logits: tg.Tensor; hidden: tg.Tensor }>();
// a Sequential called on a tensor gives a tensor; wrapped, it is typed by its forward's last overload (any)
declare const ddpSeq: tg.nn.parallel.DistributedDataParallel<tg.nn.Sequential>;
expectTypeOf(ddpSeq(x)).toBeAny();
