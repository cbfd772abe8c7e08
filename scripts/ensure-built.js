#!/usr/bin/env node
// Run before the tests: builds what is missing or out of date. The native addon is rebuilt
// incrementally (node-gyp build) unless a prebuilt binary for this platform is in use; the
// TypeScript is compiled to dist/ (tests of the package load it as users do) and the tests are
// type-checked, as are the examples.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });

const prebuilt = fs.existsSync(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`));
const configured = fs.existsSync(path.join(root, 'build', 'Makefile')) || fs.existsSync(path.join(root, 'build', 'config.gypi'));
if (!prebuilt || configured) run(process.execPath, [nodeGyp, configured ? 'build' : 'rebuild']);
run(process.execPath, [path.join(__dirname, 'build-distributed.js')]); // tg.distributed, where gloo is installed
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
run(process.execPath, [tsc, '-p', 'tsconfig.json']);
run(process.execPath, [tsc, '-p', 'test/tsconfig.json', '--noEmit']); // the tests type-check too
run(process.execPath, [tsc, '-p', 'examples/tsconfig.json', '--noEmit']); // and the examples
run(process.execPath, [path.join(__dirname, 'build-esm.js')]);
