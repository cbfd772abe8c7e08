// A script run by tensorgrad-run in the tests: joins through env://, prints its environment and an
// allreduce, or fails on purpose.
const tg = require('../../dist');
const mode = process.argv[2];
if (mode === 'fail' && process.env.RANK === '1') process.exit(5);
if (mode === 'hang') setInterval(() => {}, 1000);
else {
  tg.distributed.initProcessGroup({ timeout: 10000 });
  const t = tg.ones(2);
  tg.distributed.allReduce(t);
  const e = process.env;
  console.log(JSON.stringify({ rank: e.RANK, local: e.LOCAL_RANK, world: e.WORLD_SIZE, localWorld: e.LOCAL_WORLD_SIZE, addr: e.MASTER_ADDR, sum: t.tolist() }));
  tg.distributed.destroyProcessGroup();
}
