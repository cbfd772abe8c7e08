#!/usr/bin/env node
// tensorgrad-run: starts the processes of a tg.distributed job on this machine, as torchrun does.
//
//   npx tensorgrad-run --nproc-per-node 4 [--nnodes N --node-rank R --master-addr A --master-port P] script.ts args...
//
// Each worker gets torchrun's environment: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK,
// LOCAL_WORLD_SIZE, GROUP_RANK (this node's rank), and one compute thread each (OPENBLAS_NUM_THREADS=1,
// OMP_NUM_THREADS=1) unless those are set. Scripts ending in .ts run through tsx. SIGINT and
// SIGTERM are passed on to the workers; when one worker fails the others are stopped and the
// launcher exits with that worker's code.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const USAGE = 'usage: tensorgrad-run --nproc-per-node N [--nnodes N] [--node-rank R] [--master-addr ADDR] [--master-port PORT] script [args...]';

function parse(argv) {
  const o = { nprocPerNode: 1, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 29500 };
  const names = { '--nproc-per-node': 'nprocPerNode', '--nproc_per_node': 'nprocPerNode', '--nnodes': 'nnodes', '--node-rank': 'nodeRank', '--node_rank': 'nodeRank', '--master-addr': 'masterAddr', '--master_addr': 'masterAddr', '--master-port': 'masterPort', '--master_port': 'masterPort' };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!a.startsWith('--')) break;
    const [flag, inline] = a.split('=', 2);
    const key = names[flag];
    if (key === undefined) throw new Error(`unknown option ${flag}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    if (key === 'masterAddr') o[key] = value;
    else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || (key !== 'nodeRank' && n < 1)) throw new Error(`${flag} must be a ${key === 'nodeRank' ? 'non-negative' : 'positive'} integer, got '${value}'`);
      o[key] = n;
    }
  }
  if (i >= argv.length) throw new Error(`no script to run\n${USAGE}`);
  if (o.nodeRank >= o.nnodes) throw new Error(`--node-rank must be below --nnodes (${o.nnodes}), got ${o.nodeRank}`);
  if (o.masterPort > 65535) throw new Error(`--master-port must be at most 65535, got ${o.masterPort}`);
  return { ...o, script: argv[i], args: argv.slice(i + 1) };
}

function command(script) {
  if (/\.(m|c)?ts$/.test(script)) {
    let tsx;
    try {
      tsx = require.resolve('tsx/cli', { paths: [process.cwd(), __dirname] });
    } catch {
      throw new Error(`${script} is TypeScript: install tsx (npm install -D tsx), or run its compiled JavaScript`);
    }
    return [process.execPath, [tsx, script]];
  }
  return [process.execPath, [script]];
}

function main() {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`tensorgrad-run: ${e.message}`);
    process.exit(2);
  }
  const world = o.nnodes * o.nprocPerNode;
  // as torchrun: one compute thread per worker unless told otherwise, so that the workers do not
  // oversubscribe the cores (tensorgrad's kernels take OPENBLAS_NUM_THREADS as their default)
  const threads = {};
  if (o.nprocPerNode > 1 && process.env.OMP_NUM_THREADS === undefined && process.env.OPENBLAS_NUM_THREADS === undefined) {
    Object.assign(threads, { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' });
    console.error('tensorgrad-run: each worker computes on 1 thread (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1) so that the workers do not overload the machine; set them to tune it');
  }
  const [exe, pre] = command(path.resolve(o.script));
  const workers = [];
  let failed = null;
  let left = o.nprocPerNode;
  const stopAll = (signal) => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill(signal);
  };
  for (let local = 0; local < o.nprocPerNode; local++) {
    const rank = o.nodeRank * o.nprocPerNode + local;
    const env = {
      ...process.env, ...threads, MASTER_ADDR: o.masterAddr, MASTER_PORT: String(o.masterPort), WORLD_SIZE: String(world), RANK: String(rank),
      LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(o.nprocPerNode), GROUP_RANK: String(o.nodeRank),
    };
    const w = spawn(exe, [...pre, ...o.args], { env, stdio: 'inherit' });
    w.on('error', (e) => {
      console.error(`tensorgrad-run: worker ${local} (rank ${rank}) could not start: ${e.message}`);
    });
    w.on('exit', (code, signal) => {
      left--;
      if ((code !== 0 || signal !== null) && failed === null) {
        failed = { local, rank, code: code ?? 1, signal };
        console.error(`tensorgrad-run: worker ${local} (rank ${rank}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; stopping the others`);
        stopAll('SIGTERM');
        setTimeout(() => stopAll('SIGKILL'), 5000).unref();
      }
      if (left === 0) process.exit(failed === null ? 0 : failed.code || 1);
    });
    workers.push(w);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopAll(signal);
      setTimeout(() => stopAll('SIGKILL'), 5000).unref();
    });
  }
}

main();
