// An iterable-style dataset over start..end-1 that gives each DataLoader worker a contiguous shard,
// as Range in scripts/fixtures/samplers.py. Worker threads import it from here (workerModule).
// It loads tensorgrad only inside workers: test/utils/samplers.test.ts runs tensorgrad's sources in
// the main thread, and a thread holds one instance of the addon. Being iterable without getItem
// makes it iterable-style, as an IterableDataset subclass would be.
'use strict';
const { isMainThread } = require('node:worker_threads');

const workerInfo = () => (isMainThread ? null : require('../../..').utils.data.getWorkerInfo());

class Range {
  static workerModule = __filename;

  constructor(start, end) {
    this.start = start;
    this.end = end;
  }

  workerArgs() {
    return [this.start, this.end];
  }

  *[Symbol.iterator]() {
    const info = workerInfo();
    const [id, n] = info === null ? [0, 1] : [info.id, info.numWorkers];
    const per = Math.ceil((this.end - this.start) / n);
    const lo = this.start + id * per;
    for (let i = lo; i < Math.min(this.end, lo + per); i++) yield i;
  }
}

module.exports = { Range };
