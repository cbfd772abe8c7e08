#!/usr/bin/env node
// Builds the distributed addon (native/distributed, tg.distributed) where gloo is installed, for
// `npm install` and before the tests. Without gloo's headers, a compiler or node-gyp it says so
// and leaves the main package as it is: tg.distributed then explains how to get it when used.
// Usage: node scripts/build-distributed.js [--required] (fail instead of notice when it cannot build)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'native', 'distributed');
const required = process.argv.includes('--required');
const notice = (why) => {
  const message = `tensorgrad: tg.distributed not built (${why}); to get it: apt-get install libgloo-dev, then npm rebuild tensorgrad`;
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
