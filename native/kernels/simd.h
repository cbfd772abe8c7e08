// How kernels get code for the vector instructions of the CPU they run on, in one binary that runs
// on any x86-64 CPU.
#pragma once

// TG_CLONES: one copy of the function per instruction set (AVX-512, AVX2, baseline x86-64), the one
// for this CPU chosen once by the dynamic loader (GCC's function multiversioning, through an
// ifunc): x86-64 with glibc. Elsewhere, the one baseline copy.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define TG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TG_CLONES
#endif

// What a TG_CLONES function inlines is compiled with it, for its instruction set; a function or
// lambda it calls is compiled once, for baseline x86-64. So whatever a clone calls with GCC vector
// types (the vectors of rows.h) is forced inline: TG_INLINE for functions,
// TG_LAMBDA after a lambda's parameters. GCC refuses to build where it cannot inline one, and as no
// vector then passes across a call, its -Wpsabi notes on vector arguments do not apply (the build
// turns them off).
#if defined(__GNUC__)
#define TG_INLINE inline __attribute__((always_inline))
#define TG_LAMBDA __attribute__((always_inline))
#else
#define TG_INLINE inline
#define TG_LAMBDA
#endif
