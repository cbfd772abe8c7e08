{
  "targets": [
    {
      "target_name": "tensorgrad",
      "sources": [
        "native/addon.cc",
        "native/binding/args.cc",
        "native/binding/elementwise.cc",
        "native/binding/reduce.cc",
        "native/binding/gather.cc",
        "native/binding/gemm.cc",
        "native/binding/optim.cc",
        "native/binding/random.cc",
        "native/binding/range.cc",
        "native/binding/runtime.cc",
        "native/kernels/cpu.cc",
        "native/kernels/gemm.cc",
        "native/kernels/random.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "<!@(node scripts/find-blas.js defines)"],
      "cflags": ["-O3", "-fvisibility=hidden", "-Wall", "-Wextra", "<!@(node scripts/find-blas.js cflags)"],
      "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden", "-ffp-contract=off", "-Wall", "-Wextra"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-O2"],
      "libraries": ["<!@(node scripts/find-blas.js libs)"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CFLAGS": ["-O3"]
      }
    }
  ]
}
