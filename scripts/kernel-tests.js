#!/usr/bin/env node
// Builds and runs the kernels' C++ unit tests (native/test/*.cc against native/kernels/, no
// Node-API) with the C++ compiler and the BLAS the addon is built with. Objects are rebuilt when
// a source or any kernel or test header is newer; the binary lands in build/kernel-tests/.
//
//   node scripts/kernel-tests.js      (exit 0 when every test passes; prints the runner's summary)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'build', 'kernel-tests');
const cxx = process.env.CXX || 'c++';
const blas = (what) => execFileSync(process.execPath, [path.join(__dirname, 'find-blas.js'), what], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);

const kernels = require(path.join(root, 'native', 'sources.json')).filter((f) => f.startsWith('native/kernels/'));
const tests = fs.readdirSync(path.join(root, 'native', 'test')).filter((f) => f.endsWith('.cc')).map((f) => `native/test/${f}`);
const headers = ['kernels', 'test'].flatMap((d) => fs.readdirSync(path.join(root, 'native', d)).filter((f) => f.endsWith('.h')).map((f) => path.join(root, 'native', d, f)));
const newestHeader = Math.max(...headers.map((h) => fs.statSync(h).mtimeMs));
const flags = ['-std=c++17', '-O2', '-ffp-contract=off', '-fno-math-errno', '-fno-trapping-math', '-Wall', '-Wextra', '-Wno-psabi',
  ...blas('defines').map((d) => `-D${d}`), ...blas('cflags')];

fs.mkdirSync(out, { recursive: true });
const objects = [...kernels, ...tests].map((src) => {
  const obj = path.join(out, src.replace(/[/\\]/g, '_').replace(/\.cc$/, '.o'));
  const built = fs.existsSync(obj) ? fs.statSync(obj).mtimeMs : 0;
  if (built < Math.max(fs.statSync(path.join(root, src)).mtimeMs, newestHeader)) {
    execFileSync(cxx, [...flags, '-c', path.join(root, src), '-o', obj], { stdio: 'inherit' });
  }
  return obj;
});
const binary = path.join(out, 'kernels_test');
execFileSync(cxx, [...objects, '-o', binary, ...blas('libs'), '-lpthread'], { stdio: 'inherit' });
const r = spawnSync(binary, { stdio: 'inherit' });
process.exit(r.status ?? 1);
