// One rank of a distributed test: joins the group as its environment and arguments say, runs a
// scenario, and prints its results as one JSON line. argv: scenario, initMethod ('env' for env://).
const tg = require('../../dist');
const d = tg.distributed;
const [scenario, method] = process.argv.slice(2);
// scenario-specific arguments follow the method
const rank = Number(process.env.TEST_RANK), worldSize = Number(process.env.TEST_WORLD);
const opts = method === 'env' ? { timeout: 5000 } : { initMethod: method, rank, worldSize, timeout: 5000 };

const out = {};
try {
  d.initProcessGroup(opts);
  const r = d.getRank(), n = d.getWorldSize();
  out.rank = r;
  out.size = n;
  if (scenario === 'collectives') {
    for (const dtype of ['float32', 'float64', 'int32', 'int64']) {
      const base = tg.arange(6, { dtype }).reshape(2, 3).add(r);
      const res = {};
      for (const op of ['sum', 'product', 'max', 'min']) {
        const t = base.clone();
        d.allReduce(t, { op });
        res[op] = t.tolist();
      }
      if (dtype.startsWith('float')) {
        const t = base.clone();
        d.allReduce(t, { op: d.ReduceOp.AVG });
        res.avg = t.tolist();
      }
      const nc = base.clone().t(); // not contiguous: copied in and out
      d.allReduce(nc);
      res.transposed = nc.tolist();
      const b = r === n - 1 ? base.clone() : tg.zeros([2, 3], { dtype });
      d.broadcast(b, n - 1);
      res.broadcast = b.tolist();
      const list = Array.from({ length: n }, () => tg.zeros([3], { dtype }));
      d.allGather(list, base.select(0, 1));
      res.gathered = list.map((x) => x.tolist());
      out[dtype] = res;
    }
    const w = tg.ones(4).mul(r + 1);
    const work = d.allReduce(w, { asyncOp: true });
    const shared = tg.zeros(8);
    const view = shared.narrow(0, 2, 4).fill_(r);
    d.allReduce(view);
    Promise.resolve(work.wait()).then(async () => {
      await d.barrier({ asyncOp: true });
      out.async = w.tolist();
      out.view = shared.tolist();
      d.destroyProcessGroup();
      out.initialized = d.isInitialized();
      console.log(JSON.stringify(out));
    });
  } else if (scenario === 'more') {
    const mine = tg.tensor([r, 10 * r], { dtype: 'float64' });
    const list = r === 0 ? Array.from({ length: n }, () => tg.zeros([2], { dtype: 'float64' })) : null;
    d.gather(mine, list, 0);
    out.gathered = list && list.map((x) => x.tolist());
    const part = tg.zeros([2], { dtype: 'int32' });
    d.scatter(part, r === n - 1 ? Array.from({ length: n }, (_, k) => tg.tensor([k, k * k], { dtype: 'int32' })) : null, n - 1);
    out.scattered = part.tolist();
    const all = tg.zeros([n, 2], { dtype: 'float32' });
    d.allGatherIntoTensor(all, tg.tensor([[r, -r]]));
    out.allGathered = all.tolist();
    const rs = tg.zeros([2]);
    d.reduceScatterTensor(rs, tg.arange(2 * n, { dtype: 'float32' }).add(r));
    out.reduceScattered = rs.tolist();
    // a ring of point-to-point messages: each rank sends to the next, receives from the previous
    const got = tg.zeros([3]);
    const sent = d.isend(tg.full([3], r + 0.5), (r + 1) % n, { tag: 7 });
    d.recv(got, (r + n - 1) % n, { tag: 7 });
    Promise.resolve(sent).then(() => {
      out.received = got.tolist();
      const sub = d.newGroup([0, 2]);
      if (r === 1) {
        try { d.allReduce(tg.ones(1), { group: sub }); } catch (e) { out.nonMember = e.message; }
      } else {
        const t = tg.tensor([r + 1]);
        d.allReduce(t, { group: sub });
        out.subgroup = [t.tolist(), d.getRank(sub), d.getWorldSize(sub)];
        d.destroyProcessGroup(sub);
      }
      d.barrier();
      d.destroyProcessGroup();
      console.log(JSON.stringify(out));
    });
  } else if (scenario === 'ddp') {
    // rank r starts from its own seed: DDP gives every rank rank 0's parameters
    tg.manualSeed(100 + r);
    const net = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.Tanh(), new tg.nn.Linear(8, 2)).to('float64');
    const model = new tg.nn.parallel.DistributedDataParallel(net, { bucketCapMB: 0.0001 });
    const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = tg.arange(8 * 4, { dtype: 'float64' }).reshape(8, 4).sin(), y = tg.arange(16, { dtype: 'float64' }).reshape(8, 2).cos();
    const per = 8 / n, mine = (t) => t.narrow(0, r * per, per);
    out.losses = [];
    out.params = [];
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      if (step === 3) {
        // gradient accumulation: the first half of this rank's rows without syncing, then the rest
        const half = per / 2;
        model.noSync(() => tg.F.mseLoss(model.forward(mine(x).narrow(0, 0, half)), mine(y).narrow(0, 0, half)).mul(0.5).backward());
        tg.F.mseLoss(model.forward(mine(x).narrow(0, half, half)), mine(y).narrow(0, half, half)).mul(0.5).backward();
      } else {
        const loss = tg.F.mseLoss(model.forward(mine(x)), mine(y));
        out.losses.push(loss.item());
        loss.backward();
      }
      opt.step();
      out.params.push([...net.parameters()].map((p) => p.tolist()));
    }
    out.keys = Object.keys(model.stateDict());
    console.log(JSON.stringify(out));
  } else if (scenario === 'unused' || scenario === 'ddpcrash') {
    class TwoHeads extends tg.nn.Module {
      constructor() {
        super();
        this.a = new tg.nn.Linear(3, 2);
        this.b = new tg.nn.Linear(3, 2); // never used
      }
      forward(x) { return this.a.forward(x); }
    }
    const find = scenario === 'ddpcrash' || process.argv[4] === 'find';
    const model = new tg.nn.parallel.DistributedDataParallel(new TwoHeads(), { findUnusedParameters: find });
    const x = tg.ones(4, 3).mul(r + 1);
    for (let step = 0; step < 3; step++) {
      if (scenario === 'ddpcrash' && r === 1 && step === 2) process.exit(9);
      model.zeroGrad();
      const t0 = Date.now();
      try {
        model.forward(x).sum().backward();
      } catch (e) {
        out.error = e.message;
        out.ms = Date.now() - t0;
        break;
      }
    }
    const m = model.module;
    out.grads = [m.a.weight.grad && m.a.weight.grad.tolist(), m.b.weight.grad && m.b.weight.grad.tolist()];
    console.log(JSON.stringify(out));
  } else if (scenario === 'buffers') {
    // A running statistic kept in a buffer, as BatchNorm keeps its running mean: each rank's forward
    // moves it towards its own input; broadcastBuffers gives every rank rank 0's before each forward.
    class Running extends tg.nn.Module {
      constructor() {
        super();
        this.lin = new tg.nn.Linear(2, 1);
        this.registerBuffer('runningMean', tg.full([2], 10 * (r + 1)));
      }
      forward(x) {
        tg.noGrad(() => this.runningMean.mul_(0.5).add_(x.mean(0).mul(0.5)));
        return this.lin.forward(x);
      }
    }
    const broadcastBuffers = process.argv[4] !== 'off';
    const model = new tg.nn.parallel.DistributedDataParallel(new Running(), { broadcastBuffers });
    out.start = model.module.runningMean.tolist();
    out.seen = [];
    for (let step = 0; step < 2; step++) {
      model.forward(tg.full([3, 2], r + 1)).sum().backward();
      out.seen.push(model.module.runningMean.tolist());
    }
    console.log(JSON.stringify(out));
  } else if (scenario === 'crash') {
    d.allReduce(tg.ones(3));
    if (r === 1) process.exit(7); // dies in the middle of training
    const t0 = Date.now();
    try {
      for (let i = 0; i < 100; i++) d.allReduce(tg.ones(1000));
      out.error = null;
    } catch (e) {
      out.error = e.message;
      out.ms = Date.now() - t0;
    }
    console.log(JSON.stringify(out));
  }
} catch (e) {
  out.error = e.message;
  console.log(JSON.stringify(out));
}
