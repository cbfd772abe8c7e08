#!/usr/bin/env node
// Builds the prebuilt binary that `npm pack` ships: prebuilds/<platform>-<arch>/tensorgrad.<libc>.node.
//
// One N-API build serves every Node >= 20. OpenBLAS is linked statically with its symbols hidden and
// the C++ runtime linked in (TENSORGRAD_STATIC_BLAS=1, see find-blas.js), so the binary needs only
// libc. The build runs in a staging copy of the sources so that the development build in build/
// is left as it is.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const prebuildify = require('prebuildify');

const root = path.join(__dirname, '..');

// The binary users install must carry OpenBLAS (Accelerate on macOS): refuse to build one without
// it, unless asked to (TENSORGRAD_BLAS=none).
process.env.TENSORGRAD_STATIC_BLAS = '1';
const found = spawnSync(process.execPath, [path.join(__dirname, 'find-blas.js'), 'defines'], { encoding: 'utf8' });
if (found.status !== 0) {
  const why = found.stderr.trim().split('\n').find((l) => l.startsWith('Error:')) ?? found.stderr.trim();
  console.error(`prebuild: scripts/find-blas.js failed (${found.signal ?? `exit code ${found.status}`}): ${why}`);
  process.exit(1);
}
const carried = /\bTG_BLAS_(OPENBLAS|ACCELERATE)\b/.test(found.stdout);
if (!carried && process.env.TENSORGRAD_BLAS !== 'none') {
  console.error(
    'prebuild: no OpenBLAS to link into the prebuilt binary (its static library, libopenblas.a, found with pkg-config).\n' +
      '  Install it (Debian/Ubuntu: apt-get install -y pkg-config libopenblas-dev), or name one with TENSORGRAD_OPENBLAS=<prefix>;\n' +
      '  TENSORGRAD_BLAS=none builds a binary with tensorgrad\'s own (slower) GEMM on purpose.',
  );
  process.exit(1);
}
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-prebuild-'));
for (const item of ['package.json', 'binding.gyp', 'native', 'scripts/find-blas.js']) {
  fs.cpSync(path.join(root, item), path.join(stage, item), { recursive: true });
}
fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');

process.env.JOBS ??= 'max'; // node-gyp: compile on every core
prebuildify({ cwd: stage, out: root, napi: true, strip: true, tagLibc: true }, (err) => {
  fs.rmSync(stage, { recursive: true, force: true });
  if (err) {
    console.error(`prebuild failed: ${err.message ?? err}`);
    process.exit(1);
  }
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  for (const f of fs.readdirSync(dir)) console.log(`prebuilt: ${path.relative(root, path.join(dir, f))} (${(fs.statSync(path.join(dir, f)).size / 2 ** 20).toFixed(1)} MiB)`);
});
