#!/usr/bin/env node
// Builds the prebuilt binaries that `npm pack` ships: prebuilds/<platform>-<arch>/tensorgrad.<libc>.node
// and, on Linux, the distributed module native/distributed/prebuilds/<platform>-<arch>/
// tensorgrad_distributed.<libc>.node (in a folder of its own, where node-gyp-build finds it).
//
// One N-API build serves every Node >= 20. OpenBLAS is linked statically with its symbols hidden and
// the C++ runtime linked in (TENSORGRAD_STATIC_BLAS=1, see find-blas.js), so the binary needs only
// libc. The build runs in a staging copy of the sources so that the development builds in build/
// and native/distributed/build/ are left as they are.
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
/** Runs prebuildify in a staging copy of `items` (paths under the root), `dir` inside it. */
function prebuildIn(items, dir, opts) {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-prebuild-'));
  for (const item of items) fs.cpSync(path.join(root, item), path.join(stage, item), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  return new Promise((resolve, reject) => {
    prebuildify({ cwd: path.join(stage, dir), napi: true, strip: true, tagLibc: true, ...opts }, (err) => {
      fs.rmSync(stage, { recursive: true, force: true });
      if (err) reject(err);
      else resolve();
    });
  });
}

function report(out) {
  const dir = path.join(out, 'prebuilds', `${process.platform}-${process.arch}`);
  for (const f of fs.readdirSync(dir)) console.log(`prebuilt: ${path.relative(root, path.join(dir, f))} (${(fs.statSync(path.join(dir, f)).size / 2 ** 20).toFixed(1)} MiB)`);
}

// The distributed module (tg.distributed) links gloo's shared library, so it is built where gloo's
// headers are (apt-get install libgloo-dev); users then need only libgloo0. Without them the
// release would silently lack it: refused, unless TENSORGRAD_DISTRIBUTED=none says so on purpose.
const withGloo = spawnSync(process.env.CXX || 'c++', ['-x', 'c++', '-E', '-'], { input: '#include <gloo/config.h>\n' }).status === 0;
const distributed = process.platform === 'linux' && process.env.TENSORGRAD_DISTRIBUTED !== 'none';
if (distributed && !withGloo) {
  console.error(
    "prebuild: gloo's headers are missing, so the prebuilt distributed module (tg.distributed) cannot be made.\n" +
      '  Install them (Debian/Ubuntu: apt-get install -y libgloo-dev), or set TENSORGRAD_DISTRIBUTED=none to leave it out on purpose.',
  );
  process.exit(1);
}

process.env.JOBS ??= 'max'; // node-gyp: compile on every core
// A Node-API build needs only Node's headers: those installed with this node, where they are,
// rather than a download of the newest release's (prebuildify's target), which needs the network.
const prefix = path.join(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) process.env.npm_config_nodedir = prefix;
(async () => {
  await prebuildIn(['package.json', 'binding.gyp', 'native', 'scripts/find-blas.js'], '.', { out: root });
  report(root);
  if (distributed) {
    // gloo's C++ API needs the system's C++ runtime (libgloo0 depends on it): linked dynamically.
    const out = path.join(root, 'native', 'distributed');
    fs.rmSync(path.join(out, 'prebuilds'), { recursive: true, force: true });
    delete process.env.TENSORGRAD_STATIC_BLAS;
    const sources = ['binding.gyp', 'binding.cc', 'group.cc', 'group.h', 'store.cc', 'store.h'].map((f) => `native/distributed/${f}`);
    await prebuildIn([...sources, 'native/exports.map'], 'native/distributed', { out, name: 'tensorgrad_distributed' });
    report(out);
  }
})().catch((err) => {
  console.error(`prebuild failed: ${err.message ?? err}`);
  process.exit(1);
});
