#!/usr/bin/env node
// Builds the distributed addon (native/distributed, tg.distributed) where gloo is installed, for
// `npm install` and before the tests. Without gloo's headers, a compiler or node-gyp it says so
// and leaves the main package as it is: the prebuilt module is used where gloo's library
// (libgloo0) lets it load, and otherwise tg.distributed explains how to get it when used.
// Usage: node scripts/build-distributed.js [--required] (fail instead of notice when it cannot build)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'native', 'distributed');
const required = process.argv.includes('--required');
const prebuilt = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`, 'tensorgrad_distributed.glibc.node');

/** Whether the prebuilt module opens here, every symbol bound (gloo's library is installed). */
function prebuiltLoads() {
  if (!fs.existsSync(prebuilt)) return false;
  const script = 'process.dlopen({ exports: {} }, process.argv[1], require("os").constants.dlopen.RTLD_NOW)';
  return spawnSync(process.execPath, ['-e', script, prebuilt], { stdio: 'ignore' }).status === 0;
}

const notice = (why) => {
  if (!required && prebuiltLoads()) {
    console.log(`tensorgrad: tg.distributed uses its prebuilt module (not built from source: ${why})`);
    process.exit(0);
  }
  const get = fs.existsSync(prebuilt) ? 'apt-get install libgloo0 for the prebuilt module, or' : 'to get it:';
  const message = `tensorgrad: tg.distributed not built (${why}); ${get} apt-get install libgloo-dev, then npm rebuild tensorgrad`;
  if (required) {
    console.error(message);
    process.exit(1);
  }
  console.log(message);
  process.exit(0);
};

if (process.platform !== 'linux') notice(`gloo is supported on Linux here, not ${process.platform}`);
const cxx = process.env.CXX || 'c++';
const probe = spawnSync(cxx, ['-x', 'c++', '-E', '-'], { input: '#include <gloo/config.h>\n', encoding: 'utf8' });
if (probe.error) notice(`no C++ compiler (${cxx})`);
if (probe.status !== 0) notice("gloo's headers are not installed");
let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
} catch {
  nodeGyp = process.env.npm_config_node_gyp;
}
if (!nodeGyp || !fs.existsSync(nodeGyp)) notice('node-gyp not found');
const configured = fs.existsSync(path.join(dir, 'build', 'Makefile'));
try {
  execFileSync(process.execPath, [nodeGyp, configured ? 'build' : 'rebuild', '--directory', dir, '--loglevel', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
} catch {
  notice('its build failed; see the errors above');
}
