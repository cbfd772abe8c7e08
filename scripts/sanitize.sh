#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer (CMake, OpenBLAS) into
# build-sanitize/ and runs the test suite on it, then the native fuzzers. Any finding aborts the
# run with the sanitizer's report. Usage: scripts/sanitize.sh [vitest arguments]
# (the packaging tests are left out: they build and load other binaries, in clean environments; and
# so is simd.test.ts, whose emulated CPUs cannot run node with the sanitizer runtimes preloaded;
# the hostile-input cases run apart, with their outcomes checked but not their peak RSS, which the
# sanitizers' shadow memory raises by some 200 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/build-sanitize"
npx cmake-js compile --out "$out/build" --CDBLA_VENDOR=OpenBLAS --CDTENSORGRAD_SANITIZE=ON >"$out.log" 2>&1 ||
  { tail -40 "$out.log"; exit 1; }
npm run build:ts >/dev/null
# node itself is not instrumented: the sanitizer runtimes are preloaded. V8's own allocations are
# not leaks, so leak detection is off; everything else stops the run at the first report.
export LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TENSORGRAD_PREBUILD="$out"
node -e 'const a = require(".").backendInfo().addon; if (!a.includes("build-sanitize")) throw new Error("not the sanitizer build: " + a); console.log("addon:", a)'
# (grep -c reads all of nm's output: with grep -q, nm could die of SIGPIPE and fail the pipeline)
[ "$(nm -D --undefined-only "$out/build/Release/tensorgrad.node" | grep -c __asan_report)" -gt 0 ] ||
  { echo "the build is not instrumented"; exit 1; }
npx vitest run --exclude test/install.test.ts --exclude test/package.test.ts --exclude test/examples.test.ts --exclude test/readme.test.ts \
  --exclude test/ops/simd.test.ts --exclude test/io/hostile.test.ts "$@"
npx tsx scripts/hostile.ts --fast --no-rss
node scripts/fuzz-native.js --calls 100000
npx tsx scripts/fuzz-ops.ts --cases 20000
echo "sanitizers: no findings"
