// A dataset whose samples say where they were loaded: the worker (getWorkerInfo()), its seed, a
// number drawn from its global generator, and what the workerInitFn (markWorker) left.
'use strict';
const tg = require('../../..');

class WhoAmI extends tg.utils.data.Dataset {
  static workerModule = __filename;
  static workerExport = 'Who';

  /** n samples; sleepMs: how long each one takes (a worker too slow for the loader's timeout). */
  constructor(n, sleepMs = 0) {
    super();
    this.n = n;
    this.sleepMs = sleepMs;
  }

  workerArgs() {
    return [this.n, this.sleepMs];
  }

  get length() {
    return this.n;
  }

  getItem(i) {
    if (this.sleepMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.sleepMs);
    const info = tg.utils.data.getWorkerInfo();
    return {
      index: i,
      worker: info === null ? -1 : info.id,
      numWorkers: info === null ? 0 : info.numWorkers,
      seed: info === null ? '' : String(info.seed),
      datasetLength: info === null ? -1 : info.dataset.length,
      initialised: globalThis.initialisedWorker ?? -1,
      draw: tg.rand(1, { dtype: 'float64' }).item(),
    };
  }
}

function markWorker(id) {
  globalThis.initialisedWorker = id;
}

module.exports = { Who: WhoAmI, markWorker };
