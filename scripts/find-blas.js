#!/usr/bin/env node
// Tells binding.gyp which BLAS to build against. Usage: node scripts/find-blas.js defines|cflags|libs
//
// Order: $TENSORGRAD_BLAS=none forces our own GEMM; $TENSORGRAD_OPENBLAS=<prefix> uses the OpenBLAS
// installed there (<prefix>/include/cblas.h, <prefix>/lib/libopenblas.a, linked in); macOS uses
// Accelerate; elsewhere OpenBLAS through pkg-config ("openblas", then "cblas"). Without any, the
// addon is built with tensorgrad's own blocked GEMM and a notice says how to get the fast path.
//
// TENSORGRAD_STATIC_BLAS=1 (the prebuilt binaries) links OpenBLAS's static archive into the addon,
// hides its symbols, and links the C++ runtime statically: the binary then needs only libc.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const STATIC_RUNTIME = '-static-libstdc++ -static-libgcc';

function pkgConfig(args) {
  try {
    return execFileSync('pkg-config', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Linker arguments for a static BLAS archive: linked in, its symbols kept inside the addon. */
function staticArchive(archive) {
  const runtime = process.env.TENSORGRAD_STATIC_BLAS === '1' ? ` ${STATIC_RUNTIME}` : '';
  return `${archive} -lpthread -lm -Wl,--exclude-libs,ALL${runtime}`;
}

function libsFor(pkg) {
  if (process.env.TENSORGRAD_STATIC_BLAS !== '1') return pkgConfig(['--libs', pkg]) ?? '';
  const libdir = pkgConfig(['--variable=libdir', pkg]);
  const archive = libdir && path.join(libdir, `lib${pkg}.a`);
  if (!archive || !fs.existsSync(archive)) {
    throw new Error(`TENSORGRAD_STATIC_BLAS=1 but there is no static ${pkg} archive (${archive ?? 'no libdir'})`);
  }
  return staticArchive(archive);
}

/** OpenBLAS installed under a prefix of one's own (TENSORGRAD_OPENBLAS), e.g. built from source with `make PREFIX=... install`. */
function fromPrefix(prefix) {
  const include = path.join(prefix, 'include'), archive = path.join(prefix, 'lib', 'libopenblas.a');
  for (const f of [path.join(include, 'cblas.h'), archive]) {
    if (!fs.existsSync(f)) throw new Error(`TENSORGRAD_OPENBLAS=${prefix}, but there is no ${f}`);
  }
  return { kind: 'openblas', defines: ['TG_BLAS_CBLAS', 'TG_BLAS_OPENBLAS'], cflags: `-I${include}`, libs: staticArchive(archive) };
}

function detect() {
  if (process.env.TENSORGRAD_BLAS === 'none') return { kind: 'none' };
  if (process.env.TENSORGRAD_OPENBLAS) return fromPrefix(path.resolve(process.env.TENSORGRAD_OPENBLAS));
  if (process.platform === 'darwin') {
    return { kind: 'accelerate', defines: ['TG_BLAS_ACCELERATE', 'ACCELERATE_NEW_LAPACK'], cflags: '', libs: '-framework Accelerate' };
  }
  for (const pkg of ['openblas', 'cblas']) {
    const version = pkgConfig(['--modversion', pkg]);
    if (version === null) continue;
    const defines = ['TG_BLAS_CBLAS'];
    if (pkg === 'openblas') defines.push('TG_BLAS_OPENBLAS');
    return { kind: pkg, defines, cflags: pkgConfig(['--cflags', pkg]) ?? '', libs: libsFor(pkg) };
  }
  return { kind: 'none' };
}

const blas = detect();
const what = process.argv[2];
if (blas.kind === 'none') {
  if (what === 'defines') {
    process.stderr.write(
      process.env.TENSORGRAD_BLAS === 'none'
        ? '\ntensorgrad: TENSORGRAD_BLAS=none, building with its own (slower) GEMM instead of a BLAS.\n\n'
        : '\ntensorgrad: no BLAS found, building with its own (slower) GEMM.\n' +
            '  For the fast path install OpenBLAS and rebuild: apt-get install libopenblas-dev pkg-config\n' +
            '  (Debian/Ubuntu), dnf install openblas-devel (Fedora), then `npm rebuild tensorgrad`.\n\n',
    );
    console.log('TG_BLAS_NONE');
  }
} else if (what === 'defines') {
  console.log(blas.defines.join(' '));
} else if (what === 'cflags') {
  console.log(blas.cflags);
} else if (what === 'libs') {
  console.log(blas.libs);
}
